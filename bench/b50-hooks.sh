#!/bin/sh
# bench section (bench/run): hook latency per event, p50/p99, on a store with
# BENCH_HOOK_SESSIONS sessions (default 10000) and BENCH_HOOK_MESSAGES messages
# (default 200000; 1000000 for the full run), the transcript growing by a realistic
# tail (~8 KB: a prompt, a tool call and its result, an answer) before each resumed
# SessionStart. Side by side in the same run: the floor (a minimal C program), a Node
# hook that only reads stdin, and claude-session-continuity-mcp's hook commands when
# they install (npm --ignore-scripts). Goal: p50 <= 2 ms, p99 <= 10 ms.
set -eu
. "$(dirname "$0")/lib.sh"
S=${BENCH_HOOK_SESSIONS:-10000}
M=${BENCH_HOOK_MESSAGES:-200000}
N=${BENCH_HOOK_RUNS:-200}
W=$BENCH_OUT/hooks
rm -rf "$W"; mkdir -p "$W/home" "$W/repo"
export HOME=$W/home BATON_HOME=$W/home/.baton BATON_HOST=benchhost BATON_AUTO_SESSION=0
unset BATON_SESSION
echo "hooks: store with $S sessions and $M messages (synthetic), $N runs per event"
"$BENCH_TOOLS/gen_store" "$BATON_HOME" benchhost "$S" "$S"
"$BATON" index rebuild >/dev/null
# messages straight into the index (derived data: the hooks only read around them)
sqlite3 "$BATON_HOME/index.db" "
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $M - 1)
INSERT INTO messages(source, agent_session_id, key, transcript, seq, ts, role, kind, text)
SELECT 'claude', 'conv-' || (i % 5000), 'k' || i, 'claude/t' || (i % 5000), i,
       '2026-11-' || printf('%02d', 1 + i % 28) || 'T10:00:00.000Z', CASE i % 2 WHEN 0 THEN 'user' ELSE 'assistant' END,
       'text', 'parser index commit branch fix test build cache token session ' || i FROM n;"
(cd "$W/repo" && git init -q -b main && echo x >f && git add f && git -c user.name=b -c user.email=b@b commit -qm init)
baton_b() { (cd "$W/repo" && "$BATON" "$@"); }
baton_b save -m "bench the hooks" >/dev/null
for i in 1 2 3; do baton_b log --progress "step $i" >/dev/null; done
baton_b log --blocker "a flaky test" >/dev/null
baton_b log --next "measure again" >/dev/null

# the conversation: a Claude transcript, and the recorded payloads pointing at it
T=$HOME/.claude/projects/-bench-repo/11111111-2222-3333-4444-555555555555.jsonl
mkdir -p "$(dirname "$T")"
python3 - "$T" "$W/tail" "$W/repo" <<'PY'
import json, sys
t, tail, cwd = sys.argv[1:4]
sid = "11111111-2222-3333-4444-555555555555"
def rec(i, typ, content):
    return json.dumps({"type": typ, "uuid": "u%d" % i, "sessionId": sid, "cwd": cwd, "timestamp": "2026-11-22T10:00:%02d.000Z" % (i % 60),
                       "message": {"role": typ, "content": content}})
with open(t, "w") as f:
    for i in range(200):
        f.write(rec(i, "user" if i % 2 == 0 else "assistant", "earlier work " * 40) + "\n")
with open(tail, "w") as f:
    f.write(rec(1, "user", "now fix the parser " * 20) + "\n")
    f.write(json.dumps({"type": "assistant", "uuid": "ua", "sessionId": sid, "cwd": cwd, "timestamp": "2026-11-22T11:00:00.000Z",
        "message": {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "make test"}}]}}) + "\n")
    f.write(json.dumps({"type": "user", "uuid": "ur", "sessionId": sid, "cwd": cwd, "timestamp": "2026-11-22T11:00:01.000Z",
        "message": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok " * 2000}]}}) + "\n")
    f.write(rec(3, "assistant", "Done: the parser is fixed. " * 20) + "\n")
PY
pl() { # EVENT EXTRA_JSON
	printf '{"session_id":"11111111-2222-3333-4444-555555555555","transcript_path":"%s","cwd":"%s","hook_event_name":"%s"%s}' \
		"$T" "$W/repo" "$1" "$2" >"$W/$1.json"
}
pl SessionStart ',"source":"resume"'
pl UserPromptSubmit ',"prompt":"Now fix the parser and run the tests"'
pl PreCompact ',"trigger":"auto","custom_instructions":null'
pl Stop ',"stop_hook_active":false,"last_assistant_message":"Done."'
pl SessionEnd ',"reason":"other"'
printf '{"session_id":"11111111-2222-3333-4444-555555555555","transcript_path":"%s","cwd":"%s","prompt":"continue"}' "$T" "$W/repo" >"$W/continue.json"
printf '{"session_id":"g1","transcript_path":"%s","cwd":"%s","hook_event_name":"PreCompress","trigger":"auto"}' "$T" "$W/repo" >"$W/PreCompress.json"
(cd "$W/repo" && BATON_HOOK_SYNC=1 "$BATON" hook SessionStart --agent claude <"$W/SessionStart.json" >/dev/null)

floor=$(TIMEIT_STDIN=/dev/null "$TIMEIT" "$N" "$FLOOR" | cut -d' ' -f1)
# The machine is shared and noisy: each row's ratio is to the floor run interleaved
# with it, one floor run before each hook run. Between runs, the detached work of the previous hook (Stop, SessionEnd,
# SessionStart and PreCompact all leave some) is let finish: a real agent's events
# are seconds apart, and back to back on two cores each run would share the CPU and
# the log lock with the job of the run before.
settle="while pgrep -xf '$BATON hook [A-Za-z]+ --agent claude' >/dev/null; do sleep 0.005; done"
# timed EVENT PAYLOAD [BEFORE [AGENT]]: the hook N times, each after BEFORE, its
# detached work let finish after it, and the floor run just before or just after it
# by turns (TIMEIT_BASELINE); prints "p50 p99 mean" of the hook, then of the floor
timed() {
	(cd "$W/repo" && TIMEIT_BASELINE=$FLOOR TIMEIT_AFTER=$settle TIMEIT_BEFORE=${3:-} TIMEIT_STDIN=$2 \
		"$TIMEIT" "$N" "$BATON" hook "$1" --agent "${4:-claude}")
}
# result LABEL P50 P99 MEAN FLOOR_P50: a row; an indented label is another view of
# an event above, left out of the median
result() {
	row "$1" "$2" ms "p99 $3 ms" "$(ratio "$2" "$5") floor ($5 ms)"
	case $1 in
	" "*) ;;
	*) echo "$2" >>"$W/p50s" && echo "$5" >>"$W/floors" ;;
	esac
}
hk() { # LABEL EVENT PAYLOAD [AGENT]
	l=$1
	shift
	result "$l" $(timed "$1" "$2" "" "${3:-claude}")
}
: >"$W/p50s"; : >"$W/floors"
echo "  floor (minimal C program reading stdin), p50 $floor ms"
# SessionStart as users meet it: resuming a conversation after its SessionEnd (the
# transcript grown by one turn, ~8 KB, read by the detached job), and starting a new
# conversation in the repository (a new id each run). Each follows the job of the
# hook before it, as in an agent's life.
result "SessionStart (resume after SessionEnd, +8 KB)" $(timed SessionStart "$W/SessionStart.json" \
	"BATON_HOOK_SYNC=1 '$BATON' hook SessionEnd --agent claude <'$W/SessionEnd.json'; cat '$W/tail' >>'$T'")
sed 's/"resume"/"startup"/' "$W/SessionStart.json" >"$W/startup.tmpl"
result "SessionStart (startup: a new conversation)" $(timed SessionStart "$W/startup.json" \
	"sed \"s/11111111-2222-3333-4444-555555555555/\$(cat /proc/sys/kernel/random/uuid)/\" '$W/startup.tmpl' >'$W/startup.json'")
hk "UserPromptSubmit (ordinary prompt)" UserPromptSubmit "$W/UserPromptSubmit.json"
# baton is one static executable: the same row against the floor linked statically
# (the notes' 1.36 ms there: the goal is 1.47x that floor)
if [ -x "$FLOOR_STATIC" ]; then
	set -- $(FLOOR=$FLOOR_STATIC timed UserPromptSubmit "$W/UserPromptSubmit.json")
	row "  ordinary prompt, against a static floor" "$1" ms "p99 $2 ms" "$(ratio "$1" "$4") floor ($4 ms; goal 1.47x)"
fi
hk "UserPromptSubmit (\"continue\": context)" UserPromptSubmit "$W/continue.json"
hk "PreCompact (checkpoint, count, context)" PreCompact "$W/PreCompact.json"
hk "Stop (answers, work detached)" Stop "$W/Stop.json"
hk "SessionEnd (answers, work detached)" SessionEnd "$W/SessionEnd.json"
hk "Gemini PreCompress (auto: ignored)" PreCompress "$W/PreCompress.json" gemini
# The three events above that print a context do it from the context the detached
# jobs render ahead, while nothing was written since. After any write (a `baton log`
# between two hooks) the next one takes the full path: index, journal, render.
export BATON_HOOKS_CONTEXT_CACHE=0
hk "  full path: \"continue\" (context rendered now)" UserPromptSubmit "$W/continue.json"
hk "  full path: PreCompact (context rendered now)" PreCompact "$W/PreCompact.json"
unset BATON_HOOKS_CONTEXT_CACHE
mine=$(sort -n "$W/p50s" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
floor=$(sort -n "$W/floors" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
# The goal, 2 ms, was set where this floor is 1.78 ms (bench-notes): 1.12x the floor.
echo "  median of the per-event p50s: $mine ms ($(ratio "$mine" "$floor") the median floor, $floor ms; goal <= 2 ms, 1.12x)"
paste "$W/p50s" "$W/floors" | awk '{ if ($1 > 1.12 * $2) n++ } END { printf "  events over 1.12x their floor: %d of %d\n", n, NR }'
# what the detached work costs, measured on its own (not on the agent's clock)
set -- $(cd "$W/repo" && BATON_HOOK_SYNC=1 TIMEIT_BEFORE="cat '$W/tail' >>'$T'" TIMEIT_STDIN=$W/Stop.json "$TIMEIT" 20 "$BATON" hook Stop --agent claude)
row "  for scale: Stop done inline (ingest + git)" "$1" ms "p99 $2 ms" "what the detach saves"

if command -v node >/dev/null 2>&1; then
	set -- $(TIMEIT_STDIN=$W/Stop.json "$TIMEIT" 50 node -e 'let d="";process.stdin.on("data",c=>d+=c).on("end",()=>{})')
	row "node -e (reads stdin, nothing else)" "$1" ms "p99 $2 ms" "baton is $(ratio "$1" "$mine") faster"
else
	echo "  node: not installed (skipped)"
fi
NPM=$BENCH_OUT/npm-continuity
if command -v npm >/dev/null 2>&1 && { [ -d "$NPM/node_modules/claude-session-continuity-mcp" ] ||
	timeout 300 npm install --no-audit --no-fund --ignore-scripts --prefix "$NPM" claude-session-continuity-mcp >/dev/null 2>&1; }; then
	(cd "$NPM" && timeout 600 npm rebuild better-sqlite3 >/dev/null 2>&1) || true
	for c in "$NPM"/node_modules/.bin/claude-hook-*; do
		[ -x "$c" ] || continue
		mkdir -p "$W/peerhome"
		if r=$(cd "$W/repo" && HOME=$W/peerhome TIMEIT_STDIN=$W/SessionStart.json "$TIMEIT" 30 "$c" 2>/dev/null); then
			set -- $r
			row "continuity-mcp $(basename "$c")" "$1" ms "p99 $2 ms" "baton is $(ratio "$1" "$mine") faster"
		else
			echo "  continuity-mcp $(basename "$c"): failed to run (skipped)"
		fi
	done
else
	echo "  claude-session-continuity-mcp: not installed (skipped)"
fi
