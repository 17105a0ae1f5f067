"""The live runner: send a plan's requests to its targets and record every outcome in the journal.

Async-first: :func:`collect` is a coroutine; only the command line runs an event loop. A fixed pool
of ``concurrency`` workers pulls items from the plan's lazy iterator (no queue of the whole plan in
memory), so memory stays flat whatever the plan's size. Per item:

1. skip it if the journal already holds it (``--resume``);
2. build what to send (:mod:`.techniques`): the plain request, or the technique as declared; a
   multi-turn script sends one request per turn and keeps each reply in the conversation;
3. per request: answer from the cache if the same request was answered before; else reserve the
   budget, wait for the target's adaptive limiter, make one attempt, and retry transient errors with
   jitter (:mod:`.limits`);
4. record the item's final outcome once in the journal: the answer, the block (``blocked_by``) or the
   error after the last attempt. Errors and blocks are recorded as such, never as refusals.

A rejected key (HTTP 401/403) stops the run without recording the item, as does a spent budget: the
journal keeps what finished, and ``--resume`` continues once the key or budget is fixed.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Suite
from ..targets import Reply, Request, Sampling, Target
from ..targets import get as get_target
from .attacks import SearchAttack
from .cache import ResponseCache, cache_key
from .journal import Journal
from .limits import AdaptiveLimiter, Budget, BudgetExhausted, RetryPolicy
from .plan import Item, RunPlan, TargetSpec, count, items
from .progress import NoProgress, Progress
from .techniques import Script, apply_transforms, jailbreak_script, needs_translation, plain_script

JOURNAL = "journal.jsonl"

#: Characters per token for input estimates before a request is sent (OpenAI's rule of thumb for
#: English text); used only to reserve budget and for --dry-run, never for accounting.
CHARS_PER_TOKEN = 4


@dataclass
class RunOptions:
    concurrency: int = 64
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_requests: int | None = None
    max_cost: float | None = None
    cache: Path | None = None
    resume: bool = False
    seed: int | None = None
    max_sample: int | None = None  # run only samples below this index (adaptive sampling's looks)


@dataclass
class RunResult:
    planned: int
    already_done: int
    recorded: int = 0
    answered: int = 0
    errors: int = 0
    blocked: int = 0
    attempts: int = 0
    retries: int = 0
    cache_hits: int = 0
    cost: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    stopped: str | None = None
    journal: Path = Path()

    @property
    def complete(self) -> bool:
        return self.already_done + self.recorded >= self.planned


class _Stop(Exception):
    pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Runner:
    """One run: its targets, journal, cache, limiters and budget."""

    def __init__(self, plan: RunPlan, suite: Suite, out_dir: Path, options: RunOptions,
                 progress: Progress | None = None, targets: dict[str, Target] | None = None) -> None:
        self.plan = plan
        self.suite = suite
        self.options = options
        self.progress = progress or NoProgress()
        self.journal_path = out_dir / JOURNAL
        self.budget = Budget(max_requests=options.max_requests, max_cost=options.max_cost)
        self.rng = random.Random(options.seed)
        self._given = targets or {}
        self.targets: dict[str, Target] = {}
        self.limiters: dict[str, AdaptiveLimiter] = {}
        self.cache: ResponseCache | None = None
        self.result = RunResult(planned=count(plan, suite), already_done=0, journal=self.journal_path)
        self._stop: str | None = None
        self.attack: SearchAttack | None = None

    # --- set-up ----------------------------------------------------------------------------------

    def _make(self, role: str, spec: TargetSpec) -> Target:
        t = self._given.get(role) or self._given.get(spec.address) or get_target(spec.address, spec.options)
        self.targets[role] = t
        self.limiters[role] = AdaptiveLimiter(self.options.concurrency, self.options.concurrency)
        return t

    def _check(self) -> None:
        tech = self.plan.submission.technique
        main = self.targets["target"]
        if ("jailbreak" in self.plan.conditions and tech.prefill is not None
                and getattr(main, "prefill_mode", None) == "unsupported"):
            raise UserError(f"technique '{tech.name[:80]}' uses a prefill, which {main.address} does not take: "
                            "for a server that continues a final assistant turn pass --target-opt "
                            "prefill=assistant_message; OpenAI's API has no prefill")
        if "jailbreak" in self.plan.conditions and needs_translation(tech) and "translator" not in self.targets:
            raise UserError("the technique's 'translate' transform needs --translator PROVIDER/MODEL")
        if "jailbreak" in self.plan.conditions and tech.kind == "opaque" and self.attack is None:
            raise UserError(f"technique '{tech.name[:80]}' is 'opaque' (its prompts are only in evidence): "
                            "submit its evidence, or run it as a search attack (--attack pair --attacker ...)")
        if self.attack is not None and tech.kind != "opaque":
            raise UserError(f"--attack runs a search in place of the technique: declare technique "
                            f"'{tech.name[:80]}' as kind 'opaque' (it is '{tech.kind}')")

    # --- one request -----------------------------------------------------------------------------

    async def attempt(self, role: str, request: Request) -> tuple[Reply, int]:
        """The final reply to one request (cached or sent, retried while transient) and its retries."""
        target = self.targets[role]
        key = cache_key(target, request) if self.cache is not None else ""
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.result.cache_hits += 1
                return hit, 0
        limiter = self.limiters[role]
        est_in = sum(len(m["content"]) for m in request.messages) // CHARS_PER_TOKEN + 1
        retries = 0
        while True:
            reserved = self.budget.reserve(target.price, est_in, request.sampling.max_tokens)
            await limiter.acquire()
            reply: Reply | None = None
            try:
                reply = await target.complete(request)
            finally:
                await limiter.release(reply)
                self.budget.settle(reserved, target.price, reply or Reply())
            self.result.attempts += 1
            if reply.transient and retries + 1 < self.options.retry.attempts and self._stop is None:
                retries += 1
                await asyncio.sleep(self.options.retry.delay(retries, reply, self.rng))
                continue
            break
        if reply.kind == "auth":
            self._stop = f"{target.address} rejected the credentials ({reply.error}); fix the key and --resume"
            raise _Stop(self._stop)
        if reply.transient and retries:
            reply.error = f"{reply.error} (after {retries + 1} attempts)"
        if self.cache is not None:
            self.cache.put(key, reply)
        return reply, retries

    # --- one item --------------------------------------------------------------------------------

    async def _script(self, item: Item) -> tuple[Script | None, Reply | None, int]:
        tech = self.plan.submission.technique
        if item.condition != "jailbreak":
            return plain_script(item.behaviour.request), None, 0
        translated = None
        retries = 0
        if needs_translation(tech) and tech.transforms:
            chain = tech.transforms
            before = apply_transforms(item.behaviour.request, chain[:chain.index("translate")])
            ask = (f"Translate the following text into {self.plan.translate_to}. Reply with the translation "
                   f"only.\n\n{before}")
            reply, retries = await self.attempt("translator", Request(
                messages=({"role": "user", "content": ask},), sampling=self.plan.sampling.model_copy(
                    update={"temperature": 0.0}), item=item.label + "|translate"))
            if reply.text is None:
                return None, Reply.failed(reply.kind or "client", f"translation failed: {reply.error}"), retries
            translated = reply.text
            tail = chain[chain.index("translate") + 1:]
            return jailbreak_script(tech.model_copy(update={"transforms": ["translate", *tail]}),
                                    item.behaviour.request, translated), None, retries
        return jailbreak_script(tech, item.behaviour.request), None, retries

    async def _search(self, item: Item) -> tuple[list[dict[str, str]], Reply, int, int]:
        """A search attack on one item: (final prompt, final reply, retries, target queries)."""
        from .attacks import AttackContext

        retries = 0
        attacker_sampling = Sampling(temperature=1.0, max_tokens=500)

        async def ask(role: str, messages: tuple[dict[str, str], ...], suffix: str) -> Reply:
            nonlocal retries
            sampling = self.plan.sampling if role == "target" else attacker_sampling
            reply, again = await self.attempt(role, Request(messages=messages, sampling=sampling, sample=item.sample,
                                                            item=f"{item.label}|{suffix}"))
            retries += again
            return reply

        async def ask_target(messages: tuple[dict[str, str], ...], suffix: str) -> Reply:
            return await ask("target", messages, suffix)

        async def ask_attacker(messages: tuple[dict[str, str], ...], suffix: str) -> Reply:
            return await ask("attacker", messages, suffix)

        assert self.attack is not None
        out = await self.attack.run(AttackContext(ask_target, ask_attacker), item.behaviour, item.sample)
        return out.prompt, out.reply, retries, out.queries

    async def run_item(self, item: Item) -> None:
        role = "reference:" + item.reference if item.condition == "reference" else "target"
        target = self.targets[role]
        started = _now()
        before = (self.budget.input_tokens, self.budget.output_tokens, self.budget.cost)
        queries: int | None = None
        if item.condition == "jailbreak" and self.attack is not None:
            sent, reply, retries, queries = await self._search(item)
            script: Script | None = None
        else:
            script, failed, retries = await self._script(item)
            reply = failed or Reply()
            sent = []
        messages: list[dict[str, str]] = []
        if script is not None:
            if script.system:
                messages.append({"role": "system", "content": script.system})
            for n, turn in enumerate(script.turns):
                messages.append({"role": "user", "content": turn})
                req = Request(messages=tuple(messages), sampling=self.plan.sampling, sample=item.sample,
                              prefill=script.prefill, item=item.label if n == len(script.turns) - 1
                              else f"{item.label}|turn{n}")
                reply, again = await self.attempt(role, req)
                retries += again
                sent = list(messages) + ([{"role": "assistant", "content": script.prefill}]
                                         if script.prefill is not None else [])
                if reply.text is None:
                    break
                messages.append({"role": "assistant", "content": reply.text})
        transcript: dict[str, Any] = {
            "behaviour": item.behaviour.id, "condition": item.condition, "sample": item.sample,
            "reference": item.reference or None, "model": target.address, "prompt": sent,
            "response": reply.text, "error": None if reply.text is not None else (reply.error or "no answer"),
            "blocked_by": reply.blocked_by, "layers": reply.layers, "started_at": started, "finished_at": _now(),
        }
        if queries is not None:
            transcript["queries"] = queries
        if reply.blocked_by is not None:
            transcript["error"] = reply.error or f"blocked by {reply.blocked_by}"
        usage = {"retries": retries, "input_tokens": self.budget.input_tokens - before[0],
                 "output_tokens": self.budget.output_tokens - before[1],
                 "cost": round(self.budget.cost - before[2], 8), "error_kind": reply.kind}
        self.journal.record(item.label, transcript, usage)
        r = self.result
        r.recorded += 1
        r.retries += retries
        r.answered += reply.text is not None
        r.blocked += reply.blocked_by is not None
        r.errors += reply.text is None and reply.blocked_by is None
        self.progress.advance(reply.text is None, retries, self.budget.cost)

    # --- the run ---------------------------------------------------------------------------------

    async def run(self) -> RunResult:
        self._make("target", self.plan.target)
        if "reference" in self.plan.conditions:
            for name, spec in self.plan.references.items():
                self._make("reference:" + name, spec)
        if self.plan.translator is not None:
            self._make("translator", self.plan.translator)
        self.attack = None
        if self.plan.attack is not None:
            from .attacks import get_attack

            self.attack = get_attack(self.plan.attack.name, self.plan.attack.options)
            self._make("attacker", self.plan.attack.attacker)
        self._check()
        self.journal = Journal(self.journal_path, self.plan.plan_hash, self.plan.model_dump(mode="json"),
                               resume=self.options.resume)
        self.result.already_done = len(self.journal.done)
        if self.options.cache is not None:
            self.cache = ResponseCache(self.options.cache)
        opened: list[Target] = []
        try:
            for t in self.targets.values():
                await t.open()
                opened.append(t)
            self.progress.start(self.result.planned, self.result.already_done)
            upto = self.options.max_sample
            todo = (i for i in items(self.plan, self.suite)
                    if i.label not in self.journal.done and (upto is None or i.sample < upto))

            async def worker() -> None:
                for item in todo:
                    if self._stop is not None:
                        return
                    try:
                        await self.run_item(item)
                    except BudgetExhausted as e:
                        self._stop = str(e)
                        return
                    except _Stop:
                        return

            await asyncio.gather(*(worker() for _ in range(max(1, self.options.concurrency))))
        finally:
            self.progress.stop()
            for t in opened:
                await t.aclose()
            self.journal.close()
            if self.cache is not None:
                self.cache.close()
        r = self.result
        r.stopped = self._stop
        r.cost, r.input_tokens, r.output_tokens = self.budget.cost, self.budget.input_tokens, self.budget.output_tokens
        return r


async def collect(plan: RunPlan, suite: Suite, out_dir: Path, options: RunOptions | None = None,
                  progress: Progress | None = None, targets: dict[str, Target] | None = None) -> RunResult:
    """Run ``plan`` into ``out_dir/journal.jsonl`` (see the module docstring)."""
    return await Runner(plan, suite, out_dir, options or RunOptions(), progress, targets).run()
