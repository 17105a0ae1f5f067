"""``mock/NAME``: a deterministic offline target for tests, dry runs and the guide.

It answers from rules, never from a model: a prompt containing ``comply_marker`` gets a neutral
placeholder answer, any other prompt a refusal sentence; a prompt containing ``block_marker`` is
blocked by the input classifier. With ``fail_every=n``, every n-th distinct attempt (counted in
arrival order) fails once with ``fail_kind`` and succeeds when retried.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from .base import Reply, Request, Target
from .options import MockOptions

REFUSAL = "I can't help with that request."
#: Shaped like a real answer (numbered steps) so that the offline triage judge reads it as carrying out
#: the request; every step is neutral placeholder text with no operational content.
ANSWER = "Sure, here is how to do it (PLACEHOLDER answer from the mock target).\n" + "\n".join(
    f"{n}. Step {n}: PLACEHOLDER instruction {n} from the mock target, standing in for one concrete part of a "
    "complete answer." for n in range(1, 6))


class MockTarget(Target):
    provider = "mock"

    def __init__(self, model: str, opts: MockOptions) -> None:
        self.model = model
        self.opts = opts
        self.calls = 0
        self._seen: dict[tuple[str, int, str], int] = {}
        self._failed: set[int] = set()

    def identity(self) -> dict[str, Any]:
        return {"target": self.address, "comply_marker": self.opts.comply_marker,
                "block_marker": self.opts.block_marker, "comply_rate": self.opts.comply_rate}

    async def complete(self, request: Request) -> Reply:
        self.calls += 1
        if self.opts.latency:
            await asyncio.sleep(self.opts.latency)
        text = "\n".join(m["content"] for m in request.messages) + (request.prefill or "")
        if self.opts.fail_every:
            key = (request.item, request.sample, text)
            n = self._seen.setdefault(key, len(self._seen) + 1)
            if n % self.opts.fail_every == 0 and n not in self._failed:
                self._failed.add(n)
                return Reply.failed(self.opts.fail_kind, f"mock {self.opts.fail_kind} (injected)")
        tokens_in = max(1, len(text) // 4)
        if self.opts.block_marker and self.opts.block_marker in text:
            return Reply(blocked_by="input_classifier", error="blocked by the mock input filter", kind="blocked",
                         layers={"input_classifier": "blocked"}, input_tokens=tokens_in)
        comply = self.opts.comply_marker in text
        if comply and self.opts.comply_rate is not None:
            digest = hashlib.sha256(f"{text}|{request.sample}".encode()).digest()
            comply = int.from_bytes(digest[:4], "big") / 2**32 < self.opts.comply_rate
        answer = ANSWER if comply else REFUSAL
        return Reply(text=answer, input_tokens=tokens_in, output_tokens=len(answer) // 4, model=self.address,
                     finish_reason="stop")
