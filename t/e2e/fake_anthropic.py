#!/usr/bin/env python3
"""A scripted fake of the Anthropic Messages API on 127.0.0.1, for driving the real
Claude Code CLI offline (see t/e2e/run).

Every request whose last user turn does not carry the result of our tool call gets a
streamed reply calling TOOL (default mcp__baton__session_list) with ARGS; the request
that carries its tool_result gets a short text reply, and the tool_result is appended
(as one JSON line) to RESULTS. Bounded: it serves at most MAX_REQUESTS requests and
exits after LIFETIME seconds whatever happens.

usage: fake_anthropic.py PORT_FILE RESULTS [TOOL [ARGS_JSON]]

With TOOL "-" it never calls a tool and answers every request with text; with
FAKE_REQUESTS=FILE in the environment every request body is appended to FILE (one
JSON line), so a test can read what reached the model (t/e2e/hooks does both).
"""
import os
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_REQUESTS = 40
LIFETIME = 180
TOOL_USE_ID = "toolu_baton_e2e_1"

port_file, results = sys.argv[1], sys.argv[2]
tool = sys.argv[3] if len(sys.argv) > 3 else "mcp__baton__session_list"
tool_args = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
served = 0
lock = threading.Lock()


def log(msg):
    sys.stderr.write("fake-anthropic: %s\n" % msg)
    sys.stderr.flush()


def find_tool_result(body):
    """The tool_result block answering our call in the last user message, if any."""
    msgs = body.get("messages") or []
    for m in reversed(msgs):
        if m.get("role") != "user":
            continue
        content = m.get("content")
        if isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") == "tool_result" \
                        and block.get("tool_use_id") == TOOL_USE_ID:
                    return block
        return None
    return None


def sse(events):
    out = []
    for ev in events:
        out.append("event: %s\ndata: %s\n\n" % (ev["type"], json.dumps(ev)))
    return "".join(out).encode()


def message_events(model, block, stop_reason):
    start = {"type": "message_start", "message": {
        "id": "msg_fake_%d" % served, "type": "message", "role": "assistant", "model": model,
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 1,
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}}
    events = [start]
    if block["type"] == "tool_use":
        events.append({"type": "content_block_start", "index": 0, "content_block": {
            "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}})
        events.append({"type": "content_block_delta", "index": 0, "delta": {
            "type": "input_json_delta", "partial_json": json.dumps(block["input"])}})
    else:
        events.append({"type": "content_block_start", "index": 0,
                       "content_block": {"type": "text", "text": ""}})
        events.append({"type": "content_block_delta", "index": 0,
                       "delta": {"type": "text_delta", "text": block["text"]}})
    events.append({"type": "content_block_stop", "index": 0})
    events.append({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                   "usage": {"output_tokens": 10}})
    events.append({"type": "message_stop"})
    return events


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, ctype, data):
        self.send_response(code)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.reply(404, "application/json", b'{"type":"error","error":{"type":"not_found_error","message":"no"}}')

    def do_POST(self):
        global served
        n = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(n) if n else b"{}"
        with lock:
            served += 1
            count = served
        if count > MAX_REQUESTS:
            log("request budget spent, stopping")
            threading.Thread(target=self.server.shutdown, daemon=True).start()
            self.reply(529, "application/json", b'{"type":"error","error":{"type":"overloaded_error","message":"budget"}}')
            return
        if not self.path.startswith("/v1/messages") or "count_tokens" in self.path:
            self.reply(404, "application/json", b'{"type":"error","error":{"type":"not_found_error","message":"no"}}')
            return
        try:
            body = json.loads(raw)
        except ValueError:
            body = {}
        model = body.get("model", "claude-fake")
        result = find_tool_result(body)
        tools = [t.get("name") for t in body.get("tools") or []]
        log("request %d: %d messages, %d tools, tool_result=%s" % (count, len(body.get("messages") or []),
                                                                     len(tools), result is not None))
        if os.environ.get("FAKE_REQUESTS"):
            with lock, open(os.environ["FAKE_REQUESTS"], "a") as f:
                f.write(json.dumps(body) + "\n")
        if tool == "-":
            block, stop = {"type": "text", "text": "ok"}, "end_turn"
        elif result is not None:
            with open(results, "a") as f:
                f.write(json.dumps(result) + "\n")
            block, stop = {"type": "text", "text": "baton answered."}, "end_turn"
        elif tools:
            block = {"type": "tool_use", "id": TOOL_USE_ID, "name": tool, "input": tool_args}
            stop = "tool_use"
        else:
            block, stop = {"type": "text", "text": "ok"}, "end_turn"
        if body.get("stream"):
            self.reply(200, "text/event-stream", sse(message_events(model, block, stop)))
        else:
            content = [block if block["type"] == "text" else
                       {"type": "tool_use", "id": block["id"], "name": block["name"], "input": block["input"]}]
            self.reply(200, "application/json", json.dumps({
                "id": "msg_fake_%d" % count, "type": "message", "role": "assistant", "model": model,
                "content": content, "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": 100, "output_tokens": 10}}).encode())


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    timer = threading.Timer(LIFETIME, srv.shutdown)
    timer.daemon = True
    timer.start()
    srv.serve_forever()
    log("stopped after %d requests" % served)


if __name__ == "__main__":
    main()
