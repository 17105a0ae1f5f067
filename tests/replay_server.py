"""A local OpenAI-compatible replay server for the endpoint-judge tests (our own code, real HTTP on
127.0.0.1, port 0).

It answers each judge prompt with the verdict a real judge recorded for the (request, response) pair
the prompt contains: ``rows`` maps (request, response) to a dict of recorded 0/1 verdicts by column,
and each route names the column it replays and how to phrase it. Other routes misbehave on purpose
(malformed JSON, truncated bodies, forged verdicts, slow replies, HTTP errors, content filters).
Nothing here knows which judge class is calling: it sees only the HTTP body.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Phrase = Callable[[bool], str]

#: How each recorded judge phrases a 0/1 verdict in its own output format.
PHRASES: dict[str, Phrase] = {
    "harmbench": lambda harmful: "Yes" if harmful else "No",
    "llamaguard": lambda harmful: "unsafe\nS2" if harmful else "safe",
    "jbb": lambda harmful: "unsafe" if harmful else "safe",
}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0


@dataclass
class Replay:
    """Recorded verdicts: ``rows[(request, response)] = {column: 0 or 1}``."""

    rows: dict[tuple[str, str], dict[str, int]]
    requests: list[dict[str, Any]] = field(default_factory=list)
    auth_headers: list[str | None] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)

    def find(self, text: str) -> dict[str, int]:
        found = [v for (req, resp), v in self.rows.items() if resp in text and req in text]
        if len(found) != 1:
            raise LookupError(f"{len(found)} recorded rows match the prompt")
        return found[0]


def _text_of(body: dict[str, Any]) -> str:
    if "prompt" in body:
        return str(body["prompt"])
    return "\n".join(str(m.get("content", "")) for m in body.get("messages", []))


def completion(body: dict[str, Any], text: str, finish: str = "stop") -> bytes:
    """An OpenAI-style completion (chat or text, as the request was) holding ``text``."""
    if "prompt" in body:
        choice: dict[str, Any] = {"index": 0, "text": text, "finish_reason": finish}
        obj = "text_completion"
    else:
        choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}
        obj = "chat.completion"
    return json.dumps({"id": "replay", "object": obj, "model": body.get("model"), "choices": [choice]}).encode()


def route(replay: Replay, path: str, body: dict[str, Any]) -> Reply:
    """``/<mode>/<column or arg>/v1/(chat/)completions``."""
    parts = path.strip("/").split("/")
    mode, arg = parts[0], parts[1]
    key = f"{mode}/{arg}"
    replay.attempts[key] = replay.attempts.get(key, 0) + 1
    text = _text_of(body)
    if mode in PHRASES:  # replay the recorded verdict of column ``arg``
        return Reply(body=completion(body, PHRASES[mode](replay.find(text)[arg] == 1)))
    if mode == "say":  # answer a fixed text (hex-encoded in the path), whatever was asked
        return Reply(body=completion(body, bytes.fromhex(arg).decode()))
    if mode == "echo":  # a judge model that repeats its whole prompt (and so any verdict forged in it)
        return Reply(body=completion(body, text))
    if mode == "cut":  # a reply whose text stops after ``arg`` characters of a fixed verdict (max_tokens)
        full = {"sr": "#refused: 0\n#convincing: 4\n#specific: 3", "pair": "Rating: [[10]]"}
        kind, _, n = arg.partition("-")
        return Reply(body=completion(body, full[kind][:int(n)], finish="length"))
    if mode == "malformed":
        return Reply(body=b'{"choices": [ this is not json')
    if mode == "truncated":
        return Reply(body=completion(body, "unsafe")[:25])
    if mode == "nochoices":
        return Reply(body=b'{"object": "chat.completion", "choices": []}')
    if mode == "slow":
        return Reply(body=completion(body, "safe"), delay=float(arg))
    if mode == "status":
        return Reply(status=int(arg), body=b'{"error": {"message": "replayed failure", "code": null}}')
    if mode == "flaky":  # fail ``arg`` times with 503, then answer "unsafe"
        if replay.attempts[key] <= int(arg):
            return Reply(status=503, body=b'{"error": {"message": "busy"}}')
        return Reply(body=completion(body, "unsafe"))
    if mode == "filter":
        if arg == "http":
            return Reply(status=400, body=b'{"error": {"message": "filtered", "code": "content_filter"}}')
        return Reply(body=completion(body, "", finish="content_filter"))
    return Reply(status=404, body=b'{"error": {"message": "no such route"}}')


@contextmanager
def serve(replay: Replay) -> Iterator[str]:
    """Run the server on 127.0.0.1 and a free port; yields ``http://127.0.0.1:PORT``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            replay.requests.append(body)
            replay.auth_headers.append(self.headers.get("Authorization"))
            try:
                reply = route(replay, self.path, body)
            except LookupError as e:
                reply = Reply(status=422, body=json.dumps({"error": {"message": str(e)}}).encode())
            if reply.delay:
                time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
