"""Per-target concurrency that adapts to rate limits, retries with jitter, and budgets.

**Concurrency** (:class:`AdaptiveLimiter`): additive increase, multiplicative decrease, as TCP does
and as provider guides recommend for 429s. Each target starts at its limit (default 16, at most
``max_concurrency``); an HTTP 429 halves it (never below 1) and holds every new attempt to that
target until ``Retry-After`` has passed; each run of ``limit`` consecutive successes raises it by 1,
back up to the maximum.

**Retries** (:class:`RetryPolicy`): only :data:`~jailscale.targets.TRANSIENT` errors are retried, at
most ``attempts`` attempts in all (default 6). The wait before retry n (n = 1, 2, ...) is
``Retry-After`` when the server sent one, plus up to 10% jitter, else "full jitter" exponential
backoff: uniform in [0, min(cap, base * 2**(n-1))], base 0.5 s, cap 30 s (the AWS Architecture Blog's
"Exponential Backoff and Jitter", which spreads retries of many clients best).

**Budgets** (:class:`Budget`): ``max_requests`` counts attempts sent (retries included);
``max_cost`` counts dollars from reported tokens at the target's stated price. Before each attempt the
budget reserves the attempt's worst case (its input estimate and ``max_tokens`` of output), so
concurrent attempts cannot overshoot it; the reservation is replaced by the real cost on return.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass

from ..targets import Price, Reply


class AdaptiveLimiter:
    def __init__(self, limit: int = 16, maximum: int = 64) -> None:
        self.maximum = max(1, maximum)
        self.limit = max(1, min(limit, self.maximum))
        self.active = 0
        self.paused_until = 0.0
        self._streak = 0
        self._cond = asyncio.Condition()
        self.decreases = 0

    async def acquire(self) -> None:
        async with self._cond:
            while True:
                wait = self.paused_until - time.monotonic()
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._cond.wait(), wait)
                    continue
                if self.active < self.limit:
                    self.active += 1
                    return
                await self._cond.wait()

    async def release(self, reply: Reply | None) -> None:
        async with self._cond:
            self.active -= 1
            if reply is not None and reply.kind == "rate_limited":
                self.limit = max(1, self.limit // 2)
                self.decreases += 1
                self._streak = 0
                if reply.retry_after:
                    self.paused_until = max(self.paused_until, time.monotonic() + reply.retry_after)
            elif reply is not None and reply.kind is None:
                self._streak += 1
                if self._streak >= self.limit and self.limit < self.maximum:
                    self.limit += 1
                    self._streak = 0
            self._cond.notify_all()


@dataclass
class RetryPolicy:
    attempts: int = 6
    base: float = 0.5
    cap: float = 30.0

    def delay(self, retry: int, reply: Reply, rng: random.Random) -> float:
        if reply.retry_after is not None:
            return reply.retry_after * (1 + 0.1 * rng.random())
        return rng.uniform(0, min(self.cap, self.base * 2 ** (retry - 1)))


class BudgetExhausted(Exception):
    """No more attempts may be sent under the run's budget."""


@dataclass
class Budget:
    max_requests: int | None = None
    max_cost: float | None = None
    requests: int = 0
    cost: float = 0.0
    reserved: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    stopped: str | None = None

    def reserve(self, price: Price | None, est_input: int, max_output: int) -> float:
        """Count one attempt and reserve its worst-case cost; raise when the budget is spent."""
        if self.max_requests is not None and self.requests >= self.max_requests:
            self.stopped = f"--max-requests {self.max_requests} reached"
            raise BudgetExhausted(self.stopped)
        worst = price.cost(est_input, max_output) if price else 0.0
        if self.max_cost is not None and self.cost + self.reserved + worst > self.max_cost:
            self.stopped = f"--max-cost {self.max_cost:g} reached (spent ${self.cost:.4f})"
            raise BudgetExhausted(self.stopped)
        self.requests += 1
        self.reserved += worst
        return worst

    def settle(self, reserved: float, price: Price | None, reply: Reply) -> float:
        self.reserved -= reserved
        self.input_tokens += reply.input_tokens
        self.output_tokens += reply.output_tokens
        spent = price.cost(reply.input_tokens, reply.output_tokens) if price else 0.0
        self.cost += spent
        return spent
