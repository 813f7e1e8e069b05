#!/bin/sh
# A rebuild applies only the newest snapshot of each session (store/snapshots.c) and
# must give the very index that applying every event gives: saves of the same
# sessions from two hosts whose ids interleave, deletes, and snapshot lines
# of another shape, which are applied as always.
. "$(dirname "$0")/lib.sh"

cd "$TMP"
export BATON_AUTO_SESSION=0
a=$(BATON_HOST=hosta baton save -m "a one" --new --cwd "$TMP" --json | jq -r .session.id)
b=$(BATON_HOST=hostb baton save -m "b one" --new --cwd "$TMP" --json | jq -r .session.id)
c=$(BATON_HOST=hosta baton save -m "c one" --new --cwd "$TMP" --json | jq -r .session.id)
i=0
while [ $i -lt 4 ]; do
	BATON_HOST=hostb baton save -m "a from b $i" --session "$a" >/dev/null
	BATON_HOST=hosta baton save -m "a from a $i" --session "$a" >/dev/null
	BATON_HOST=hosta baton save -m "b from a $i" --session "$b" >/dev/null
	i=$((i + 1))
done
BATON_HOST=hostb baton delete "$b" >/dev/null           # newest event of b: a delete
BATON_HOST=hosta baton save -m "c two" --session "$c" >/dev/null

# newest snapshot of a in another key order: not recognised, applied as always
last=$(tail -n 1 "$BATON_HOME/log/hostb.jsonl" | jq -c .)
newer=$(printf '%s' "$last" | jq -c --arg a "$a" \
	'{type:"session_saved", v:1, id:"01ZZZZZZZZZZZZZZZZZZZZZZZZ", at:.at, host:"hostb",
	  session:(.session + {id:$a, objective:"a hand-written", updated_at:"2030-01-01T00:00:00.000Z"})}')
printf '%s\n' "$newer" >>"$BATON_HOME/log/hostb.jsonl"
# and an older snapshot of c whose object does not start with its id
older=$(printf '%s' "$last" | jq -c --arg c "$c" \
	'{v:1, id:"00000000000000000000000001", at:.at, host:"hostb", type:"session_saved",
	  session:({objective:"c ancient"} + .session + {id:$c, updated_at:"2000-01-01T00:00:00.000Z"})}')
printf '%s\n' "$older" >>"$BATON_HOME/log/hostb.jsonl"

# the answers of the index as written, event by event (the hand-written lines are
# applied as the index catches up with the log)
is "$(baton index verify --json | jq -r .ok)" "true" "verify (which applies every event) agrees with the index"
want_list=$(baton list --json --limit 100)
want_a=$(baton show "$a" --json)
is "$(jqr "$want_a" .session.objective)" "a hand-written" "the newest snapshot wins, whatever its shape"
is "$(baton list --json | jq -r --arg b "$b" '[.sessions[].id] | index($b)')" "null" "a session whose newest event is a delete stays deleted"

# count what the rebuild may skip: our shape, not the newest of its session
expect=$(cat "$BATON_HOME"/log/*.jsonl | grep '^{"v":1,"id":.*"type":"session_saved","session":{"id":"' | jq -s \
	'[.[] | select(.type == "session_saved") | .session.id] | group_by(.) | map(length - 1) | add')
out=$(baton index rebuild --json)
is "$(jqr "$out" .superseded)" "$expect" "rebuild skips every superseded snapshot of baton's shape ($expect)"
is "$(jqr "$out" .events)" "$(cat "$BATON_HOME"/log/*.jsonl | wc -l | tr -d ' ')" "and counts them among the events replayed"
is "$(baton list --json --limit 100)" "$want_list" "list is the same after the shortcut"
is "$(baton show "$a" --json)" "$want_a" "show too"
is "$(baton show "$c" --json | jq -r .session.objective)" "c two" "an older snapshot of another shape loses to the newest"
is "$(baton index verify --json | jq -r .ok)" "true" "verify agrees"

# a line cut in the middle of a snapshot is bad, not skipped as superseded
printf '%s' "$(grep session_saved "$BATON_HOME/log/hosta.jsonl" | tail -n 1 | head -c 300)" >"$TMP/torn"
{ cat "$TMP/torn"; printf '\n'; } >>"$BATON_HOME/log/hosta.jsonl"
out=$(baton index rebuild --json)
is "$(jqr "$out" .bad_lines)" "1" "a torn snapshot line is reported bad"
done_testing
