#!/bin/sh
# A handoff left in a repository (baton handoff) is picked up by the next agent
# conversation that starts there: SessionStart links it to the waiting session and
# puts the handoff into the agent's context, within the agents' 10 000-character cap.
. "$(dirname "$0")/lib.sh"
export BATON_HOOK_SYNC=1
R=$TMP/repo
make_repo "$R"

# start AGENT CONVERSATION: a SessionStart payload of that agent; stdout in $TMP/out
start() {
	jq -cn --arg id "$2" --arg cwd "$R" \
		'{session_id: $id, transcript_path: ($cwd + "/none.jsonl"), cwd: $cwd, hook_event_name: "SessionStart", source: "startup"}' |
		(cd "$R" && "$BATON" hook SessionStart --agent "$1" >"$TMP/out" 2>"$TMP/err")
}
conv_session() { sqlite3 "$BATON_HOME/index.db" "select session_id from conversations where agent_session_id='$1'"; }

s=$(cd "$R" && baton save -m "port the lexer to the new grammar" --json | jq -r .session.id)
(cd "$R" && baton log --next "wire the lexer into the parser" >/dev/null)
(cd "$R" && baton handoff --session "$s" "the old lexer stays until the parser tests pass" >/dev/null)
is "$(baton show "$s" --json | jq -r .session.status)" handoff_ready "the session waits with its handoff"

start codex conv-b
is "$(conv_session conv-b)" "$s" "a conversation starting in the repo picks the waiting session up"
like "$(cat "$TMP/out")" "Handoff left for the next agent" "its context carries the handoff"
like "$(cat "$TMP/out")" "the old lexer stays until the parser tests pass" "with the notes left in it"
like "$(cat "$TMP/out")" "wire the lexer into the parser" "and the next steps"

# a second conversation, another agent: the same handoff (the cut of a long one to
# the agents' cap is tested in t/unit/test_hook.c)
start claude conv-c
is "$(conv_session conv-c)" "$s" "a second agent joins the same waiting session"
like "$(cat "$TMP/out")" "Handoff left for the next agent" "and gets the handoff too"
like "$(tail -1 "$TMP/out")" "^Keep it current" "the context ends with its footer"

# once someone works on it (a journal entry), the session is active again
(cd "$R" && baton log --progress "lexer wired" >/dev/null)
is "$(baton show "$s" --json | jq -r .session.status)" active "a new entry makes it active"
start claude conv-d
unlike "$(cat "$TMP/out")" "Handoff left" "and the handoff is no longer offered as waiting"
is "$(conv_session conv-d)" "$s" "while new conversations still join the active session"

# the pick-up can be turned off: a new conversation then gets its own session
(cd "$R" && baton handoff --session "$s" >/dev/null)
BATON_HOOKS_PICKUP_HANDOFF=false start codex conv-e
ok "with hooks.pickup_handoff = false, a new session" test "$(conv_session conv-e)" != "$s"
is "$(cat "$TMP/err")" "" "nothing on stderr"
done_testing
