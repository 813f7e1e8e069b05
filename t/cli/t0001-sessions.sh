#!/bin/sh
# Sessions across two repositories survive "a reboot": list, show, resume give them back.
. "$(dirname "$0")/lib.sh"

make_repo "$TMP/alpha"
make_repo "$TMP/beta"
echo change >>"$TMP/alpha/README"
mkdir -p "$TMP/alpha/.sessions/checkpoints" && echo cp >"$TMP/alpha/.sessions/checkpoints/one.md"

out=$(cd "$TMP/alpha" && baton save -m "Fix the login bug" --tasks T1,T2 --notes "token refresh is broken" --json)
a_id=$(jqr "$out" .session.id)
like "$a_id" '^[0-9A-HJKMNP-TV-Z]{26}$' "save answers a ULID"
is "$(jqr "$out" .session.repo_root)" "$TMP/alpha" "repo root detected"
is "$(jqr "$out" .session.git.branch)" "main" "branch recorded"
is "$(jqr "$out" .session.git.dirty)" "true" "dirty tree recorded"
is "$(jqr "$out" .session.git.head_sha)" "$(git -C "$TMP/alpha" rev-parse HEAD)" "head commit recorded"
# libgit2's init skips the CA bundle (and libssh2, where loaded) through interposed functions
# (src/lib/git/git.c): the snapshot above must not suffer from it. Every library the
# binary needs costs each start (a hook has 2 ms): the release build is one static
# executable (Makefile: STATIC); otherwise (sanitizers, STATIC=0) it needs libc alone:
# JSON is baton's own, libm is opened on first use (src/lib/core/libm_lazy.c), the
# rest is linked statically or dlopen'ed.
if command -v readelf >/dev/null 2>&1 && ! readelf -l "$BATON" | grep -q INTERP; then
	is "$(readelf -d "$BATON" | grep -c NEEDED)" 0 "the release binary is one static executable"
	is "$(nm "$BATON" | grep -cE ' T __wrap_(mbedtls_x509_crt_parse_file|mbedtls_x509_crt_parse_path)$')" 2 \
		"libgit2's calls reach the interposers through --wrap"
	# src/lib/git/ssh_absent.c stands in for libgit2's SSH transport
	is "$(nm "$BATON" | grep -cE ' T (libssh2_init|OPENSSL_init_crypto)$')" 0 \
		"neither libssh2 nor OpenSSL is linked in"
	# scripts/hot-text.ld: libc's start, the hook command and its JSON parser are
	# linked first, in the section made for them
	if [ "${BATON_TEST_HOT_TEXT:-}" = 1 ]; then
		hot=$(readelf -SW "$BATON" | awk '{ for (i = 1; i < NF; i++) if ($i == ".text.hot_first") print $(i + 2), $(i + 4) }')
		in_hot=0
		if [ -n "$hot" ]; then
			set -- $hot
			lo=$((0x$1)) hi=$((0x$1 + 0x$2))
			for f in __libc_start_main baton_cli_hook_main cJSON_ParseWithLength; do
				a=$(nm "$BATON" | awk -v f="$f" '$3 == f { print $1; exit }')
				[ -n "$a" ] && [ $((0x$a)) -ge "$lo" ] && [ $((0x$a)) -lt "$hi" ] && in_hot=$((in_hot + 1))
			done
		fi
		is "$in_hot" 3 "the start, the hook command and the JSON parser are in the hot text"
	fi
else
	if command -v nm >/dev/null 2>&1; then
		is "$(nm -D "$BATON" | grep -cE ' T (mbedtls_x509_crt_parse_file|mbedtls_x509_crt_parse_path|libssh2_init)$')" 3 \
			"the binary exports the names libgit2's init binds to"
	fi
	if [ "${BATON_TEST_SANITIZED:-0}" != 1 ] && command -v readelf >/dev/null 2>&1; then
		is "$(readelf -d "$BATON" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')" "libc.so.6 " \
			"the binary needs libc alone"
		is "$(LD_DEBUG=files "$BATON" --version 2>&1 >/dev/null | grep -c 'file=libm\.so')" 0 \
			"libm is not loaded by a command without math"
	fi
fi
is "$(jqr "$out" '.session.recent_changes.files | join(",")')" "README" "recent changes from git status"
is "$(jqr "$out" '.session.working_set | join(",")')" "T1,T2" "tasks become the working set"
is "$(jqr "$out" .session.checkpoint.path)" "$TMP/alpha/.sessions/checkpoints/one.md" "newest checkpoint file found"
is "$(jqr "$out" .session.shortname)" "fix-the-login-bug" "short name from the objective"

out=$(cd "$TMP/beta" && baton save -m "Write the release notes" --name notes --project website --json)
b_id=$(jqr "$out" .session.id)
is "$(jqr "$out" .session.project_id)" "website" "--project recorded"

# saving again in alpha updates its active session rather than making a new one
out=$(cd "$TMP/alpha" && baton save -m "Fix the login bug (take 2)" --json)
is "$(jqr "$out" .session.id)" "$a_id" "save in a repo with an active session updates it"
out=$(cd "$TMP/alpha" && baton save -m "Something else" --new --json)
c_id=$(jqr "$out" .session.id)
ok "--new starts another session" test "$c_id" != "$a_id"

before_list=$(baton list --json)
before_show=$(baton show "$a_id" --json)
before_resume=$(baton resume "$b_id" --json)

# "after a reboot": a fresh shell with only HOME kept
after_list=$(env -i HOME="$HOME" PATH="$PATH" "$BATON" list --json)
after_show=$(env -i HOME="$HOME" PATH="$PATH" "$BATON" show "$a_id" --json)
after_resume=$(env -i HOME="$HOME" PATH="$PATH" "$BATON" resume "$b_id" --json)
is "$after_list" "$before_list" "list is the same after a reboot"
is "$after_show" "$before_show" "show is the same after a reboot"
is "$after_resume" "$before_resume" "resume is the same after a reboot"
is "$(jqr "$after_list" .count)" "3" "three sessions listed"
is "$(jqr "$after_list" '[.sessions[].id] | join(" ")')" "$c_id $a_id $b_id" "most recently updated first"

# resume: summary and a script that goes to the right place
script=$(jqr "$after_resume" .script)
like "$script" "cd '$TMP/beta'" "resume script changes into the session's directory"
like "$(jqr "$after_resume" .summary)" "Write the release notes" "summary carries the objective"
printf '%s\n' "$script" | sed 's/^baton show.*$/pwd/' >"$TMP/resume.sh"
is "$(sh "$TMP/resume.sh")" "$TMP/beta" "the resume script runs and lands in the directory"
# resume with no id: this repo's latest
out=$(cd "$TMP/beta" && baton resume --json)
is "$(jqr "$out" .session.id)" "$b_id" "resume without an id picks this repo's session"

# prefixes and names
is "$(baton show "$(printf %.16s "$b_id")" --json | jq -r .session.id)" "$b_id" "a unique id prefix finds the session"
is "$(baton show notes --json | jq -r .session.id)" "$b_id" "the short name finds the session"

# filters
is "$(baton list --repo "$TMP/alpha" --json | jq -r .count)" "2" "--repo filters by repository"
is "$(baton list --project website --json | jq -r .count)" "1" "--project filters"
is "$(baton list --limit 1 --json | jq -r .count)" "1" "--limit bounds the list"
is "$(baton list --since 1h --json | jq -r .count)" "3" "--since a relative time"
is "$(baton list --since 2099-01-01 --json | jq -r .count)" "0" "--since in the future lists none"

# delete is a tombstone; the others stay
ok "delete a session" baton delete "$c_id"
is "$(baton list --json | jq -r .count)" "2" "deleted session no longer listed"
exit_is 1 "show of a deleted session fails" baton show "$c_id"

# the overview
out=$(cd "$TMP/alpha" && baton --json --no-auto-save)
is "$(jqr "$out" .current.id)" "$a_id" "overview shows this repo's active session"
is "$(jqr "$out" '.recent | length')" "2" "overview lists recent sessions"
like "$(cd "$TMP/alpha" && baton --no-auto-save)" "Fix the login bug" "overview renders for people"

done_testing
