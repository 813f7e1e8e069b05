#!/bin/bash
# restore also brings back agent conversations that were live at the previous boot
# without `baton run`: the hooks record each conversation live at its boot
# (SessionStart, or any later hook of it), SessionEnd ends it. After a simulated
# reboot, the ones that never ended get their agent's own resume line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runs.sh"
export BATON_HOOK_SYNC=1 # the SessionEnd job runs before the hook returns

d1="$TMP/work/one"
d2="$TMP/work/it's two" # a quote and a space: quoting must hold
make_repo "$d1"
make_repo "$d2"
s1=$(cd "$d1" && baton save -m "parser" --name parser --json | jq -r .session.id)
s2=$(cd "$d2" && baton save -m "docs" --name docs --json | jq -r .session.id)

# hook AGENT EVENT CONVERSATION CWD [SOURCE]: what the agent sends, from a real payload
hook() {
	jq -c --arg id "$3" --arg cwd "$4" --arg src "${5:-startup}" \
		'.session_id = $id | .cwd = $cwd | .transcript_path = ($cwd + "/none.jsonl") | .source = $src' \
		"$FIXTURES/hooks/$1/01-SessionStart.json" | jq -c --arg e "$2" '.hook_event_name = $e' |
		(cd "$4" && baton hook "$2" --agent "$1")
}

export BATON_BOOT_ID=boot-A
hook claude SessionStart conv-x "$d1" >/dev/null
hook codex SessionStart conv-y "$d2" >/dev/null
hook claude SessionStart conv-z "$d2" >/dev/null
hook claude SessionEnd conv-z "$d2" >/dev/null # z was closed by its user
lives=$(grep -c '"type":"conversation_live"' "$BATON_HOME"/log/*.jsonl)
is "$lives" 3 "each conversation is recorded live once"
hook claude UserPromptSubmit conv-x "$d1" >/dev/null
is "$(grep -c '"type":"conversation_live"' "$BATON_HOME"/log/*.jsonl)" 3 "later hooks of a live conversation write nothing more"
is "$(baton restore --json | jq .count)" 0 "no reboot yet: nothing to restore"

# power loss: nobody sends SessionEnd
export BATON_BOOT_ID=boot-B
res=$(baton restore --json)
is "$(jqr "$res" '[.previous_boot_id, .count] | @json')" '["boot-A",2]' "two conversations were live at boot A"
is "$(jqr "$res" '[.items[] | .from + ":" + .agent + ":" + .agent_session_id] | join(",")')" \
	"conversation:claude:conv-x,conversation:codex:conv-y" "the two that never ended, in start order"
is "$(jqr "$res" '[.items[].session_id] | @json')" "[\"$s1\",\"$s2\"]" "with their sessions"
is "$(jqr "$res" '.items[0].line')" "cd '$d1' && baton run --session '$s1' -- claude --resume conv-x" "claude's line"
q2="'$TMP/work/it'\\''s two'"
is "$(jqr "$res" '.items[1].line')" "cd $q2 && baton run --session '$s2' -- codex resume conv-y" "codex's line"
is "$(jqr "$res" '[.items[].exact] | all')" true "both resume the exact conversation"
is "$(baton restore --since boot-A --json | jq .count)" 2 "--since a boot known from the hooks"

# index rebuild keeps it: the log is the truth
baton index rebuild >/dev/null
is "$(baton restore --json | jq -c '[.items[].agent_session_id]')" '["conv-x","conv-y"]' "the same after an index rebuild"
ok "index verify covers the new table" baton index verify

# the script runs the agents in their directories with their own ids
baton restore >"$TMP/restore.sh"
: >"$STUB_LOG"
(cd "$TMP" && STUB_MODE=exit0 sh "$TMP/restore.sh")
is "$(cut -d'|' -f1,2,4,5 "$STUB_LOG")" "claude|$d1|$s1|--resume conv-x
codex|$d2|$s2|resume conv-y" "the stub agents started where they were, with their ids"
is "$(baton runs --session "$s1" --json | jq -r '.threads[0].status')" completed "the resume is now a run in the ledger"

# picked up again in this boot: not offered again, the other one still is
hook claude SessionStart conv-x "$d1" resume >/dev/null
is "$(baton restore --json | jq -c '[.items[].agent_session_id]')" '["conv-y"]' "a conversation resumed since is left alone"

# a run of an agent whose hook reported its conversation: one line, from the run
export BATON_BOOT_ID=boot-C
(cd "$d1" && STUB_MODE=sleep STUB_READY=$TMP/r1 exec "$BATON" run -- claude -p "more parser") &
w=$!
ok "the run starts" wait_until 20 test -s "$TMP/r1"
run=$(last_run)
uuid=$(jqr "$run" .agent_session_id)
(export BATON_RUN_ID=$(jqr "$run" .id); hook claude SessionStart "$uuid" "$d1" >/dev/null)
{ kill -9 "$w" "$(cat "$TMP/r1")"; wait "$w"; } 2>/dev/null
export BATON_BOOT_ID=boot-D
res=$(baton restore --json)
is "$(jqr "$res" '[.previous_boot_id, .count] | @json')" '["boot-C",1]' "a run and its conversation: restored once"
is "$(jqr "$res" '.items[0].from')" run "from the run (its attempt history goes on)"

# bad input: a boot nobody saw
exit_is 2 "--since an unknown boot" baton restore --since boot-Z
done_testing
