#!/bin/sh
# transcript dump --count: files are shared out to two threads; the totals must be
# those of reading each file alone, whatever the order, and errors those of reading
# them in order. Records bigger than a reader's scratch block (1 MiB) still parse.
. "$(dirname "$0")/lib.sh"

F=$FIXTURES/transcripts
CL=$F/home/.claude/projects/-home-dev-claude-repo/3b98a82d-195e-45b7-81c2-9b72bd424d08.jsonl
CX=$(find "$F/home/.codex" -name 'rollout-*.jsonl' | head -1)
mkdir -p "$TMP/c/.claude/projects/p" "$TMP/c/.codex/sessions"

# a record holding a 2 MiB tool result, one with a 1.5 MiB prompt (past the block,
# spilling to malloc), then ordinary lines after them (the block is reused)
python3 - "$TMP/c/.claude/projects/p/big.jsonl" <<'EOF'
import json, sys
sep = (",", ":")
with open(sys.argv[1], "w") as f:
    base = {"sessionId": "s-big", "cwd": "/tmp/x", "timestamp": "2026-11-22T10:00:00.000Z"}
    f.write(json.dumps(dict(base, uuid="u1", type="user", message={"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "t1", "content": "zebra " * 350000}]}), separators=sep) + "\n")
    f.write(json.dumps(dict(base, uuid="u2", type="user", message={"role": "user",
        "content": "okapi " + "word " * 300000}), separators=sep) + "\n")
    for i in range(3, 40):
        f.write(json.dumps(dict(base, uuid="u%d" % i, type="assistant", requestId="r%d" % i, message={
            "id": "m%d" % i, "role": "assistant", "model": "claude-x", "content": [{"type": "text", "text": "t%d" % i}],
            "usage": {"input_tokens": i, "output_tokens": 1}}), separators=sep) + "\n")
EOF
BIG=$TMP/c/.claude/projects/p/big.jsonl
# many small files, so both threads take several
i=0
while [ $i -lt 12 ]; do
	cp "$CL" "$TMP/c/.claude/projects/p/copy$i.jsonl"
	cp "$CX" "$TMP/c/.codex/sessions/rollout-2026-11-22T00-00-00-copy$i.jsonl"
	i=$((i + 1))
done
set -- "$CL" "$CX" "$F"/malformed/*.jsonl "$BIG" "$TMP"/c/.claude/projects/p/copy*.jsonl "$TMP"/c/.codex/sessions/*.jsonl

# the sum of each file counted alone
sum='{"files":0,"bytes":0,"lines":0,"bad_lines":0,"messages":0,"usage_records":0,"input":0,"output":0,"cache_read":0,"cache_write":0,"reasoning":0}'
for f in "$@"; do
	one=$(baton transcript dump --count --json "$f")
	sum=$(printf '%s\n%s\n' "$sum" "$one" | jq -cs '.[0] as $a | .[1] as $b | $a | with_entries(.value += $b[.key])')
done
all=$(baton transcript dump --count --json "$@")
is "$all" "$sum" "all files at once: the sum of each counted alone"
rev=$(for f in "$@"; do echo "$f"; done | tac | xargs "$BATON" transcript dump --count --json)
is "$rev" "$sum" "in reverse order: the same totals"
i=0 same=0
while [ $i -lt 5 ]; do
	[ "$(baton transcript dump --count --json "$@")" = "$sum" ] && same=$((same + 1))
	i=$((i + 1))
done
is "$same" 5 "five more runs: the same totals each time"
is "$(jqr "$all" '.files')" "$#" "every file counted"

# the big records: counted, and their text kept (dump shows the first 200 characters)
big=$(baton transcript dump --count --json "$BIG")
is "$(jqr "$big" '[.lines, .messages, .usage_records, .input] | @csv')" "39,39,37,$(((3 + 39) * 37 / 2))" "records past the scratch block parse"
d=$(baton transcript dump --json "$BIG")
like "$(jqr "$d" '.messages[0].text')" '^zebra zebra ' "a 2 MiB tool result is read"
like "$(jqr "$d" '.messages[1].text')" '^okapi word word' "a 1.5 MiB prompt is read"
is "$(jqr "$d" '.messages[38].text')" "t39" "lines after them are read"

# errors: as reading in order would report them
out=$(baton transcript dump --count --json "$CL" "$TMP/missing-1.jsonl" "$CX" "$TMP/missing-2.jsonl" 2>&1)
is "$?" 1 "a missing file: exit 1"
like "$out" "missing-1\.jsonl" "the first missing file is named"
unlike "$out" "missing-2" "not a later one"
exit_is 2 "a whole-document transcript is a usage error" baton transcript dump --count "$CL" "$TMP/chat.json"

done_testing
