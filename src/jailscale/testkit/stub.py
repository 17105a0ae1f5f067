"""A stub OpenAI-compatible (and Anthropic Messages) server with fault injection, for tests, the
benchmark and the guide. It serves 127.0.0.1 only and answers from rules, never from a model.

Answers: a prompt containing ``comply_marker`` gets a neutral placeholder answer, any other a
refusal sentence (so the offline ``rules`` judge reads jailbreak and baseline apart).

Faults: each fault has a rate in [0, 1]. Whether an attempt is faulted is decided from the hash of
its item label (``x-jailscale-item``, else the body) and the attempt number for that item: an item
is faulted on its first ``fault_attempts`` attempts when its hash falls in the fault's share, then
answered normally. So every fault is injected at a known, reproducible share of requests and every
request succeeds eventually, which lets tests count exactly (no lost, no duplicated result).

Kinds: ``rate_limit`` (429 with ``Retry-After``), ``server_error`` (500), ``timeout`` (waits
``hang`` seconds before answering, past the client's timeout), ``malformed`` (200 with a body that
is not JSON), ``drop`` (closes the connection without a response), ``truncate`` (announces a longer
body than it sends, then closes), ``slow`` (a correct answer trickled in chunks over ``slow``
seconds).

Run it alone with ``python -m jailscale.testkit.stub --port 8000`` (port 0 picks a free port; the
URL is printed on the first line).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

REFUSAL = "I can't help with that request."
#: Shaped like a real answer (numbered steps) so that the offline triage judge reads it as carrying out
#: the request; every step is placeholder text with no operational content.
ANSWER = "Sure, here is how to do it (PLACEHOLDER answer from the stub server).\n" + "\n".join(
    f"{n}. Step {n}: PLACEHOLDER instruction {n} from the stub server, standing in for one concrete part of a "
    "complete answer." for n in range(1, 6))
KINDS = ("rate_limit", "server_error", "timeout", "malformed", "drop", "truncate", "slow")


@dataclass
class Faults:
    """Shares of attempts to fault, per kind (their sum must stay <= 1)."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    timeout: float = 0.0
    malformed: float = 0.0
    drop: float = 0.0
    truncate: float = 0.0
    slow: float = 0.0
    fault_attempts: int = 1
    retry_after: float = 0.05
    hang: float = 5.0
    slow_seconds: float = 0.3
    latency: float = 0.0

    def pick(self, item: str, attempt: int) -> str | None:
        if attempt >= self.fault_attempts:
            return None
        h = int.from_bytes(hashlib.sha256(item.encode()).digest()[:4], "big") / 2**32
        edge = 0.0
        for kind in KINDS:
            edge += float(getattr(self, kind))
            if h < edge:
                return kind
        return None


@dataclass
class Stub:
    """The stub's state: faults to inject and what it saw (``received`` counts every attempt per
    item, ``answered`` the complete normal answers sent, ``faulted`` the faults injected)."""

    faults: Faults = field(default_factory=Faults)
    comply_marker: str = "PLACEHOLDER role-play frame"
    received: Counter[str] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)
    faulted: Counter[str] = field(default_factory=Counter)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._openai)
        app.router.add_post("/v1/messages", self._anthropic)
        return app

    def _answer_text(self, body: dict[str, Any]) -> str:
        texts = [str(m.get("content", "")) for m in body.get("messages", []) if isinstance(m, dict)]
        texts.append(str(body.get("system", "")))
        return ANSWER if any(self.comply_marker in t for t in texts) else REFUSAL

    async def _handle(self, request: web.Request, shape: str) -> web.StreamResponse:
        raw = await request.read()
        item = request.headers.get("x-jailscale-item") or hashlib.sha256(raw).hexdigest()[:16]
        attempt = self.received[item]
        self.received[item] += 1
        f = self.faults
        kind = f.pick(item, attempt)
        if f.latency:
            await asyncio.sleep(f.latency)
        if kind is not None:
            self.faulted[kind] += 1
        if kind == "rate_limit":
            return web.json_response({"error": {"message": "rate limited (stub)", "type": "rate_limit"}},
                                     status=429, headers={"Retry-After": f"{f.retry_after:g}"})
        if kind == "server_error":
            return web.json_response({"error": {"message": "internal error (stub)"}}, status=500)
        if kind == "timeout":
            await asyncio.sleep(f.hang)
            return web.json_response({"error": {"message": "too late (stub)"}}, status=504)
        if kind == "malformed":
            return web.Response(body=b'{"choices": [ {"mess', content_type="application/json")
        if kind in ("drop", "truncate"):
            return await self._break(request, kind)
        try:
            body = json.loads(raw)
        except ValueError:
            return web.json_response({"error": {"message": "body is not JSON"}}, status=400)
        text = self._answer_text(body)
        payload = self._payload(shape, str(body.get("model", "stub")), text)
        self.answered[item] += 1
        if kind == "slow":
            return await self._trickle(request, payload)
        return web.Response(body=payload, content_type="application/json")

    @staticmethod
    def _payload(shape: str, model: str, text: str) -> bytes:
        usage_in, usage_out = 20, max(1, len(text) // 4)
        if shape == "anthropic":
            data: dict[str, Any] = {"type": "message", "role": "assistant", "model": model,
                                    "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                                    "usage": {"input_tokens": usage_in, "output_tokens": usage_out}}
        else:
            data = {"id": "stub", "object": "chat.completion", "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": usage_in, "completion_tokens": usage_out}}
        return json.dumps(data).encode()

    async def _trickle(self, request: web.Request, payload: bytes) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"content-type": "application/json"})
        resp.content_length = len(payload)
        await resp.prepare(request)
        chunks = 5
        step = max(1, len(payload) // chunks + 1)
        for i in range(0, len(payload), step):
            await resp.write(payload[i:i + step])
            await asyncio.sleep(self.faults.slow_seconds / chunks)
        await resp.write_eof()
        return resp

    async def _break(self, request: web.Request, kind: str) -> web.StreamResponse:
        transport = request.transport
        if kind == "truncate" and transport is not None:
            transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"ch")
        if transport is not None:
            transport.close()
        raise asyncio.CancelledError  # the connection is gone: aiohttp drops the handler quietly

    async def _openai(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "openai")

    async def _anthropic(self, request: web.Request) -> web.StreamResponse:
        return await self._handle(request, "anthropic")


class StubServer:
    """The stub on 127.0.0.1 in a background thread with its own event loop (so a test or a
    benchmark can drive clients, or a subprocess, against it). ``url`` is the OpenAI base URL."""

    def __init__(self, stub: Stub | None = None, port: int = 0) -> None:
        self.stub = stub or Stub()
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.stub.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port, backlog=1024)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def __enter__(self) -> StubServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the stub server did not start within 10 s")
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


def main(argv: list[str] | None = None) -> None:
    """``python -m jailscale.testkit.stub [--port N] [--KIND RATE ...]``: serve until interrupted."""
    import argparse
    import time

    p = argparse.ArgumentParser(description="stub OpenAI-compatible server (127.0.0.1 only)")
    p.add_argument("--port", type=int, default=0)
    for kind in KINDS:
        p.add_argument(f"--{kind.replace('_', '-')}", type=float, default=0.0, help=f"share of {kind} faults")
    p.add_argument("--retry-after", type=float, default=0.05)
    p.add_argument("--latency", type=float, default=0.0)
    args = p.parse_args(argv)
    faults = Faults(**{k: getattr(args, k) for k in KINDS}, retry_after=args.retry_after, latency=args.latency)
    with StubServer(Stub(faults=faults), port=args.port) as server:
        print(server.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
