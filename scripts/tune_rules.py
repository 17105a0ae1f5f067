"""Fit the weights of the offline ``rules`` judge (v2) on its tuning source, and only there.

    .venv/bin/python scripts/tune_rules.py          # prints the weights to paste into judges/rules.py
    .venv/bin/python scripts/tune_rules.py --check  # exit 1 when judges/rules.py holds other weights

Tuning source: GPTFuzz's labelled responses, train + evaluate (7,700 rows, ``label`` 1 = jailbroken),
read in place from ``../shared/data``. The model is an L2-regularised logistic regression
(lambda 1e-3, no penalty on the bias) fitted by full-batch gradient descent (step 2.0, 400
iterations, starting from zero: deterministic), rounded to three decimals. JailbreakBench's
judge_comparison set is never read here: it is the held-out validation source
(``scripts/validate_judges.py``).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from jailscale.judges import rules
from jailscale.judges.calibration import DEFAULT_DATA_DIR, load_gptfuzz
from jailscale.judges.rules_features import FEATURE_NAMES, features

L2 = 1e-3
STEP = 2.0
ITERATIONS = 400


def fit(rows: list[tuple[list[float], int]]) -> list[float]:
    """Weights then bias, by the recipe of the module docstring."""
    k = len(FEATURE_NAMES)
    w = [0.0] * (k + 1)
    n = len(rows)
    for _ in range(ITERATIONS):
        grad = [0.0] * (k + 1)
        for x, y in rows:
            z = w[-1] + sum(a * b for a, b in zip(w, x, strict=False))
            err = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) - y
            for j in range(k):
                grad[j] += err * x[j]
            grad[-1] += err
        for j in range(k + 1):
            w[j] -= STEP * (grad[j] / n + (L2 * w[j] if j < k else 0.0))
    return [round(v, 3) for v in w]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    ap.add_argument("--check", action="store_true", help="compare with the weights in judges/rules.py")
    args = ap.parse_args(argv)
    labelled = load_gptfuzz(args.data)
    rows = [(features(i.behaviour.request, i.transcript.response or ""), int(i.jailbroken)) for i in labelled.items]
    w = fit(rows)
    weights, bias = tuple(w[:-1]), w[-1]
    print(f"tuned on {labelled.name} ({len(rows)} rows)")
    print(f"WEIGHTS = {weights}\nBIAS = {bias}")
    if args.check:
        same = weights == rules.WEIGHTS and bias == rules.BIAS
        print("judges/rules.py " + ("matches" if same else "DIFFERS"))
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
