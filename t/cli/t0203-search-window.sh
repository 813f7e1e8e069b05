#!/bin/sh
# Search ranks a query with more than 4000 hits among its 4000 newest only, and says
# so ("complete": false); a query with 4000 hits or fewer (after its filters) is
# ranked over all of them (docs/transcripts.md).
. "$(dirname "$0")/lib.sh"

export BATON_NOW=2026-11-22T18:00:00Z BATON_HOST=h1
sid=0b7c6c2e-5f0e-4c1e-9a57-2f4a1d7e9c01
d=$HOME/.claude/projects/-w
mkdir -p "$d"
# 50 old assistant messages that BM25 prefers for "needle" (five times, short), then
# 4100 newer user messages with "needle" once; "quad" is in exactly 4000 of them,
# "quint" in 4001.
awk -v sid="$sid" 'BEGIN {
	for (i = 1; i <= 50; i++)
		printf "{\"type\":\"assistant\",\"uuid\":\"a%d\",\"sessionId\":\"%s\",\"timestamp\":\"2026-11-20T10:00:00.000Z\",\"cwd\":\"/w\",\"message\":{\"id\":\"m%d\",\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"needle needle needle needle needle zebra\"}]}}\n", i, sid, i
	for (i = 1; i <= 4100; i++)
		printf "{\"type\":\"user\",\"uuid\":\"u%d\",\"sessionId\":\"%s\",\"timestamp\":\"2026-11-20T11:00:00.000Z\",\"cwd\":\"/w\",\"message\":{\"role\":\"user\",\"content\":\"needle filler lorem ipsum dolor sit amet consectetur adipiscing elit%s%s\"}}\n", i, sid, i <= 4000 ? " quad" : "", i <= 4001 ? " quint" : ""
}' >"$d/$sid.jsonl"
is "$(baton ingest --json | jq .messages)" 4150 "4150 messages ingested"

out=$(baton search needle --limit 20 --json)
is "$(jqr "$out" '.complete')" false "4150 hits: ranked within a window, complete is false"
is "$(jqr "$out" '.count')" 20 "the window still fills the limit"
is "$(jqr "$out" '[.hits[].role] | unique | join(",")')" user "the window holds the 4000 newest hits only: the old, better-scoring ones are not in it"
is "$(jqr "$out" '[.hits[].seq] | min > 150')" true "every hit is among the 4000 newest"
is "$(jqr "$out" '[.hits[].score] | . == (sort | reverse)')" true "hits come best first"

out=$(baton search 'needle AND zebra' --limit 20 --json)
is "$(jqr "$out" '[.complete, .count, ([.hits[].role] | unique | join(","))] | @csv')" 'true,20,"assistant"' \
	"50 hits: all ranked, complete"

out=$(baton search needle --role assistant --limit 5 --json)
is "$(jqr "$out" '[.complete, .count, ([.hits[].role] | unique | join(","))] | @csv')" 'true,5,"assistant"' \
	"the window counts the hits that pass the filters: 50 are ranked over all of them"

is "$(baton search quad --json | jq .complete)" true "exactly 4000 hits: every hit ranked"
is "$(baton search quint --json | jq .complete)" false "4001 hits: ranked within the window"

# the same answers from an index rebuilt from the archive
before=$(baton search needle --limit 20 --json | jq -c '[.hits[] | [.seq, .score]]')
baton index rebuild --json >/dev/null
is "$(baton search needle --limit 20 --json | jq -c '[.hits[] | [.seq, .score]]')" "$before" "a rebuilt index ranks the same window"

done_testing
