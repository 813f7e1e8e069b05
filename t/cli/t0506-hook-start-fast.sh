#!/bin/sh
# A SessionStart that begins a conversation — a resume after its SessionEnd, or a new
# conversation ("startup", "clear") in a directory whose current session is known —
# prints the session's context without opening the index while nothing was written
# since the last detached job: from the ended conversation's marker, or from
# $BATON_HOME/hooks/dirs/. It prints exactly what the full path prints, and its
# detached job records what the full path records before answering: the link and the
# conversation live at this boot. Anything else: the full path.
. "$(dirname "$0")/lib.sh"
export BATON_BOOT_ID=boot-1
R=$TMP/repo
make_repo "$R"
D=$BATON_HOME/hooks/dirs
S=$BATON_HOME/hooks/seen

out() { cat "$TMP/out"; }
conv_session() { sqlite3 "$BATON_HOME/index.db" "select session_id from conversations where agent_session_id='$1'"; }
lives() { grep -c "\"type\":\"conversation_live\".*\"$1\"" "$BATON_HOME"/log/*.jsonl; }
# the same hook, through the full path, on a copy of the store as it is now: its
# output in $TMP/full
full_on_copy() {
	rm -rf "$TMP/copy" && cp -a "$BATON_HOME" "$TMP/copy"
	BATON_HOME=$TMP/copy BATON_HOOK_SYNC=1 BATON_HOOKS_CONTEXT_CACHE=0 traced_hook "$@"
	cp "$TMP/out" "$TMP/full"
}
# the fast hook, its job detached; then wait (bounded) until the job is done: it
# leaves the conversation's marker saying live
fast_hook() {
	BATON_HOOK_SYNC=0 traced_hook "$@"
	i=0
	while ! grep -qs " boot-1 [0-9A-Z]*\$" "$S/claude-$2" || pgrep -f "^$BATON hook" >/dev/null; do
		[ $i -lt 500 ] || break
		sleep 0.02; i=$((i + 1))
	done
}

(cd "$R" && baton save -m "port the parser to the new lexer" >/dev/null &&
	baton log --progress "tokens done" >/dev/null && baton log --blocker "the CI image lacks re2c" >/dev/null &&
	baton log --next "wire the error recovery" >/dev/null)
sid=$(cd "$R" && baton resume --json | jq -r .session.id)

# conversation 1: its first SessionStart is the full path; its turn ends (Stop), then it ends
HOOK_SOURCE=startup BATON_HOOK_SYNC=1 traced_hook SessionStart conv-1
unlike "$(sql)" '^0$' "a first SessionStart with nothing left by a job takes the full path"
is "$(conv_session conv-1)" "$sid" "(linked to the repository's current session)"
BATON_HOOK_SYNC=1 traced_hook Stop conv-1
ok "the Stop job leaves the directory's session" grep -q "$sid" "$D"/*
BATON_HOOK_SYNC=1 traced_hook SessionEnd conv-1
like "$(cat "$S/claude-conv-1")" "$sid ended\$" "SessionEnd leaves the marker saying ended"

# resumed: answered from files, the same bytes as the full path
full_on_copy SessionStart conv-1
is "$(lives conv-1)" 1 "(live once so far)"
HOOK_SOURCE=resume fast_hook SessionStart conv-1
is "$(sql)" 0 "a SessionStart resuming an ended conversation opens no index"
like "$(out)" "port the parser" "and prints the context"
is "$(out)" "$(cat "$TMP/full")" "the bytes the full path prints"
is "$(lives conv-1)" 2 "its job recorded the conversation live again"
unlike "$(cat "$S/claude-conv-1")" "ended" "and the marker says live"
HOOK_SOURCE=resume BATON_HOOK_SYNC=1 traced_hook UserPromptSubmit conv-1 "go on with the lexer"
is "$(sql)" 0 "the next prompt is on the fast path"

# a new conversation in the directory: its current session, from hooks/dirs
BATON_HOOK_SYNC=1 traced_hook Stop conv-1
HOOK_SOURCE=startup full_on_copy SessionStart conv-2
HOOK_SOURCE=startup fast_hook SessionStart conv-2
is "$(sql)" 0 "a SessionStart of a new conversation opens no index"
is "$(out)" "$(cat "$TMP/full")" "and prints what the full path prints"
is "$(conv_session conv-2)" "$sid" "its job linked the conversation to the session"
is "$(lives conv-2)" 1 "and recorded it live"
is "$(sqlite3 "$TMP/copy/index.db" "select session_id from conversations where agent_session_id='conv-2'")" "$sid" \
	"as the full path links it"
HOOK_SOURCE=clear fast_hook SessionStart conv-3
is "$(sql)" 0 "\"clear\" (a new conversation id) too"
HOOK_SOURCE=resume BATON_HOOK_SYNC=1 traced_hook SessionStart conv-4
unlike "$(sql)" '^0$' "a resume of a conversation with no marker takes the full path"
is "$(conv_session conv-4)" "$sid" "(and links it)"

# any write since the last job: the full path, which shows it
(cd "$R" && baton log --progress "error recovery started" >/dev/null)
HOOK_SOURCE=startup BATON_HOOK_SYNC=1 traced_hook SessionStart conv-5
unlike "$(sql)" '^0$' "after a journal entry a new conversation takes the full path"
like "$(out)" "error recovery started" "and shows it"
BATON_HOOK_SYNC=1 traced_hook SessionEnd conv-5
(cd "$R" && baton log --progress "recovery tested" >/dev/null)
HOOK_SOURCE=resume BATON_HOOK_SYNC=1 traced_hook SessionStart conv-5
unlike "$(sql)" '^0$' "and a resume too"
like "$(out)" "recovery tested" "showing it"

# another directory: nothing known there
mkdir -p "$TMP/elsewhere"
BATON_HOOK_SYNC=1 traced_hook Stop conv-5
(cd "$TMP/elsewhere" && jq -cn --arg cwd "$TMP/elsewhere" '{session_id: "conv-6", cwd: $cwd, hook_event_name: "SessionStart", source: "startup"}' |
	BATON_TRACE_SQL=1 BATON_HOOK_SYNC=1 "$BATON" hook SessionStart --agent claude >"$TMP/out" 2>"$TMP/err")
unlike "$(grep -c '^sql' "$TMP/err")" '^0$' "a new conversation in another directory takes the full path"

# damaged or foreign files: the full path, the right answer, never a crash (each
# case on its own copy of the store as the last job left it, so that a detached job
# of one case never writes into the next)
BATON_HOOK_SYNC=1 traced_hook Stop conv-5
HOOK_SOURCE=startup full_on_copy SessionStart conv-7
f=$(grep -l "^$R\$" "$D"/* | head -n 1)
ok "the directory's file is there" test -s "$f"
rm -rf "$TMP/base" && cp -a "$BATON_HOME" "$TMP/base"
for damage in none garbage version id dir truncated empty; do
	cp -a "$TMP/base" "$TMP/d-$damage"
	g=$TMP/d-$damage/hooks/dirs/$(basename "$f")
	case $damage in
	garbage) printf 'garbage\n\nnot ours' >"$g" ;;
	version) sed -i '1s/^baton-dir 1 [^ ]*/baton-dir 1 0.0.0/' "$g" ;;
	id) sed -i '1s/ [0-9A-Z]*$/ ..\/..\/x/' "$g" ;;
	dir) sed -i "2s|.*|$TMP/elsewhere|" "$g" ;;
	truncated) head -c 30 "$f" >"$g" ;;
	empty) : >"$g" ;;
	esac
	BATON_HOME=$TMP/d-$damage HOOK_SOURCE=startup BATON_HOOK_SYNC=0 traced_hook SessionStart conv-7
	if [ $damage = none ]; then
		is "$(sql)" 0 "(undamaged: no index opened)"
	else
		unlike "$(sql)" '^0$' "a $damage directory file takes the full path"
	fi
	is "$(out)" "$(cat "$TMP/full")" "and the answer is right"
done

# the session closed: no current session, so the directory's file goes
(cd "$R" && baton close --complete >/dev/null)
BATON_HOOK_SYNC=1 traced_hook Stop conv-7
ok "a job finding no current session removes the directory's file" test ! -e "$f"
BATON_HOOKS_CONTEXT_CACHE=0 BATON_HOOK_SYNC=1 traced_hook Stop conv-7
is "$(grep -c . "$BATON_HOME/hooks.log" 2>/dev/null || echo 0)" 0 "nothing failed on the way"
done_testing
