"""Model-graded judges over any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, a hosted
API), chat (``/chat/completions``) or completions (``/completions``), with httpx.

**Options** (:class:`EndpointOptions`, ``-J KEY=VALUE``): ``base_url`` (required, e.g.
``http://127.0.0.1:8000/v1``), ``model``, ``endpoint`` (chat | completions), ``api_key_env`` (the
environment variable holding the key, default ``OPENAI_API_KEY``; the key is read at call time and
never stored, logged or recorded), ``temperature`` (default 0) and ``seed`` (default 0), pinned and
recorded, ``max_tokens``, ``timeout`` (seconds per attempt), ``retries`` and ``backoff``.

**Failures** each land in their own count (:data:`~jailscale.formats.JudgeFailure`), as an
``unscoreable`` verdict, never as a refusal: ``http_error`` (a non-2xx answer, or one that is not a
completion), ``content_filter`` (the endpoint's filter blocked the judge prompt: HTTP 400 with code
``content_filter``/``content_policy_violation``, or ``finish_reason`` ``content_filter``),
``timeout`` (every attempt timed out) and ``unreadable`` (a reply the judge's parser cannot read).

**Retries** only on transient errors: connection failures, timeouts, HTTP 408, 409, 429, 500, 502,
503 and 504, at most ``retries`` more attempts, waiting ``backoff · 2^attempt`` seconds between them.

**Recorded in every verdict** (:class:`~jailscale.formats.JudgeCall`): model id, endpoint kind, the
sha256 of the exact request body's prompt part, temperature, seed, max_tokens, and the start of the
reply. ``config()`` holds what changes verdicts (model, kind, sampling, the prompt template's hash),
not the URL, key, timeout or retries.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import contextvars
import hashlib
import os
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import Field

from ..formats import Behaviour, JudgeCall, JudgeFailure, Label, Transcript, Verdict, canonical_json
from .base import Item, Judge
from .options import JudgeOptions, parse_options

#: HTTP statuses worth another attempt (request timeout, conflict, rate limit, server errors).
TRANSIENT_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
#: Error codes with which OpenAI-compatible APIs say their content filter refused the prompt.
FILTER_CODES = frozenset({"content_filter", "content_policy_violation", "content_filtered"})


class EndpointOptions(JudgeOptions):
    """Options every endpoint judge takes (subclasses change the defaults of ``model``,
    ``endpoint`` and ``max_tokens``)."""

    base_url: str = Field(min_length=1, pattern=r"^https?://", description="e.g. http://127.0.0.1:8000/v1")
    model: str = Field(min_length=1)
    endpoint: Literal["chat", "completions"] = "chat"
    api_key_env: str = Field("OPENAI_API_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    seed: int | None = 0
    max_tokens: int = Field(64, ge=1, le=8192)
    timeout: float = Field(60.0, gt=0.0, le=3600.0)
    retries: int = Field(2, ge=0, le=10)
    backoff: float = Field(0.5, ge=0.0, le=60.0)


@dataclass(frozen=True)
class Prompt:
    """What a judge sends: chat messages, or one completion prompt."""

    messages: list[dict[str, str]] = field(default_factory=list)
    text: str | None = None

    def body(self) -> dict[str, Any]:
        return {"prompt": self.text} if self.text is not None else {"messages": self.messages}


@dataclass(frozen=True)
class Reading:
    """A judge's parsed reply."""

    label: Label
    p_harmful: float | None = None
    quality: float | None = None
    rationale: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class EndpointError(Exception):
    """A call that gave no reply text; ``kind`` says which count it lands in."""

    def __init__(self, kind: JudgeFailure, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _error_code(payload: Any) -> str | None:
    if isinstance(payload, dict):
        err = payload.get("error", payload)
        if isinstance(err, dict):
            code = err.get("code") or err.get("type")
            return str(code) if code is not None else None
    return None


#: The HTTP client shared by the calls of one :meth:`EndpointJudge.judge_many` batch (None: one per call).
_CLIENT: contextvars.ContextVar[Any] = contextvars.ContextVar("jailscale_judge_client", default=None)


@contextlib.asynccontextmanager
async def shared_client(connections: int, timeout: float = 60.0) -> AsyncIterator[None]:
    """Within this block, every endpoint call (of any endpoint judge, e.g. a panel's members) uses one
    HTTP client and its connection pool instead of opening a client per call. Each call still sends
    its own judge's timeout."""
    import httpx

    async with httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=max(1, connections))) as client:
        token = _CLIENT.set(client)
        try:
            yield
        finally:
            _CLIENT.reset(token)


async def call_endpoint(opts: EndpointOptions, prompt: Prompt) -> str:
    """Send ``prompt`` and return the reply text, retrying transient failures (module docstring).
    Raises :class:`EndpointError`."""
    import httpx  # imported here: only endpoint judges need it

    shared = _CLIENT.get()
    if shared is not None:
        return await _post(shared, opts, prompt)
    async with httpx.AsyncClient(timeout=opts.timeout) as client:
        return await _post(client, opts, prompt)


async def _post(client: Any, opts: EndpointOptions, prompt: Prompt) -> str:
    import httpx

    path = "/chat/completions" if prompt.text is None else "/completions"
    url = opts.base_url.rstrip("/") + path
    body: dict[str, Any] = {"model": opts.model, "temperature": opts.temperature, "max_tokens": opts.max_tokens,
                            **prompt.body()}
    if opts.seed is not None:
        body["seed"] = opts.seed
    headers = {"Content-Type": "application/json"}
    key = os.environ.get(opts.api_key_env)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    last: EndpointError = EndpointError("http_error", "no attempt made")
    for attempt in range(opts.retries + 1):
        if attempt:
            await asyncio.sleep(opts.backoff * 2 ** (attempt - 1))
        try:
            resp = await client.post(url, json=body, headers=headers, timeout=opts.timeout)
        except httpx.TimeoutException:
            last = EndpointError("timeout", f"no reply within {opts.timeout:g} s")
            continue
        except httpx.TransportError as e:
            last = EndpointError("http_error", f"cannot reach the endpoint: {type(e).__name__}")
            continue
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        if resp.status_code >= 400:
            code = _error_code(payload)
            if code in FILTER_CODES:
                raise EndpointError("content_filter", f"HTTP {resp.status_code} {code}")
            last = EndpointError("http_error", f"HTTP {resp.status_code}" + (f" {code}" if code else ""))
            if resp.status_code in TRANSIENT_STATUS:
                continue
            raise last
        return _reply_text(payload, chat=prompt.text is None)
    raise last


def _reply_text(payload: Any, *, chat: bool) -> str:
    try:
        choice = payload["choices"][0]
        finish = choice.get("finish_reason")
        text = choice["message"]["content"] if chat else choice["text"]
    except (KeyError, IndexError, TypeError) as e:
        raise EndpointError("http_error", f"the reply is not a {'chat ' if chat else ''}completion "
                                          f"({type(e).__name__})") from None
    if finish == "content_filter":
        raise EndpointError("content_filter", "finish_reason content_filter")
    if text is None:
        raise EndpointError("http_error", "the reply has no text")
    return str(text)


def prompt_hash(prompt: Prompt) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(prompt.body()).encode("utf-8")).hexdigest()


class EndpointJudge(Judge):
    """A judge that asks a model. Subclasses set ``name``, ``version``, ``Options`` (defaults),
    ``TEMPLATE`` (the prompt text whose hash identifies the judge) and implement :meth:`build` and
    :meth:`read`."""

    Options: ClassVar[type[EndpointOptions]] = EndpointOptions
    TEMPLATE: ClassVar[str]

    def __init__(self, **options: Any) -> None:
        self.options = parse_options(self.name, self.Options, options)

    def config(self) -> dict[str, Any]:
        o = self.options
        return {**super().config(), "model": o.model, "endpoint": o.endpoint, "temperature": o.temperature,
                "seed": o.seed, "max_tokens": o.max_tokens,
                "template": "sha256:" + hashlib.sha256(self.TEMPLATE.encode("utf-8")).hexdigest()}

    async def judge_many(self, items: Iterable[Item], concurrency: int = 8) -> list[Verdict]:
        """As :meth:`Judge.judge_many`, with one HTTP client (connection pool) for the whole batch."""
        async with shared_client(concurrency, self.options.timeout):
            return await super().judge_many(items, concurrency)

    @abc.abstractmethod
    def build(self, behaviour: Behaviour, response: str) -> Prompt:
        """The prompt for one (request, response) pair, for ``self.options.endpoint``."""

    @abc.abstractmethod
    def read(self, reply: str) -> Reading | None:
        """The verdict in ``reply``, or None when it cannot be read."""

    async def evaluate(self, behaviour: Behaviour, transcript: Transcript) -> Verdict:
        prompt = self.build(behaviour, transcript.response or "")
        o = self.options
        call = JudgeCall(model=o.model, endpoint_kind=o.endpoint, prompt_hash=prompt_hash(prompt),
                         temperature=o.temperature, seed=o.seed, max_tokens=o.max_tokens)
        try:
            reply = await call_endpoint(o, prompt)
        except EndpointError as e:
            return self.verdict("unscoreable", failure=e.kind, call=call, rationale=f"{e.kind}: {e}")
        call = call.model_copy(update={"reply_excerpt": reply[:200]})
        reading = self.read(reply)
        if reading is None:
            return self.verdict("unscoreable", failure="unreadable", call=call,
                                rationale="the judge's reply holds no verdict the parser can read")
        return self.verdict(reading.label, p_harmful=reading.p_harmful, quality=reading.quality, call=call,
                            rationale=reading.rationale, **reading.extra)
