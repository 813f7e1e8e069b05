#!/bin/sh
# The MCP server through a raw pipe: lifecycle, version negotiation, every protocol
# error, batches, notifications, huge frames, EOF.
. "$(dirname "$0")/lib.sh"

init() { # VERSION
	printf '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"%s","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}\n' "$1"
}
# serve: stdin frames → $TMP/out (stdout), $TMP/err (stderr), $TMP/rc
serve() { baton mcp "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
reply() { jq -c "select(.id == $1)" "$TMP/out"; }

# -- lifecycle (formats.md 5.9's script) --------------------------------------------
{
	init 2025-06-18
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
	echo '{"jsonrpc":"2.0","id":3,"method":"ping"}'
} | serve
is "$(cat "$TMP/rc")" 0 "EOF on stdin exits 0"
is "$(wc -l <"$TMP/out" | tr -d ' ')" 3 "three replies, none for the notification"
is "$(jq -r .id "$TMP/out" | tr '\n' ' ')" "0 2 3 " "ids in order, numbers stay numbers"
ok "every stdout line is a JSON-RPC 2.0 message" sh -c "jq -e -s 'all(.jsonrpc == \"2.0\")' '$TMP/out'"
is "$(reply 0 | jq -r .result.protocolVersion)" 2025-06-18 "a supported version is answered as asked"
is "$(reply 0 | jq -r .result.serverInfo.name)" baton "serverInfo names baton"
is "$(reply 0 | jq -c .result.capabilities)" '{"tools":{"listChanged":false}}' "capabilities: tools only"
like "$(reply 0 | jq -r .result.instructions)" 'get_current_session|session_list' "instructions for the model"
is "$(reply 3 | jq -c .result)" '{}' "ping answers {}"
is "$(reply 2 | jq -r '.result.tools | length > 5')" true "tools/list lists the operations"
is "$(reply 2 | jq -r '[.result.tools[] | select(.inputSchema.type != "object")] | length')" 0 "every inputSchema is an object schema"
is "$(reply 2 | jq -r '[.result.tools[].name | test("^[A-Za-z0-9_.-]{1,128}$")] | all')" true "tool names are valid MCP names"
is "$(reply 2 | jq -r '.result.tools[] | select(.name == "session_save") | .annotations.readOnlyHint')" false "mutations are not read-only"
is "$(reply 2 | jq -r '.result.tools[] | select(.name == "session_list") | .annotations.readOnlyHint')" true "reads are read-only"
is "$(reply 2 | jq -r '.result.tools[] | select(.name == "session_save") | .inputSchema.properties.verbose.type')" boolean "mutations take verbose"
is "$(reply 2 | jq -r '.result.tools[] | select(.name == "session_show") | .inputSchema.required | join(",")')" id "required arguments are published"
is "$(reply 2 | jq -r '[.result.tools[].name] | index("session_list") != null')" true "session_list is there"
is "$(reply 2 | jq -r '[.result.tools[].name] | map(select(. == "mcp")) | length')" 0 "the server command itself is no tool"

# -- versions ----------------------------------------------------------------------
for v in 2024-11-05 2025-03-26 2025-06-18 2025-11-25; do
	init $v | serve
	is "$(reply 0 | jq -r .result.protocolVersion)" $v "version $v is negotiated"
done
init 2099-01-01 | serve
is "$(reply 0 | jq -r .result.protocolVersion)" 2025-11-25 "an unknown version gets our latest"
{ init 2024-11-05; echo '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'; } | serve
is "$(reply 1 | jq -r '.result.tools[0] | has("annotations")')" false "2024-11-05 tools carry no annotations"
{ init 2025-11-25; init 2025-11-25 | sed 's/"id":0/"id":1/'; } | serve
is "$(reply 1 | jq -r .error.code)" -32600 "a second initialize is refused"
echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}' | serve
is "$(reply 1 | jq -r .error.code)" -32602 "initialize without protocolVersion: -32602"

# -- protocol errors ---------------------------------------------------------------------
{
	init 2025-11-25
	echo 'this is not json'
	echo '{"jsonrpc":"2.0","id":10,"method":"nope"}'
	echo '{"jsonrpc":"2.0","id":"s-11","method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}'
	echo '{"jsonrpc":"2.0","id":12,"method":"tools/call"}'
	echo '{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"no_such_tool"}}'
	echo '{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"session_show","arguments":"x"}}'
	echo '{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"session_show","arguments":{"id":42}}}'
	echo '{"jsonrpc":"2.0","id":16,"method":"tools/call","params":{"name":"session_show","arguments":{}}}'
	echo '{"jsonrpc":"2.0","id":17,"method":"tools/call","params":{"name":"session_list","arguments":{"bogus":1}}}'
	echo '{"jsonrpc":"2.0","id":18,"method":"tools/list","params":[1]}'
	echo '{"jsonrpc":"1.0","id":19,"method":"ping"}'
	echo '{"jsonrpc":"2.0","id":null,"method":"ping"}'
	echo '{"jsonrpc":"2.0","id":20,"method":7}'
	echo '{"jsonrpc":"2.0","id":21}'
	echo '"just a string"'
	echo '{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"session_save","arguments":{"objective":"x","verbose":"yes"}}}'
	echo '{"jsonrpc":"2.0","id":23,"method":"tools/list","params":{"cursor":"abc"}}'
	echo '{"jsonrpc":"2.0","id":24,"method":"resources/list"}'
	echo '{"jsonrpc":"2.0","id":25,"result":{}}'
	echo '{"jsonrpc":"2.0","id":26,"method":"ping"} trailing'
	printf '   \n\n'
	echo '{"jsonrpc":"2.0","id":27,"method":"ping"}'
} | serve
is "$(cat "$TMP/rc")" 0 "bad frames never kill the server"
is "$(jq -c 'select(.id == null) | .error.code' "$TMP/out" | tr '\n' ' ')" "-32700 -32600 -32600 -32700 " \
	"garbage, a null id, a bare string, trailing bytes: errors with id null"
is "$(reply 10 | jq -r .error.code)" -32601 "unknown method: -32601"
is "$(reply '"s-11"' | jq -r .error.code)" -32601 "server/discover: -32601 at once (string id echoed)"
is "$(reply 12 | jq -r .error.code)" -32602 "tools/call without params: -32602"
is "$(reply 13 | jq -c .error)" '{"code":-32602,"message":"Unknown tool: no_such_tool"}' "unknown tool: -32602"
is "$(reply 14 | jq -r .error.code)" -32602 "arguments not an object: -32602"
is "$(reply 15 | jq -c .result)" '{"content":[{"type":"text","text":"session.show: argument '"'"'id'"'"' must be a string"}],"isError":true}' \
	"a wrong argument type is a tool error naming the argument"
is "$(reply 16 | jq -r '.result.isError, .result.content[0].text' | tr '\n' ' ')" "true session.show: missing required argument 'id' " \
	"a missing argument is a tool error"
is "$(reply 17 | jq -r .result.content[0].text)" "session.list: unknown argument 'bogus'" "an unknown argument is a tool error"
is "$(reply 18 | jq -r .error.code)" -32602 "params not an object: -32602"
is "$(reply 19 | jq -r .error.code)" -32600 "jsonrpc 1.0: -32600"
is "$(reply 20 | jq -r .error.code)" -32600 "method not a string: -32600"
is "$(reply 21 | jq -r .error.code)" -32600 "no method: -32600 with the id"
is "$(reply 22 | jq -r .result.isError)" true "verbose must be a boolean"
is "$(reply 23 | jq -r .error.code)" -32602 "a cursor we never gave: -32602"
is "$(reply 24 | jq -r .error.code)" -32601 "resources/list (not offered): -32601"
is "$(reply 25)" "" "a response from the client gets no reply"
is "$(reply 27 | jq -c .result)" '{}' "blank lines are skipped, the server goes on"
like "$(cat "$TMP/err")" 'parse error' "diagnostics go to stderr"

# -- before initialize ---------------------------------------------------------------
{
	echo '{"jsonrpc":"2.0","id":1,"method":"ping"}'
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
} | serve
is "$(reply 1 | jq -c .result)" '{}' "ping works before initialize"
is "$(reply 2 | jq -r .error.code)" -32600 "tools/list before initialize: -32600"

# -- notifications ---------------------------------------------------------------------
{
	init 2025-11-25
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}'
	echo '{"jsonrpc":"2.0","method":"no/such/notification"}'
	echo '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"session_save","arguments":{"objective":"from a notification"}}}'
	echo '{"method":"ping"}'
} | serve
is "$(wc -l <"$TMP/out" | tr -d ' ')" 1 "notifications, known or not, get no reply"
is "$(baton list --json | jq -r .count)" 0 "a tools/call sent as a notification is not run"

# -- batches -----------------------------------------------------------------------------
batch='[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"nope"},7]'
{ init 2025-03-26; echo "$batch"; echo '[]'; echo '[{"jsonrpc":"2.0","method":"notifications/initialized"}]'; } | serve
is "$(sed -n 2p "$TMP/out" | jq -c '[.[] | [.id, (.result != null), .error.code]]')" '[[1,true,null],[2,false,-32601],[null,false,-32600]]' \
	"2025-03-26: a batch is processed, one reply per request, none for notifications"
is "$(sed -n 3p "$TMP/out" | jq -r .error.code)" -32600 "an empty batch: -32600"
is "$(wc -l <"$TMP/out" | tr -d ' ')" 3 "a batch of notifications only gets no reply"
{ init 2025-03-26; echo '[{"jsonrpc":"2.0","id":5,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}]'; } | serve
is "$(sed -n 2p "$TMP/out" | jq -r '.[0].error.code')" -32600 "initialize inside a batch: -32600"
for v in 2024-11-05 2025-06-18 2025-11-25; do
	{ init $v; echo "$batch"; } | serve
	is "$(sed -n 2p "$TMP/out" | jq -c '[.id, .error.code]')" '[null,-32600]' "$v: a batch is refused with -32600"
done

# -- tools/call results ------------------------------------------------------------------
{
	init 2025-11-25
	echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"session_save","arguments":{"objective":"pipe test","name":"pt"},"_meta":{"progressToken":1}}}'
	echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"session_save","arguments":{"session":"pt","notes":"n","verbose":true}}}'
	echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"session_list"}}'
	echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"session_list","arguments":{"verbose":false}}}'
} | serve
is "$(reply 1 | jq -r '.result.structuredContent | keys_unsorted | join(",")')" "ok,session_id,status" "a mutation answers a compact acknowledgement"
is "$(reply 1 | jq -r '.result.content[0].text | fromjson | .ok')" true "the text is the same acknowledgement"
is "$(reply 2 | jq -r '.result.structuredContent.session.notes')" n "verbose: true answers the whole result"
is "$(reply 3 | jq -r '.result.content[0].text')" "$(baton list --json)" "the text is exactly what --json prints"
is "$(reply 3 | jq -c '.result.structuredContent')" "$(baton list --json | jq -c .)" "structuredContent is the same object"
is "$(reply 4 | jq -r '.result.isError')" false "verbose is accepted (and ignored) on reads"

# -- a long-lived server sees other processes' writes ---------------------------------
mkfifo "$TMP/in"
baton mcp <"$TMP/in" >"$TMP/out" 2>"$TMP/err" &
pid=$!
exec 3>"$TMP/in"
init 2025-11-25 >&3
wait_lines() { # N: wait (bounded) until the server has written N lines
	i=0
	while [ "$(wc -l <"$TMP/out")" -lt "$1" ] && [ $i -lt 500 ]; do i=$((i + 1)); sleep 0.01; done
}
wait_lines 1
# a read first: the server keeps its store open for the reads that follow
# (docs/mcp.md); each must still answer what a fresh `baton` would
echo '{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"session_list","arguments":{}}}' >&3
wait_lines 2
n_before=$(reply 10 | jq -r '.result.structuredContent.sessions | length')
baton save -m "written by another process" --name other --new >/dev/null
echo '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"session_show","arguments":{"id":"other"}}}' >&3
wait_lines 3
is "$(reply 1 | jq -r .result.structuredContent.session.objective)" "written by another process" \
	"a write by another process is seen by the running server"
baton index rebuild >/dev/null
baton save -m "after a rebuild" --name other2 --new >/dev/null
echo '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"session_show","arguments":{"id":"other2"}}}' >&3
wait_lines 4
is "$(reply 2 | jq -r .result.structuredContent.session.objective)" "after a rebuild" \
	"an index rebuilt by another process is picked up"
# an event in the log that no index has applied (its writer died in between): a
# read replays it first, as an open would
log=$(ls "$BATON_HOME"/log/*.jsonl)
last=$(grep '"type":"session_saved"' "$log" | tail -n 1)
id=$(printf '%s' "$last" | jq -r .id)
# a later event id: the same millisecond, the largest random part (an event applies
# over a session's only when its id is greater)
later=$(printf '%s' "$id" | cut -c1-10)ZZZZZZZZZZZZZZZZ
printf '%s' "$last" | jq -c --arg id "$later" '.id = $id | .session.objective = "appended, not applied"' >>"$log"
echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"session_show","arguments":{"id":"other2"}}}' >&3
wait_lines 5
is "$(reply 3 | jq -r .result.structuredContent.session.objective)" "appended, not applied" \
	"a log tail the index lacks is replayed before a read"
echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"session_show","arguments":{"id":"no-such-session"}}}' >&3
echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"session_list","arguments":{}}}' >&3
wait_lines 7
is "$(reply 4 | jq -r .result.isError)" true "a failed read is an error result"
is "$(reply 5 | jq -r '.result.structuredContent.sessions | length')" "$((n_before + 2))" \
	"and the next read answers in full"
is "$(reply 5 | jq -c .result.structuredContent)" "$(baton list --json | jq -c .)" \
	"a read from the kept store is what the CLI prints"
# messages come from the archive, not the log: after a rebuild, only the new index
# file has what is ingested next
baton index rebuild >/dev/null
mkdir -p "$TMP/claude"
needle_transcript "$TMP/claude/0b7c6c2e-5f0e-4c1e-9a57-2f4a1d7e9c02.jsonl" 1 20
baton ingest --source claude "$TMP/claude/0b7c6c2e-5f0e-4c1e-9a57-2f4a1d7e9c02.jsonl" >/dev/null
echo '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"search_messages","arguments":{"query":"needle"}}}' >&3
wait_lines 8
is "$(reply 6 | jq -r '.result.structuredContent.count')" 20 \
	"a transcript ingested after a rebuild is found by the running server"
exec 3>&-
wait $pid
is "$?" 0 "closing stdin ends the server with 0"

# -- bounded frames ------------------------------------------------------------------------
{
	init 2025-11-25
	head -c 5000 /dev/zero | tr '\0' 'x'; echo
	echo '{"jsonrpc":"2.0","id":1,"method":"ping"}'
	printf '{"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":{"pad":"%s"}}}\n' "$(head -c 900 /dev/zero | tr '\0' 'y')"
} | serve --max-line 1000
is "$(jq -c 'select(.id == null) | .error.code' "$TMP/out")" -32700 "a frame over --max-line: -32700"
is "$(reply 1 | jq -c .result)" '{}' "the server goes on after a huge frame"
is "$(reply 2 | jq -c .result)" '{}' "a frame just under the limit is served"
{ init 2025-11-25; head -c 3000000 /dev/zero | tr '\0' 'x'; echo; echo '{"jsonrpc":"2.0","id":1,"method":"ping"}'; } |
	BATON_MCP_MAX_LINE=100000 serve
is "$(jq -c 'select(.id == null) | .error.code' "$TMP/out")" -32700 "BATON_MCP_MAX_LINE bounds frames (3 MB frame)"
is "$(reply 1 | jq -c .result)" '{}' "and the server goes on"
{ init 2025-11-25; head -c 3000 /dev/zero | tr '\0' 'x'; } | serve --max-line 1000
is "$(jq -c 'select(.id == null) | .error.code' "$TMP/out")" -32700 "a huge last frame cut by EOF: -32700"
printf '[mcp]\nmax_line = 200\n' >"$BATON_HOME/config.toml"
{ init 2025-11-25; printf '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"%s"}}\n' "$(head -c 300 /dev/zero | tr '\0' 'z')"; } | serve
is "$(jq -c 'select(.id == null) | .error.code' "$TMP/out")" -32700 "config mcp.max_line bounds frames"
rm "$BATON_HOME/config.toml"
printf '%s' '{"jsonrpc":"2.0","id":9,"method":"ping"}' | serve
is "$(reply 9 | jq -c .result)" '{}' "a last frame without its newline is still served"

# -- usage ----------------------------------------------------------------------------------
exit_is 2 "an unknown argument is a usage error" baton mcp --bogus
exit_is 2 "--max-line needs a number" baton mcp --max-line x
like "$(baton mcp --help)" 'baton mcp install' "--help shows the subcommands"

done_testing
