"""Measure a judge (the shipped rule-based one by default) against human labels; write its calibration.

    .venv/bin/python scripts/calibrate_judges.py          # writes judges/calibration/rules-v1.json
    .venv/bin/python scripts/calibrate_judges.py --check  # compares with the shipped file only

Reads the public labelled sets in place from ``../shared/data`` (``--data`` to change it): JailbreakBench
judge_comparison, XSTest's Mistral completions and GPTFuzz's labelled responses. The file holds
figures only (dataset names, file hashes, counts and rates), no text from the data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from jailscale.judges import get
from jailscale.judges.calibration import DEFAULT_DATA_DIR, calibration_path, calibration_report


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def table(report: dict[str, Any]) -> str:
    head = (f"{'judge':<24} {'set':<22} {'n':>5} {'agree':>6} {'se':>6} {'sp':>6} {'fpr':>6} {'kappa':>6}"
            " err/uns")
    lines = [head, "-" * len(head)]

    def row(judge: str, dataset: str, f: dict[str, Any]) -> None:
        kappa = "   -  " if f["kappa"] is None else f"{f['kappa']:6.3f}"
        lines.append(f"{judge:<24} {dataset:<22} {f['n']:>5} {_pct(f['agreement'])} {_pct(f['sensitivity'])} "
                     f"{_pct(f['specificity'])} {_pct(f['false_positive_rate'])} {kappa} "
                     f"{f['errors']}/{f['unscoreable']}")

    name = f"{report['judge']} v{report['version']}"
    for d in report["datasets"]:
        row(name, d["name"], d)
    for dataset, judges in report["reference_judges"].items():
        for judge, f in judges.items():
            row(f"  (ref) {judge}", dataset, f)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="folder holding the public sets")
    ap.add_argument("--judge", default="rules", help="registered judge to measure (default: rules)")
    ap.add_argument("--check", action="store_true", help="compare with the shipped file; write nothing")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: data folder not found: {args.data} (pass --data DIR)", file=sys.stderr)
        return 2
    judge = get(args.judge)
    report = calibration_report(judge, args.data)
    print(table(report))
    path = calibration_path(judge)
    if args.check:
        shipped = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        shipped.pop("date", None)
        same = shipped == report
        print(f"\n{path}: {'matches' if same else 'DIFFERS from'} this run")
        return 0 if same else 1
    report["date"] = dt.date.today().isoformat()
    path.write_text(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
