#!/bin/sh
# The journal's files and options: save's --goal/--task/--tasks/--name, where the
# document goes (journal.dir, active/ then archive/, a rename), journal.render off,
# sessions outside a repository, view filters and JSON, view list, redaction, the
# default session (BATON_SESSION, a paused one).
. "$(dirname "$0")/lib.sh"

make_repo "$TMP/app"
cd "$TMP/app" || exit 1

# save's journal-facing flags are aliases of its own arguments
out=$(baton save --goal "Ship the parser" --task P-1 --tasks P-2,P-3 --name parser --json)
is "$(jqr "$out" '.session.objective')" 'Ship the parser' '--goal sets the objective'
is "$(jqr "$out" '.session.working_set | join(",")')" 'P-1,P-2,P-3' '--task and --tasks fill the working set'
is "$(jqr "$out" '.session.shortname')" parser '--name sets the short name'
ID=$(jqr "$out" .session.id)
DOC=.sessions/active/parser-$ID.md
ok 'save wrote the document' test -f "$DOC"
like "$(cat "$DOC")" 'task_ids: \[P-1, P-2, P-3\]' 'the front matter lists the tasks'
ok 'the journal directory keeps out of git' test -f .sessions/.gitignore
is "$(git status --porcelain)" '' 'so the repository stays clean'
is "$(baton show "$ID" --json | jq .session.git.dirty)" false 'and the snapshot is not dirty'

# the text is redacted before it is stored, so before it is rendered
ok 'a note with a token' baton log --note "use token ghp_0123456789abcdefghij0123456789abcdef for CI"
unlike "$(cat "$DOC" .sessions/journal/"$ID"/*.md "$BATON_HOME"/log/*.jsonl)" 'ghp_0123' 'no token in the files or the log'
like "$(cat "$DOC")" 'use token \[REDACTED' 'the note is there, redacted'

# view: filters and JSON
ok 'a blocker' baton log --blocker "grammar is ambiguous"
ok 'a step' baton log --progress "write the lexer"
out=$(baton view --blockers)
like "$out" '^## Blockers' 'view --blockers starts at its section'
unlike "$out" '## (TL;DR|Progress|Decisions)|^---' 'and shows nothing else'
out=$(baton view --progress --next)
like "$out" 'write the lexer \(since .*\) <- CURRENT' 'view --progress marks the current step'
like "$out" '## Next Steps' 'two filters give two sections'
out=$(baton view "$ID" --blockers --json)
is "$(jqr "$out" '.sections | join(",")')" blockers 'view --json names the sections asked for'
is "$(jqr "$out" '.journal | keys | join(",")')" 'blockers,tldr' 'and holds only those parts of the journal'
is "$(jqr "$out" '.journal.blockers[0].status')" open 'the structured blockers'
is "$(baton view --json | jq -r .path)" "$TMP/app/$DOC" 'view --json gives the document path'
is "$(baton view parser --json | jq -r .session_id)" "$ID" 'view takes a short name'

# a rename moves the document; nothing stale is left
ok 'rename' baton save --name parser-v2
ok 'new name' test -f ".sessions/active/parser-v2-$ID.md"
ok 'old name gone' test ! -e "$DOC"
DOC=.sessions/active/parser-v2-$ID.md

# pause, then the next entry in the repo resumes the paused session
ok 'pause' baton pause
is "$(baton show "$ID" --json | jq -r .session.status)" paused 'paused'
ok 'log in the repo after a pause' baton log --progress "write the parser"
is "$(baton show "$ID" --json | jq -r .session.status)" active 'the paused session is active again'

# BATON_SESSION names the session from anywhere
cd "$TMP" || exit 1
ok 'outside the repo with BATON_SESSION' env BATON_SESSION="$ID" "$BATON" log --discovery "the lexer needs lookahead"
like "$(cat "$TMP/app/$DOC")" 'the lexer needs lookahead' 'the entry reached the session'
cd "$TMP/app" || exit 1

# journal.dir: another place, relative to the repository root
ok 'journal.dir' env BATON_JOURNAL_DIR=docs/journal "$BATON" checkpoint
ok 'rendered under journal.dir' test -f "docs/journal/active/parser-v2-$ID.md"
ok 'with its own .gitignore' test -f docs/journal/.gitignore
rm -rf docs
printf '[journal]\ndir = "notes"\n' >.baton.toml
ok 'journal.dir from .baton.toml' baton log --note "configured"
ok 'rendered under the configured dir' test -f "notes/active/parser-v2-$ID.md"
rm -rf notes .baton.toml

# journal.render = false: the store still records, no file is touched
before=$(cat "$DOC")
ok 'render off' env BATON_JOURNAL_RENDER=false "$BATON" log --note "not rendered"
is "$(cat "$DOC")" "$before" 'the document was not rewritten'
is "$(BATON_JOURNAL_RENDER=false baton view --json | jq .path)" null 'view --json: no path when rendering is off'
like "$(BATON_JOURNAL_RENDER=false baton view)" 'not rendered' 'but view shows the entry'

# close: the document moves to archive/
ok 'close' baton close --complete --reason "parser merged"
ok 'archived' test -f ".sessions/archive/parser-v2-$ID.md"
ok 'not active any more' test ! -e "$DOC"
like "$(cat ".sessions/archive/parser-v2-$ID.md")" 'status: completed' 'the archived document says completed'
ls .sessions/active .sessions/archive ".sessions/journal/$ID" >"$TMP/ls"
unlike "$(cat "$TMP/ls")" '\.tmp' 'no temporary files left behind'

# a session outside any repository: no files, view still works
mkdir "$TMP/plain" && cd "$TMP/plain" || exit 1
ok 'save outside a repo' baton save -m "notes on a plain directory"
ok 'log outside a repo' baton log --next "read the manual"
ok 'no .sessions outside a repo' test ! -e .sessions
like "$(baton view)" '1\. read the manual' 'view renders it all the same'

# view list
out=$(baton view list --json)
is "$(jqr "$out" .count)" 2 'view list: both sessions'
is "$(jqr "$out" '[.sessions[].status] | join(",")')" 'active,completed' 'most recent first'
is "$(jqr "$out" '.sessions[1].progress.total')" 2 'with their progress'
like "$(baton view list)" 'completed .* parser-v2' 'view list for people'
is "$(baton view list --status completed --json | jq .count)" 1 'view list --status'

done_testing
