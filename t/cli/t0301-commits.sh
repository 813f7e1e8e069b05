#!/bin/sh
# baton commits: the repository's commits within the session's time frame, exactly:
# a scripted session with commits made before, during and after it (clock and commit
# dates controlled), including commits on the frame's edges.
. "$(dirname "$0")/lib.sh"

export BATON_SEED=3 BATON_HOST=h1 BATON_CORE_FSYNC=0
R=$TMP/repo
mkdir -p "$R"
git -C "$R" init -q -b main

commit_at() { # TIME MESSAGE
	echo "$2" >>"$R/log.txt"
	git -C "$R" add log.txt
	GIT_AUTHOR_DATE=$1 GIT_COMMITTER_DATE=$1 git -C "$R" commit -qm "$2"
	git -C "$R" rev-parse HEAD
}

commit_at 2026-11-22T09:00:00Z "before: an hour earlier" >/dev/null
commit_at 2026-11-22T09:59:59Z "before: one second earlier" >/dev/null
# the session starts at 10:00 ...
export BATON_NOW=2026-11-22T10:00:00Z
(cd "$R" && baton save -m "Scripted work" >/dev/null)
id=$(baton list --json | jq -r '.sessions[0].id')
c1=$(commit_at 2026-11-22T10:00:00Z "during: the first second")
c2=$(commit_at 2026-11-22T10:10:00Z "during: ten minutes in")
c3=$(commit_at 2026-11-22T10:20:00Z "during: twenty minutes in")
# ... is last updated at 10:30 ...
export BATON_NOW=2026-11-22T10:30:00Z
(cd "$R" && baton log --progress "Halfway" >/dev/null)
is "$(baton show "$id" --json | jq -r '.session | .created_at + " " + .updated_at')" \
	"2026-11-22T10:00:00.000Z 2026-11-22T10:30:00.000Z" "the session's frame is 10:00..10:30"
c4=$(commit_at 2026-11-22T10:30:00Z "during: the last second")
# ... and work goes on without it
commit_at 2026-11-22T10:30:01Z "after: one second later" >/dev/null
commit_at 2026-11-22T11:30:00Z "after: an hour later" >/dev/null

out=$(baton commits "$id" --json)
is "$(jqr "$out" '[.session_id, .count] | @csv')" "\"$id\",4" "session_id and count"
is "$(jqr "$out" '[.commits[].message] | join("|")')" \
	"during: the last second|during: twenty minutes in|during: ten minutes in|during: the first second" \
	"exactly the commits made during the session, newest first; none before or after"
is "$(jqr "$out" '[.commits[].hash] | join(" ")')" "$c4 $c3 $c2 $c1" "full hashes"
is "$(jqr "$out" '.commits[1] | keys_unsorted | join(",")')" "hash,message,timestamp" "commit shape {hash, message, timestamp}"
is "$(jqr "$out" '.commits[1].timestamp')" "2026-11-22T10:20:00.000Z" "commit time"
is "$(jqr "$out" .repo)" "$R" "the repository used"
is "$(baton commits "$id" --max 2 --json | jq -r '[.count, .commits[0].message] | @csv')" '2,"during: the last second"' "--max N keeps the newest"
is "$(baton commits "$id" -n 0 --json | jq .count)" "4" "--max 0: all"
is "$(baton commits "$id" | head -1 | cut -c1-12)" "$(printf '%.12s' "$c4")" "human output: one line per commit"

# the handoff lists the same commits and the repository's current state
out=$(baton handoff --session "$id" --json)
is "$(jqr "$out" '[.context.commits[].hash] | join(" ")')" "$c4 $c3 $c2 $c1" "the handoff's commits are the same"
is "$(jqr "$out" '.context.git_status | [.branch, .dirty] | @csv')" '"main",false' "git status in the context"
like "$(jqr "$out" .markdown)" "## Commits
- $(printf '%.7s' "$c4") during: the last second \(2026-11-22T10:30:00.000Z\)" "commits in the markdown"
echo dirty >"$R/untracked.txt"
out=$(baton handoff --session "$id" --json)
like "$(jqr "$out" .markdown)" "## Git status
main at $(git -C "$R" rev-parse --short=7 HEAD), 1 uncommitted change
- untracked.txt" "uncommitted changes in the markdown"

# a session outside any repository has no commits; errors
mkdir -p "$TMP/plain"
export BATON_NOW=2026-11-22T12:00:00Z
(cd "$TMP/plain" && baton save -m "No repo here" >/dev/null)
pid=$(baton list --json | jq -r '.sessions[] | select(.objective == "No repo here") | .id')
is "$(baton commits "$pid" --json | jq -c '[.count, .repo]')" "[0,null]" "no repository: no commits"
like "$(baton commits "$pid")" "no commits" "human output says so"
exit_is 1 "unknown session" baton commits nosuchsession
exit_is 2 "--max below 0" baton commits "$id" --max -1
exit_is 2 "the session is required" baton commits

done_testing
