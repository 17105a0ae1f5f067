"""Headers and guards every response gets: a strict Content-Security-Policy (no scripts at all, styles
only from the registry's own static file, forms posting only to the registry), no MIME sniffing, no
framing, no referrer; and a bound on request bodies (413 past it)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import body as error_body

CSP = ("default-src 'none'; script-src 'none'; object-src 'none'; style-src 'self'; img-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)
MAX_BODY = 32 * 1024 * 1024


async def _send_error(send: Send, status: int, message: str) -> None:
    payload = json.dumps(error_body(status, message)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            *HEADERS]})
    await send({"type": "http.response.body", "body": payload})


class TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: security headers on every response, the body bound, and a last-resort 500 in
    the registry's error shape for anything unhandled (the detail goes to the log, not the client)."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                await _send_error(send, 400, "Content-Length is not a number")
                return
            if too_big:
                await _send_error(send, 413, f"the request body is over {self.max_body} bytes")
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max_body:
                    raise TooLarge
            return msg

        async def secured(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in msg.get("headers", [])}
                msg = {**msg, "headers": [*msg.get("headers", []), *(h for h in HEADERS if h[0] not in names)]}
            await send(msg)

        try:
            await self.app(scope, counted, secured)
        except TooLarge:
            if not started:
                await _send_error(send, 413, f"the request body is over {self.max_body} bytes")
        except Exception:
            import logging

            logging.getLogger("jailscale.server").exception("unhandled error on %s", scope.get("path"))
            if not started:
                await _send_error(send, 500, "internal error: the registry logged it")


