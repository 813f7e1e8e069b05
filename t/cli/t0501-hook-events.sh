#!/bin/sh
# baton hook: the recorded hook payloads of Claude Code, Codex and Gemini CLI (made
# with the real CLIs) replayed in order against a fresh store; output and store
# effects for every event; failures never reach the agent.
. "$(dirname "$0")/lib.sh"

HOOKS=$FIXTURES/hooks
REPO=$TMP/claude-repo
for a in claude codex gemini; do make_repo "$TMP/$a-repo"; done
cp -a "$FIXTURES/transcripts/home/." "$HOME/"
LOG=$BATON_HOME/hooks.log
# The recorded transcripts are from 2026-11-22 ~17:55 UTC, and a conversation idle
# for more than a day makes an expired session, not an active one (ingest.c): the
# store's clock is set an hour after the recording, whatever day the tests run.
export BATON_NOW=2026-11-22T19:00:00Z

# payload AGENT FILE: the recorded stdin with the recording's paths moved here
payload() {
	sed -e "s|/home/dev/$1/home|$HOME|g" -e "s|/home/dev/$1/repo|$TMP/$1-repo|g" "$HOOKS/$1/$2"
}
# hook AGENT FILE [EVENT]: run the hook (deferred work inline) from the repo; stdout
# in $TMP/out, exit code in $TMP/rc
# A hook gives up on the store's lock after 200 ms by design; on a loaded machine (or
# under sanitizers) that budget can pass while the previous hook still writes, and
# the event is then (correctly) dropped. These tests check what the events do, so they
# wait; the budget itself is tested below with its real value.
export BATON_HOOK_LOCK_MS=60000

hook() {
	ev=${3:-$(echo "$2" | sed 's/^[0-9]*-//; s/\.json$//')}
	payload "$1" "$2" | (cd "$TMP/$1-repo" && BATON_HOOK_SYNC=1 "$BATON" hook "$ev" --agent "$1" >"$TMP/out" 2>"$TMP/err")
	echo $? >"$TMP/rc"
}
out() { cat "$TMP/out"; }
sess() { baton list --json | jq -r ".sessions[] | select(.source == \"$1\") | .$2"; }
loglines() { [ -f "$LOG" ] && wc -l <"$LOG" | tr -d ' ' || echo 0; }

# ---- Claude Code -------------------------------------------------------------------
hook claude 01-SessionStart.json
is "$(cat "$TMP/rc")" 0 "claude SessionStart exits 0"
is "$(baton list --json | jq '.sessions | length')" 1 "SessionStart created a session for the conversation"
is "$(sess claude status)" active "active"
sid=$(sess claude id)
is "$(sqlite3 "$BATON_HOME/index.db" "select session_id from conversations where source='claude'")" "$sid" \
	"the conversation is linked to it"
hook claude 02-UserPromptSubmit.json
is "$(out)" "" "UserPromptSubmit prints nothing for an ordinary prompt"
like "$(sess claude objective)" "^Create hello.txt saying hello" "the first prompt became the objective"
is "$(sess claude shortname)" create-hello-txt-saying "and named the session"
hook claude 04-PostToolUse.json
is "$(cat "$TMP/rc")$(out)" 0 "PostToolUse (off by default) exits 0, prints nothing"
is "$(sess claude recent_changes.files | jq length)" 0 "and records nothing"
hook claude 15-Stop.json
is "$(out)" "" "Stop prints nothing"
msgs=$(baton messages "$sid" --json | jq '.messages | length')
ok "Stop ingested the transcript's messages ($msgs)" test "$msgs" -gt 5
hook claude 16-SessionEnd.json
is "$(out)" "" "SessionEnd prints nothing"
is "$(grep -c '"type":"conversation_ended"' "$BATON_HOME"/log/*.jsonl)" 1 "SessionEnd recorded conversation_ended"
is "$(sqlite3 "$BATON_HOME/index.db" "select reason from conversation_ends")" other "with its reason, in the index"

baton log --session "$sid" --progress "write hello.txt" >/dev/null
baton log --session "$sid" --blocker "the fake MCP server is flaky" >/dev/null
baton log --session "$sid" --next "ping the server again" >/dev/null
hook claude 17-SessionStart.json
like "$(out)" "^baton session \"create-hello-txt-saying\" \\($sid, active, $REPO\\)" "resume: SessionStart prints the session"
like "$(out)" "TL;DR: Create hello.txt" "with its TL;DR"
like "$(out)" "Current step: write hello.txt" "its progress"
like "$(out)" "^Open blockers:" "its open blockers"
like "$(out)" "^- the fake MCP server is flaky" "(the blocker)"
like "$(out)" "^Next steps:" "and its next steps"
like "$(out)" "^- ping the server again" "(the next step)"
is "$(baton list --json | jq '.sessions | length')" 1 "the resumed conversation stays in its session"
hook claude 18-UserPromptSubmit.json
is "$(out)" "" "a prompt that is not a continuation prints nothing"
like "$(sess claude objective)" "^Create hello.txt" "and the objective stays the first prompt"
REPO_C=$REPO
payload claude 18-UserPromptSubmit.json | jq -c '.prompt = "ok, where were we?"' >"$TMP/cont.json"
(cd "$REPO" && "$BATON" hook UserPromptSubmit --agent claude <"$TMP/cont.json" >"$TMP/out")
like "$(out)" "TL;DR: Create hello.txt" "\"where were we?\" injects the session context"
jq -c '.prompt = "Continue"' "$TMP/cont.json" | (cd "$REPO" && "$BATON" hook UserPromptSubmit --agent claude >"$TMP/out")
like "$(out)" "Open blockers" "so does \"Continue\""
jq -c '.prompt = "lets go on"' "$TMP/cont.json" |
	(cd "$REPO" && BATON_HOOKS_CONTINUE_PHRASES="go on, onwards" "$BATON" hook UserPromptSubmit --agent claude >"$TMP/out")
like "$(out)" "TL;DR" "hooks.continue_phrases sets the phrases"

hook claude 25-PreCompact.json
is "$(sess claude compaction_count)" 1 "PreCompact counted a compaction"
like "$(out)" "TL;DR: .*Context compacted 1 time" "and printed what must survive"
like "$(out)" "^In progress:" "with the steps in progress"
is "$(baton view "$sid" --json | jq '[.journal.checkpoints[] | select(.pre_compact)] | length')" 1 \
	"a pre-compact checkpoint is in the journal"
hook claude 26-SubagentStop.json
is "$(cat "$TMP/rc")$(out)" 0 "SubagentStop exits 0, prints nothing"
hook claude 27-SessionStart.json
like "$(out)" "Context compacted 1 time" "SessionStart after the compaction restores the context"
like "$(out)" "In progress:" "in full"
hook claude 28-PostCompact.json
is "$(cat "$TMP/rc")$(out)" 0 "an event baton does not handle is ignored"
for f in 29-SessionEnd.json 30-SessionStart.json 31-UserPromptSubmit.json 35-Stop.json 36-SessionEnd.json; do hook claude $f; done
is "$(sess claude compaction_count)" 1 "one compaction in all"
is "$(grep -c '"type":"conversation_ended"' "$BATON_HOME"/log/*.jsonl)" 3 "every SessionEnd recorded"
is "$(loglines)" 0 "no failure was logged"

# PostToolUse when turned on: files touched
payload claude 04-PostToolUse.json | (cd "$REPO" && BATON_HOOKS_POST_TOOL_USE=true "$BATON" hook PostToolUse --agent claude)
is "$(sess claude recent_changes.files | jq -c .)" '["hello.txt"]' "hooks.post_tool_use notes the file written"

# ---- the detached part -----------------------------------------------------------------
baton save --new -m "detached" --cwd "$TMP" >/dev/null
n0=$(grep -c '"type":"conversation_ended"' "$BATON_HOME"/log/*.jsonl)
t0=$(date +%s%N)
payload claude 36-SessionEnd.json | (cd "$REPO" && "$BATON" hook SessionEnd --agent claude >"$TMP/out")
t1=$(date +%s%N)
is "$(out)" "" "SessionEnd (detached) prints nothing"
i=0
while [ "$(grep -c '"type":"conversation_ended"' "$BATON_HOME"/log/*.jsonl)" = "$n0" ] && [ $i -lt 200 ]; do
	sleep 0.05; i=$((i + 1))
done
is "$(grep -c '"type":"conversation_ended"' "$BATON_HOME"/log/*.jsonl)" $((n0 + 1)) "the detached process recorded the end"
echo "# detached SessionEnd returned in $(((t1 - t0) / 1000000)) ms"

# ---- never break the agent ----------------------------------------------------------
n=$(loglines)
printf '{"session_id": ' | (cd "$REPO" && "$BATON" hook SessionStart --agent claude >"$TMP/out" 2>"$TMP/err")
is "$?:$(out)" "0:" "malformed stdin: exit 0, nothing printed"
is "$(loglines)" $((n + 1)) "and logged"
like "$(tail -1 "$LOG")" "claude SessionStart: SessionStart hook input is not a JSON object" "saying what was wrong"
(cd "$REPO" && "$BATON" hook UserPromptSubmit --agent claude </dev/null >"$TMP/out" 2>"$TMP/err")
is "$?:$(out)" "0:" "empty stdin: exit 0, nothing printed"
is "$(loglines)" $((n + 2)) "and logged"
head -c 1100000 /dev/zero | tr '\0' ' ' | sed 's/^/{"a":1}/' | (cd "$REPO" && "$BATON" hook SessionStart >"$TMP/out" 2>&1)
is "$?:$(out)" "0:" "input over 1 MiB: exit 0, nothing printed"
like "$(tail -1 "$LOG")" "over 1048576 bytes" "and logged"
payload claude 30-SessionStart.json | jq -c '.session_id = "0000-new" | .transcript_path = "/nonexistent/x.jsonl"' |
	(cd "$REPO" && BATON_HOOK_SYNC=1 "$BATON" hook SessionStart --agent claude >"$TMP/out" 2>&1)
is "$?" 0 "a missing transcript: exit 0"
payload claude 35-Stop.json | jq -c '.transcript_path = "/nonexistent/x.jsonl"' |
	(cd "$REPO" && BATON_HOOK_SYNC=1 "$BATON" hook Stop --agent claude >"$TMP/out" 2>&1)
is "$?:$(out)" "0:" "Stop with a missing transcript: exit 0, nothing printed"
(cd "$REPO" && "$BATON" hook SessionStart --agent nosuch </dev/null >"$TMP/out" 2>&1)
is "$?:$(out)" "0:" "an unknown agent: exit 0, nothing printed"
like "$(tail -1 "$LOG")" "unknown agent 'nosuch'" "and logged"

# an unwritable store: the log file cannot be appended to
bad=$TMP/bad; mkdir -p "$bad/log"; mkdir "$bad/log/h1.jsonl"
n=$(loglines)
payload claude 25-PreCompact.json | (cd "$REPO" && BATON_HOME=$bad BATON_HOST=h1 "$BATON" hook PreCompact --agent claude >"$TMP/out" 2>"$TMP/err")
is "$?:$(out)$(cat "$TMP/err")" "0:" "an unwritable store: exit 0, nothing printed at all"
like "$(cat "$bad/hooks.log")" "claude PreCompact: " "and the failure is in that store's hooks.log"

# a lock held elsewhere is waited on only within the budget
host=$(cat "$BATON_HOME/host")
flock "$BATON_HOME/log/$host.jsonl" sleep 3 &
lockpid=$!
i=0
while flock -n "$BATON_HOME/log/$host.jsonl" true 2>/dev/null && [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done
t0=$(date +%s%N)
payload claude 25-PreCompact.json | (cd "$REPO" && BATON_HOOK_LOCK_MS=200 "$BATON" hook PreCompact --agent claude >"$TMP/out" 2>&1)
rc=$?
t1=$(date +%s%N)
kill $lockpid 2>/dev/null; wait $lockpid 2>/dev/null
is "$rc:$(out)" "0:" "the store's lock held elsewhere: exit 0, nothing printed"
ms=$(((t1 - t0) / 1000000))
ok "within the lock budget ($ms ms < 2000)" test "$ms" -lt 2000
like "$(tail -1 "$LOG")" "locked by another baton process" "and logged"
is "$(sess claude compaction_count)" 1 "nothing was counted"

# ---- Codex ----------------------------------------------------------------------------
for f in "$HOOKS"/codex/*.json; do
	hook codex "$(basename "$f")"
	case $f in
	*-SessionStart.json) echo "$(out)" >>"$TMP/codex.starts" ;;
	*-PreCompact.json) cp "$TMP/out" "$TMP/codex.compact" ;;
	esac
	[ "$(cat "$TMP/rc")" = 0 ] || echo "# codex $(basename "$f") exited $(cat "$TMP/rc")"
done
like "$(sess codex objective)" "^Create hello.txt saying hello, commit it, and ping" "codex: the first prompt is the objective"
is "$(sess codex compaction_count)" 1 "codex PreCompact counted"
like "$(cat "$TMP/codex.compact")" "TL;DR" "and printed the context (plain text)"
like "$(cat "$TMP/codex.starts")" "^baton session \"create-hello-txt-saying\"" "codex SessionStart (resume) prints the session"
csid=$(sess codex id)
ok "codex messages ingested" test "$(baton messages "$csid" --json | jq '.messages | length')" -gt 3
# notify: the JSON is the last argument
n=$(grep -c '"type":"session_saved"' "$BATON_HOME"/log/*.jsonl)
(cd "$TMP/codex-repo" && BATON_HOOK_SYNC=1 "$BATON" hook notify --agent codex \
	'{"type":"agent-turn-complete","thread-id":"01a20465-801c-7861-832c-973fae3968c3","turn-id":"1","cwd":"'"$TMP/codex-repo"'","input-messages":["x"],"last-assistant-message":"Done."}' \
	</dev/null >"$TMP/out" 2>&1)
is "$?:$(out)" "0:" "codex notify (JSON in argv): exit 0, nothing printed"
unlike "$(tail -1 "$LOG")" "notify" "no notify failure in hooks.log"
is "$(grep '"type":"conversation_linked"' "$BATON_HOME"/log/*.jsonl | grep -c '"agent_session_id":"01a20465-801c-7861-832c-973fae3968c3"')" 1 "(the rollout's conversation was linked once)"

# ---- Gemini ---------------------------------------------------------------------------
for f in "$HOOKS"/gemini/*.json; do
	hook gemini "$(basename "$f")"
	case $f in
	*-31-SessionStart.json | *31-SessionStart.json) cp "$TMP/out" "$TMP/gemini.start" ;;
	esac
done
like "$(sess gemini objective)" "^Create hello.txt" "gemini BeforeAgent: the first prompt is the objective"
is "$(sess gemini compaction_count)" 0 "gemini PreCompress (auto, before every model call) counts nothing"
is "$(jq -r .hookSpecificOutput.hookEventName "$TMP/gemini.start")" SessionStart "gemini SessionStart prints one JSON object"
like "$(jq -r .hookSpecificOutput.additionalContext "$TMP/gemini.start")" "^baton session" "with the context as additionalContext"
payload gemini 03-PreCompress.json | jq -c '.trigger = "manual"' | (cd "$TMP/gemini-repo" && "$BATON" hook PreCompress --agent gemini >"$TMP/out")
is "$(sess gemini compaction_count):$(out)" "1:" "a manual /compress counts, prints nothing (advisory)"

# ---- BATON_SESSION forces the link --------------------------------------------------------
forced=$(baton save --new -m "forced target" --cwd "$TMP" --json | jq -r .session.id)
payload claude 30-SessionStart.json | (cd "$REPO" && BATON_SESSION=$forced "$BATON" hook SessionStart --agent claude >"$TMP/out")
like "$(out)" "\\($forced, " "BATON_SESSION: SessionStart shows the forced session"
is "$(sqlite3 "$BATON_HOME/index.db" "select session_id from conversations where source='claude' and agent_session_id like '3b98%'")" \
	"$forced" "and the conversation is linked to it"
# inside `baton run`: SessionStart tells the run which agent conversation it is
(cd "$TMP" && baton run --agent claude -- true >/dev/null 2>&1)
rid=$(baton runs --json | jq -r '.threads[0].run_id')
echo '{"session_id":"run-conv-1","cwd":"'"$TMP"'","source":"startup"}' | (cd "$TMP" && BATON_RUN_ID=$rid "$BATON" hook SessionStart >/dev/null)
is "$(baton runs --json | jq -r '.threads[0].agent_session_id')" run-conv-1 "BATON_RUN_ID: the run records the agent's session id"
ok "index verify agrees after all of it" baton index verify

done_testing
