#!/bin/bash
# baton run: statuses and exit codes exact, pass-through, signals, agent session ids.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runs.sh"
cd "$TMP"

out=$(STUB_MODE=exit0 STUB_OUT=hello baton run -- agent one two)
is "$?" 0 "a completed command: exit 0"
is "$out" hello "stdout passes through"
r=$(last_run)
is "$(jqr "$r" '[.status, .exit_code, .signal] | @json')" '["completed",0,null]' "completed, exit 0, no signal"
is "$(jqr "$r" '.argv | @json')" '["agent","one","two"]' "argv recorded"
is "$(jqr "$r" '[.agent, .cwd, .attempt, .attempt_of] | @json')" "[\"agent\",\"$TMP\",1,null]" "agent from argv[0], cwd, first attempt"
is "$(jqr "$r" 'keys_unsorted | join(",")')" \
	"id,session_id,task,agent,model,agent_session_id,cwd,argv,pid,host,boot_id,started_at,completed_at,status,exit_code,signal,attempt,attempt_of" \
	"run JSON fields in contract order"
like "$(jqr "$r" .boot_id)" '^[0-9a-f-]{36}$' "the kernel's boot id"
is "$(jqr "$r" .host)" "$(cat "$BATON_HOME/host")" "this host"

STUB_MODE=exit3 baton run -- agent
is "$?" 3 "a failing command: baton exits with its code"
is "$(jqr "$(last_run)" '[.status, .exit_code, .signal] | @json')" '["failed",3,null]' "failed, exit 3"

STUB_MODE=signal15 baton run -- agent
is "$?" 143 "a command killed by SIGTERM: 128+15"
is "$(jqr "$(last_run)" '[.status, .exit_code, .signal] | @json')" '["interrupted",null,15]' "interrupted, signal 15"

STUB_MODE=signal9 baton run -- agent 2>/dev/null
is "$?" 137 "killed by SIGKILL: 128+9"
is "$(jqr "$(last_run)" '.signal')" 9 "signal 9"

baton run -- no-such-command-xyz 2>"$TMP/err"
is "$?" 127 "a command that does not exist: 127"
like "$(cat "$TMP/err")" "cannot run 'no-such-command-xyz'" "and says why"
is "$(jqr "$(last_run)" '[.status, .exit_code] | @json')" '["failed",127]' "recorded as failed 127"

is "$(printf 'in-data\n' | baton run -- sh -c 'cat; exit 0')" in-data "stdin passes through"
like "$(baton run --agent custom -- sh -c 'echo "$BATON_RUN_ID"')" '^[0-9A-Z]{26}$' "the child gets BATON_RUN_ID"
is "$(jqr "$(last_run)" .agent)" custom "--agent names an unknown agent"

# signals sent to baton alone are forwarded to the child
STUB_MODE=sleep STUB_READY=$TMP/ready-term "$BATON" run --task fwd -- agent &
w=$!
ok "the child starts" wait_until 10 test -s "$TMP/ready-term"
kill -TERM "$w"
wait "$w"
is "$?" 143 "SIGTERM to baton reaches the child; baton exits 143"
is "$(jqr "$(last_run --task fwd)" '[.status, .signal] | @json')" '["interrupted",15]' "recorded interrupted by 15"

STUB_MODE=sleep STUB_READY=$TMP/ready-hup "$BATON" run -- agent &
w=$!
ok "the child starts again" wait_until 10 test -s "$TMP/ready-hup"
kill -HUP "$w"
wait "$w"
is "$?" 129 "SIGHUP forwarded: 129"

# usage
exit_is 2 "no command" baton run
exit_is 2 "unknown option" baton run --bogus -- true
exit_is 2 "option without value" baton run --task
ok "--help" baton run --help
exit_is 1 "unknown session" baton run --session nope -- true
exit_is 1 "unknown attempt-of" baton run --attempt-of 01ZZZZZZZZ -- true

# agents' own session ids
: >"$STUB_LOG"
baton run -- claude -p "fix it"
line=$(tail -1 "$STUB_LOG")
uuid=$(printf '%s' "$line" | sed -n 's/.*|--session-id \([0-9a-f-]*\) -p fix it$/\1/p')
like "$uuid" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "claude gets a pre-assigned --session-id UUID"
r=$(last_run)
is "$(jqr "$r" .agent_session_id)" "$uuid" "the run is keyed to claude's own id"
is "$(jqr "$r" '.argv | @json')" "[\"claude\",\"--session-id\",\"$uuid\",\"-p\",\"fix it\"]" "recorded argv is what ran"

baton run -- claude --resume 1111-aaaa
is "$(tail -1 "$STUB_LOG" | cut -d'|' -f5)" "--resume 1111-aaaa" "a resume is left alone"
is "$(jqr "$(last_run)" .agent_session_id)" 1111-aaaa "and its id recorded"
baton run -- claude mcp list
is "$(tail -1 "$STUB_LOG" | cut -d'|' -f5)" "mcp list" "no session id for a subcommand"
baton run -- codex exec resume 0199-abc "go on"
is "$(jqr "$(last_run)" .agent_session_id)" 0199-abc "codex exec resume ID is read"
baton run -- gemini --resume latest
is "$(jqr "$(last_run)" .agent_session_id)" null "gemini --resume latest names no id"
baton run -- opencode -s ses_123
is "$(jqr "$(last_run)" '[.agent, .agent_session_id] | @json')" '["opencode","ses_123"]' "opencode -s ID"
baton run -- codex -m o4 exec "a"
is "$(jqr "$(last_run)" '[.model, .agent_session_id] | @json')" '["o4",null]' "model from -m; codex id unknown at start"
STUB_SESSION=019a-codex-thread baton run -- codex exec "b"
is "$(jqr "$(last_run)" .agent_session_id)" 019a-codex-thread "an id learnt later (runs link) is recorded"

# sessions and tasks
make_repo "$TMP/repo"
cd "$TMP/repo"
sid=$(baton save -m "ship the parser" --json | jq -r .session.id)
baton run --task T1 -- agent
r=$(last_run)
is "$(jqr "$r" '[.session_id, .task] | @json')" "[\"$sid\",\"T1\"]" "linked to the directory's active session"
is "$(tail -1 "$STUB_LOG" | cut -d'|' -f4)" "$sid" "the child gets BATON_SESSION"
STUB_MODE=exit1 baton run --task T1 -- agent
r2=$(last_run)
is "$(jqr "$r2" '[.attempt, .attempt_of] | @json')" "[2,\"$(jqr "$r" .id)\"]" "a second run of the task is its next attempt"
cd "$TMP"
BATON_SESSION=$sid baton run --task T1 -- agent
is "$(jqr "$(last_run)" '[.session_id, .attempt] | @json')" "[\"$sid\",3]" "BATON_SESSION links from elsewhere"
is "$(baton runs --json --task T1 | jq -c '.threads[0] | [.attempts, .status]')" '[3,"completed"]' "one thread, three attempts"

# secrets in a command line are redacted in the ledger, not in what runs
: >"$STUB_LOG"
baton run -- agent --token ghp_abcdefghijklmnopqrstuvwxyz0123456789
like "$(cat "$STUB_LOG")" 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' "the child gets the real argument"
unlike "$(cat "$BATON_HOME"/log/*.jsonl)" 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' "the log does not"

baton runs >"$TMP/human"
like "$(head -1 "$TMP/human")" '^TASK +STATUS +ATT +AGENT' "runs: a table"
like "$(cat "$TMP/human")" 'T1 +completed +3 +agent' "task, status, attempts, agent"
baton runs --sessions >"$TMP/human"
like "$(head -1 "$TMP/human")" '^RUN +STARTED' "runs --sessions: every run"
is "$(baton runs --status failed --json | jq -r '[.threads[].status] | unique | join(",")')" failed "--status filters"
exit_is 2 "--status checks its value" baton runs --status bogus
ok "runs show" baton runs show "$(jqr "$r" .id)"
is "$(baton runs show "$(jqr "$r" .id)" --json | jq '.attempts | length')" 3 "show lists the thread's attempts"
exit_is 1 "runs show of an unknown run" baton runs show 01ZZZZZZZZZZ
is "$(baton index verify --json | jq .ok)" true "the index matches a replay of the log"

done_testing
