#!/bin/sh
# 32 processes x 200 saves at once: every event in the log, every line whole, count exact.
. "$(dirname "$0")/lib.sh"

P=${BATON_TEST_PROCS:-32}
N=${BATON_TEST_SAVES:-200}
# under sanitizers each process starts ~10x slower: same property, fewer saves
[ "${BATON_TEST_SANITIZED:-0}" = 1 ] && N=${BATON_TEST_SAVES:-20}
# 32 writers queue for one lock: on a loaded machine (or under sanitizers) the last in
# line may wait longer than the default 10 s; this test is about losing nothing.
export BATON_CORE_LOCK_TIMEOUT_MS=300000
# fsync is not what this test is about: keep it fast on slow disks
export BATON_CORE_FSYNC=0
# the saves leave the index to their detached children, all at once: the index must
# still come out exact
unset BATON_SAVE_SYNC
baton list >/dev/null # create the store

i=0
while [ $i -lt $P ]; do
	(
		j=0
		while [ $j -lt $N ]; do
			"$BATON" save -m "worker $i save $j" --new --cwd / >/dev/null || echo fail >>"$TMP/failures"
			j=$((j + 1))
		done
	) &
	i=$((i + 1))
done
wait

is "$(cat "$TMP/failures" 2>/dev/null | wc -l | tr -d ' ')" "0" "no save failed"
log=$(ls "$BATON_HOME"/log/*.jsonl)
total=$((P * N))
is "$(wc -l <"$log" | tr -d ' ')" "$total" "every event is in the log"
bad=$(jq -c 'select(.type != "session_saved")' "$log" 2>&1 | wc -l | tr -d ' ')
is "$bad" "0" "every line is whole JSON"
is "$(jq -r .id "$log" | sort -u | wc -l | tr -d ' ')" "$total" "event ids are unique"
is "$(jq -r .id "$log" | sort -c && echo sorted)" "sorted" "event ids increase along the log"
is "$(baton list --limit 0 --json | jq -r .count)" "$total" "list count is exact"
ok "index verify passes" baton index verify
done_testing
