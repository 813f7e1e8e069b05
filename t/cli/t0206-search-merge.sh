#!/bin/sh
# Ingest merges the full-text index's segments into one when the messages indexed
# since the last merge are at least as many as those before it (baton_ingest_merge);
# a rebuild merges them at once. Search answers do not depend on the segments.
. "$(dirname "$0")/lib.sh"

export BATON_NOW=2026-11-22T18:00:00Z BATON_HOST=h1
d=$HOME/.claude/projects/-w
mkdir -p "$d"
db=$BATON_HOME/index.db
segments() { sqlite3 "$db" "SELECT count(DISTINCT id >> 37) FROM messages_fts_data WHERE id >> 37 > 0"; }
merged() { sqlite3 "$db" "SELECT value FROM meta WHERE key = 'fts_merged_rows'"; }
top() { sqlite3 "$db" "SELECT max(id) FROM messages"; }
hits() { baton search "$1" --limit 50 --json | jq -c '[.complete, .count, [.hits[] | [.session_id, .seq, .score, .snippet]]]'; }

needle_transcript "$d/0b7c6c2e-5f0e-4c1e-9a57-2f4a1d7e9c01.jsonl" 1 300
is "$(baton ingest --json | jq .messages)" 300 "300 messages ingested"
is "$(merged)" "$(top)" "the first ingest merges: it records the last message id"
is "$(segments)" 1 "one segment"

# fewer new messages than the 300 already merged: left as FTS5 wrote them
needle_transcript "$d/1c8d7d3f-6a1f-4d2f-8b68-3a5b2e8f0d12.jsonl" 1 200
baton ingest --json >/dev/null
is "$(merged)" 300 "200 more: no merge"
is "$(segments)" 2 "their own segment"

# past twice the merged count: merged again, the same answers
needle_transcript "$d/2d9e8e4a-7b2a-4e3a-9c79-4b6c3f9a1e23.jsonl" 1 150
needle_transcript "$d/1c8d7d3f-6a1f-4d2f-8b68-3a5b2e8f0d12.jsonl" 201 260
baton ingest --json >/dev/null
is "$(merged)" "$(top)" "710 messages, 300 merged before: merged again"
is "$(merged)" 710 "the new count recorded"
is "$(segments)" 1 "one segment again"

# an explicit path ingests and merges by the same rule
needle_transcript "$d/2d9e8e4a-7b2a-4e3a-9c79-4b6c3f9a1e23.jsonl" 151 900
baton ingest "$d/2d9e8e4a-7b2a-4e3a-9c79-4b6c3f9a1e23.jsonl" --json >/dev/null
is "$(merged)" 1460 "ingest PATH: 750 more, merged"
is "$(segments)" 1 "one segment"

# the segments do not change answers: the same rows over two segments, then one
needle_transcript "$d/0b7c6c2e-5f0e-4c1e-9a57-2f4a1d7e9c01.jsonl" 301 400
baton ingest --json >/dev/null
is "$(segments)" 2 "100 more: two segments"
queries='needle|needle AND hay|"needle needle"|word1*|hay OR word3'
i=0
IFS='|'
for q in $queries; do
	i=$((i + 1))
	hits "$q" >"$HOME/before.$i"
done
sqlite3 "$db" "INSERT INTO messages_fts(messages_fts) VALUES('optimize')"
is "$(segments)" 1 "merged by hand"
i=0
for q in $queries; do
	i=$((i + 1))
	out=$(hits "$q")
	is "$out" "$(cat "$HOME/before.$i")" "'$q': the same hits, order, scores and snippets"
	is "$(jqr "$out" '.[1]')" 50 "'$q': 50 hits"
done
unset IFS

# a rebuild merges at once
baton index rebuild --json >/dev/null
is "$(segments)" 1 "rebuilt: one segment"
is "$(merged)" "$(top)" "rebuilt: the merge recorded"
is "$(merged)" 1560 "every message"

done_testing
