#!/bin/sh
# `baton` alone reads new transcripts within a time budget (overview.ingest_budget_ms),
# newest first on a first run, and leaves the rest to a background `baton ingest`;
# one ingest at a time holds $BATON_HOME/ingest.lock.
. "$(dirname "$0")/lib.sh"

export BATON_HOST=h1 BATON_OVERVIEW_INGEST_BUDGET_MS=2000 # the default (lib.sh turns it off)
d=$HOME/.claude/projects/-w
mkdir -p "$d" "$HOME/w"
# conv ID OBJECTIVE MTIME: a one-prompt conversation in $HOME/w
conv() {
	printf '{"type":"user","uuid":"u1","sessionId":"%s","timestamp":"2026-11-20T11:00:00.000Z","cwd":"%s","message":{"role":"user","content":"%s"}}\n' \
		"$1" "$HOME/w" "$2" >"$d/$1.jsonl"
	touch -d "$3" "$d/$1.jsonl"
}
objectives() { jq -r '[.recent[].objective] | sort | join(",")'; }
# wait_unlocked: until no ingest holds the lock (bounded: 20 s)
wait_unlocked() {
	i=0
	while [ $i -lt 400 ] && ! flock -n "$BATON_HOME/ingest.lock" true 2>/dev/null; do
		sleep 0.05
		i=$((i + 1))
	done
}

conv 0b7c6c2e-5f0e-4c1e-9a57-2f4a1d7e9c01 "oldest work" "2026-11-01 10:00"
conv 1c8d7d3f-6a1f-4d2f-8b68-3a5b2e8f0d12 "newest work" "2026-11-20 10:00"
conv 2d9e8e4a-7b2a-4e3a-9c79-4b6c3f9a1e23 "middle work" "2026-11-10 10:00"

# a budget of 0 ms: one transcript (the newest: a first run), the rest in the background
BATON_OVERVIEW_INGEST_BUDGET_MS=0 BATON_TRACE_SQL=1 baton --json >"$HOME/o1.json" 2>"$HOME/o1.trace"
exit_is 0 "first run within a 0 ms budget"
is "$(jq -c .ingest "$HOME/o1.json")" '{"complete":false,"pending_files":2,"background":true}' \
	"two transcripts left to a background ingest"
is "$(objectives <"$HOME/o1.json")" "newest work" "a first run reads the newest transcript first"
merged() { sqlite3 "$BATON_HOME/index.db" "SELECT coalesce((SELECT value FROM meta WHERE key = 'fts_merged_rows'), 'none')"; }
like "$(cat "$HOME/o1.trace")" "INSERT INTO messages\\(" "the overview's own statements are traced"
unlike "$(cat "$HOME/o1.trace")" "VALUES\\('merge'" "the stopped run left the segment merge to the background one"
baton ingest --json >"$HOME/i1.json"
exit_is 0 "baton ingest waits for the background one"
is "$(jq .files_read "$HOME/i1.json")" 0 "the background ingest read the rest"
is "$(merged)" "$(sqlite3 "$BATON_HOME/index.db" "SELECT max(id) FROM messages")" "and merged the segments"
baton --json >"$HOME/o2.json"
is "$(objectives <"$HOME/o2.json")" "middle work,newest work,oldest work" "then every conversation is there"
is "$(jq -c .ingest "$HOME/o2.json")" '{"complete":true,"pending_files":0,"background":false}' "nothing left"

# the human overview says what is left
conv 3e0f9f5b-8c3b-4f4b-8d8a-5c7d4a0b2f34 "fourth work" "2026-11-21 10:00"
conv 4f1a0a6c-9d4c-405c-9e9b-6d8e5b1c3045 "fifth work" "2026-11-21 11:00"
out=$(BATON_OVERVIEW_INGEST_BUDGET_MS=0 baton)
like "$out" "1 more transcript is being read in the background" "the overview says one transcript is left"
wait_unlocked
baton ingest --json >/dev/null
is "$(baton --json | objectives)" "fifth work,fourth work,middle work,newest work,oldest work" "and it was read"

# another ingest holds the lock: the overview reads nothing and says so
flock -o "$BATON_HOME/ingest.lock" sh -c 'i=0; while [ ! -e "$1" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done' sh "$HOME/release" &
holder=$!
i=0
while [ $i -lt 200 ] && flock -n "$BATON_HOME/ingest.lock" true 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
conv 5a2b1b7d-0e5d-416d-8fac-7e9f6c2d4156 "sixth work" "2026-11-22 10:00"
baton --json >"$HOME/o3.json"
exit_is 0 "the overview answers while another ingest runs"
is "$(jq -c .ingest "$HOME/o3.json")" '{"complete":false,"pending_files":0,"background":true}' "it reports the other ingest"
unlike "$(objectives <"$HOME/o3.json")" "sixth" "and does not read meanwhile"
like "$(baton)" "Another baton ingest is reading" "the human overview says so"
touch "$HOME/release"
wait "$holder"
baton --json >"$HOME/o4.json"
is "$(jq -c .ingest "$HOME/o4.json")" '{"complete":true,"pending_files":0,"background":false}' "lock released: read at once"
like "$(objectives <"$HOME/o4.json")" "sixth work" "the new conversation is there"

# baton ingest waits for the other one, and on a terminal says so first
rm -f "$HOME/release"
flock -o "$BATON_HOME/ingest.lock" sh -c 'i=0; while [ ! -e "$1" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done' sh "$HOME/release" &
holder=$!
i=0
while [ $i -lt 200 ] && flock -n "$BATON_HOME/ingest.lock" true 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
script -eqc "$BATON ingest" /dev/null >"$HOME/tty.out" 2>&1 &
waiter=$!
i=0
while [ $i -lt 200 ] && ! grep -q "waiting for another baton ingest" "$HOME/tty.out" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
like "$(cat "$HOME/tty.out")" "waiting for another baton ingest to finish" "a waiting ingest says why on a terminal"
ok "it is still waiting" kill -0 "$waiter"
touch "$HOME/release"
wait "$holder"
wait "$waiter"
exit_is 0 "then it runs"

# no budget, and no ingest
conv 6b3c2c8e-1f6e-427e-a0bd-8fa07d3e5267 "seventh work" "2026-11-22 11:00"
conv 7c4d3d9f-2a7f-438f-b1ce-9ab18e4f6378 "eighth work" "2026-11-22 12:00"
is "$(BATON_OVERVIEW_INGEST_BUDGET_MS=-1 baton --json | jq -c .ingest)" '{"complete":true,"pending_files":0,"background":false}' \
	"a negative budget reads everything"
is "$(baton --no-ingest --json | jq -c .ingest)" null "--no-ingest: ingest is null"

done_testing
