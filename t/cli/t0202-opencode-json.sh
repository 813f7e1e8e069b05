#!/bin/sh
# opencode before 1.2: the JSON storage/ tree. Normalised like the database (golden),
# discovered and named explicitly, incremental, deduplicated with opencode.db by
# session and part id, archived for rebuild, and tolerant of malformed files.
. "$(dirname "$0")/lib.sh"

OC=$FIXTURES/opencode
cp -R "$OC/home/." "$HOME/"
export BATON_NOW=2026-01-06T10:00:00Z BATON_HOST=h1
DATA=$HOME/.local/share/opencode
ST=$DATA/storage
SA=ses_4a3f9c2b1ffeQk7LmN2pR8sT0v SB=ses_4a3f9a71dffeHx5Yz1Wq3Er6Ty

# golden normalised messages (parse only); the data dir names its storage/ tree
baton transcript dump "$DATA" --source opencode --json |
	jq -c '.state, .lines, .bad_lines, (.messages[]), (.usage | unique[])' >"$TMP/dump"
golden golden/transcripts/opencode-storage.jsonl "dump of the storage tree" <"$TMP/dump"
baton transcript dump "$OC/malformed/storage" --source opencode --json |
	jq -c '.lines, .bad_lines, [.messages[] | .key + " " + .text], (.state.convs | keys)' >"$TMP/dump"
golden golden/transcripts/opencode-malformed.jsonl "malformed files are skipped and counted" <"$TMP/dump"

# discovery under ~/.local/share/opencode, then nothing new
out=$(baton ingest --json)
is "$(jqr "$out" '[.files, .files_read, .conversations, .sessions, .bad_lines, .errors] | @csv')" "1,1,2,2,0,0" \
	"the storage tree is discovered: one store, two conversations"
out=$(baton ingest --json)
is "$(jqr "$out" '[.files_read, .bytes, .lines, .messages] | @csv')" "0,0,0,0" "a second ingest reads nothing"
is "$(baton list --source opencode --json | jq -c '[.sessions[] | [.cwd, .objective]] | sort')" \
	'[["/work/ocjson","Add a token-bucket rate limiter to the API server, 100 requests a minute per key"],["/work/ocjson/web","The login form submits twice; fix it"]]' \
	"cwd from session.directory, objective from the first typed prompt (not the synthetic part)"
sa=$(baton list --source opencode --json | jq -r '.sessions[] | select(.cwd == "/work/ocjson") | .id')
sb=$(baton list --source opencode --json | jq -r '.sessions[] | select(.cwd == "/work/ocjson/web") | .id')
is "$(baton messages "$sa" --kind tool_use --json | jq -c '[.messages[] | [.tool, (.paths | join(",")), .command]]')" \
	'[["read","/work/ocjson/server.ts",null],["write","/work/ocjson/src/ratelimit.ts",null],["edit","/work/ocjson/server.ts",null],["bash","","npm test -- ratelimit"],["bash","","npm run lint"],["todowrite","",null],["bash","","git commit -am '"'"'Add a rate limiter'"'"'"]]' \
	"tool names, file paths and shell commands, in order"
is "$(baton messages "$sa" --limit 0 --json | jq -c '[.messages[].kind] | group_by(.) | map([.[0], length])')" \
	'[["summary",1],["text",5],["thinking",1],["tool_result",7],["tool_use",7]]' "every kind of part"
is "$(baton stats --source opencode --json | jq -c '[.tokens.responses, .tokens.input, .tokens.output]')" "[3,2300,500]" \
	"tokens once per assistant message"

# incremental: a part appended, a part rewritten in place, a new message
M4=msg_b8a1c0d4e004Hi6JkLmNoPqR
printf '%s\n' "{\"id\":\"prt_b8a1c0d4e403Ss9\",\"sessionID\":\"$SA\",\"messageID\":\"$M4\",\"type\":\"text\",\"text\":\"the xylophone key sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"time\":{\"start\":1767600031700}}" \
	>"$ST/part/$M4/prt_b8a1c0d4e403Ss9.json"
out=$(baton ingest --json)
is "$(jqr "$out" '[.files_read, .lines, .messages] | @csv')" "1,1,1" "a part appended: only that part is read"
is "$(baton search xylophone --json | jq .count)" "1" "the new part is searchable"
unlike "$(baton search xylophone --json)" "AAAAAAAAAAAAAAAAAAAAAAAA" "secrets are redacted before the index"
unlike "$(zstdcat "$BATON_HOME"/archive/opencode/*.zst 2>/dev/null)" "sk-ant-api03-AAAA" "and before the archive"
P=$ST/part/msg_b8a1c0d4e002Lm4NoPqRsTuV/prt_b8a1c0d4e208Kk1.json
jq '.state.error = "Error: lint failed: marimba rule"' "$P" >"$TMP/p" && cat "$TMP/p" >"$P"
out=$(baton ingest --json)
is "$(jqr "$out" '[.lines, .messages] | @csv')" "1,1" "a part rewritten in place is read again and updates its message"
is "$(baton search marimba --json | jq .count)" "1" "the rewritten part's new text is found"
M5=msg_b8a1c0d4e005Zz9AbCdEfGhIj
mkdir -p "$ST/message/$SA" "$ST/part/$M5"
printf '%s\n' "{\"id\":\"$M5\",\"sessionID\":\"$SA\",\"role\":\"user\",\"time\":{\"created\":1767600040000}}" >"$ST/message/$SA/$M5.json"
printf '%s\n' "{\"id\":\"prt_b8a1c0d4e501Aa0\",\"sessionID\":\"$SA\",\"messageID\":\"$M5\",\"type\":\"text\",\"text\":\"now the oboe docs\"}" \
	>"$ST/part/$M5/prt_b8a1c0d4e501Aa0.json"
out=$(baton ingest --json)
is "$(jqr "$out" '[.lines, .messages, .conversations] | @csv')" "1,1,0" "a new message: its part only, same conversation"
is "$(baton ingest --json | jq -c '[.files_read, .bytes]')" "[0,0]" "then nothing again"

# the database of 1.2+ holds session B too: one conversation, no doubled messages,
# the database's copy wins, parts only in one store are kept
sqlite3 "$DATA/opencode.db" <"$OC/both.sql"
out=$(baton ingest --json)
is "$(jqr "$out" '[.files, .files_read, .conversations, .sessions] | @csv')" "2,1,0,0" "the database joins the known conversation"
msgs_b() { baton messages "$1" --limit 0 --json | jq -c '[.messages[] | [.timestamp, .kind, .text]]'; }
want='[["2026-01-05T09:00:01.000Z","text","The login form submits twice; fix it"],["2026-01-05T09:00:02.100Z","text","The submit handler is bound twice (database copy)."],["2026-01-05T09:00:02.200Z","tool_use","{\"filePath\":\"/work/ocjson/web/login.tsx\",\"oldString\":\"onSubmit={a}\",\"newString\":\"\"}"],["2026-01-05T09:00:02.300Z","tool_result",""],["2026-01-05T09:00:02.400Z","text","Also removed the duplicate listener in legacy.js."],["2026-01-05T09:00:02.500Z","text","Only the database has this reply."]]'
is "$(msgs_b "$sb")" "$want" "tree then database: each part once, the database's text"
is "$(baton stats --source opencode --json | jq -c '[.totals.conversations, .tokens.responses]')" "[2,3]" "usage not doubled either"
touch "$ST/part/msg_b8a1d1e2f002De0FgHiJkLmN/prt_b8a1d1e2f201Tt0.json"
chmod 600 "$ST/part/msg_b8a1d1e2f002De0FgHiJkLmN/prt_b8a1d1e2f201Tt0.json" # a new ctime: read again
baton ingest >/dev/null
is "$(msgs_b "$sb")" "$want" "a tree part read again does not override the database"
# the other order, in a fresh store: the same messages
(
	export BATON_HOME=$TMP/b2
	baton ingest >/dev/null
	sb2=$(baton list --source opencode --json | jq -r '.sessions[] | select(.cwd == "/work/ocjson/web") | .id')
	msgs_b "$sb2"
) >"$TMP/other"
is "$(cat "$TMP/other")" "$want" "database then tree: the same messages"

# explicit PATHs: the storage dir or the data dir, same read position
ok "explicit storage dir" baton ingest --source opencode "$ST"
is "$(baton ingest "$DATA" --json | jq -c '[.files_read, .messages]')" "[0,0]" "the data dir, source guessed: same store, nothing new"
exit_is 2 "a directory without a storage tree" baton ingest --source opencode "$TMP"
(
	export BATON_HOME=$TMP/b3 XDG_DATA_HOME=$TMP/xdg
	mkdir -p "$XDG_DATA_HOME/opencode"
	cp -R "$OC/home/.local/share/opencode/storage" "$XDG_DATA_HOME/opencode/"
	rm -rf "$HOME/.local/share/opencode.off"; mv "$DATA" "$HOME/.local/share/opencode.off"
	baton ingest --json | jq -c '[.files, .conversations]'
	mv "$HOME/.local/share/opencode.off" "$DATA"
) >"$TMP/xdg.out"
is "$(cat "$TMP/xdg.out")" "[1,2]" "\$XDG_DATA_HOME/opencode/storage is discovered"

# rebuild after the tree (and the database) are gone: the same answers
before=$(baton search 'limiter OR login OR xylophone OR oboe' --limit 50 --json | jq -c 'del(.ms)')
bstats=$(baton stats --json)
mv "$DATA" "$TMP/oc.saved"
ok "index rebuild" baton index rebuild
is "$(baton search 'limiter OR login OR xylophone OR oboe' --limit 50 --json | jq -c 'del(.ms)')" "$before" \
	"rebuild from the archive: same search answers"
is "$(baton stats --json)" "$bstats" "rebuild: same stats"
is "$(msgs_b "$sb")" "$want" "rebuild: the database still wins"
is "$(baton index verify --json | jq -c .ok)" "true" "index verify"
mv "$TMP/oc.saved" "$DATA"
is "$(baton ingest --json | jq -c '[.files_read, .bytes]')" "[0,0]" "read positions survive the rebuild"

# malformed trees never crash; each bad file is counted once
X=$TMP/bad
mkdir -p "$X/opencode"
cp -R "$OC/malformed/storage" "$X/opencode/"
mkdir -p "$X/opencode/storage/message/ses_4a3f00000000EmptyDir00000" "$X/opencode/storage/part/msg_b8a200000008Empty00000000000" \
	"$X/opencode/storage/project"
G=$X/opencode/storage/part/msg_b8a200000001Good00000000000
{ printf '{"id":"prt_b8a200000107Hu","type":"text","text":"'; head -c 9000000 /dev/zero | tr '\0' 'a'; printf '"}'; } >"$G/prt_b8a200000107Hu.json"
ln -s /etc/passwd "$G/prt_b8a200000108Ln.json"
out=$(BATON_HOME=$TMP/b4 baton ingest --source opencode "$X/opencode" --json)
is "$(jqr "$out" '[.files_read, .bad_lines, .conversations] | @csv')" "1,8,2" "bad files skipped and counted (the huge one too), the rest read"
is "$(BATON_HOME=$TMP/b4 baton search zebracorn --json | jq .count)" "1" "a good part beside bad ones is kept"
is "$(BATON_HOME=$TMP/b4 baton ingest --source opencode "$X/opencode" --json | jq -c '[.bad_lines, .bytes]')" "[0,0]" \
	"the same bad files are not warned about again"
printf '{"id":"prt_b8a200000102Bb","type":"text","text":"completed later"}' >"$G/prt_b8a200000102Bb.json"
like "$(BATON_HOME=$TMP/b4 baton ingest --source opencode "$X/opencode" --json | jq -c '[.bad_lines, .messages]')" '^\[0,1\]$' \
	"a torn file once complete is read"
mkdir -p "$TMP/empty/storage/message"
is "$(BATON_HOME=$TMP/b4 baton ingest --source opencode "$TMP/empty" --json | jq -c '[.files, .files_read, .errors]')" "[1,0,0]" \
	"an empty tree is fine"
rm "$G/prt_b8a200000102Bb.json"
ok "a vanished file is fine" env BATON_HOME="$TMP/b4" "$BATON" ingest --source opencode "$X/opencode"

done_testing
