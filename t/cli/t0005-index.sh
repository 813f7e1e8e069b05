#!/bin/sh
# The index is a cache: deleting it, rebuilding it or corrupting it changes no answer.
. "$(dirname "$0")/lib.sh"

make_repo "$TMP/r"
cd "$TMP/r"
for i in 1 2 3 4 5; do baton save -m "work $i" --new --tasks "t$i" >/dev/null; done
baton delete "$(baton list --limit 1 --json | jq -r '.sessions[0].id')" >/dev/null
want_list=$(baton list --json)
want_show=$(baton show "$(baton list --json | jq -r '.sessions[1].id')" --json)

rm -f "$BATON_HOME/index.db" "$BATON_HOME/index.db-wal" "$BATON_HOME/index.db-shm"
is "$(baton list --json)" "$want_list" "deleting index.db changes no answer (list)"
is "$(baton show "$(baton list --json | jq -r '.sessions[1].id')" --json)" "$want_show" "nor show"

out=$(baton index rebuild --json)
is "$(jqr "$out" .events)" "6" "rebuild replays every event"
is "$(baton list --json)" "$want_list" "rebuild changes no answer"
is "$(baton index verify --json | jq -r .ok)" "true" "verify: the index matches a replay"

printf 'garbage garbage garbage garbage garbage garbage garbage garbage garbage garbage' >"$BATON_HOME/index.db"
rm -f "$BATON_HOME/index.db-wal" "$BATON_HOME/index.db-shm"
is "$(baton list --json)" "$want_list" "a corrupt index rebuilds itself"

sqlite3 "$BATON_HOME/index.db" "UPDATE sessions SET objective='x'"
is "$(baton index verify --json | jq -r .ok)" "false" "verify notices a tampered index"
exit_is 0 "doctor runs" baton doctor

# Every process opens the index alone, and SQLite reads the whole WAL at each open:
# the WAL must not grow with the number of commands (each save adds ~100 KB of pages).
baton index rebuild >/dev/null
before=$(baton list --limit 0 --json | jq .count)
i=0
while [ $i -lt 40 ]; do baton save --new -m "wal $i" --cwd "$TMP" >/dev/null; i=$((i + 1)); done
wal=$(stat -c %s "$BATON_HOME/index.db-wal" 2>/dev/null || echo 0)
ok "the WAL stays small after 40 writes ($wal bytes)" test "$wal" -lt 2097152
is "$(baton list --limit 0 --json | jq .count)" $((before + 40)) "and nothing was lost to the truncation"
ok "verify passes" baton index verify
done_testing
