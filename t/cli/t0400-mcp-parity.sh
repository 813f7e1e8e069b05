#!/bin/sh
# CLI/MCP parity over every operation of the table: the same arguments through the
# CLI (--json) and through tools/call give byte-identical JSON. The calls come from
# t/mcp/parity-args.txt; a tool that tools/list publishes without a line there fails.
. "$(dirname "$0")/lib.sh"

ARGS=$T_SRC/mcp/parity-args.txt
export BATON_NOW=2026-03-01T10:00:00Z BATON_SEED=7 BATON_HOST=parity-host
REPO=$HOME/repo  # inside HOME: the copy of HOME resets everything the calls touch
make_repo "$REPO" >/dev/null 2>&1
mkdir -p "$REPO/sub"
cd "$REPO" || exit 1
export PWD="$REPO"

# the published tools, and which of them mutate (annotations.readOnlyHint false)
init='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"parity","version":"0"}}}'
printf '%s\n%s\n' "$init" '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' | baton mcp >"$TMP/list.out" 2>"$TMP/list.err"
jq -r 'select(.id == 1) | .result.tools[] | .name' "$TMP/list.out" >"$TMP/tools"
jq -r 'select(.id == 1) | .result.tools[] | select(.annotations.readOnlyHint == false) | .name' "$TMP/list.out" >"$TMP/mutating"
ntools=$(wc -l <"$TMP/tools")
like "$ntools" '^[1-9][0-9]*$' "tools/list publishes tools ($ntools)"

# every published tool has a line; every line names a published tool
grep -v '^#' "$ARGS" | grep -v '^[[:space:]]*$' | cut -f1 | sort -u >"$TMP/covered"
missing=$(sort "$TMP/tools" | comm -23 - "$TMP/covered" | tr '\n' ' ')
is "$missing" "" "every tool has a line in t/mcp/parity-args.txt"
stale=$(sort "$TMP/tools" | comm -13 - "$TMP/covered" | tr '\n' ' ')
is "$stale" "" "every line of t/mcp/parity-args.txt names a published tool"

subst() { sed -e "s|\$REPO|$REPO|g" -e "s|\$HOME|$HOME|g" -e "s|\$TMP|$TMP|g"; }

# 1. the CLI, each call its own process, on the pristine state
cp -a "$HOME" "$TMP/home0"
n=0
grep -v '^#' "$ARGS" | grep -v '^[[:space:]]*$' | while IFS='	' read -r tool cli json vol; do
	n=$((n + 1))
	eval "set -- $cli"
	"$BATON" "$@" --json >"$TMP/cli.$n.out" 2>"$TMP/cli.$n.err"
	echo $? >"$TMP/cli.$n.rc"
done

# 2. MCP, one server for every call, on an identical copy at the same path
cd "$TMP" || exit 1
mv "$HOME" "$TMP/home-cli"
cp -a "$TMP/home0" "$HOME"
cd "$REPO" || exit 1
{
	echo "$init"
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	n=0
	grep -v '^#' "$ARGS" | grep -v '^[[:space:]]*$' | while IFS='	' read -r tool cli json vol; do
		n=$((n + 1))
		args=$(printf '%s' "$json" | subst)
		if grep -qx "$tool" "$TMP/mutating"; then
			args=$(printf '%s' "$args" | jq -c '. + {verbose: true}')
		fi
		jq -cn --argjson id "$n" --arg name "$tool" --argjson args "$args" \
			'{jsonrpc: "2.0", id: $id, method: "tools/call", params: {name: $name, arguments: $args}}'
	done
} >"$TMP/mcp.in"
baton mcp <"$TMP/mcp.in" >"$TMP/mcp.out" 2>"$TMP/mcp.err"
is "$?" 0 "the server exits 0 at EOF"

# 3. compare, call by call
n=0
grep -v '^#' "$ARGS" | grep -v '^[[:space:]]*$' | while IFS='	' read -r tool cli json vol; do
	n=$((n + 1))
	jq -c "select(.id == $n)" "$TMP/mcp.out" >"$TMP/mcp.$n.json"
	rc=$(cat "$TMP/cli.$n.rc")
	iserr=$(jq -r '.result.isError' "$TMP/mcp.$n.json")
	if [ "$rc" != 0 ]; then
		is "$iserr" true "$n $tool: the CLI failed (exit $rc), the tool says isError"
		jq -r '"baton: " + .result.content[0].text' "$TMP/mcp.$n.json" >"$TMP/mcp.$n.txt"
		if cmp -s "$TMP/cli.$n.err" "$TMP/mcp.$n.txt"; then
			_t_report 0 "$n $tool: same error message"
		else
			_t_report 1 "$n $tool: same error message"
			diff "$TMP/cli.$n.err" "$TMP/mcp.$n.txt" | sed 's/^/#   /'
		fi
		continue
	fi
	is "$iserr" false "$n $tool ($cli): succeeds through both"
	jq -r '.result.content[0].text' "$TMP/mcp.$n.json" >"$TMP/mcp.$n.txt"
	if [ -n "$vol" ]; then
		# volatile values (wall-clock durations) are nulled in both, the rest compared
		f="$(printf '%s' "$vol" | sed 's/,/ = null | /g') = null"
		jq -c "$f" "$TMP/cli.$n.out" >"$TMP/cli.$n.cmp"
		jq -c "$f" "$TMP/mcp.$n.txt" >"$TMP/mcp.$n.cmp"
	else
		cp "$TMP/cli.$n.out" "$TMP/cli.$n.cmp"
		cp "$TMP/mcp.$n.txt" "$TMP/mcp.$n.cmp"
	fi
	if cmp -s "$TMP/cli.$n.cmp" "$TMP/mcp.$n.cmp"; then
		_t_report 0 "$n $tool: byte-identical JSON${vol:+ (volatile $vol nulled)}"
	else
		_t_report 1 "$n $tool: byte-identical JSON"
		diff "$TMP/cli.$n.cmp" "$TMP/mcp.$n.cmp" | cut -c1-300 | sed 's/^/#   /'
	fi
	f=${vol:+$(printf '%s' "$vol" | sed 's/,/ = null | /g') = null}
	sc=$(jq -c ".result.structuredContent | ${f:-.}" "$TMP/mcp.$n.json")
	is "$sc" "$(jq -c "${f:-.}" "$TMP/cli.$n.out")" "$n $tool: structuredContent is the same object"
done > "$TMP/tap"
# the loop ran in a subshell: replay its TAP lines through our counter
while IFS= read -r line; do
	case $line in
	"ok "*) _t_report 0 "${line#ok * - }" ;;
	"not ok "*) _t_report 1 "${line#not ok * - }" ;;
	*) echo "$line" ;;
	esac
done <"$TMP/tap"

# the two stores ended the same: the same event log, byte for byte
ok "the calls wrote events" test -s "$HOME/.baton/log/parity-host.jsonl"
ok "both runs wrote the same event log" cmp "$TMP/home-cli/.baton/log/parity-host.jsonl" "$HOME/.baton/log/parity-host.jsonl"

done_testing
