#!/bin/sh
# A bulk ingest (more than ingest.bulk_bytes read in one run) reopens the index with
# a page cache that grows, and when it reads at least as much as the index holds it
# turns FTS5's automerge off until its final merge. None of that changes an answer;
# a run that dies with automerge off has it turned back on by the next run.
. "$(dirname "$0")/lib.sh"

export BATON_NOW=2026-11-22T18:00:00Z BATON_HOST=h1
d=$HOME/.claude/projects/-w
mkdir -p "$d"
big=$d/0b7c6c2e-5f0e-4c1e-9a57-2f4a1d7e9c01.jsonl
small=$d/1c8d7d3f-6a1f-4d2f-8b68-3a5b2e8f0d12.jsonl
needle_transcript "$big" 1 60000 # three 4 MiB read steps: the switch comes inside this file, with more to read than was read
needle_transcript "$small" 1 300
is "$(test "$(wc -c <"$big")" -gt 8500000 && echo y)" y "the big transcript spans three read steps"

automerge() { sqlite3 "$1/index.db" "SELECT coalesce((SELECT v FROM messages_fts_config WHERE k = 'automerge'), 4)"; }
segments() { sqlite3 "$1/index.db" "SELECT count(DISTINCT id >> 37) FROM messages_fts_data WHERE id >> 37 > 0"; }
answers() {
	for q in needle 'needle AND hay' '"needle needle"' 'word1*' 'fi*' 'hay OR word3'; do
		BATON_HOME=$1 baton search "$q" --limit 30 --json | jq -c '[.complete, .count, [.hits[] | [.seq, .score, .snippet]]]'
	done
}

# the reference: never a bulk ingest
ref=$HOME/ref
BATON_HOME=$ref BATON_INGEST_BULK_BYTES=100000000000 baton ingest --json >"$HOME/ref.json"
is "$(jq .messages "$HOME/ref.json")" 60300 "reference: every message ingested"

# a commit after every read step, a bulk ingest from the first one
bulk=$HOME/bulk
BATON_HOME=$bulk baton list >/dev/null # the store made first: its schema sets automerge too
BATON_HOME=$bulk BATON_INGEST_BATCH_BYTES=1 BATON_INGEST_BULK_BYTES=1 BATON_TRACE_SQL=1 \
	baton ingest --json >"$HOME/bulk.json" 2>"$HOME/trace"
is "$(jq -c 'del(.ms)' "$HOME/bulk.json")" "$(jq -c 'del(.ms)' "$HOME/ref.json")" "bulk: the same ingest summary"
off=$(grep -n "VALUES('automerge', 0)" "$HOME/trace" | head -1 | cut -d: -f1)
on=$(grep -n "VALUES('automerge', 4)" "$HOME/trace" | tail -1 | cut -d: -f1)
is "${off:+y}" y "bulk: automerge turned off"
is "${on:+y}" y "bulk: and on again"
before=$(head -n "${off:-0}" "$HOME/trace" | grep -c "^sql .*INSERT INTO messages(")
after=$(tail -n "+${off:-1}" "$HOME/trace" | grep -c "^sql .*INSERT INTO messages(")
is "$(test "$before" -gt 0 && test "$after" -gt 0 && echo y)" y "bulk: turned off between two steps of the run ($before messages before, $after after)"
is "$(test "${on:-0}" -gt "${off:-0}" && tail -n "+${on:-1}" "$HOME/trace" | grep -q "VALUES('merge', -" && echo y)" y \
	"bulk: automerge back on before the final merge"
is "$(automerge "$bulk")" 4 "bulk: automerge is 4 again in the index"
is "$(segments "$bulk")" 1 "bulk: one segment"
is "$(answers "$bulk")" "$(answers "$ref")" "bulk: the same search answers"
BATON_HOME=$bulk baton index verify --json >"$HOME/verify.json"
exit_is 0 "bulk: index verify passes"
is "$(jq -c '[.ok]' "$HOME/verify.json")" '[true]' "bulk: verify finds no difference"

# a bulk run smaller than the index: FTS5 keeps merging as it goes
needle_transcript "$small" 301 20000
BATON_HOME=$bulk BATON_INGEST_BULK_BYTES=1 BATON_TRACE_SQL=1 baton ingest --json >/dev/null 2>"$HOME/trace2"
BATON_HOME=$ref BATON_INGEST_BULK_BYTES=100000000000 baton ingest --json >/dev/null
unlike "$(cat "$HOME/trace2")" "'automerge', 0" "smaller than the index: automerge stays on"
is "$(automerge "$bulk")" 4 "smaller than the index: automerge is 4"
is "$(answers "$bulk")" "$(answers "$ref")" "smaller than the index: the same search answers"

# a run that died with automerge off: the next one turns it back on
sqlite3 "$bulk/index.db" "INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', 0)"
is "$(automerge "$bulk")" 0 "a bulk run died: automerge left off"
BATON_HOME=$bulk baton ingest --json >/dev/null
is "$(automerge "$bulk")" 4 "the next ingest turns it back on"

# a rebuild loads with automerge off and ends merged, with it on (the reference is
# rebuilt too: messages equal in score rank by insertion order, the archive's after
# a rebuild)
BATON_HOME=$bulk baton index rebuild --json >/dev/null
BATON_HOME=$ref baton index rebuild --json >/dev/null
is "$(automerge "$bulk")" 4 "rebuild: automerge is 4"
is "$(segments "$bulk")" 1 "rebuild: one segment"
is "$(answers "$bulk")" "$(answers "$ref")" "rebuild: the same search answers"

done_testing
