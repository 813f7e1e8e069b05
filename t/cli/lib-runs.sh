# Shared by the run ledger tests (t06xx), sourced after lib.sh: stub agents first in
# PATH (see t/fixtures/runs/stub-agent), baton itself in PATH (restore scripts call
# it), and waiting on conditions with a bound.
STUB=$FIXTURES/runs/stub-agent
BIN=$TMP/bin
mkdir -p "$BIN"
for a in claude codex gemini opencode agent; do ln -s "$STUB" "$BIN/$a"; done
ln -s "$BATON" "$BIN/baton"
export PATH="$BIN:$PATH" STUB_LOG=$TMP/stub.log
unset BATON_BOOT_ID BATON_RUN_ID STUB_MODE STUB_READY STUB_OUT STUB_SESSION TMUX
: >"$STUB_LOG"
# Durability is not what these tests are about, and every run appends twice: skip
# the fsyncs (t0602 turns them back on to hammer the real append path).
export BATON_CORE_FSYNC=false

# wait_until SECONDS COMMAND...: poll the command until it succeeds; fails after SECONDS
wait_until() {
	local n=$(($1 * 50))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.02
		n=$((n - 1))
	done
	return 1
}

# proc_gone PID: the process has exited (gone, or a zombie nobody reaped yet)
proc_gone() {
	[ ! -e "/proc/$1/stat" ] || sed 's/.*) //' "/proc/$1/stat" | grep -q '^[ZX]'
}

# last_run [baton runs options]: JSON of the most recent run
last_run() { baton runs --sessions --limit 1 --json "$@" | jq -c '.runs[0]'; }
