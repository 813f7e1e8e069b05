#!/bin/bash
# Dead-run detection and concurrency: a wrapper killed with -9 leaves a run that the
# next read turns into interrupted (once its agent is gone too); 16 runs at once all
# recorded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runs.sh"
unset BATON_CORE_FSYNC # the real append path, fsyncs and all
cd "$TMP"

STUB_MODE=sleep STUB_READY=$TMP/ready "$BATON" run --task k9 -- agent &
w=$!
ok "the agent starts" wait_until 10 test -s "$TMP/ready"
child=$(cat "$TMP/ready")
is "$(baton runs --task k9 --json | jq -r '.threads[0].status')" running "running while baton and the agent live"
is "$(jqr "$(last_run --task k9)" .pid)" "$child" "pid is the agent's"

{ kill -9 "$w"; wait "$w"; } 2>/dev/null
is "$(baton runs --task k9 --json | jq -r '.threads[0].status')" running "still running while the orphaned agent lives"
kill -9 "$child"
ok "the agent is gone" wait_until 10 proc_gone "$child"
r=$(last_run --task k9)
is "$(jqr "$r" '[.status, .exit_code, .signal, .completed_at] | @json')" '["interrupted",null,null,null]' \
	"the next read finds it interrupted"
ev=$(grep '"type":"run_interrupted"' "$BATON_HOME"/log/*.jsonl)
is "$(printf '%s\n' "$ev" | wc -l | tr -d ' ')" 1 "one run_interrupted event records it"
is "$(printf '%s' "$ev" | jq -r '[.run_id, .reason] | @json')" "[\"$(jqr "$r" .id)\",\"process_gone\"]" "naming the run and why"
baton runs >/dev/null
baton fix >/dev/null
is "$(grep -c '"type":"run_interrupted"' "$BATON_HOME"/log/*.jsonl)" 1 "later reads record nothing more"

# wrapper and agent killed together (a crash of the terminal)
STUB_MODE=sleep STUB_READY=$TMP/ready2 "$BATON" run --task reuse -- agent &
w=$!
ok "another agent starts" wait_until 10 test -s "$TMP/ready2"
child=$(cat "$TMP/ready2")
{ kill -9 "$w" "$child"; wait "$w"; } 2>/dev/null
ok "both gone" wait_until 10 proc_gone "$child"
is "$(baton runs --task reuse --json | jq -r '.threads[0].status')" interrupted "interrupted once both processes are gone"

# the ledger survives a rebuild from the log
is "$(baton index rebuild --json | jq .bad_lines)" 0 "rebuild replays cleanly"
is "$(jqr "$(last_run --task reuse)" .status)" interrupted "same status after a rebuild"

# 16 runs at once, from 16 "terminals"
pids=""
for i in $(seq 1 16); do
	STUB_MODE=exit$((i % 4)) "$BATON" run --task "p$i" -- agent "$i" &
	pids="$pids $!"
done
fails_=0
for p in $pids; do wait "$p" || fails_=$((fails_ + 1)); done
is "$fails_" 12 "12 of the 16 exit non-zero, as told"
all=$(baton runs --sessions --limit 0 --json | jq -c '[.runs[] | select(.task | test("^p[0-9]+$"))]')
is "$(jqr "$all" length)" 16 "16 parallel runs recorded"
is "$(jqr "$all" '[.[] | select(.exit_code == ((.task[1:] | tonumber) % 4))] | length')" 16 "each with its own exit code"
is "$(jqr "$all" '[.[] | select(.completed_at != null)] | length')" 16 "each finished"
is "$(jqr "$all" '[.[].id] | unique | length')" 16 "distinct ids"
is "$(($(grep -c '"type":"run_started"' "$BATON_HOME"/log/*.jsonl) - $(grep -c '"type":"run_finished"' "$BATON_HOME"/log/*.jsonl)))" 2 \
	"started minus finished: the two wrappers killed with -9"
is "$(baton index verify --json | jq .ok)" true "the index matches a replay"
is "$(baton doctor --json | jq '[.logs[].bad_lines] | add')" 0 "no torn or bad lines in the log"

done_testing
