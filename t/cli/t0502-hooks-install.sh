#!/bin/sh
# baton hooks install/uninstall/status: every other key and hook kept, idempotent,
# atomic with a backup, malformed files refused untouched, and uninstall restoring
# the original bytes.
. "$(dirname "$0")/lib.sh"

SET=$FIXTURES/hooks/settings
# a copy of the binary, so status can see its command disappear
cp "$BATON" "$TMP/baton-copy"
B=$TMP/baton-copy
mkdir -p "$HOME/.claude" "$HOME/.gemini" "$HOME/.codex"

# ---- Claude: a settings file with other keys and other hooks --------------------------------
cp "$SET/claude-settings.json" "$HOME/.claude/settings.json"
out=$("$B" hooks install --json)
is "$(jqr "$out" .status)" installed "claude: installed"
is "$(jqr "$out" '.events | join(",")')" "SessionStart,UserPromptSubmit,PreCompact,Stop,SubagentStop,SessionEnd" "for the six events"
is "$(jqr "$out" .backup)" "$HOME/.claude/settings.json.baton-bak" "with a backup"
cmp -s "$SET/claude-settings.json" "$HOME/.claude/settings.json.baton-bak"
is "$?" 0 "the backup holds the original bytes"
S=$HOME/.claude/settings.json
is "$(jq -r '.hooks.SessionStart[0].hooks[0].command' "$S")" "$B hook SessionStart --agent claude" "the command: this binary, the event, the agent"
is "$(jq -r '.hooks.SessionStart[0].hooks[0].timeout' "$S")" 10 "a timeout in seconds"
is "$(jq -c '.hooks.PostToolUse' "$S")" "$(jq -c '.hooks.PostToolUse' "$SET/claude-settings.json")" "the user's PostToolUse hook kept exactly"
is "$(jq -c '.hooks.Stop[0]' "$S")" "$(jq -c '.hooks.Stop[0]' "$SET/claude-settings.json")" "the user's Stop hook kept, first"
is "$(jq -r '.hooks.Stop[1].hooks[0].command' "$S")" "$B hook Stop --agent claude" "ours after it"
is "$(jq -c 'del(.hooks)' "$S")" "$(jq -c 'del(.hooks)' "$SET/claude-settings.json")" "every other key kept, in order"
is "$(jq -r 'keys_unsorted | join(",")' "$S")" "model,permissions,hooks,statusLine" "key order kept"
like "$(sed -n 2p "$S")" '^  "model": "opus",$' "printed with the file's two-space indentation"
cp "$S" "$TMP/after1"
out=$("$B" hooks install --json)
is "$(jqr "$out" .status)" unchanged "installing twice: unchanged"
cmp -s "$S" "$TMP/after1"
is "$?" 0 "installing twice changes nothing (byte for byte)"
st=$("$B" hooks status --agent claude --scope user --json)
is "$(jqr "$st" '.hooks[0].installed')" true "status: installed"
is "$(jqr "$st" '.hooks[0].command_exists')" true "status: the command exists"
is "$(jqr "$st" '.hooks[0].events | length')" 6 "status: six events"
out=$("$B" hooks uninstall --json)
is "$(jqr "$out" .restored)" true "uninstall: the original restored"
cmp -s "$SET/claude-settings.json" "$S"
is "$?" 0 "install → uninstall is byte-for-byte the original"
is "$(jqr "$("$B" hooks uninstall --json)" .status)" absent "uninstall again: absent"

# another change after the install: uninstall removes only ours
"$B" hooks install >/dev/null
jq '.model = "sonnet"' "$S" >"$TMP/x" && cat "$TMP/x" >"$S"
out=$("$B" hooks uninstall --json)
is "$(jqr "$out" .restored)" false "a file changed since: not restored from the backup"
is "$(jq -r .model "$S")" sonnet "the user's change kept"
is "$(grep -c ' hook ' "$S")" 0 "no baton hook left"
is "$(jq -c '.hooks' "$S")" "$(jq -c '.hooks' "$SET/claude-settings.json")" "the other hooks intact"

# status notices a command that no longer exists
"$B" hooks install >/dev/null
rm "$B"
st=$(baton hooks status --agent claude --scope user --json)
is "$(jqr "$st" '.hooks[0].command_exists')" false "status: the installed command is gone"
like "$(baton hooks status --agent claude --scope user)" "command missing" "and says so"
baton hooks install >/dev/null
is "$(jq -r '.hooks.Stop[1].hooks[0].command' "$S")" "$BATON hook Stop --agent claude" "reinstalling updates the command in place"
is "$(grep -c 'baton-copy' "$S")" 0 "no stale command left"

# no settings file yet: created, and removed again by uninstall
rm -rf "$HOME/.claude"
baton hooks install >/dev/null
ok "a missing settings file is created" test -f "$S"
baton hooks uninstall >/dev/null
ok "and removed by uninstall (it held only ours)" test ! -e "$S"

# a file that does not parse is refused, untouched
mkdir -p "$HOME/.claude"
printf '{ "model": "opus", // a comment\n}\n' >"$S"
cp "$S" "$TMP/bad"
exit_is 2 "a settings file that does not parse: refused" baton hooks install
like "$(baton hooks install 2>&1)" "is not a JSON object.*the file was not changed" "with a clear message"
cmp -s "$S" "$TMP/bad"
is "$?" 0 "and the file untouched"
ok "and no backup made" test ! -e "$S.baton-bak"

# ---- Gemini: tabs, hooksConfig.enabled, timeouts in ms -------------------------------------------
G=$HOME/.gemini/settings.json
cp "$SET/gemini-settings.json" "$G"
out=$(baton hooks install --agent gemini --json)
is "$(jqr "$out" '.events | join(",")')" "SessionStart,BeforeAgent,PreCompress,AfterAgent,SessionEnd" "gemini: its own event names"
is "$(jq -r .hooksConfig.enabled "$G")" true "hooksConfig.enabled set"
is "$(jq -r '.hooks.BeforeAgent[0].hooks[0].timeout' "$G")" 10000 "timeouts in milliseconds"
like "$(sed -n 2p "$G")" "$(printf '^\t"ui": \\{$')" "printed with the file's tab indentation"
baton hooks uninstall --agent gemini >/dev/null
cmp -s "$SET/gemini-settings.json" "$G"
is "$?" 0 "gemini: install → uninstall byte for byte"

# ---- Codex: hooks.json, the trust note -------------------------------------------------------------
C=$HOME/.codex/hooks.json
cp "$SET/codex-hooks.json" "$C"
out=$(baton hooks install --agent codex --json)
like "$(jqr "$out" .note)" "trust" "codex: the user is told codex asks to trust each hook"
like "$(baton hooks install --agent codex)" "already installed" "(human output, second time)"
is "$(jq -r '.hooks.SessionStart[0].hooks[0].command' "$C")" "other-tool start" "codex: the other hook kept first"
is "$(jq -r '.hooks.SessionStart[1].hooks[0].command' "$C")" "$BATON hook SessionStart --agent codex" "ours after it"
baton hooks uninstall --agent codex >/dev/null
cmp -s "$SET/codex-hooks.json" "$C"
is "$?" 0 "codex: a one-line file comes back byte for byte too"
CODEX_HOME=$TMP/ch baton hooks install --agent codex >/dev/null
ok "CODEX_HOME is honoured" test -f "$TMP/ch/hooks.json"

# ---- project scope, a non-default store ------------------------------------------------------------
make_repo "$TMP/proj"
(cd "$TMP/proj/" && BATON_HOME=$TMP/store2 "$BATON" hooks install --scope project >/dev/null)
P=$TMP/proj/.claude/settings.json
is "$(jq -r '.hooks.Stop[0].hooks[0].command' "$P")" "BATON_HOME='$TMP/store2' $BATON hook Stop --agent claude" \
	"--scope project: the repository's .claude/settings.json, naming the non-default store"
st=$(cd "$TMP/proj" && "$BATON" hooks status --agent claude --scope project --json)
is "$(jqr "$st" '.hooks[0].command')" "$BATON" "status reads the program through the BATON_HOME= prefix"
exit_is 2 "an unknown agent is a usage error" baton hooks install --agent vim

done_testing
