#!/bin/sh
# --budget-ms is honoured while FTS5 works inside one step (a phrase re-matched over
# every message, a prefix merged, BM25's IDF counted): the query stops and says so
# ("complete": false) instead of running on. No durations are asserted: the store is
# made so that the query cannot finish within 1 ms on any machine, and finishes
# (complete) with the default budget.
. "$(dirname "$0")/lib.sh"

export BATON_NOW=2026-11-22T18:00:00Z BATON_HOST=h1
sid=5d0c3b7e-2a41-4c8e-9f0a-7b6e5d4c3b21
d=$HOME/.claude/projects/-w
mkdir -p "$d"
# 60000 messages holding the same words in the same order: a phrase of them in the
# other order matches nothing, but FTS5 must compare positions in every message
awk -v sid="$sid" 'BEGIN {
	for (i = 1; i <= 60000; i++)
		printf "{\"type\":\"user\",\"uuid\":\"u%d\",\"sessionId\":\"%s\",\"timestamp\":\"2026-11-20T11:00:00.000Z\",\"cwd\":\"/w\",\"message\":{\"role\":\"user\",\"content\":\"lorem ipsum dolor sit amet consectetur w%d\"}}\n", i, sid, i % 5000
}' >"$d/$sid.jsonl"
is "$(baton ingest --json | jq .messages)" 60000 "60000 messages ingested"

q='"ipsum lorem" OR "sit dolor" OR "consectetur amet"'
out=$(baton search "$q" --json)
is "$(jqr "$out" '[.complete, .count] | @csv')" "true,0" "with the default budget the query finishes: no hits, complete"
out=$(baton search "$q" --budget-ms 1 --json)
is "$(jqr "$out" '[.complete, .count] | @csv')" "false,0" "1 ms: stopped inside FTS5's phrase matching, complete is false"

# BM25's IDF: every phrase counted over the corpus before the first row is ranked
out=$(baton search 'lorem AND "amet consectetur" AND w1*' --budget-ms 1 --json)
is "$(jqr "$out" '.complete')" false "1 ms: stopped while ranking, complete is false"
out=$(baton search 'lorem AND "amet consectetur" AND w1234' --json)
is "$(jqr "$out" '[.complete, .count, (.hits[0].snippet | test("w1234"))] | @csv')" "true,12,true" \
	"the same kind of query, rare enough, completes with its hits"

# with the budget passed while ranking, the hits found so far still come back ranked
out=$(baton search 'lorem' --budget-ms 1 --limit 5 --json)
is "$(jqr "$out" '[.complete, .count <= 5, ([.hits[].score] | . == (sort | reverse))] | @csv')" "false,true,true" \
	"past the budget: at most --limit hits, best first"
exit_is 2 "--budget-ms 0 is a usage error" baton search lorem --budget-ms 0

done_testing
