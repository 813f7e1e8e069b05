# Shared by the CLI tests (t/cli/tNNNN-*.sh): TAP output for prove, a fresh HOME and
# BATON_HOME per test file, and small assertion helpers. Source it first:
#   . "$(dirname "$0")/lib.sh"
set -u

BATON=${BATON_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/baton}
T_SRC=$(cd "$(dirname "$0")/.." && pwd)          # the t/ directory
FIXTURES=$T_SRC/fixtures
TMP=$(mktemp -d "${TMPDIR:-/tmp}/baton-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export HOME=$TMP/home BATON_HOME=$TMP/home/.baton
mkdir -p "$HOME"
unset BATON_SESSION BATON_AUTO_SESSION BATON_NOW BATON_SEED BATON_HOST CLAUDE_CONFIG_DIR CODEX_HOME XDG_DATA_HOME
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
export GIT_CONFIG_NOSYSTEM=1 LC_ALL=C TZ=UTC
# hooks give up on the store's lock after 200 ms by design; tests of what hooks do
# must not depend on the machine's load (t0501 tests the budget itself)
export BATON_HOOK_LOCK_MS=60000
# a save answers before the index applies it, in a detached child: the tests' next
# command must not race that child for the store's files (t0008 tests the child)
export BATON_SAVE_SYNC=1
# the overview's ingest is time-boxed (2 s by default): a loaded or sanitized run must
# not leave part of a test's transcripts to a background ingest (t0208 sets its own)
export BATON_OVERVIEW_INGEST_BUDGET_MS=-1

_t_n=0
_t_fail=0

baton() { "$BATON" "$@"; }

_t_report() { # status description
	_t_n=$((_t_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_t_n - $2"
	else
		echo "not ok $_t_n - $2"
		_t_fail=$((_t_fail + 1))
	fi
}

# ok DESCRIPTION COMMAND...: passes when the command exits 0
ok() { local d=$1; shift; if "$@" >/dev/null 2>&1; then _t_report 0 "$d"; else _t_report 1 "$d"; fi; }
# fails DESCRIPTION COMMAND...: passes when the command exits non-zero
fails() { local d=$1; shift; if "$@" >/dev/null 2>&1; then _t_report 1 "$d"; else _t_report 0 "$d"; fi; }
# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then _t_report 0 "$3"; else
		_t_report 1 "$3"; printf '#   got:  %s\n#   want: %s\n' "$1" "$2" | head -40
	fi
}
# like GOT PATTERN DESCRIPTION (grep -E pattern)
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then _t_report 0 "$3"; else
		_t_report 1 "$3"; printf '#   got: %s\n#   want match: %s\n' "$1" "$2" | head -40
	fi
}
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		_t_report 1 "$3"; printf '#   got: %s\n#   must not match: %s\n' "$1" "$2" | head -40
	else _t_report 0 "$3"; fi
}
# exit_is WANT DESCRIPTION COMMAND...: the command's exit code
exit_is() {
	local want=$1 d=$2; shift 2
	"$@" >/dev/null 2>&1
	local got=$?
	is "$got" "$want" "$d (exit $want)"
}
# golden FILE DESCRIPTION: compares stdin with t/FILE (BATON_BLESS=1 rewrites it)
golden() {
	local want=$T_SRC/$1 got=$TMP/golden.out
	cat >"$got"
	if [ "${BATON_BLESS:-0}" = 1 ]; then mkdir -p "$(dirname "$want")"; cp "$got" "$want"; fi
	if diff -u "$want" "$got" >"$TMP/golden.diff" 2>&1; then _t_report 0 "$2"; else
		_t_report 1 "$2"; sed 's/^/#   /' "$TMP/golden.diff" | head -60
	fi
}
# jqr JSON FILTER: jq -r (jq is a test dependency, installed by scripts/install-deps)
jqr() { printf '%s' "$1" | jq -r "$2"; }

# needle_transcript FILE FIRST LAST: append user messages FIRST..LAST of one Claude
# conversation (its id: FILE's name), ~200 bytes each, with words for search tests:
# "needle", "hay" (6 in 7) or "needle needle", word0..word12, filler0..filler100
needle_transcript() {
	awk -v sid="$(basename "$1" .jsonl)" -v a="$2" -v b="$3" 'BEGIN {
		for (i = a; i <= b; i++)
			printf "{\"type\":\"user\",\"uuid\":\"u%d\",\"sessionId\":\"%s\",\"timestamp\":\"2026-11-20T11:00:00.000Z\",\"cwd\":\"/w\",\"message\":{\"role\":\"user\",\"content\":\"needle %s word%d filler%d\"}}\n", i, sid, i % 7 ? "hay" : "needle needle", i % 13, i % 101
	}' >>"$1"
}
# make_repo DIR: a git repository with one commit
make_repo() {
	mkdir -p "$1" && git -C "$1" init -q -b main && echo hi >"$1/README" &&
		git -C "$1" add README && git -C "$1" commit -qm init
}

# traced_hook EVENT CONVERSATION [PROMPT] [AGENT]: the hook of a conversation in
# repository $R (payload source $HOOK_SOURCE, default startup); its stdout in
# $TMP/out, and the index statements its own process ran (BATON_TRACE_SQL) counted in
# $TMP/sql: 0 means it did not open the index
traced_hook() {
	jq -cn --arg e "$1" --arg id "$2" --arg cwd "$R" --arg p "${3:-}" --arg src "${HOOK_SOURCE:-startup}" \
		'{session_id: $id, transcript_path: ($cwd + "/none.jsonl"), cwd: $cwd, hook_event_name: $e,
		  source: $src, trigger: "auto", reason: "other", prompt: $p}' |
		(cd "$R" && BATON_TRACE_SQL=1 "$BATON" hook "$1" --agent "${4:-claude}" >"$TMP/out" 2>"$TMP/err")
	grep -c '^sql' "$TMP/err" >"$TMP/sql"
}
sql() { cat "$TMP/sql"; }

done_testing() {
	echo "1..$_t_n"
	[ "$_t_fail" = 0 ]
}
