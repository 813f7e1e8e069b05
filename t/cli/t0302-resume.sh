#!/bin/sh
# baton resume --agent: the resume script, executed with stub agents first in PATH.
# The same agent resumes its own conversation; any other agent starts in the session's
# directory with the handoff as its first prompt. Quotes, $(), backquotes and newlines
# in the objective, notes and directory must reach the agent as text, never run.
. "$(dirname "$0")/lib.sh"

export BATON_SEED=5 BATON_HOST=h1 BATON_CORE_FSYNC=0 BATON_NOW=2026-11-22T10:00:00Z
mkdir -p "$TMP/bin" "$TMP/out"
for a in claude codex gemini opencode; do
	cat >"$TMP/bin/$a" <<'STUB'
#!/bin/sh
# a stub agent: where it runs, which session it is told, its argv (NUL-separated)
{ printf 'agent=%s\n' "${0##*/}"; printf 'cwd=%s\n' "$(pwd)"; printf 'session=%s\n' "$BATON_SESSION"; } >"$STUB_OUT/info"
: >"$STUB_OUT/argv"
for arg; do printf '%s\0' "$arg" >>"$STUB_OUT/argv"; done
STUB
	chmod +x "$TMP/bin/$a"
done
export STUB_OUT=$TMP/out

D="$TMP/it's a \$(dir) \`x\` \"q\""
mkdir -p "$D"
nl='
'
objective="Fix \"quoted\" it's \$(touch $TMP/pwned1) and \`touch $TMP/pwned2\`${nl}second line \$HOME"
note="keep 'this' \$(touch $TMP/pwned3)${nl}and \`touch $TMP/pwned4\`"

run_script() { # JSON-of-resume: run its script with the stubs first in PATH
	printf '%s' "$1" | jq -r .script >"$TMP/resume.sh"
	rm -f "$STUB_OUT/info" "$STUB_OUT/argv"
	(cd "$TMP" && PATH="$TMP/bin:$PATH" sh "$TMP/resume.sh")
}
argv() { tr '\0' '\n' <"$STUB_OUT/argv"; }
no_pwn() {
	ls "$TMP"/pwned* >/dev/null 2>&1 && _t_report 1 "$1" || _t_report 0 "$1"
}

# a session with no conversation: every agent starts from the handoff
baton save --cwd "$D" -m "$objective" >/dev/null
id=$(baton list --json | jq -r '.sessions[0].id')
is "$(baton show "$id" --json | jq -r .session.objective)" "$objective" "the objective is stored as given"
baton handoff --session "$id" "$note" >/dev/null
md=$(baton handoff show "$id" --json | jq -r .markdown)
printf 'You are taking over baton session %s. Read this handoff, check the repository state, then continue the work.\n\n%s\n\0' \
	"$id" "$md" >"$TMP/want.prompt"
for a in claude codex gemini opencode; do
	out=$(baton resume "$id" --agent $a --json)
	is "$(jqr "$out" '[.agent, .mode] | @csv')" "\"$a\",\"handoff\"" "$a: handoff mode without a conversation of its own"
	run_script "$out"
	is "$(cat "$STUB_OUT/info")" "agent=$a${nl}cwd=$D${nl}session=$id" "$a: runs in the session's directory with BATON_SESSION"
	case $a in
	claude | codex) flag= ;;
	gemini) flag=--prompt-interactive ;;
	opencode) flag=--prompt ;;
	esac
	if [ -n "$flag" ]; then
		is "$(tr '\0' '\n' <"$STUB_OUT/argv" | head -1)" "$flag" "$a: starts with $flag"
		tail -c +$((${#flag} + 2)) "$STUB_OUT/argv" >"$TMP/got.prompt"
	else
		cp "$STUB_OUT/argv" "$TMP/got.prompt"
	fi
	ok "$a: the prompt is the handoff, byte for byte" cmp "$TMP/want.prompt" "$TMP/got.prompt"
	no_pwn "$a: nothing in the objective or notes was executed"
done
like "$(cat "$TMP/want.prompt")" "Fix \"quoted\" it's \\\$\(touch" "the objective reaches the prompt with its quotes and \$()"
like "$(cat "$TMP/want.prompt")" "keep 'this'" "the note too"
out=$(baton resume "$id" --json)
is "$(jqr "$out" '[.agent, .mode] | @csv')" ',' "no --agent and no conversation: no agent"
like "$(jqr "$out" .script)" "baton show '$id'" "the script shows the session"

# sessions with a conversation of each agent: that agent resumes its own
export BATON_NOW=2026-11-22T11:00:00Z
cs=aaaaaaaa-1111-4222-8333-444444444444
mkdir -p "$TMP/t/projects/p"
jq -cn --arg s "$cs" --arg d "$D" '{type: "user", uuid: "u1", sessionId: $s, timestamp: "2026-11-22T10:59:00.000Z",
	cwd: $d, message: {role: "user", content: "hi"}}' >"$TMP/t/projects/p/$cs.jsonl"
baton ingest --source claude --link-session "$id" "$TMP/t/projects/p/$cs.jsonl" >/dev/null
out=$(baton resume "$id" --agent claude --json)
is "$(jqr "$out" '[.agent, .mode] | @csv')" '"claude","resume"' "claude: its own conversation is resumed"
run_script "$out"
is "$(argv)" "--resume${nl}$cs" "claude --resume ID"
is "$(sed -n 2p "$STUB_OUT/info")" "cwd=$D" "claude resumes in the session's directory"
out=$(baton resume "$id" --json)
is "$(jqr "$out" '[.agent, .mode] | @csv')" '"claude","resume"' "no --agent: the agent of the latest conversation"
out=$(baton resume "$id" --agent codex --json)
is "$(jqr "$out" '.mode')" "handoff" "codex takes over claude's session from the handoff"
run_script "$out"
ok "codex gets the handoff prompt" cmp "$TMP/want.prompt" "$STUB_OUT/argv"

new_session() { # OBJECTIVE: a fresh session in $D, its id
	baton save --cwd "$D" --new -m "$1" >/dev/null
	baton list --json | jq -r --arg o "$1" '.sessions[] | select(.objective == $o) | .id'
}
export BATON_NOW=2026-11-22T12:00:00Z
xs=$(new_session "codex work")
cx=0199cccc-dddd-7eee-8fff-000000000000
mkdir -p "$TMP/t/sessions"
jq -cn --arg s "$cx" --arg d "$D" '{timestamp: "2026-11-22T11:59:00.000Z", type: "session_meta", payload: {id: $s, cwd: $d}}' \
	>"$TMP/t/sessions/rollout-2026-11-22T11-59-00-$cx.jsonl"
baton ingest --source codex --link-session "$xs" "$TMP/t/sessions/rollout-2026-11-22T11-59-00-$cx.jsonl" >/dev/null
run_script "$(baton resume "$xs" --agent codex --json)"
is "$(argv)" "resume${nl}$cx" "codex resume ID"

export BATON_NOW=2026-11-22T13:00:00Z
gs=$(new_session "gemini work")
gx=bbbbbbbb-1111-4222-8333-555555555555
mkdir -p "$TMP/t/g/chats"
printf '{"sessionId":"%s","projectHash":"x","startTime":"2026-11-22T12:59:00.000Z"}\n{"id":"m1","timestamp":"2026-11-22T12:59:01.000Z","type":"user","content":[{"text":"hi"}]}\n' \
	"$gx" >"$TMP/t/g/chats/session-2026-11-22T12-59-bbbbbbbb.jsonl"
baton ingest --source gemini --link-session "$gs" "$TMP/t/g/chats/session-2026-11-22T12-59-bbbbbbbb.jsonl" >/dev/null
run_script "$(baton resume "$gs" --agent gemini --json)"
is "$(argv)" "--resume${nl}$gx" "gemini --resume ID"

export BATON_NOW=2026-11-22T14:00:00Z
os=$(new_session "opencode work")
mkdir -p "$TMP/t/oc"
sqlite3 "$TMP/t/oc/opencode.db" <"$FIXTURES/handoff/opencode.sql"
baton ingest --source opencode --link-session "$os" "$TMP/t/oc/opencode.db" >/dev/null
run_script "$(baton resume "$os" --agent opencode --json)"
is "$(argv)" "--session${nl}ses_01ocapp" "opencode --session ID"
run_script "$(baton resume "$os" --agent claude --json)"
like "$(argv)" "You are taking over baton session $os" "claude takes over opencode's session from a handoff built on the fly"
is "$(baton handoff show "$os" --json | jq .has_context)" "false" "resume builds the handoff without storing it"
no_pwn "nothing was ever executed from the store"

exit_is 2 "unknown agent" baton resume "$id" --agent vim
like "$(baton resume "$id" --agent vim 2>&1)" "claude, codex, gemini, opencode" "the error names the agents"

done_testing
