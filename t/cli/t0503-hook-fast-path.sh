#!/bin/sh
# The fast path of UserPromptSubmit: an ordinary prompt of a conversation already
# linked to an open session with an objective, and recorded live at this boot, does
# not open the index (a marker under $BATON_HOME/hooks/seen says so). Everything
# that changes the answer takes the full path again: a continuation phrase, a new
# boot, the session closed, the conversation ended (its marker says so), a damaged
# marker.
. "$(dirname "$0")/lib.sh"
export BATON_HOOK_SYNC=1 BATON_BOOT_ID=boot-1
R=$TMP/repo
make_repo "$R"

conv_session() { sqlite3 "$BATON_HOME/index.db" "select session_id from conversations where agent_session_id='$1'"; }
lives() { grep -c '"type":"conversation_live"' "$BATON_HOME"/log/*.jsonl; }
M=$BATON_HOME/hooks/seen/claude-conv-1

traced_hook SessionStart conv-1
ok "SessionStart of a session without an objective leaves no marker" test ! -e "$M"
traced_hook UserPromptSubmit conv-1 "fix the flaky parser test"
s1=$(conv_session conv-1)
is "$(baton show "$s1" --json | jq -r .session.objective)" "fix the flaky parser test" "the first prompt is the objective"
ok "then the marker is there" test -s "$M"
like "$(cat "$M")" " boot-1 $s1\$" "naming this boot and the session"

traced_hook UserPromptSubmit conv-1 "now the lexer"
is "$(sql)" 0 "an ordinary prompt opens no index"
is "$(cat "$TMP/out")" "" "and prints nothing"
traced_hook UserPromptSubmit conv-1 "continue"
unlike "$(sql)" '^0$' "a continuation phrase takes the full path"
like "$(cat "$TMP/out")" "fix the flaky parser test" "and gets the context"

# a new boot: the conversation must be recorded live at it
before=$(lives)
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "after the reboot"
unlike "$(sql)" '^0$' "a new boot takes the full path"
is "$(lives)" $((before + 1)) "and records the conversation live at the new boot"
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "again"
is "$(sql)" 0 "then the fast path again"

# the session closed under the conversation: the next prompt links it anew
baton close --session "$s1" --complete >/dev/null
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "more work"
unlike "$(sql)" '^0$' "a closed session takes the full path"
s2=$(conv_session conv-1)
ok "the conversation moved to a new session ($s2)" test -n "$s2" -a "$s2" != "$s1"
is "$(baton show "$s2" --json | jq -r .session.objective)" "more work" "whose objective is that prompt"

# a deleted session too (the move itself changed the epoch the marker was made in:
# one more full path, then fast)
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "still more"
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "and more"
is "$(sql)" 0 "fast again on the new session"
baton delete "$s2" >/dev/null
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "after a delete"
unlike "$(sql)" '^0$' "a deleted session takes the full path"

# SessionEnd marks the marker ended: a conversation that comes back is live again
BATON_BOOT_ID=boot-2 traced_hook SessionEnd conv-1
like "$(cat "$M")" " boot-2 [0-9A-Z]* ended\$" "SessionEnd leaves the marker saying ended"
before=$(lives)
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "resumed without a SessionStart"
is "$(lives)" $((before + 1)) "the ended conversation is recorded live again"
unlike "$(cat "$M")" "ended" "and its marker says live"

# damaged or foreign markers: the full path, never a crash
printf 'garbage' >"$M"
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "x"
unlike "$(sql)" '^0$' "a damaged marker takes the full path"
ok "and is rewritten" grep -q " boot-2 " "$M"
: >"$M"
BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "y"
unlike "$(sql)" '^0$' "an empty marker too"
traced_hook UserPromptSubmit "../../etc/passwd" "z"
ok "an id that is no file name gets no marker" test ! -e "$BATON_HOME/hooks/seen/claude-../../etc/passwd"
BATON_SESSION=$s1 BATON_BOOT_ID=boot-2 traced_hook UserPromptSubmit conv-1 "forced"
unlike "$(sql)" '^0$' "BATON_SESSION takes the full path"
is "$(cat "$BATON_HOME/hooks.log" 2>/dev/null | grep -c 'conv-1')" 0 "nothing failed on the way"

# Stop and SessionEnd answer at once: the detached job never holds the agent's pipes
# (the agent waits for them to close). Its work waits here for a lock held elsewhere.
host=$(cat "$BATON_HOME/host")
flock "$BATON_HOME/log/$host.jsonl" sleep 60 &
lockpid=$!
i=0
while flock -n "$BATON_HOME/log/$host.jsonl" true 2>/dev/null && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
ends=$(grep -c '"type":"conversation_ended"' "$BATON_HOME"/log/*.jsonl)
out=$(jq -cn --arg cwd "$R" '{session_id: "conv-1", cwd: $cwd, hook_event_name: "SessionEnd", reason: "exit"}' |
	(cd "$R" && BATON_HOOK_SYNC=0 BATON_BOOT_ID=boot-2 "$BATON" hook SessionEnd --agent claude; echo "rc=$?"))
is "$out" "rc=0" "SessionEnd answered, its pipes closed, while the job still waits"
ok "the lock is still held: the job had not run" kill -0 $lockpid
pkill -P $lockpid sleep; kill $lockpid 2>/dev/null; wait $lockpid 2>/dev/null # flock's sleep holds the lock too
i=0
while [ "$(grep -c '"type":"conversation_ended"' "$BATON_HOME"/log/*.jsonl)" -eq "$ends" ] && [ $i -lt 1500 ]; do
	sleep 0.02; i=$((i + 1))
done
is "$(grep -c '"type":"conversation_ended"' "$BATON_HOME"/log/*.jsonl)" $((ends + 1)) "then the detached job did its work"
# markers of conversations that never ended are pruned by the detached job after 14
# days untouched, at most once a day
S=$BATON_HOME/hooks/seen
printf 'x boot-1 s\n' >"$S/claude-old-1"
touch -d '20 days ago' "$S/claude-old-1"
printf 'x boot-1 s\n' >"$S/claude-recent"
mkdir -p "$BATON_HOME/hooks/dirs" && printf 'x\n' >"$BATON_HOME/hooks/dirs/0123456789abcdef"
touch -d '20 days ago' "$BATON_HOME/hooks/dirs/0123456789abcdef"
rm -f "$S/.pruned"
jq -cn --arg cwd "$R" '{session_id: "conv-9", cwd: $cwd, hook_event_name: "Stop"}' |
	(cd "$R" && BATON_HOOK_SYNC=1 "$BATON" hook Stop --agent claude)
ok "a marker untouched for 20 days is pruned" test ! -e "$S/claude-old-1"
ok "a recent one is kept" test -e "$S/claude-recent"
ok "and a directory's file untouched for 20 days is pruned too" test ! -e "$BATON_HOME/hooks/dirs/0123456789abcdef"
printf 'x boot-1 s\n' >"$S/claude-old-2"
touch -d '20 days ago' "$S/claude-old-2"
jq -cn --arg cwd "$R" '{session_id: "conv-9", cwd: $cwd, hook_event_name: "Stop"}' |
	(cd "$R" && BATON_HOOK_SYNC=1 "$BATON" hook Stop --agent claude)
ok "pruning runs at most once a day" test -e "$S/claude-old-2"
# every process opening the index reads its whole WAL first, and the first commit
# into an empty one syncs it: the detached job, off the agent's clock, leaves a WAL
# of two pages (a CLI command leaves up to 1 MiB)
sid=$(cd "$R" && "$BATON" log --progress "some work" --json | jq -r .session_id)
ok "a command leaves its writes in the WAL" test -s "$BATON_HOME/index.db-wal"
jq -cn --arg cwd "$R" '{session_id: "conv-9", cwd: $cwd, hook_event_name: "Stop"}' |
	(cd "$R" && BATON_HOOK_SYNC=1 "$BATON" hook Stop --agent claude)
wal=$(stat -c %s "$BATON_HOME/index.db-wal")
ok "the Stop job checkpoints the WAL and starts it anew with a page or two ($wal bytes)" \
	test "$wal" -gt 0 -a "$wal" -le $((32 + 3 * (24 + 16384)))
like "$("$BATON" show "$sid" --json | jq -r .session.tldr)" "Current step: some work" "and what it wrote is in the index"
done_testing
