#!/bin/sh
# Bad input: one clear line on stderr, the documented exit code, nothing stored lost.
. "$(dirname "$0")/lib.sh"

make_repo "$TMP/r"
cd "$TMP/r"
baton save -m "keep me" >/dev/null
before=$(baton list --json)

check() { # WANT_EXIT PATTERN DESCRIPTION COMMAND...
	local want=$1 pat=$2 d=$3; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	is "$got" "$want" "$d: exit $want"
	like "$(cat "$TMP/err")" "$pat" "$d: says what failed"
	is "$(wc -l <"$TMP/err" | tr -d ' ')" "1" "$d: one line on stderr"
	is "$(cat "$TMP/out")" "" "$d: nothing on stdout"
}

check 2 "unknown option '--frobnicate'" "unknown flag" baton list --frobnicate
check 2 "unknown command 'frobnicate'" "unknown command" baton frobnicate
check 2 "objective is empty" "empty objective" baton save -m "   " --new
check 2 "objective is required" "missing objective" baton save --new
check 2 "needs a value" "flag without its value" baton save -m
check 2 "whole number" "non-numeric limit" baton list --limit many
check 2 "directory '/nonexistent/dir' does not exist" "non-existent cwd" baton save -m x --cwd /nonexistent/dir
check 1 "session 'NOSUCHSESSION' not found" "unknown id" baton show NOSUCHSESSION
check 2 "unknown status 'sleeping'" "unknown status" baton list --status sleeping
check 2 "cannot read time" "bad --since" baton list --since yesterdayish
check 2 "unexpected argument" "extra positional" baton show a b

# a corrupt config: named, with its line
mkdir -p "$BATON_HOME" && printf '[core]\nfsync = perhaps\n' >"$BATON_HOME/config.toml"
check 2 "config.toml' line 2" "corrupt config" baton list
rm "$BATON_HOME/config.toml"

# an unwritable home
mkdir -p "$TMP/ro" && chmod 0500 "$TMP/ro"
if [ "$(id -u)" = 0 ]; then
	# root writes anywhere: use a path under a regular file instead
	: >"$TMP/file"
	check 1 "cannot create the store" "unwritable home" env BATON_HOME="$TMP/file/store" "$BATON" list
else
	check 1 "cannot create the store" "unwritable home" env BATON_HOME="$TMP/ro/store" "$BATON" list
fi

is "$(baton list --json)" "$before" "nothing stored was lost"

# --help everywhere, exit 0
for c in "" save list show resume delete doctor "index rebuild" "index verify" config; do
	# shellcheck disable=SC2086
	exit_is 0 "help for '${c:-baton}'" baton $c --help
done
like "$(baton save --help)" "--objective" "save --help lists its flags"

done_testing
