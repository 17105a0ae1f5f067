"""``replay``: answers from recorded transcripts, so an evaluator can re-run a submission's harness
(and the tests can run the whole pipeline) with no model.

The source is a submission file or a run journal (``.jsonl``). Each attempt is looked up by its
``item`` label, ``behaviour|condition|reference|sample``; a recorded error or block replays as
itself; an attempt with no recording is an ``unsupported`` error (never a refusal).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Submission, Transcript, sha256_of
from .base import Reply, Request, Target
from .options import ReplayOptions


def item_label(t: Transcript) -> str:
    return f"{t.behaviour}|{t.condition}|{t.reference or ''}|{t.sample}"


def load_transcripts(path: Path) -> list[Transcript]:
    """Transcripts from a submission file, or from the ``transcript`` field of journal lines."""
    if not path.is_file():
        raise UserError(f"replay source '{str(path)[:200]}' is not a file; pass source=SUBMISSION.yaml "
                        "or a .jsonl journal")
    if path.suffix == ".jsonl":
        out = []
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.endswith("\n"):
                    break  # a torn final line: the run was killed while writing it
                try:
                    rec = json.loads(line)
                    if rec.get("type") == "result":
                        out.append(Transcript.model_validate(rec["transcript"]))
                except (ValueError, KeyError) as e:
                    raise UserError(f"replay source '{path.name}' line {n} is not a journal record: "
                                    f"{type(e).__name__}") from None
        return out
    from ..formats.io import read_model

    return read_model(Submission, path).evidence


class ReplayTarget(Target):
    provider = "replay"

    def __init__(self, model: str, opts: ReplayOptions) -> None:
        self.model = model
        self.path = Path(opts.source)
        self._by_item: dict[str, Transcript] | None = None
        self._hash = ""

    def identity(self) -> dict[str, Any]:
        self._load()
        return {"target": self.address, "recording": self._hash}

    def _load(self) -> dict[str, Transcript]:
        if self._by_item is None:
            ts = load_transcripts(self.path)
            self._by_item = {item_label(t): t for t in ts}
            self._hash = sha256_of(sorted(t.content_hash for t in ts))
        return self._by_item

    async def open(self) -> None:
        self._load()

    async def complete(self, request: Request) -> Reply:
        t = self._load().get(request.item)
        if t is None:
            return Reply.failed("unsupported", f"no recorded answer for {request.item[:120]!r}")
        if t.blocked_by is not None:
            return Reply(blocked_by=t.blocked_by, error=t.error or f"blocked by {t.blocked_by}", kind="blocked",
                         layers=dict(t.layers))
        if t.error is not None or t.response is None:
            return Reply.failed("client", f"recorded error: {(t.error or 'no response')[:200]}")
        return Reply(text=t.response, layers=dict(t.layers), model=t.model, finish_reason="replayed")
