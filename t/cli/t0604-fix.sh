#!/bin/bash
# baton fix with flags: resume, retry, change agent, new stage; choosing the thread;
# configurable command templates.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runs.sh"

exit_is 1 "nothing to fix on an empty ledger" baton fix --resume
like "$(baton fix)" "nothing to fix" "and the list says so"

d1=$TMP/one
make_repo "$d1"
s1=$(cd "$d1" && baton save -m "make the parser fast" --json | jq -r .session.id)
(cd "$d1" && STUB_MODE=exit1 baton run --task T1 -- claude -p "speed up the parser")
r1=$(last_run)
u1=$(jqr "$r1" .agent_session_id)

res=$(baton fix --json)
is "$(jqr "$res" '[.action, .count, .candidates[0].task, .candidates[0].status] | @json')" '["list",1,"T1","failed"]' \
	"fix lists the failed thread"
is "$(baton fix --resume --dry-run)" "cd '$d1' && claude --resume $u1" "--resume: the agent's own resume command, in the run's directory"

# resume, run from elsewhere: the agent starts in the run's directory
cd "$TMP"
: >"$STUB_LOG"
STUB_MODE=exit0 baton fix --resume 2>"$TMP/err"
is "$?" 0 "fix --resume exits with the agent's code"
like "$(cat "$TMP/err")" "^baton: cd '$d1' && claude --resume $u1" "it says what it runs (on stderr)"
is "$(cut -d'|' -f1,2,4,5 "$STUB_LOG")" "claude|$d1|$s1|--resume $u1" "claude resumed its session in its directory"
r2=$(last_run)
is "$(jqr "$r2" '[.attempt, .attempt_of, .task, .session_id, .agent_session_id, .status] | @json')" \
	"[2,\"$(jqr "$r1" .id)\",\"T1\",\"$s1\",\"$u1\",\"completed\"]" "recorded as attempt 2 of the same thread, same agent session"
is "$(baton fix --json | jq .count)" 0 "the thread is fixed"

# retry: the same command again, as a new attempt with a fresh claude session id
(cd "$d1" && STUB_MODE=exit2 baton run --task T2 -- claude -p "write tests")
t2=$(last_run)
: >"$STUB_LOG"
STUB_MODE=exit0 baton fix --task T2 --retry 2>/dev/null
args=$(cut -d'|' -f5 "$STUB_LOG")
like "$args" '^--session-id [0-9a-f-]{36} -p write tests$' "--retry runs the same command"
unlike "$args" "$(jqr "$t2" .agent_session_id)" "with a new claude session id"
is "$(jqr "$(last_run)" '[.attempt, .attempt_of] | @json')" "[2,\"$(jqr "$t2" .id)\"]" "linked to the attempt before"
STUB_MODE=exit0 baton fix --task T2 --retry --model opus --dry-run >"$TMP/o"
like "$(cat "$TMP/o")" "claude --model opus -p 'write tests'\$" "--retry --model changes the model"

# change agent: the other agent starts with what baton knows of the work
(cd "$d1" && STUB_MODE=exit1 baton run --task T3 -- codex exec "port the lexer")
t3=$(last_run)
res=$(baton fix --task T3 --agent claude --model sonnet --json)
is "$(jqr "$res" '[.action, .agent, .model, .attempt_of] | @json')" "[\"change_agent\",\"claude\",\"sonnet\",\"$(jqr "$t3" .id)\"]" \
	"--agent: change_agent, the new agent and model"
is "$(jqr "$res" '.command[0:3] | @json')" '["claude","--model","sonnet"]' "starts claude with the model"
prompt=$(jqr "$res" '.command[3]')
like "$prompt" "baton session $s1" "the prompt names the session"
like "$prompt" "Objective: make the parser fast" "and its objective"
like "$prompt" "Task: T3" "and the task"
like "$prompt" "agent codex\) ended failed with exit code 1" "and how the last attempt ended"
: >"$STUB_LOG"
STUB_MODE=exit0 baton fix --task T3 --agent claude 2>/dev/null
is "$(head -1 "$STUB_LOG" | cut -d'|' -f1,2)" "claude|$d1" "claude takes over in the same directory"
like "$(cut -d'|' -f5 "$STUB_LOG")" '^--session-id [0-9a-f-]{36} Continue this piece of work' "with its own new session id"
is "$(jqr "$(last_run)" '[.agent, .attempt, .task] | @json')" '["claude",2,"T3"]' "recorded as the next attempt, by claude"

# new stage: a follow-up item, no command run
(cd "$d1" && STUB_MODE=exit1 baton run --task T4 -- gemini -p "benchmarks")
t4=$(last_run)
: >"$STUB_LOG"
res=$(baton fix --task T4 --new-stage --note "benchmark after the refactor lands" --json)
is "$(jqr "$res" '[.action, .command, .stage.session_id, .stage.run_id, .stage.task, .stage.note] | @json')" \
	"[\"new_stage\",null,\"$s1\",\"$(jqr "$t4" .id)\",\"T4\",\"benchmark after the refactor lands\"]" "--new-stage records a stage"
is "$(wc -l <"$STUB_LOG" | tr -d ' ')" 0 "and runs nothing"
is "$(grep -c '"type":"stage_planned"' "$BATON_HOME"/log/*.jsonl)" 1 "as a stage_planned event"
is "$(baton runs show "$(jqr "$t4" .id)" --json | jq -r '.stages[0].note')" "benchmark after the refactor lands" "runs show lists it"
like "$(baton fix --task T4 --new-stage)" "^planned a new stage [0-9A-Z]{26} in session $s1" "human output"

# choosing the thread
(cd "$d1" && STUB_MODE=exit1 baton run --task T5 -- claude -p "five")
exit_is 2 "two broken threads: an action needs --run or --task" baton fix --resume
like "$(baton fix --resume 2>&1)" "2 threads need fixing; pick one with --run ID or --task ID" "and says so"
is "$(baton fix --run "$(jqr "$t4" .id | cut -c1-12)" --resume --dry-run --json | jq -r .run.id)" "$(jqr "$t4" .id)" \
	"--run takes a unique prefix"
like "$(baton fix --task T4 --resume --dry-run)" "gemini --resume latest\$" \
	"gemini without a known id resumes its latest session"
is "$(baton fix --task T4 --resume --json | jq .exact)" false "and says it is not exact"

# usage errors
exit_is 2 "--model alone" baton fix --model x
exit_is 2 "two actions" baton fix --resume --retry
exit_is 2 "--note without --new-stage" baton fix --resume --note x --task T5
exit_is 2 "--run and --task" baton fix --run x --task T5 --resume
exit_is 1 "unknown task" baton fix --task nope --resume
exit_is 1 "unknown run" baton fix --run 01ZZZZZZZZZZ --resume

# templates from config.toml
cat >"$BATON_HOME/config.toml" <<'TOML'
[agents.claude]
resume = "claude --resume {session} --fork-session"
[agents.sh]
resume_latest = "sh -c 'echo resumed {run}'"
TOML
is "$(baton fix --task T5 --resume --dry-run)" "cd '$d1' && claude --resume $(jqr "$(last_run --task T5)" .agent_session_id) --fork-session" \
	"a configured resume template"
(cd "$d1" && baton run --task T6 -- sh -c 'exit 5')
t6=$(jqr "$(last_run)" .id)
is "$(baton fix --task T6 --resume --json | jq -c .command)" "[\"sh\",\"-c\",\"echo resumed $t6\"]" "an unknown agent, configured"
exit_is 2 "an unknown agent without a start template" baton fix --task T6 --agent aider
like "$(baton fix --task T6 --agent aider 2>&1)" "set \[agents.aider\] start" "says how to configure it"
BATON_AGENTS_CLAUDE_RESUME="claude -r {session}" baton fix --task T5 --resume --dry-run >"$TMP/o"
like "$(cat "$TMP/o")" "claude -r [0-9a-f-]{36}\$" "an environment override"

done_testing
