#!/bin/sh
# A scripted day with the journal: a session with a goal and two tasks, progress,
# a decision, a discovery, a blocker, next steps, a checkpoint, two context
# compactions, a pause, the next day in a fresh shell, and the close. The rendered
# document equals a golden file at every step (the clock is fixed per step with
# BATON_NOW; the temporary directory is written as <TMP>).
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_DATE='2026-11-22T08:00:00Z' GIT_COMMITTER_DATE='2026-11-22T08:00:00Z'
export BATON_SEED=42 BATON_HOST=test
make_repo "$TMP/app"
cd "$TMP/app" || exit 1

at() { export BATON_NOW="2026-11-$1Z"; }
# doc STEP DESCRIPTION: the one rendered document of the session vs its golden file
doc() {
	local f
	f=$(ls .sessions/active/*.md .sessions/archive/*.md 2>/dev/null)
	is "$(printf '%s\n' "$f" | wc -l | tr -d ' ')" 1 "$2: one document"
	sed "s|$TMP|<TMP>|g" "$f" >"$TMP/doc.out"
	golden "golden/journal/day-$1.md" "$2: document" <"$TMP/doc.out"
}

at 22T09:00:00
ok 'save with a goal, two tasks and a name' baton save --goal "Make login survive slow upstreams" --task T-1 --task T-2 --name login
ID=$(baton show login --json | jq -r .session.id)
doc 01-init 'session started'

at 22T09:10:00
ok 'plan a step' baton log --next "Write a failing test in t/login.sh"
ok 'plan another' baton log --next "Add the retry to src/client.c"
ok 'start a step' baton log --progress "Reproduce the timeout"
doc 02-plan 'steps planned, one in progress'

at 22T09:30:00
ok 'decision with rationale' baton log --decision "Retry once after 30s" --rationale "the upstream SLA is 25s; two tries fit the 60s budget"
doc 03-decision 'decision'

at 22T09:45:00
ok 'discovery' baton log --discovery "src/client.c drops the deadline when it reconnects"
doc 04-discovery 'discovery'

at 22T10:00:00
ok 'blocker' baton log --blocker "Staging is down, cannot test against the real upstream"
doc 05-blocker 'blocker'

at 22T10:15:00
out=$(baton log --done "reproduce")
like "$out" '^done: Reproduce the timeout' '--done matched the step by prefix, ignoring case'
ok 'start the planned test step' baton log --progress "write a failing test in t/login.sh"
doc 06-done 'step done, next one current'

at 22T10:30:00
echo "retry draft" >>README
ok 'checkpoint with a note' baton checkpoint --note "retry drafted in README for now"
doc 07-checkpoint 'checkpoint (git state refreshed)'

at 22T11:00:00
ok 'first compaction' baton checkpoint --pre-compact
doc 08-compact-1 'first compaction'

at 22T12:00:00
ok 'second compaction' baton checkpoint --pre-compact --note "context compacted again"
doc 09-compact-2 'second compaction'
is "$(baton show "$ID" --json | jq .session.compaction_count)" 2 'compaction_count is 2'

at 22T17:00:00
ok 'plan for tomorrow' baton log --next "Ask ops when staging is back"
ok 'pause' baton pause --note "stopping for the day; the test fails as it should"
is "$(baton show "$ID" --json | jq -r .session.status)" paused 'session paused'
doc 10-pause 'paused'
is "$(baton view)" "$(cat .sessions/active/*.md)" 'baton view prints the same document'

# The next day, in a fresh shell: nothing but the store and the repo carry over.
at 23T09:00:00
out=$(env -i PATH="$PATH" HOME="$HOME" BATON_HOME="$BATON_HOME" BATON_BIN="$BATON" BATON_NOW="$BATON_NOW" \
	BATON_SEED=42 BATON_HOST=test LC_ALL=C TZ=UTC sh -c '
	cd "$1" &&
	"$BATON_BIN" view --next &&
	"$BATON_BIN" log --unblock 1 >/dev/null &&
	"$BATON_BIN" log --done "failing test" >/dev/null &&
	"$BATON_BIN" log --progress "Add the retry to src/client.c" >/dev/null' sh "$TMP/app")
is "$?" 0 'the next day in a fresh shell: view, unblock, done, progress'
like "$out" 'Write a failing test in t/login.sh \(in progress\)' 'a fresh shell sees where the work stopped'
is "$(baton show "$ID" --json | jq -r .session.status)" active 'logging resumed the paused session'
doc 11-resume 'resumed the next day'

at 23T11:00:00
ok 'last step done' baton log --done "Add the retry"
ok 'close complete' baton close --complete
is "$(ls .sessions/active)" "" 'nothing left in active/'
doc 12-close 'completed and archived'
is "$(baton show "$ID" --json | jq -r '.session.status + " " + (.session.compaction_count|tostring)')" 'completed 2' \
	'completed, with 2 compactions'

golden golden/journal/day-progress.md 'progress.md' <".sessions/journal/$ID/progress.md"
ls ".sessions/journal/$ID" >"$TMP/ls.out"
golden golden/journal/day-entries.txt 'one timestamped file per entry' <"$TMP/ls.out"
golden golden/journal/day-entry-decision.md 'an entry file' <".sessions/journal/$ID/20261122T093000Z-0004-decision.md"
baton view --json | jq '.journal | {tldr, progress, blockers: [.blockers[] | {n, status}], key_files}' >"$TMP/view.json"
golden golden/journal/day-view.json 'view --json: the structured journal' <"$TMP/view.json"
is "$(baton index verify --json | jq .ok)" true 'the index matches a replay of the log'

done_testing
