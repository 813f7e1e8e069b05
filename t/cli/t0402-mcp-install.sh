#!/bin/sh
# baton mcp install/uninstall/status: each agent's config edited in place, idempotent,
# every other key (TOML: byte) kept, backups, refusals, byte-for-byte uninstall.
. "$(dirname "$0")/lib.sh"

EXE=$(readlink -f "$BATON")
# the store is the default one (~/.baton) unless a test says otherwise
export BATON_HOME=$HOME/.baton

# -- claude, user scope: keys kept, idempotent, restored byte for byte ----------------
printf '{"numStartups":3,"mcpServers":{"other":{"command":"x","args":[]}},"projects":{"/p":{"allowedTools":[]}}}' >"$HOME/.claude.json"
cp "$HOME/.claude.json" "$TMP/claude.orig"
out=$(baton mcp install --agent claude --json)
is "$(jqr "$out" .status)" installed "claude: installed"
is "$(jqr "$out" .backup)" "$HOME/.claude.json.baton-bak" "claude: the previous file is backed up"
ok "claude: the backup holds the original bytes" cmp "$HOME/.claude.json.baton-bak" "$TMP/claude.orig"
is "$(jq -c .mcpServers.baton "$HOME/.claude.json")" "{\"type\":\"stdio\",\"command\":\"$EXE\",\"args\":[\"mcp\"]}" \
	"claude: the entry runs this binary with 'mcp'"
is "$(jq -c '[.numStartups, .mcpServers.other, .projects]' "$HOME/.claude.json")" '[3,{"command":"x","args":[]},{"/p":{"allowedTools":[]}}]' \
	"claude: every other key is kept"
cp "$HOME/.claude.json" "$TMP/claude.installed"
is "$(baton mcp install --agent claude --json | jq -r .status)" unchanged "claude: a second install changes nothing"
ok "claude: the file is untouched by it" cmp "$HOME/.claude.json" "$TMP/claude.installed"
like "$(baton mcp install --agent claude)" 'already registered' "the human output says so"
is "$(baton mcp status --agent claude --json | jq -c '.servers[0] | [.installed, .current]')" '[true,true]' "status: installed, current"
out=$(baton mcp uninstall --agent claude --json)
is "$(jqr "$out" '[.status, .restored] | join(" ")')" "removed true" "claude: uninstalled, original restored"
ok "claude: uninstall gives back the original bytes" cmp "$HOME/.claude.json" "$TMP/claude.orig"
ok "claude: the backup is gone" test ! -e "$HOME/.claude.json.baton-bak"
is "$(baton mcp uninstall --agent claude --json | jq -r .status)" absent "claude: uninstall again: absent"

# someone else changed the file meanwhile: only baton's entry goes
baton mcp install --agent claude >/dev/null
jq '.numStartups = 4' "$HOME/.claude.json" >"$TMP/x" && mv "$TMP/x" "$HOME/.claude.json"
out=$(baton mcp uninstall --agent claude --json)
is "$(jqr "$out" .restored)" false "claude: changed since install: not restored"
is "$(jq -c '[.numStartups, (.mcpServers | keys)]' "$HOME/.claude.json")" '[4,["other"]]' "claude: only baton's entry removed"

# a different command registered: updated
jq --arg e "$EXE" '.mcpServers.baton = {"type":"stdio","command":"/old/baton","args":["mcp"]}' "$HOME/.claude.json" >"$TMP/x" && mv "$TMP/x" "$HOME/.claude.json"
is "$(baton mcp status --agent claude --json | jq -c '.servers[0] | [.installed, .current, .command]')" '[true,false,"/old/baton"]' \
	"status: another command is not current"
is "$(baton mcp install --agent claude --json | jq -r .status)" updated "claude: an old entry is updated"
is "$(jq -r .mcpServers.baton.command "$HOME/.claude.json")" "$EXE" "claude: to this binary"

# -- refusals ---------------------------------------------------------------------------
printf '{"mcpServers": {,}' >"$HOME/.claude.json"
cp "$HOME/.claude.json" "$TMP/bad"
exit_is 2 "a config that does not parse is refused" baton mcp install --agent claude
like "$(baton mcp install --agent claude 2>&1)" "is not a JSON object.*not changed" "with a clear error"
ok "and is left untouched" cmp "$HOME/.claude.json" "$TMP/bad"
printf '{"mcpServers": []}' >"$HOME/.claude.json"
exit_is 2 "mcpServers not an object is refused" baton mcp install --agent claude
printf '[1,2]' >"$HOME/.claude.json"
exit_is 2 "a JSON array is refused" baton mcp install --agent claude
rm "$HOME/.claude.json"
exit_is 2 "an unknown agent is a usage error" baton mcp install --agent vim
exit_is 2 "an unknown scope is a usage error" baton mcp install --agent claude --scope team
exit_is 2 "codex has no project scope" baton mcp install --agent codex --scope project
exit_is 2 "--agent is required" baton mcp install

# -- claude: no file yet, CLAUDE_CONFIG_DIR, project scope ----------------------------------
out=$(baton mcp install --agent claude --json)
is "$(jqr "$out" .backup)" null "a new file has no backup"
ok "the new file is private (0600)" sh -c "stat -c %a '$HOME/.claude.json' | grep -qx 600"
baton mcp uninstall --agent claude >/dev/null
ok "uninstall removes a file install created" test ! -e "$HOME/.claude.json"
mkdir -p "$TMP/ccd"
CLAUDE_CONFIG_DIR=$TMP/ccd baton mcp install --agent claude >/dev/null
ok "CLAUDE_CONFIG_DIR is honoured" test -s "$TMP/ccd/.claude.json"
make_repo "$TMP/repo" >/dev/null 2>&1
mkdir -p "$TMP/repo/deep"
(cd "$TMP/repo/deep" && baton mcp install --agent claude --scope project >/dev/null)
is "$(jq -r .mcpServers.baton.args[0] "$TMP/repo/.mcp.json")" mcp "project scope: .mcp.json at the repository root"
(cd "$TMP/repo/deep" && baton mcp uninstall --agent claude --scope project >/dev/null)
ok "project scope: uninstall removes the file it created" test ! -e "$TMP/repo/.mcp.json"

# -- a non-default store is passed to the server -------------------------------------------
BATON_HOME=$TMP/store baton mcp install --agent gemini >/dev/null
is "$(jq -c .mcpServers.baton "$HOME/.gemini/settings.json")" "{\"command\":\"$EXE\",\"args\":[\"mcp\"],\"env\":{\"BATON_HOME\":\"$TMP/store\"}}" \
	"gemini: a non-default BATON_HOME goes into env"
BATON_HOME=$TMP/store baton mcp uninstall --agent gemini >/dev/null

# -- gemini and opencode keep their keys ---------------------------------------------------
mkdir -p "$HOME/.gemini" "$HOME/.config/opencode"
printf '{\n  "security": {"auth": {"selectedType": "gemini-api-key"}},\n  "mcpServers": {}\n}\n' >"$HOME/.gemini/settings.json"
cp "$HOME/.gemini/settings.json" "$TMP/gemini.orig"
baton mcp install --agent gemini >/dev/null
is "$(jq -c '[.security.auth.selectedType, .mcpServers.baton.args]' "$HOME/.gemini/settings.json")" '["gemini-api-key",["mcp"]]' \
	"gemini: mcpServers entry added, settings kept"
baton mcp uninstall --agent gemini >/dev/null
ok "gemini: restored byte for byte" cmp "$HOME/.gemini/settings.json" "$TMP/gemini.orig"
printf '{"$schema":"https://opencode.ai/config.json","theme":"dark"}' >"$HOME/.config/opencode/opencode.json"
cp "$HOME/.config/opencode/opencode.json" "$TMP/oc.orig"
baton mcp install --agent opencode >/dev/null
is "$(jq -c '[.theme, .mcp.baton]' "$HOME/.config/opencode/opencode.json")" "[\"dark\",{\"type\":\"local\",\"command\":[\"$EXE\",\"mcp\"],\"enabled\":true}]" \
	"opencode: a local mcp entry with the command as an array"
is "$(baton mcp status --agent opencode --json | jq -c '.servers[0] | [.installed, .current]')" '[true,true]' "opencode: status reads it"
baton mcp uninstall --agent opencode >/dev/null
ok "opencode: restored byte for byte" cmp "$HOME/.config/opencode/opencode.json" "$TMP/oc.orig"
XDG_CONFIG_HOME=$TMP/xdg baton mcp install --agent opencode >/dev/null
ok "opencode: XDG_CONFIG_HOME is honoured" test -s "$TMP/xdg/opencode/opencode.json"

# -- a symlinked config is written through ----------------------------------------------
mkdir -p "$TMP/dotfiles"
printf '{"a":1}' >"$TMP/dotfiles/claude.json"
ln -s "$TMP/dotfiles/claude.json" "$HOME/.claude.json"
baton mcp install --agent claude >/dev/null
ok "the symlink stays a symlink" test -L "$HOME/.claude.json"
is "$(jq -r .mcpServers.baton.command "$TMP/dotfiles/claude.json")" "$EXE" "the target file got the entry"
rm "$HOME/.claude.json"

# -- codex: TOML edited as text --------------------------------------------------------------
export CODEX_HOME=$TMP/codex
mkdir -p "$CODEX_HOME"
cat >"$CODEX_HOME/config.toml" <<'EOF'
# my codex config
model = "gpt-5.5"   # the default
model_provider = "fake"
notes = """
a [multi-line] string = with brackets
"""

[model_providers.fake]
base_url = "http://127.0.0.1:9/v1"
env_key = 'K'
headers = [
  "a",
  "b",
]

[mcp_servers.other]
command = "other"
EOF
cp "$CODEX_HOME/config.toml" "$TMP/codex.orig"
is "$(baton mcp install --agent codex --json | jq -r .status)" installed "codex: installed"
is "$(tail -n 3 "$CODEX_HOME/config.toml")" "[mcp_servers.baton]
command = \"$EXE\"
args = [\"mcp\"]" "codex: a [mcp_servers.baton] table appended"
ok "codex: every byte before it is kept" sh -c "head -c $(wc -c <"$TMP/codex.orig") '$CODEX_HOME/config.toml' | cmp - '$TMP/codex.orig'"
is "$(baton mcp install --agent codex --json | jq -r .status)" unchanged "codex: idempotent"
is "$(baton mcp status --agent codex --json | jq -c '.servers[0] | [.installed, .current, .args]')" '[true,true,["mcp"]]' "codex: status reads the table"
baton mcp uninstall --agent codex >/dev/null
ok "codex: uninstall restores byte for byte" cmp "$CODEX_HOME/config.toml" "$TMP/codex.orig"

# an existing table with the user's own keys: ours rewritten, theirs kept, next table untouched
cat >"$CODEX_HOME/config.toml" <<'EOF'
[mcp_servers.baton]
command = "/old/baton"
args = ["mcp", "--x"]
startup_timeout_sec = 20

[mcp_servers.baton.env]
FOO = "bar"

[other]
k = 1
EOF
is "$(baton mcp install --agent codex --json | jq -r .status)" updated "codex: an old table is updated"
is "$(cat "$CODEX_HOME/config.toml")" "[mcp_servers.baton]
command = \"$EXE\"
args = [\"mcp\"]
startup_timeout_sec = 20

[mcp_servers.baton.env]
FOO = \"bar\"

[other]
k = 1" "codex: command and args replaced, the user's keys and tables kept"
baton mcp uninstall --agent codex >/dev/null
is "$(cat "$CODEX_HOME/config.toml")" "[other]
k = 1" "codex: uninstall removes the table and its sub-tables"

printf 'model = "x"\nmcp_servers.baton.command = "y"\n' >"$CODEX_HOME/config.toml"
cp "$CODEX_HOME/config.toml" "$TMP/codex.dotted"
exit_is 2 "codex: a dotted-key definition is refused" baton mcp install --agent codex
ok "codex: and left untouched" cmp "$CODEX_HOME/config.toml" "$TMP/codex.dotted"
printf 'model = "x\n[a\n' >"$CODEX_HOME/config.toml"
cp "$CODEX_HOME/config.toml" "$TMP/codex.bad"
like "$(baton mcp install --agent codex 2>&1)" "line 1 does not read as TOML" "codex: broken TOML is refused with the line"
ok "codex: and left untouched" cmp "$CODEX_HOME/config.toml" "$TMP/codex.bad"
printf 'a = [\n 1,\n' >"$CODEX_HOME/config.toml"
exit_is 2 "codex: an unfinished array is refused" baton mcp install --agent codex
rm "$CODEX_HOME/config.toml"
baton mcp install --agent codex >/dev/null
is "$(head -n 1 "$CODEX_HOME/config.toml")" "[mcp_servers.baton]" "codex: a new config.toml starts with the table"
baton mcp uninstall --agent codex >/dev/null
ok "codex: uninstall removes the file it created" test ! -e "$CODEX_HOME/config.toml"

# -- status over everything, and over MCP ---------------------------------------------------
out=$(baton mcp status --json)
is "$(jqr "$out" '[.servers[] | .agent + "/" + .scope] | join(" ")')" \
	"claude/user claude/project codex/user gemini/user gemini/project opencode/user opencode/project" "status lists every agent and scope"
printf 'not json' >"$HOME/.claude.json"
is "$(baton mcp status --json | jq -r '.servers[0].error | test("not a JSON object")')" true "status reports an unreadable config and goes on"
like "$(baton mcp status)" 'claude +user +unreadable' "human status says unreadable"
rm "$HOME/.claude.json"

done_testing
