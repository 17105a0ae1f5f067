"""``hf/MODEL``: a local transformers causal language model (optional extra ``jailscale[hf]``).

``MODEL`` is a local folder or a model id already in the local Hugging Face cache: nothing is
downloaded at run time (``local_files_only``). Generation runs in a worker thread so the event loop
stays free; one generation at a time per target (a lock), since one model copy serves the process.
Greedy decoding at temperature 0, sampling otherwise, seeded with ``seed + sample`` when a seed is
stated, so N samples are reproducible.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import UserError
from .base import Reply, Request, Target
from .options import HFOptions


class HFTarget(Target):
    provider = "hf"

    def __init__(self, model: str, opts: HFOptions) -> None:
        self.model = model
        self.opts = opts
        self._lock = asyncio.Lock()
        self._tok: Any = None
        self._lm: Any = None

    def identity(self) -> dict[str, Any]:
        return {"target": self.address, "chat_template": self.opts.chat_template}

    async def open(self) -> None:
        if self._lm is None:
            await asyncio.to_thread(self._load)

    def _load(self) -> None:
        try:
            import transformers
        except ImportError:
            raise UserError("target 'hf/...' requires optional dependencies. Install with: "
                            "pip install 'jailscale[hf]'") from None
        try:
            self._tok = transformers.AutoTokenizer.from_pretrained(
                self.model, local_files_only=True, trust_remote_code=self.opts.trust_remote_code)
            self._lm = transformers.AutoModelForCausalLM.from_pretrained(
                self.model, local_files_only=True, trust_remote_code=self.opts.trust_remote_code)
        except OSError as e:
            raise UserError(f"hf model {self.model[:120]!r} is not a local folder or cached model: "
                            f"{str(e)[:160]}") from None
        self._lm.to(self.opts.device)
        self._lm.eval()

    def prompt_text(self, req: Request) -> str:
        messages = list(req.messages)
        tok = self._tok
        if self.opts.chat_template and getattr(tok, "chat_template", None):
            text: str = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:
            text = "\n".join(f"{m['role']}: {m['content']}" for m in messages) + "\nassistant: "
        return text + (req.prefill or "")

    def _generate(self, req: Request) -> Reply:
        import torch

        s = req.sampling
        text = self.prompt_text(req)
        enc = self._tok(text, return_tensors="pt").to(self.opts.device)
        kwargs: dict[str, Any] = {"max_new_tokens": s.max_tokens, "do_sample": s.temperature > 0}
        if s.temperature > 0:
            kwargs["temperature"] = s.temperature
            if s.top_p is not None:
                kwargs["top_p"] = s.top_p
        if s.seed is not None:
            torch.manual_seed(s.seed + req.sample)
        pad = self._tok.pad_token_id if self._tok.pad_token_id is not None else self._tok.eos_token_id
        with torch.no_grad():
            out = self._lm.generate(**enc, pad_token_id=pad, **kwargs)
        new = out[0][enc["input_ids"].shape[1]:]
        answer = self._tok.decode(new, skip_special_tokens=True)
        return Reply(text=answer, input_tokens=int(enc["input_ids"].shape[1]), output_tokens=int(new.shape[0]),
                     model=self.address, finish_reason="stop")

    async def complete(self, request: Request) -> Reply:
        await self.open()
        async with self._lock:
            try:
                return await asyncio.to_thread(self._generate, request)
            except (RuntimeError, ValueError) as e:
                return Reply.failed("client", f"generation failed: {type(e).__name__}: {str(e)[:160]}")
