#!/usr/bin/env python3
"""Synthetic transcript corpus for `make bench`: Claude- and Codex-shaped JSONL.
usage: gen.py DIR TOTAL_MB [BIG_FILE_MB [QUERIES_FILE]]
Files of ~1.5 MB, half Claude, half Codex. Words follow a Zipf law over a vocabulary
of a few thousand (like prose and code talk), so a query's selectivity is realistic:
a few words are in most messages, most words in few. QUERIES_FILE gets search
queries drawn over that range: frequent, middling and rare words, prefixes, phrases,
AND/OR, as people and agents type them; QUERIES_FILE.rare 100 different rare words."""
import functools, itertools, json, os, random, sys, uuid

# compact, as the agents write it: ccusage's line filter looks for '"type":"assistant"' and
# skipped every line of a corpus printed with json.dumps' default ', ' and ': '
dumps = functools.partial(json.dumps, separators=(",", ":"))

out, total_mb = sys.argv[1], float(sys.argv[2])
big_mb = float(sys.argv[3]) if len(sys.argv) > 3 else 0
queries_path = sys.argv[4] if len(sys.argv) > 4 else None
rnd = random.Random(42)
COMMON = ("the to a of and in is it for that this with on be not file test we can build error "
          "parser index commit branch fix cache token session archive search query module config "
          "retry socket buffer thread render schema merge").split()
SYL = "ka ri to mu se la po ne vi do ru chi an el or is un ex pro con tra mer lin dex gra sto".split()
def coined(i):
    r = random.Random(i)
    return "".join(r.choice(SYL) for _ in range(2 + i % 3)) + str(i % 7 if i % 5 == 0 else "")
VOCAB = list(dict.fromkeys(COMMON + [coined(i) for i in range(6000)]))[:5000]
CUM = list(itertools.accumulate(1.0 / (r + 1) ** 1.07 for r in range(len(VOCAB))))

def text(n):
    return " ".join(rnd.choices(VOCAB, cum_weights=CUM, k=n))

def claude_file(path, size):
    sid = str(uuid.UUID(int=rnd.getrandbits(128)))
    with open(path, "w") as f:
        n, i = 0, 0
        while n < size:
            i += 1
            ts = "2026-11-%02dT10:%02d:%02d.000Z" % (1 + i % 28, i % 60, i % 60)
            base = {"uuid": "u%d-%s" % (i, sid[:8]), "sessionId": sid, "timestamp": ts,
                    "cwd": "/home/dev/proj%d" % (hash(sid) % 20), "gitBranch": "main", "version": "2.1.50"}
            if i % 3 == 1:
                rec = dict(base, type="user", message={"role": "user", "content": text(30)})
            elif i % 3 == 2:
                rec = dict(base, type="assistant", requestId="req_%d" % i, message={
                    "id": "msg_%d_%s" % (i, sid[:6]), "role": "assistant", "model": "claude-sonnet-4-5",
                    "content": [{"type": "tool_use", "id": "toolu_%d" % i, "name": "Bash",
                                 "input": {"command": "make test && " + text(5)}}],
                    "usage": {"input_tokens": 1000 + i, "output_tokens": 50, "cache_read_input_tokens": 9000}})
            else:
                rec = dict(base, type="user", message={"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_%d" % (i - 1), "content": text(300)}]})
            line = dumps(rec) + "\n"
            f.write(line)
            n += len(line)

def codex_file(path, size):
    sid = str(uuid.UUID(int=rnd.getrandbits(128)))
    with open(path, "w") as f:
        f.write(dumps({"timestamp": "2026-11-01T00:00:00.000Z", "type": "session_meta", "payload": {
            "id": sid, "cwd": "/home/dev/cx%d" % (hash(sid) % 20), "git": {"branch": "main"}}}) + "\n")
        n, i, total = 0, 0, 0
        while n < size:
            i += 1
            ts = "2026-11-01T10:%02d:%02d.000Z" % (i % 60, i % 60)
            if i % 3 == 0:
                p = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text(30)}]}
            elif i % 3 == 1:
                p = {"type": "function_call", "name": "exec_command", "call_id": "c%d" % i,
                     "arguments": dumps({"cmd": "cargo test " + text(4)})}
            else:
                p = {"type": "function_call_output", "call_id": "c%d" % (i - 1), "output": text(300)}
            line = dumps({"timestamp": ts, "type": "response_item", "payload": p}) + "\n"
            total += 1000
            line += dumps({"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count", "info": {
                "total_token_usage": {"total_tokens": total}, "last_token_usage": {"input_tokens": 990, "output_tokens": 10}}}}) + "\n"
            f.write(line)
            n += len(line)

per = 1.5 * 1024 * 1024
count = max(2, int(total_mb * 1024 * 1024 / per)) if total_mb > 0 else 0
for k in range(count):
    if k % 2 == 0:
        d = os.path.join(out, ".claude/projects/-home-dev-p%d" % (k % 40))
        os.makedirs(d, exist_ok=True)
        claude_file(os.path.join(d, "%s.jsonl" % uuid.UUID(int=rnd.getrandbits(128))), per)
    else:
        d = os.path.join(out, ".codex/sessions/2026/11/%02d" % (1 + k % 28))
        os.makedirs(d, exist_ok=True)
        codex_file(os.path.join(d, "rollout-2026-11-01T00-00-00-%s.jsonl" % uuid.UUID(int=rnd.getrandbits(128))), per)
if big_mb:
    d = os.path.join(out, ".claude/projects/-home-dev-big")
    os.makedirs(d, exist_ok=True)
    claude_file(os.path.join(d, "%s.jsonl" % uuid.UUID(int=rnd.getrandbits(128))), big_mb * 1024 * 1024)
if queries_path:
    q = random.Random(7)
    words = [VOCAB[r] for r in list(range(0, 30, 3)) + list(range(100, 600, 50)) + list(range(1500, 5000, 350))]
    lines = []
    for w in words:
        v = q.choice(VOCAB[:200])
        lines += [w, w[:4] + "*", '"%s %s"' % (w, v), "%s AND %s" % (w, v), "%s OR %s" % (w, q.choice(VOCAB[1000:]))]
    with open(queries_path, "w") as f:
        f.write("\n".join(lines) + "\n")
    # 100 different rare words (ranks 3000-3099: a few thousand hits each at 1.2M
    # messages), for searches that do not find the previous one's pages cached
    with open(queries_path + ".rare", "w") as f:
        f.write("\n".join(VOCAB[3000:3100]) + "\n")
