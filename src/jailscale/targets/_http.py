"""What the HTTP targets share: one aiohttp session per target, keys from the environment, and the
mapping from HTTP outcomes to :class:`Reply` error kinds.

aiohttp is used for its low CPU cost per request (the runner's overhead budget is 2x a bare aiohttp
client). Status codes map as the providers document them: 429 rate limited (honour
``Retry-After``), 408/409/5xx and Anthropic's 529 "overloaded" transient server errors, 401/403
``auth``, other 4xx ``client`` (permanent: the same request will fail again).
"""

from __future__ import annotations

import asyncio
import json
import os
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import aiohttp

from ..errors import UserError
from .base import Reply, Target
from .options import _HTTPOptions

#: Longest Retry-After honoured (seconds); a larger value is capped rather than stalling the run.
MAX_RETRY_AFTER = 300.0


def read_key(env_name: str, dotenv: Path | None = None) -> str | None:
    """The key in ``$env_name``, else in ``.env`` of the working folder (python-dotenv syntax). The
    value is returned to the caller only; it is never cached, logged or written anywhere."""
    value = os.environ.get(env_name)
    if value:
        return value
    path = dotenv or Path.cwd() / ".env"
    if path.is_file():
        from dotenv import dotenv_values

        found = dotenv_values(path).get(env_name)
        if found:
            return found
    return None


def retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms``, or ``Retry-After`` (seconds or an HTTP date), capped
    at :data:`MAX_RETRY_AFTER`; None when absent or unreadable."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return min(max(float(ms) / 1000, 0.0), MAX_RETRY_AFTER)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return min(max(float(raw), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    import datetime as dt

    delta = (when - dt.datetime.now(dt.UTC)).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


def status_reply(status: int, body: bytes, headers: Any) -> Reply:
    """A failed HTTP status as a Reply; the provider's message is kept (truncated), never the key."""
    detail = _error_message(body)
    text = f"HTTP {status}" + (f": {detail}" if detail else "")
    if status == 429:
        return Reply.failed("rate_limited", text, retry_after(headers))
    if status in (408, 409) or status >= 500:
        return Reply.failed("server", text, retry_after(headers))
    if status in (401, 403):
        return Reply.failed("auth", text)
    return Reply.failed("client", text)


def _error_message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body[:200].decode("utf-8", "replace").strip()
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        return str(err.get("message") or err.get("type") or "")[:200]
    if isinstance(err, str):
        return err[:200]
    return ""


def error_code(body: bytes) -> str:
    """The provider's ``error.code`` (or ``error.type``), for content-filter detection."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    err = data.get("error") if isinstance(data, dict) else None
    if isinstance(err, dict):
        return str(err.get("code") or err.get("type") or "")
    return ""


class HTTPTarget(Target):
    """A target reached over HTTP with one JSON POST per attempt."""

    default_base_url: str
    base_url_env: str
    key_env: str
    key_required_for: tuple[str, ...] = ()

    def __init__(self, model: str, opts: _HTTPOptions) -> None:
        self.model = model
        self.opts = opts
        self.base_url = (opts.base_url or os.environ.get(self.base_url_env, "").rstrip("/")
                         or self.default_base_url)
        self.price = opts.price
        self._session: aiohttp.ClientSession | None = None
        self._headers: dict[str, str] = {}

    def identity(self) -> dict[str, Any]:
        return {"target": self.address, "base_url": self.base_url}

    def auth_headers(self, key: str | None) -> dict[str, str]:
        raise NotImplementedError

    async def open(self) -> None:
        if self._session is not None:
            return
        env = self.opts.api_key_env or self.key_env
        key = read_key(env)
        if key is None and self.base_url.startswith(self.key_required_for):
            raise UserError(f"target {self.address!r} needs an API key: set {env} in the environment or in "
                            f".env (or pass --target-opt api_key_env=NAME)")
        self._headers = {"content-type": "application/json", **self.auth_headers(key)}
        connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(
            total=self.opts.timeout), skip_auto_headers=("User-Agent",))

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, path: str, body: dict[str, Any], item: str) -> tuple[int, bytes, Any] | Reply:
        """POST ``body``; the status, raw body and headers, or a Reply for a transport failure."""
        if self._session is None:
            await self.open()
        assert self._session is not None
        headers = self._headers
        if self.opts.tag_requests and item:
            headers = {**headers, "x-jailscale-item": item}
        try:
            async with self._session.post(self.base_url + path, data=json.dumps(body).encode(),
                                          headers=headers) as resp:
                raw = await resp.read()
                return resp.status, raw, resp.headers
        except TimeoutError:
            return Reply.failed("timeout", f"no complete answer within {self.opts.timeout:g} s")
        except aiohttp.ClientPayloadError as e:
            return Reply.failed("connection", f"body cut off: {type(e).__name__}")
        except (aiohttp.ClientConnectionError, ConnectionError, asyncio.IncompleteReadError) as e:
            return Reply.failed("connection", f"connection failed: {type(e).__name__}")
        except aiohttp.ClientError as e:
            return Reply.failed("connection", f"HTTP client error: {type(e).__name__}")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.address} at {self.base_url}>"


def parse_json(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
