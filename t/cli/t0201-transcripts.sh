#!/bin/sh
# Transcripts: ingest (incremental, idempotent, linking), archive + rebuild, messages,
# search, stats, malformed inputs, and golden normalised output for every fixture.
. "$(dirname "$0")/lib.sh"

TR=$FIXTURES/transcripts
cp -R "$TR/home/." "$HOME/"
export BATON_NOW=2026-11-22T18:00:00Z BATON_HOST=h1

# golden normalised messages, one per fixture (parse only, nothing stored)
for f in .claude/projects/-home-dev-claude-repo/3b98a82d-195e-45b7-81c2-9b72bd424d08.jsonl \
	 .codex/sessions/2026/11/22/rollout-2026-11-22T17-54-50-01a20465-801c-7861-832c-973fae3968c3.jsonl \
	 .gemini/tmp/repo/chats/session-2026-11-22T17-54-bbfb6d7b.jsonl \
	 .gemini/tmp/repo/chats/session-2026-11-22T17-55-bbfb6d7b.jsonl; do
	name=$(basename "$f" | cut -c1-40)
	baton transcript dump "$HOME/$f" --json | jq -c '.state, .lines, .bad_lines, (.messages[]), (.usage[])' >"$TMP/dump"
	golden "golden/transcripts/$name.jsonl" "dump $name" <"$TMP/dump"
done
baton transcript dump "$TR/malformed/claude-mixed.jsonl" --source claude --json | jq -c '.lines, .bad_lines, [.messages[].text]' >"$TMP/dump"
golden golden/transcripts/claude-mixed.jsonl "malformed lines are skipped, invalid UTF-8 replaced" <"$TMP/dump"

out=$(baton ingest --json)
is "$(jqr "$out" '[.files, .files_read, .conversations, .sessions, .errors] | @csv')" "4,4,3,3,0" "first ingest reads every transcript"
msgs=$(baton stats --json | jq .totals.messages)
out=$(baton ingest --json)
is "$(jqr "$out" '[.files_read, .bytes, .messages] | @csv')" "0,0,0" "second ingest reads nothing"
is "$(baton stats --json | jq .totals.messages)" "$msgs" "ingesting twice adds no duplicates"
is "$(baton list --json | jq -r '[.sessions[].source] | sort | join(",")')" "claude,codex,gemini" "one session per conversation, source set"
is "$(baton list --source claude --json | jq -r '.sessions[0].objective')" \
	"Create hello.txt saying hello, commit it, track the work as todos, and ping the fake MCP server." "objective from the first prompt"
is "$(baton list --source codex --json | jq -r '.sessions[0] | .cwd + " " + .git.branch')" "/home/dev/codex/repo main" "cwd and branch from the records"

# search: ranking, filters, phrase and prefix, errors
out=$(baton search 'commit*' --source codex --json)
like "$(jqr "$out" '.hits[0].snippet')" '\*\*commit' "prefix query, highlighted snippet"
is "$(jqr "$out" '[.hits[].source] | unique | join(",")')" "codex" "--source filters"
is "$(baton search '"fake model"' --json | jq '.count > 0')" "true" "phrase query"
exit_is 2 "bad FTS syntax is a usage error" baton search '"unterminated'
like "$(baton search 'AND OR' 2>&1)" "cannot read query" "bad FTS syntax is explained"
is "$(baton search hello --budget-ms 1 --json | jq -r '.complete|type')" "boolean" "a time budget is accepted"
sid=$(baton list --source claude --json | jq -r '.sessions[0].id')
is "$(baton search hello --session "$sid" --json | jq -r '[.hits[].source] | unique | join(",")')" "claude" "--session filters"

# messages of a session
out=$(baton messages "$sid" --limit 5 --json)
is "$(jqr "$out" '[.count, .total > 20, .messages[0].role, .messages[0].kind] | @csv')" '5,true,"user","text"' "messages in order, paged"
is "$(baton messages "$sid" --kind tool_use --json | jq -r '[.messages[].tool] | unique | join(",")')" \
	"Bash,Read,TodoWrite,Write,mcp__fake__echo" "--kind tool_use, tool names"
is "$(baton messages "$sid" --kind tool_use --json | jq -r '.messages[] | select(.tool=="Write") | .paths[0]')" \
	"/home/dev/claude/repo/hello.txt" "file paths touched"
exit_is 2 "bad --kind" baton messages "$sid" --kind nope

# stats: tokens counted once per API response
out=$(baton stats --source claude --json)
is "$(jqr "$out" '[.tokens.responses, .tokens.output] | @csv')" "9,351" "claude usage deduplicated per message id + request id"

# append: only the new part is read
cl=$HOME/.claude/projects/-home-dev-claude-repo/3b98a82d-195e-45b7-81c2-9b72bd424d08.jsonl
printf '%s\n' '{"type":"user","uuid":"new-1","sessionId":"3b98a82d-195e-45b7-81c2-9b72bd424d08","timestamp":"2026-11-22T17:59:00.000Z","cwd":"/home/dev/claude/repo","message":{"role":"user","content":"please remember the xylophone token sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}' >>"$cl"
printf '%s' '{"type":"user","uuid":"new-2","sessionId":"3b98' >>"$cl"   # still being written
out=$(baton ingest --json)
is "$(jqr "$out" '[.files_read, .messages] | @csv')" "1,1" "append: only the new line is read, the torn tail waits"
is "$(baton search xylophone --json | jq .count)" "1" "the appended message is searchable"
unlike "$(baton search xylophone --json)" "AAAAAAAAAAAAAAAAAAAAAAAA" "secrets are redacted before the index"
unlike "$(zstdcat "$BATON_HOME"/archive/claude/*.zst 2>/dev/null; cat "$BATON_HOME"/archive/claude/*.zst)" "sk-ant-api03-AAAA" "and before the archive"
printf '%s\n' '-195e-45b7-81c2-9b72bd424d08","timestamp":"2026-11-22T17:59:30.000Z","message":{"role":"user","content":"marimba finished"}}' >>"$cl"
baton ingest >/dev/null
is "$(baton search marimba --json | jq .count)" "1" "the torn line is read once completed"

# rebuild after the agents deleted their transcripts: same answers
before=$(baton search 'hello OR commit*' --limit 50 --json | jq -c 'del(.ms)')
bstats=$(baton stats --json)
rm -rf "$HOME/.claude" "$HOME/.codex" "$HOME/.gemini"
ok "index rebuild" baton index rebuild
is "$(baton search 'hello OR commit*' --limit 50 --json | jq -c 'del(.ms)')" "$before" "rebuild from the archive: same search answers"
is "$(baton stats --json)" "$bstats" "rebuild: same stats"
is "$(baton index verify --json | jq -c '[.ok, (.tables[] | select(.table=="messages_v") | .rows > 0)]')" "[true,true]" "verify compares messages too"
cp -R "$TR/home/." "$HOME/"
out=$(baton ingest --json)
is "$(jqr "$out" '.messages')" "0" "read positions survive the rebuild"

# replaced file is read again, without duplicates
cx=$(ls "$HOME"/.codex/sessions/2026/11/22/*.jsonl)
head -n 5 "$cx" >"$cx.tmp" && mv "$cx.tmp" "$cx"
out=$(baton ingest --json)
is "$(jqr "$out" '.resets')" "1" "a truncated file is re-read"

# malformed inputs never crash; empty files are fine
mkdir -p "$HOME/.claude/projects/-tmp-x"
cp "$TR/malformed/claude-mixed.jsonl" "$TR/malformed/empty.jsonl" "$HOME/.claude/projects/-tmp-x/"
head -c 3000000 /dev/zero | tr '\0' 'a' >"$HOME/.claude/projects/-tmp-x/huge.jsonl"; echo >>"$HOME/.claude/projects/-tmp-x/huge.jsonl"
ok "ingest of malformed transcripts succeeds" baton ingest
is "$(baton search zebracorn --json | jq .count)" "1" "a line with invalid UTF-8 is kept, sanitised"
ok "explicit PATH" baton ingest "$TR/malformed/claude-mixed.jsonl" --source claude
exit_is 1 "missing PATH" baton ingest /nonexistent/x.jsonl --source claude
exit_is 2 "unknown source" baton ingest --source nope

# BATON_SESSION forces the link; the overview ingests first
make_repo "$TMP/r"
s2=$(cd "$TMP/r" && baton save -m "forced work" --json | jq -r .session.id)
mkdir -p "$HOME/.claude/projects/-forced"
printf '%s\n' '{"type":"user","uuid":"f1","sessionId":"11111111-2222-3333-4444-555555555555","timestamp":"2026-11-22T18:00:00.000Z","cwd":"/elsewhere","message":{"role":"user","content":"oboe practice"}}' \
	>"$HOME/.claude/projects/-forced/11111111-2222-3333-4444-555555555555.jsonl"
BATON_SESSION=$s2 baton --json >/dev/null
is "$(baton messages "$s2" --json | jq -r '.messages[0].text')" "oboe practice" "BATON_SESSION links; the overview ingested first"
exit_is 0 "overview without ingest" baton --no-ingest

done_testing
