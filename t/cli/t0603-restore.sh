#!/bin/bash
# A simulated reboot (another BATON_BOOT_ID) makes live runs interrupted; restore
# lists one resume line each, and those lines, run with stub agents, start each agent
# in its directory with its own session id.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runs.sh"

d1="$TMP/work/it's here"   # a quote and a space: quoting must hold
d2="$TMP/work/two"
make_repo "$d1"
make_repo "$d2"
s1=$(cd "$d1" && baton save -m "parser" --name parser --json | jq -r .session.id)
s2=$(cd "$d2" && baton save -m "docs" --name docs --json | jq -r .session.id)

# boot A: two agents running, one claude (id pre-assigned), one codex (id learnt late)
export BATON_BOOT_ID=boot-A
(cd "$d1" && STUB_MODE=sleep STUB_READY=$TMP/r1 exec "$BATON" run -- claude -p "fix the parser") &
w1=$!
# the second starts once the first runs, so "start order" is defined
wait_until 20 test -s "$TMP/r1"
(cd "$d2" && STUB_MODE=sleep STUB_READY=$TMP/r2 STUB_SESSION=019a-codex-two exec "$BATON" run -- codex exec "write docs") &
w2=$!
ok "both agents start" wait_until 20 test -s "$TMP/r1" -a -s "$TMP/r2"
c1=$(cat "$TMP/r1")
c2=$(cat "$TMP/r2")
is "$(baton runs --status running --json | jq .count)" 2 "two runs live in boot A"
# and a run that ended before the reboot: not to be restored
(cd "$d2" && STUB_MODE=exit1 baton run --task old -- claude -p "old")
is "$(baton restore --json | jq .count)" 0 "no reboot yet: nothing to restore"

# power loss: everything dies at once, nothing is recorded
{ kill -9 "$w1" "$w2" "$c1" "$c2"; wait "$w1" "$w2"; } 2>/dev/null
ok "all gone" wait_until 10 proc_gone "$c1"
ok "all gone" wait_until 10 proc_gone "$c2"

export BATON_BOOT_ID=boot-B
runs=$(baton runs --sessions --json)
is "$(jqr "$runs" '[.runs[] | select(.boot_id == "boot-A") | .status] | sort | join(",")')" "failed,interrupted,interrupted" \
	"after the reboot, the live runs are interrupted"
is "$(grep '"type":"run_interrupted"' "$BATON_HOME"/log/*.jsonl | jq -r .reason | sort -u)" reboot "because of the reboot"
r1=$(jqr "$runs" ".runs[] | select(.agent == \"claude\" and .task == null) | .id")
r2=$(jqr "$runs" '.runs[] | select(.agent == "codex") | .id')
u1=$(jqr "$runs" ".runs[] | select(.id == \"$r1\") | .agent_session_id")
like "$u1" '^[0-9a-f-]{36}$' "claude's own id is known"
is "$(jqr "$runs" ".runs[] | select(.id == \"$r2\") | .agent_session_id")" 019a-codex-two "codex's id was learnt"

res=$(baton restore --json)
is "$(jqr "$res" '[.boot_id, .previous_boot_id, .count] | @json')" '["boot-B","boot-A",2]' "restore: two sessions live at boot A"
is "$(jqr "$res" '[.items[].session_id] | @json')" "[\"$s1\",\"$s2\"]" "their sessions, in start order"
q1="'$TMP/work/it'\\''s here'"
is "$(jqr "$res" '.items[0].line')" "cd $q1 && baton run --attempt-of $r1 -- claude --resume $u1" "claude's line"
is "$(jqr "$res" '.items[1].line')" "cd '$d2' && baton run --attempt-of $r2 -- codex exec resume 019a-codex-two" \
	"codex's line (exec mode)"
baton restore >"$TMP/restore.sh"
like "$(head -2 "$TMP/restore.sh")" 'baton restore: 2 to resume, live at boot boot-A' "a script with a header"
is "$(grep -c '^cd ' "$TMP/restore.sh")" 2 "and one line each"
is "$(baton restore --since boot-A --json | jq .count)" 2 "--since BOOT"
is "$(baton restore --since 2000-01-01 --json | jq .count)" 2 "--since TIME"
is "$(baton restore --since 2999-01-01 --json | jq .count)" 0 "--since a later time: none"
exit_is 2 "--since neither a boot nor a time" baton restore --since boot-Z

# run the script: each agent starts where it was, with its own id
: >"$STUB_LOG"
(cd "$TMP" && STUB_MODE=exit0 sh "$TMP/restore.sh")
is "$(cut -d'|' -f1,2,4,5 "$STUB_LOG")" "claude|$d1|$s1|--resume $u1
codex|$d2|$s2|exec resume 019a-codex-two" "the stub agents ran in the right directories with the right ids"
after=$(baton runs --json)
is "$(jqr "$after" "[.threads[] | select(.run_id != null and .attempts == 2) | .status] | join(\",\")")" "completed,completed" \
	"the resumes are new attempts of the same threads"
is "$(baton restore --json | jq .count)" 0 "restored threads are not offered again"

# --all: every active session, from its latest run
res=$(baton restore --all --json)
is "$(jqr "$res" .count)" 2 "--all: the two active sessions"
like "$(jqr "$res" ".items[] | select(.session_id == \"$s1\") | .line")" "claude --resume $u1\$" "from their latest runs"
s3=$(cd "$TMP" && baton save -m "no runs yet" --name bare --json | jq -r .session.id)
like "$(baton restore --all --json | jq -r '.items[] | select(.session_id == "'"$s3"'") | .line')" \
	"^cd '$TMP' && baton resume '$s3'\$" "a session without runs: baton resume"

# --tmux: one window each, in a tmux server of the test's own
export TMUX_TMPDIR=$TMP/tmux
mkdir -p "$TMUX_TMPDIR"
dry=$(baton restore --all --tmux --dry-run)
like "$dry" "^tmux new-session -d -s 'baton-restore' -n '[a-z]+' -c '" "--dry-run prints the tmux commands"
ok "each window in the session's directory (quoted), running its resume command" \
	grep -qF -- "tmux new-window -t 'baton-restore:' -n 'parser' -c $q1 'baton run --attempt-of " <<<"$dry"
like "$dry" "-n 'parser' .* -- claude --resume $u1; exec " "the parser window resumes claude's session"
is "$(printf '%s\n' "$dry" | grep -c 'new-window')" 3 "a window per line"
: >"$STUB_LOG"
out=$(STUB_MODE=exit0 baton restore --all --tmux)
like "$out" "opened 3 tmux windows in session 'baton-restore'" "--tmux opens them"
stub_lines_ge() { [ "$(wc -l <"$STUB_LOG")" -ge "$1" ]; }
ok "the agents started in tmux" wait_until 20 stub_lines_ge 2
is "$(tmux list-windows -t baton-restore -F '#{window_name}' | sort | tr '\n' ' ')" "bare docs parser " "windows named after the sessions"
is "$(cut -d'|' -f1,2 "$STUB_LOG" | sort | tr '\n' ' ')" "claude|$d1 codex|$d2 " "each agent in its directory"
tmux kill-server 2>/dev/null

done_testing
