"""The target seam: one async call, ``complete(request) -> Reply``, for every model a run can reach.

A target makes **one attempt** and says what happened; it never retries and never sleeps (the
runner owns retries, backoff, concurrency and budgets, so every target gets the same policy).

Rules every target follows (the runner and the judges rely on them):

1. Nothing that came back is a refusal unless the model wrote it. Transport failures, HTTP errors,
   unreadable bodies and timeouts are ``Reply.error`` with an :data:`ErrorKind`; a provider's
   content filter is ``blocked_by`` with the layer that stopped it. Neither is ever a refusal.
2. ``kind`` says whether trying again can help: :data:`TRANSIENT` kinds are retried by the runner,
   the others are recorded at once.
3. Credentials are read when the target is opened and live only in request headers: they are never
   part of :meth:`Target.identity` (what caches and journals record), ``repr`` or an error text.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from pydantic import Field

from ..formats import Layer, sha256_of
from ..formats._base import Model
from ..formats.evidence import LayerOutcome

ErrorKind = Literal["rate_limited", "server", "timeout", "connection", "malformed", "client", "auth",
                    "blocked", "unsupported", "budget"]

#: Error kinds worth another attempt: the same request may succeed later. ``malformed`` is here
#: because a truncated or garbled body is usually a transport fault, not the model's answer.
TRANSIENT: frozenset[str] = frozenset({"rate_limited", "server", "timeout", "connection", "malformed"})


class Sampling(Model):
    """Sampling parameters, stated and recorded with the run (they are part of the cache key).

    Defaults: temperature 0 and 512 output tokens, the settings most jailbreak benchmarks report
    (JailbreakBench and HarmBench both use greedy decoding for their headline numbers)."""

    temperature: float = Field(0.0, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_tokens: int = Field(512, ge=1, le=65536)
    seed: int | None = None
    stop: list[str] | None = None


class Price(Model):
    """US dollars per million input and output tokens, as the user states them (no built-in list:
    prices change, and a stale price would understate a budget)."""

    input: float = Field(0.0, ge=0.0)
    output: float = Field(0.0, ge=0.0)

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input + output_tokens * self.output) / 1_000_000


@dataclass(frozen=True, slots=True)
class Request:
    """One attempt to send. ``messages`` are ``{"role", "content"}`` dicts (``system`` first when
    present); ``prefill`` is text the assistant turn must start with (where the API allows it);
    ``item`` labels the attempt (``behaviour|condition|reference|sample``) for replay and logs."""

    messages: tuple[dict[str, str], ...]
    sampling: Sampling
    sample: int = 0
    prefill: str | None = None
    item: str = ""


@dataclass(slots=True)
class Reply:
    """What one attempt produced. Exactly one of: ``text`` (the model answered), ``error`` (nothing
    usable came back, ``kind`` says why), or ``blocked_by`` (a safeguard layer stopped it)."""

    text: str | None = None
    error: str | None = None
    kind: ErrorKind | None = None
    blocked_by: Layer | None = None
    layers: dict[Layer, LayerOutcome] = field(default_factory=dict)
    retry_after: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    model: str | None = None
    finish_reason: str | None = None

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT

    @classmethod
    def failed(cls, kind: ErrorKind, error: str, retry_after: float | None = None) -> Reply:
        return cls(error=error, kind=kind, retry_after=retry_after)


class Target(abc.ABC):
    """A model (or a system of layers) that answers chat requests.

    Subclasses set ``provider`` and implement :meth:`complete`; those holding connections implement
    :meth:`open`/:meth:`aclose` (use ``async with target:``). ``model`` is the part of the address
    after ``provider/``.
    """

    provider: str
    model: str
    price: Price | None = None

    @property
    def address(self) -> str:
        return f"{self.provider}/{self.model}"

    def identity(self) -> dict[str, Any]:
        """Everything that determines this target's answers, without credentials: the cache key's
        target part. Subclasses add their endpoint (base URL) and answer-changing options."""
        return {"target": self.address}

    @property
    def identity_hash(self) -> str:
        """sha256 of :meth:`identity`, computed once per target (a target's identity is fixed when it
        is made)."""
        cached: str | None = self.__dict__.get("_identity_hash")
        if cached is None:
            cached = sha256_of(self.identity())
            self.__dict__["_identity_hash"] = cached
        return cached

    async def open(self) -> None:  # noqa: B027  (an optional hook: most targets hold nothing)
        """Acquire connections (called inside the running event loop)."""

    async def aclose(self) -> None:  # noqa: B027
        """Release connections."""

    async def __aenter__(self) -> Target:
        await self.open()
        return self

    async def __aexit__(self, et: type[BaseException] | None, e: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    @abc.abstractmethod
    async def complete(self, request: Request) -> Reply:
        """One attempt. Never raises for anything the endpoint did: failures are a :class:`Reply`
        with ``error`` and ``kind``."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.address}>"
