"""``recorded``: the verdicts that came with the evidence (for example JailbreakBench's
``jailbroken`` flags), re-issued under this judge's name.

With the option ``source``, the recorded verdict whose ``judge`` equals ``source`` is used (the last
one if there are several); without it, the transcript must carry exactly one recorded verdict. No
matching verdict, or several without a ``source``, gives ``unscoreable``: never a guess.

**Calibration.** The recorded judge is only as good as the judge whose verdicts it re-issues, so its
configuration is its source, and it is calibrated per configuration (as a panel is): a calibration
must name the configuration it was measured on (``config_hash``, which is
``get("recorded", source=NAME).config_hash``); one naming none ("any configuration") would let figures
measured on a careful judge's verdicts correct those of a judge that refuses everything. Without a
``source`` no calibration applies at all: each transcript's one verdict may come from another judge,
so no calibration can say what it was measured on.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..formats import Behaviour, Transcript, Verdict
from .base import Judge
from .options import JudgeOptions, parse_options


class RecordedOptions(JudgeOptions):
    """``-J source=NAME``: the recorded judge whose verdict to re-issue."""

    source: str | None = Field(None, min_length=1, pattern=r"\S")


class RecordedJudge(Judge):
    name = "recorded"
    version = "1"
    cpu_bound = True  # re-issues a recorded verdict: nothing to await
    calibrated_per_configuration = True  # a calibration must name the source it was measured on

    def __init__(self, **options: Any) -> None:
        self.source = parse_options(self.name, RecordedOptions, options).source

    def config(self) -> dict[str, Any]:
        return {**super().config(), "source": self.source}

    async def evaluate(self, behaviour: Behaviour, transcript: Transcript) -> Verdict:
        found = transcript.verdicts
        if self.source is not None:
            found = [v for v in found if v.judge == self.source]
        if not found:
            want = f" from {self.source!r}" if self.source else ""
            return self.verdict("unscoreable", rationale=f"no recorded verdict{want}")
        if self.source is None and len(found) > 1:
            names = ", ".join(sorted({v.judge for v in found}))
            why = f"{len(found)} recorded verdicts ({names}); choose one with the option source="
            return self.verdict("unscoreable", rationale=why)
        v = found[-1]
        note = f"recorded verdict of {v.judge} v{v.judge_version}"
        note += f": {v.rationale}" if v.rationale else ""
        return v.model_copy(update={"judge": self.name, "judge_version": self.version, "rationale": note})
