"""Speed of the offline ``rules`` judge on one core, beside the floor of only normalising the same text.

Issue 9's target: at least 1,000 responses per second on one core. The responses are every labelled
response in ``../shared/data`` (JBB judge_comparison 300, XSTest 900, GPTFuzz 7,700), read in
place. Three passes over the same responses in one run, each repeated ``--repeat`` times; each figure
is the best (least disturbed) CPU time of this process (one core):

- ``normalise``: NFKC and lower case of request and response (the floor every text judge pays);
- ``probability``: :meth:`RulesJudge.probability` (features and the logistic model);
- ``judge_batch``: the full judge path, verdicts built, as ``jailscale assess`` runs it.

    .venv/bin/python benchmarks/rules_speed.py [--repeat 3] [--data DIR]

Exit 1 when the full judge path is under 1,000 responses per second.
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from jailscale.formats import Behaviour, Transcript
from jailscale.judges import get
from jailscale.judges.calibration import DEFAULT_DATA_DIR, load_gptfuzz, load_jbb_judge_comparison, load_xstest
from jailscale.judges.rules import RulesJudge

TARGET = 1000.0


def best_cpu(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: data folder not found: {args.data} (pass --data DIR)", file=sys.stderr)
        return 2
    items: list[tuple[Behaviour, Transcript]] = []
    for load in (load_jbb_judge_comparison, load_xstest, load_gptfuzz):
        items += [(i.behaviour, i.transcript) for i in load(args.data).items]
    texts = [(b.request, t.response or "") for b, t in items]
    judge = get("rules")
    assert isinstance(judge, RulesJudge)

    def normalise() -> None:
        for req, resp in texts:
            unicodedata.normalize("NFKC", req).lower()
            unicodedata.normalize("NFKC", resp).lower()

    def probability() -> None:
        for req, resp in texts:
            RulesJudge.probability(req, resp)

    def batch() -> None:
        judge.judge_batch(items)

    n = len(texts)
    cpu = {name: best_cpu(fn, args.repeat) for name, fn in
           (("normalise", normalise), ("probability", probability), ("judge_batch", batch))}
    floor = cpu["normalise"]
    print(f"rules v{judge.version} on {n:,} labelled responses, one core (best CPU time of {args.repeat}):")
    for name, secs in cpu.items():
        rate = n / max(secs, 1e-9)
        print(f"  {name:<12} {secs:7.3f} s  {rate:9,.0f} responses/s  {secs / max(floor, 1e-9):6.1f}x normalise")
    full = n / max(cpu["judge_batch"], 1e-9)
    print(f"judge_batch: {full:,.0f} responses/s = {full / TARGET:.2f}x the target of {TARGET:,.0f}/s "
          f"({'met' if full >= TARGET else 'NOT met'})")
    return 0 if full >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
