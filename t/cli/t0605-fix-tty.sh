#!/bin/bash
# baton fix on a terminal: choose the thread, then Resume / Retry / Change agent /
# New stage, confirm. Driven through a pseudo-terminal (tmux send-keys).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-runs.sh"
export TMUX_TMPDIR=$TMP/tmux
mkdir -p "$TMUX_TMPDIR"
trap 'tmux kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

d1=$TMP/one
d2=$TMP/two
mkdir -p "$d1" "$d2"
(cd "$d1" && STUB_MODE=exit1 baton run --task T1 -- claude -p "first")
r1=$(last_run)
(cd "$d2" && STUB_MODE=exit3 baton run --task T2 -- codex exec "second")
r2=$(last_run)

screen() { tmux capture-pane -p -t fixt 2>/dev/null; }
shows() { screen | grep -qF -- "$1"; }
# start_fix: baton fix in a fresh terminal; its exit code lands in $TMP/fix.exit
start_fix() {
	rm -f "$TMP/fix.exit"
	tmux new-session -d -s fixt -x 160 -y 40 \
		"cd '$TMP' && STUB_MODE=exit0 baton fix; echo \$? >'$TMP/fix.exit'; sleep 60"
}
stop_fix() { tmux kill-session -t fixt 2>/dev/null; }
key() { tmux send-keys -t fixt "$@"; }

# 1. choose T2, resume, confirm
start_fix
ok "fix lists the work and asks" wait_until 10 shows "Choose one [1-2], q to quit:"
like "$(screen)" "1\) T2 +failed +1  codex" "newest first: T2"
like "$(screen)" "2\) T1 +failed +1  claude" "then T1"
key 9 Enter
ok "a wrong choice is asked again" wait_until 10 shows "Type a number from 1 to 2."
key 2 Enter
ok "then it asks what to do" wait_until 10 shows "[r]esume  re[t]ry  [c]hange agent  [n]ew stage  [q]uit:"
key r Enter
ok "it shows the command and asks to confirm" wait_until 10 shows "Run it? [y/N]"
like "$(screen)" "cd '$d1' && claude --resume $(jqr "$r1" .agent_session_id)" "the resume command of T1"
: >"$STUB_LOG"
key y Enter
ok "fix ends" wait_until 10 test -s "$TMP/fix.exit"
is "$(cat "$TMP/fix.exit")" 0 "with the agent's exit code"
is "$(cut -d'|' -f1,2,5 "$STUB_LOG")" "claude|$d1|--resume $(jqr "$r1" .agent_session_id)" "claude resumed in its directory"
is "$(jqr "$(last_run --task T1)" '[.attempt, .status] | @json')" '[2,"completed"]' "a new attempt, recorded"
stop_fix

# 2. the one thread left: Enter picks it; change agent; decline
start_fix
ok "one thread left" wait_until 10 shows "Choose one [1-1, Enter for 1], q to quit:"
key Enter
ok "asks what to do" wait_until 10 shows "[q]uit:"
key c Enter
ok "asks for the agent" wait_until 10 shows "Agent (claude, codex, gemini, opencode):"
key gemini Enter
ok "asks for the model" wait_until 10 shows "Model (Enter for the agent's default):"
key Enter
ok "shows the command" wait_until 10 shows "Run it? [y/N]"
like "$(screen)" "cd '$d2' && gemini --prompt-interactive 'Continue this piece of work" "gemini takes over with the story so far"
: >"$STUB_LOG"
key n Enter
ok "fix ends" wait_until 10 test -s "$TMP/fix.exit"
like "$(screen)" "nothing done" "declined: nothing done"
is "$(wc -l <"$STUB_LOG" | tr -d ' ')" 0 "and nothing ran"
stop_fix

# 3. new stage with a note, confirmed
start_fix
ok "asks again" wait_until 10 shows "Choose one"
key 1 Enter
ok "asks what to do" wait_until 10 shows "[q]uit:"
key x Enter
ok "a wrong action is asked again" wait_until 10 shows "Type r, t, c, n or q."
key n Enter
ok "asks what the stage is for" wait_until 10 shows "What is the next stage for?"
key "split the port in two" Enter
ok "asks to confirm" wait_until 10 shows "Record this new stage? [y/N]"
key y Enter
ok "fix ends" wait_until 10 test -s "$TMP/fix.exit"
like "$(screen)" "planned a new stage [0-9A-Z]{26}" "the stage is planned"
is "$(baton runs show "$(jqr "$r2" .id)" --json | jq -r '.stages[0].note')" "split the port in two" "with its note"
stop_fix

# 4. retry, then quit at the confirmation with end of input
start_fix
ok "asks" wait_until 10 shows "Choose one"
key q Enter
ok "q quits" wait_until 10 test -s "$TMP/fix.exit"
is "$(cat "$TMP/fix.exit")" 0 "quitting is not an error"
stop_fix
start_fix
ok "asks" wait_until 10 shows "Choose one"
key 1 Enter
ok "asks what to do" wait_until 10 shows "[q]uit:"
key t Enter
ok "shows the retry" wait_until 10 shows "Run it? [y/N]"
like "$(screen)" "cd '$d2' && codex exec second" "the same command again"
: >"$STUB_LOG"
key y Enter
ok "fix ends" wait_until 10 test -s "$TMP/fix.exit"
is "$(cut -d'|' -f1,2,5 "$STUB_LOG")" "codex|$d2|exec second" "codex retried in its directory"
is "$(jqr "$(last_run --task T2)" '[.attempt, .attempt_of] | @json')" "[2,\"$(jqr "$r2" .id)\"]" "as attempt 2"
stop_fix

done_testing
