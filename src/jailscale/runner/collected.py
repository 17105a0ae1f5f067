"""From a run journal to a submission file, and a plan's cost before it runs (``--dry-run``).

The submission is written by streaming the journal (one transcript at a time), so a run of any size
becomes a submission without holding its evidence in memory. It is the plan's submission with
``target.model`` set to the address that was run, ``assessed_on`` set to the run's date, ``suite``
set to the plan's suite, and the journal's transcripts as evidence.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import EnvironmentFault
from ..formats import Suite
from ..targets import get as get_target
from .journal import read_results
from .live import CHARS_PER_TOKEN
from .plan import RunPlan, count, items
from .techniques import jailbreak_script, needs_translation, plain_script

SUBMISSION = "submission.json"


def write_submission(plan: RunPlan, journal: Path, out: Path) -> Path:
    """Stream the journal's transcripts into ``out`` (written to a temporary file, then renamed)."""
    sub = plan.submission.model_copy(deep=True)
    sub.target.model = plan.target.address
    sub.assessed_on = datetime.now(UTC).date()
    sub.suite = plan.suite
    head = sub.model_dump(mode="json", exclude={"evidence"}, exclude_none=True)
    text = json.dumps(head, indent=2, ensure_ascii=False)
    tmp = out.with_name(out.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(text[:-2] + ',\n  "evidence": [')
            first = True
            for rec in read_results(journal):
                t = {k: v for k, v in rec["transcript"].items() if v is not None and v != {}}
                fh.write(("\n    " if first else ",\n    ") + json.dumps(t, ensure_ascii=False))
                first = False
            fh.write("\n  ]\n}\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as e:
        raise EnvironmentFault(f"cannot write '{str(out)[:200]}': {e.strerror}") from None
    return out


@dataclass
class Estimate:
    """What a plan would send: items, requests (one per turn, before retries and cache hits), an
    input-token estimate (characters / 4) and the worst-case output tokens (``max_tokens`` each)."""

    items: int = 0
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = 0.0
    by_condition: dict[str, int] = field(default_factory=dict)
    priced: bool = True


def estimate(plan: RunPlan, suite: Suite) -> Estimate:
    """The plan's size and worst-case cost at the targets' stated prices (no request is sent)."""
    e = Estimate(items=count(plan, suite))
    main = get_target(plan.target.address, plan.target.options)
    refs = {n: get_target(s.address, s.options) for n, s in plan.references.items()}
    tech = plan.submission.technique
    max_out = plan.sampling.max_tokens
    for item in items(plan, suite):
        target = refs[item.reference] if item.condition == "reference" else main
        if item.condition == "jailbreak":
            t = tech.model_copy(update={"transforms": [x for x in tech.transforms or [] if x != "translate"]
                                        or None}) if needs_translation(tech) else tech
            if t.kind == "transforms" and not t.transforms:
                t = t.model_copy(update={"kind": "template", "template": "{request}"})
            script = jailbreak_script(t, item.behaviour.request)
            if needs_translation(tech):
                e.requests += 1
        else:
            script = plain_script(item.behaviour.request)
        context = len(script.system or "") + len(script.prefill or "")
        for turn in script.turns:
            context += len(turn)
            tokens_in = context // CHARS_PER_TOKEN + 1
            e.requests += 1
            e.input_tokens += tokens_in
            e.output_tokens += max_out
            if target.price is None:
                e.priced = False
            else:
                e.cost += target.price.cost(tokens_in, max_out)
            context += max_out * CHARS_PER_TOKEN
        e.by_condition[item.condition] = e.by_condition.get(item.condition, 0) + 1
    return e
