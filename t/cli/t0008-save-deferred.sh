#!/bin/sh
# A save of a new session answers after its append; the index applies it after the
# answer, in a detached child (BATON_SAVE_SYNC=1: in the same process). Nothing is
# lost whatever the index's state, ids keep increasing along the log, and the WAL is
# left checkpointed for the next command.
. "$(dirname "$0")/lib.sh"

export BATON_AUTO_SESSION=0 BATON_HOST=h1
log=$BATON_HOME/log/h1.jsonl
db=$BATON_HOME/index.db
mkdir -p "$TMP/w"
cd "$TMP/w"

# what the index has applied of the log, read without baton (which would catch up)
applied() { sqlite3 "$db" "SELECT offset FROM log_state WHERE file = 'h1.jsonl'" 2>/dev/null; }
indexed() { sqlite3 "$db" "SELECT count(*) FROM sessions" 2>/dev/null; }
size() { wc -c <"$1" | tr -d ' '; }
# wait (10 s at most) for the detached child to bring the index up to the log
settled() {
	local i=0
	while [ $i -lt 1000 ]; do
		[ "$(applied)" = "$(size "$log")" ] && return 0
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}

# ---- the detached child ------------------------------------------------------------
baton list >/dev/null # the store and its index
unset BATON_SAVE_SYNC
out=$(baton save --new -m "first piece" 2>&1)
like "$out" '^saved [0-9A-Z]{26} \(first-piece\)$' "a save answers as always"
ok "the detached child brings the index up to the log" settled
is "$(indexed)" "1" "the index holds the session without another command"
wal=$( [ -f "$db-wal" ] && size "$db-wal" || echo 0)
ok "and its WAL is checkpointed for the next command ($wal bytes)" test "$wal" -lt 65536

id2=$(baton save --new -m "second piece" --json | jq -r .session.id)
settled
is "$(sqlite3 "$db" "SELECT objective FROM sessions WHERE id = '$id2'")" "second piece" \
	"a second save is applied the same way"

# ---- in the same process ------------------------------------------------------------
export BATON_SAVE_SYNC=1
baton save --new -m "third piece" >/dev/null
is "$(applied)" "$(size "$log")" "BATON_SAVE_SYNC=1: the index has the save when the command returns"
is "$(indexed)" "3" "all three sessions are in the index"

# ---- ids ----------------------------------------------------------------------------------
# a fixed clock and seed draw the same bits in every process: the ids still increase,
# above the log's newest event of the same millisecond
BATON_NOW=2026-03-01T10:00:00Z BATON_SEED=7 baton save --new -m "same instant a" >/dev/null
BATON_NOW=2026-03-01T10:00:00Z BATON_SEED=7 baton log --note "an entry, through the index" >/dev/null
BATON_NOW=2026-03-01T10:00:00Z BATON_SEED=7 baton save --new -m "same instant b" >/dev/null
BATON_NOW=2026-03-01T10:00:00Z BATON_SEED=7 baton save --new -m "same instant c" >/dev/null
is "$(jq -r .id "$log" | sort -c 2>&1 && echo sorted)" "sorted" "event ids increase along the log, with and without the index"
is "$(jq -r .id "$log" | sort -u | wc -l | tr -d ' ')" "$(wc -l <"$log" | tr -d ' ')" "event ids are unique"
is "$(jq -r 'select(.type == "session_saved") | .session.id' "$log" | sort -u | wc -l | tr -d ' ')" "6" \
	"six sessions, six distinct ids"

# ---- a torn last line ---------------------------------------------------------------------
printf '{"v":1,"id":"01KJ' >>"$log"
baton save --new -m "after a crash" >/dev/null
is "$(tail -n 2 "$log" | head -n 1)" '{"v":1,"id":"01KJ' "the torn line is closed with a newline"
is "$(tail -n 1 "$log" | jq -r .session.objective)" "after a crash" "the save is a line of its own"
like "$(baton doctor 2>&1)" "torn|bad" "doctor reports the torn line"
is "$(baton list --limit 0 --json | jq -r .count)" "7" "every session is listed"

# ---- a last line longer than the tail read: the index is asked ------------------------------
long=$(head -c 70000 /dev/zero | tr '\0' 'x')
baton save --new -m "long notes" --notes "$long" >/dev/null
before=$(tail -n 1 "$log" | jq -r .id)
baton save --new -m "after the long line" >/dev/null
after=$(tail -n 1 "$log" | jq -r .id)
ok "after a 70 KB line the next id is still above it" test "$after" \> "$before"
is "$(baton list --limit 0 --json | jq -r .count)" "9" "both are listed"

# ---- the index missing, or unusable ---------------------------------------------------------
rm -f "$db" "$db-wal" "$db-shm"
baton save --new -m "no index" >/dev/null
is "$(applied)" "$(size "$log")" "a missing index is rebuilt after the save"
is "$(indexed)" "10" "with every session"

rm -f "$db" "$db-wal" "$db-shm"
mkdir "$db" # not a file: the index cannot open
unset BATON_SAVE_SYNC
out=$(baton save --new -m "index unusable" 2>&1)
rc=$?
is "$rc" "0" "a save whose index cannot open still succeeds: the log has it"
like "$out" '^saved ' "and answers"
i=0
while [ $i -lt 500 ] && ! grep -q "cannot apply the log to the index" "$BATON_HOME/hooks.log" 2>/dev/null; do
	sleep 0.01
	i=$((i + 1))
done
like "$(cat "$BATON_HOME/hooks.log" 2>/dev/null)" "cli save: cannot apply the log to the index" \
	"the child's failure is logged in hooks.log"
rmdir "$db"
export BATON_SAVE_SYNC=1
is "$(baton list --limit 0 --json | jq -r .count)" "11" "once the index opens again, nothing is missing"
ok "index verify passes" baton index verify

# ---- updating the directory's current session without the index ------------------------------
# each CLI save's child leaves the directory's current session in cache/current: the
# next save there updates it without opening the index, while nothing was written
export BATON_SAVE_SYNC=1
make_repo "$TMP/r"
cd "$TMP/r"
sid=$(baton save -m "repo work" --json | jq -r .session.id)
ok "the directory's current session is left in cache/current" test -n "$(ls "$BATON_HOME/cache/current")"
mv "$db" "$TMP/db.aside" # no index to open: only the file can say which session
mkdir "$db"
out=$(baton save -m "repo work, refined" --notes "kept" --json 2>&1)
is "$(jqr "$out" .session.id)" "$sid" "a save updates the current session without the index"
is "$(jqr "$out" .session.notes)" "kept" "with what it was given"
is "$(tail -n 1 "$log" | jq -r .session.objective)" "repo work, refined" "the log has the update"
rmdir "$db"
mv "$TMP/db.aside" "$db"
baton save -m "repo work, again" >/dev/null # through the index: the file was not rewritten
baton log --note "an entry" >/dev/null
baton save -m "repo work, fourth" >/dev/null # through the index, which leaves the file
baton save -m "repo work, fifth" >/dev/null  # without it
doc=$(cat .sessions/active/*"$sid".md)
like "$doc" "repo work, fifth" "the journal of a session updated without the index is rendered after the answer"
like "$doc" "an entry" "with the session's entries"

# any write elsewhere: the file no longer holds, the index is asked
baton log --note "a write through the index" >/dev/null
mv "$db" "$TMP/db.aside"
mkdir "$db"
fails "after another write the save needs the index again" baton save -m "needs the index"
rmdir "$db"
mv "$TMP/db.aside" "$db"
is "$(baton save -m "repo work, sixth" --json | jq -r .session.id)" "$sid" "and updates the same session through it"

# a repository made around a directory changes its current session without a write
mkdir "$TMP/plain"
cd "$TMP/plain"
p1=$(baton save -m "plain dir" --json | jq -r .session.id)
git init -q .
p2=$(baton save -m "now a repository" --json | jq -r .session.id)
ok "a new repository around the directory: not the old directory's session" test "$p1" != "$p2"
is "$(baton show "$p2" --json | jq -r .session.repo_root)" "$TMP/plain" "but a session of the repository"

done_testing
