#!/bin/sh
# bench section (bench/run): transcripts. Cold ingest MB/s, parse-only vs ccusage (when it installs), search
# p50/p99 vs rg (when installed), peak RSS. BATON_BENCH_MB (default 200; 1024 for the
# full run) sizes the corpus; BATON_BENCH_BIG_MB adds one big file (default 0).
set -eu
BATON=${BATON:?}
MB=${BATON_BENCH_MB:-200}
BIG=${BATON_BENCH_BIG_MB:-0}
W=${BATON_BENCH_DIR:-/tmp/baton-bench}
rm -rf "$W"; mkdir -p "$W/corpus"
echo "generating ${MB} MB corpus (+${BIG} MB file) in $W"
python3 "$(cd "$(dirname "$0")" && pwd)/gen.py" "$W/corpus" "$MB" "$BIG"
bytes=$(du -sb "$W/corpus" | cut -f1)
mb() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
sync; [ -w /proc/sys/vm/drop_caches ] && echo 3 >/proc/sys/vm/drop_caches || true
export HOME=$W/corpus BATON_HOME=$W/store
/usr/bin/time -f '%e %M' -o "$W/t.ingest" "$BATON" ingest --json >"$W/ingest.json"
set -- $(cat "$W/t.ingest")
echo "cold ingest (parse+index+archive): $1 s, $(mb "$1") MB/s, peak RSS $(($2 / 1024)) MiB"
echo "  $(cat "$W/ingest.json")"
f=$(find "$W/corpus/.claude" -name '*.jsonl' | head -1)
/usr/bin/time -f '%e %M' -o "$W/t.dump" sh -c "for f in \$(find '$W/corpus' -name '*.jsonl'); do '$BATON' transcript dump \"\$f\" --json >/dev/null; done"
set -- $(cat "$W/t.dump")
echo "parse only (transcript dump, one process per file): $1 s, $(mb "$1") MB/s"
if command -v npx >/dev/null 2>&1 && npm install --prefix "$W/npm" ccusage@20.0.24 >/dev/null 2>&1; then
	/usr/bin/time -f '%e %M' -o "$W/t.cc" env CLAUDE_CONFIG_DIR="$W/corpus/.claude" "$W/npm/node_modules/.bin/ccusage" session --json --offline >/dev/null 2>&1 || true
	set -- $(cat "$W/t.cc")
	echo "ccusage session --json --offline (Claude half only): $1 s, peak RSS $(($2 / 1024)) MiB"
else
	echo "ccusage: not installed (skipped)"
fi
msgs=$("$BATON" stats --json | sed 's/.*"messages":\([0-9]*\).*/\1/' | head -1)
echo "messages indexed: $msgs"
: >"$W/lat"
for w in parser index commit branch fix test build cache token session archive search query module config error retry socket buffer thread; do
	for q in "$w" "$w*" "\"$w index\"" "$w AND cache" "$w OR socket"; do
		"$BATON" search "$q" --limit 20 --json | sed 's/.*"ms":\([0-9]*\).*/\1/' >>"$W/lat"
	done
done
sort -n "$W/lat" >"$W/lat.s"; n=$(wc -l <"$W/lat.s")
echo "search ($n queries, in-process ms): p50 $(sed -n "$((n / 2))p" "$W/lat.s") ms, p99 $(sed -n "$((n * 99 / 100))p" "$W/lat.s") ms"
if command -v rg >/dev/null 2>&1; then
	/usr/bin/time -f '%e' -o "$W/t.rg" rg -c zebrafishword "$W/corpus" >/dev/null 2>&1 || true
	echo "rg over the raw files, one rare word: $(cat "$W/t.rg") s"
else
	echo "rg: not installed (skipped)"
fi
echo "archive: $(du -sh "$W/store/archive" | cut -f1) for $(du -sh "$W/corpus" | cut -f1) of transcripts"
