#!/bin/sh
# Journal errors: no session, empty text, a decision without rationale, closing a
# closed session. Each is a clear message with the documented exit code, and
# nothing already stored is lost or half-written.
. "$(dirname "$0")/lib.sh"

make_repo "$TMP/app"
cd "$TMP/app" || exit 1

# err CODE PATTERN DESCRIPTION COMMAND...: exit code and stderr message
err() {
	local code=$1 pat=$2 d=$3; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	is "$?" "$code" "$d (exit $code)"
	like "$(cat "$TMP/err")" "$pat" "$d: message"
}

err 1 'no active session in .*baton save -m' 'log without any session' baton log --note "hello"
err 1 'no active session' 'checkpoint without any session' baton checkpoint
err 1 'no active session' 'view without any session' baton view
err 1 "session 'nosuch' not found" 'an unknown --session' baton log --session nosuch --note x
err 1 "session 'nosuch' not found" 'view of an unknown id' baton view nosuch

ok 'save' baton save -m "error handling"
ok 'a first entry' baton log --progress "step one"
ok 'a blocker' baton log --blocker "wall"
log_lines() { cat "$BATON_HOME"/log/*.jsonl | wc -l | tr -d ' '; }
before=$(log_lines)
cp .sessions/active/*.md "$TMP/doc.before"

err 2 'the --note text is empty' 'an empty note' baton log --note ""
err 2 'the --progress text is empty' 'a blank progress' baton log --progress "   "
err 2 'the --done text is empty' 'an empty done' baton log --done ""
err 2 'a decision needs its rationale: add --rationale' 'a decision without rationale' baton log --decision "use X"
err 2 'a decision needs its rationale' 'a blank rationale' baton log --decision "use X" --rationale " "
err 2 '--rationale belongs to a --decision' 'a rationale alone' baton log --rationale "because"
err 2 'one entry at a time' 'two kinds at once' baton log --progress a --note b
err 2 'say what to log' 'nothing to log' baton log
err 2 'has no blocker 7' 'unblock a blocker that does not exist' baton log --unblock 7
err 2 'takes a blocker number' 'unblock 0' baton log --unblock 0
err 2 'needs a whole number' 'unblock with a word' baton log --unblock one
err 2 'the --note text is empty' 'checkpoint with an empty note' baton checkpoint --note ""
err 2 'say how it ends' 'close without --complete or --abandon' baton close
err 2 'say how it ends' 'close with both' baton close --complete --abandon --reason x
err 2 'abandoning needs a reason' 'abandon without a reason' baton close --abandon
err 2 'the --reason text is empty' 'abandon with an empty reason' baton close --abandon --reason ""
err 2 "unknown option '--bogus'" 'an unknown flag' baton log --bogus x

is "$(log_lines)" "$before" 'failed commands appended nothing to the log'
is "$(cat .sessions/active/*.md)" "$(cat "$TMP/doc.before")" 'and left the document as it was'

ok 'resolve the blocker' baton log --unblock 1
err 2 'blocker 1 of session .* is already resolved' 'unblock twice' baton log --unblock 1

ID=$(baton view --json | jq -r .session_id)
ok 'abandon with a reason' baton close --abandon --reason "superseded by the new auth flow"
is "$(baton show "$ID" --json | jq -r '.session.status + ": " + .session.close_reason')" \
	'abandoned: superseded by the new auth flow' 'abandoned with its reason'
before=$(log_lines)
err 2 "session '$ID' is already abandoned" 'closing a closed session (by id)' baton close --session "$ID" --complete
err 2 "latest session in .*'$ID' \\(error-handling\\), is already abandoned" 'closing a closed session (this repo)' \
	baton close --complete
err 2 'nothing can be added to a closed session' 'logging to a closed session' baton log --session "$ID" --note x
err 2 'nothing can be added to a closed session' 'pausing a closed session' baton pause --session "$ID"
is "$(log_lines)" "$before" 'nothing appended by the refused commands'
is "$(baton view "$ID" --json | jq '.journal.entries')" 4 'every entry is still there'
ok 'a closed session can still be viewed' baton view "$ID"
is "$(baton index verify --json | jq .ok)" true 'the index matches a replay of the log'

# a journal that cannot be written: the entry and the session are recorded anyway
# (a file where the directory should be stops root too)
ok 'a new session' baton save --new -m "unwritable journal"
mv .sessions/active "$TMP/active.saved" && : >.sessions/active
err 1 'journal of session .* not written: .*the session itself is recorded' 'an unwritable journal directory' \
	baton log --note "kept"
is "$(baton view --json | jq -r '.journal.notes[0].text')" kept 'the entry was stored all the same'
rm .sessions/active && mv "$TMP/active.saved" .sessions/active
ok 'the next change writes the document again' baton log --note "again"
like "$(cat .sessions/active/unwritable-journal-*.md)" 'kept' 'with the entry that could not be rendered before'

done_testing
