#!/bin/sh
# The context rendered ahead ($BATON_HOME/hooks/context/): a SessionStart, a
# "continue" prompt or a PreCompact of a conversation whose marker holds print the
# session's context without opening the index, while no event has been written since
# it was rendered. What they print, and what a PreCompact records, is exactly what the
# full path (hooks.context_cache = false) prints and records. Any write anywhere in
# the store, a new host's log, a damaged or foreign file: the full path.
. "$(dirname "$0")/lib.sh"
export BATON_HOOK_SYNC=1 BATON_BOOT_ID=boot-1
R=$TMP/repo
make_repo "$R"

HOOK_SOURCE=resume
out() { cat "$TMP/out"; }
# the same hook through the full path, output in $TMP/full
full() {
	BATON_HOOKS_CONTEXT_CACHE=0 traced_hook "$@"
	cp "$TMP/out" "$TMP/full"
}
C=$BATON_HOME/hooks/context
# count_is N [HOME]: wait (bounded) for a detached PreCompact job to have recorded
# compaction N, and for its cache to be rendered after it
count_is() {
	i=0
	while [ "$(BATON_HOME=${2:-$BATON_HOME} baton show "$sid" --json | jq .session.compaction_count)" != "$1" ] ||
		! grep -qs "compacted $(($1 + 1)) time" "${2:-$BATON_HOME}/hooks/context/$sid.compact"; do
		[ $i -lt 500 ] || break
		sleep 0.02; i=$((i + 1))
	done
}

(cd "$R" && baton save -m "port the parser to the new lexer" >/dev/null &&
	baton log --progress "tokens done" >/dev/null && baton log --blocker "the CI image lacks re2c" >/dev/null &&
	baton log --next "wire the error recovery" >/dev/null &&
	baton log --decision "hand-written lexer" --rationale "re2c is not in Debian's CI image" >/dev/null)
sid=$(cd "$R" && baton resume --json | jq -r .session.id)

traced_hook SessionStart conv-1
unlike "$(sql)" '^0$' "a conversation seen for the first time takes the full path"
like "$(out)" "port the parser" "and prints the context"
ok "which it leaves rendered for the next hook" test -s "$C/$sid.short"
cp "$TMP/out" "$TMP/first"
traced_hook SessionStart conv-1
is "$(sql)" 0 "a SessionStart of the same conversation opens no index"
is "$(out)" "$(cat "$TMP/first")" "and prints the same context"

traced_hook UserPromptSubmit conv-1 "continue"
is "$(sql)" 0 "nor does \"continue\""
full UserPromptSubmit conv-1 "continue"
unlike "$(sql)" '^0$' "(hooks.context_cache = false: the full path)"
is "$(out)" "$(cat "$TMP/full")" "both print the same bytes"

# any write changes the store's state: the full path, which shows it
(cd "$R" && baton log --progress "error recovery started" >/dev/null)
traced_hook UserPromptSubmit conv-1 "continue"
unlike "$(sql)" '^0$' "after a journal entry the full path runs"
like "$(out)" "error recovery started" "and shows it"
traced_hook UserPromptSubmit conv-1 "continue"
is "$(sql)" 0 "then the fast path again"
like "$(out)" "error recovery started" "with the new context"

# a Stop's job renders every variant; a PreCompact then answers from "compact"
traced_hook Stop conv-1
ok "the Stop job rendered the compact variant" test -s "$C/$sid.compact"
rm -rf "$TMP/copy" && cp -a "$BATON_HOME" "$TMP/copy"
full PreCompact conv-1
BATON_HOME=$TMP/copy BATON_HOOK_SYNC=0 traced_hook PreCompact conv-1
is "$(sql)" 0 "a PreCompact opens no index: its checkpoint is the job's"
is "$(out)" "$(cat "$TMP/full")" "and prints what the full path prints after its checkpoint"
like "$(out)" "Context compacted 1 time" "(the count that checkpoint makes)"
count_is 1 "$TMP/copy"
is "$(BATON_HOME=$TMP/copy baton show "$sid" --json | jq -c '.session | [.compaction_count, .status]')" \
	"$(baton show "$sid" --json | jq -c '.session | [.compaction_count, .status]')" "the detached job recorded the same checkpoint"
is "$(BATON_HOME=$TMP/copy baton view "$sid" --json | jq -c '[.journal.checkpoints[] | [.note, .pre_compact]]')" \
	"$(baton view "$sid" --json | jq -c '[.journal.checkpoints[] | [.note, .pre_compact]]')" "with the same note"
BATON_HOME=$TMP/copy BATON_HOOK_SYNC=0 traced_hook PreCompact conv-1
count_is 2 "$TMP/copy"
is "$(sql)" 0 "the next PreCompact answers from the context the job rendered"
like "$(out)" "Context compacted 2 times" "counting on"
BATON_HOME=$TMP/copy traced_hook SessionStart conv-1
like "$(out)" "Context compacted 2 times" "and a SessionStart sees the count too"

# a paused session: the PreCompact's checkpoint leaves it active, and says so
(cd "$R" && baton pause --note "lunch" >/dev/null)
traced_hook Stop conv-1
full PreCompact conv-1
like "$(cat "$TMP/full")" "\\($sid, active" "(the full path's checkpoint reactivates a paused session)"
(cd "$R" && baton pause --note "lunch again" >/dev/null)
traced_hook Stop conv-1
BATON_HOOK_SYNC=0 traced_hook PreCompact conv-1
count_is 3
is "$(sql)" 0 "a paused session's PreCompact answers from the context too"
like "$(out)" "\\($sid, active" "as the session is after its checkpoint: active"

# Gemini's form is made from the same text
traced_hook BeforeAgent gem-1 "continue" gemini
traced_hook BeforeAgent gem-1 "continue" gemini
is "$(sql)" 0 "a Gemini BeforeAgent with \"continue\" opens no index"
full BeforeAgent gem-1 "continue" gemini
is "$(out)" "$(cat "$TMP/full")" "and prints the same JSON as the full path"
is "$(out | jq -r .hookSpecificOutput.hookEventName)" BeforeAgent "(Gemini's hookSpecificOutput)"

# what makes the full path run: another host's log, foreign or damaged files
traced_hook UserPromptSubmit conv-1 "continue"
cp "$TMP/out" "$TMP/good"
traced_hook UserPromptSubmit conv-1 "continue"
is "$(sql)" 0 "(fast before each case)"
tail -n 1 "$BATON_HOME/log/$(cat "$BATON_HOME/host").jsonl" >"$BATON_HOME/log/otherhost.jsonl"
traced_hook UserPromptSubmit conv-1 "continue"
unlike "$(sql)" '^0$' "a log from another host takes the full path"
is "$(out)" "$(cat "$TMP/good")" "(with the same answer: that event was known)"
traced_hook UserPromptSubmit conv-1 "continue"
is "$(sql)" 0 "then fast, that log counted"
for damage in garbage header version truncated empty; do
	f=$C/$sid.short
	case $damage in
	garbage) printf 'garbage\n\nnot ours' >"$f" ;;
	header) sed -i '1s/short/full/' "$f" ;;
	version) sed -i '1s/^baton-context 1 [^ ]*/baton-context 1 0.0.0/' "$f" ;;
	truncated) head -c 40 "$f" >"$f.t" && mv "$f.t" "$f" ;;
	empty) : >"$f" ;;
	esac
	traced_hook UserPromptSubmit conv-1 "continue"
	unlike "$(sql)" '^0$' "a $damage context file takes the full path"
	is "$(out)" "$(cat "$TMP/good")" "and the answer is right"
done
head -c 100000 /dev/zero | tr '\0' x >"$C/$sid.short"
traced_hook UserPromptSubmit conv-1 "continue"
is "$(out)" "$(cat "$TMP/good")" "an oversized file too"
BATON_SESSION=$sid traced_hook UserPromptSubmit conv-1 "continue"
unlike "$(sql)" '^0$' "BATON_SESSION takes the full path"

# the full path leaves its checkpoint to the detached job too (no fsync while the
# agent waits), and prints the count that checkpoint makes
n=$(baton show "$sid" --json | jq .session.compaction_count)
BATON_HOOKS_CONTEXT_CACHE=0 BATON_HOOK_SYNC=0 traced_hook PreCompact conv-1
unlike "$(sql)" '^0$' "(a PreCompact on the full path)"
like "$(out)" "Context compacted $((n + 1)) time" "prints the count its checkpoint makes"
i=0
while [ "$(baton show "$sid" --json | jq .session.compaction_count)" != $((n + 1)) ] && [ $i -lt 500 ]; do
	sleep 0.02; i=$((i + 1))
done
is "$(baton show "$sid" --json | jq .session.compaction_count)" $((n + 1)) "which its detached job records"

# closed: the marker goes, the context is not printed from the file any more
(cd "$R" && baton close --complete >/dev/null)
traced_hook SessionStart conv-1
unlike "$(sql)" '^0$' "a closed session's conversation takes the full path"
unlike "$(out)" "port the parser" "and is linked to another session"
is "$(grep -c . "$BATON_HOME/hooks.log" 2>/dev/null || echo 0)" 0 "nothing failed on the way"
done_testing
