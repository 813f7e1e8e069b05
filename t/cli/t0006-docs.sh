#!/bin/sh
# Every command is documented: --help answers, a man page names it, the README starts
# with the two setup commands.
. "$(dirname "$0")/lib.sh"
top=$(cd "$T_SRC/.." && pwd)

baton --commands >"$TMP/cmds"
ok "the command list is not empty" test -s "$TMP/cmds"
while IFS= read -r c; do
	# shellcheck disable=SC2086
	exit_is 0 "'baton $c --help'" baton $c --help
	first=${c%% *}
	rest=${c#"$first"}
	if grep -qsE "^\.(Cm|Nm baton) $first( |$)" "$top"/docs/man/*.1; then
		_t_report 0 "a man page documents '$c'"
	else
		_t_report 1 "a man page documents '$c'"
	fi
done <"$TMP/cmds"

first_cmds=$(grep -m2 -E '^sh scripts/install-deps' "$top/README.md" | wc -l | tr -d ' ')
is "$first_cmds" "2" "README opens with the two setup commands"
like "$(grep -m2 -E '^sh scripts/install-deps' "$top/README.md" | tail -1)" "make test" "the second one runs make test"
like "$(cat "$top/.ci/run")" "sh scripts/install-deps && make test" ".ci/run runs the README's test command"
done_testing
