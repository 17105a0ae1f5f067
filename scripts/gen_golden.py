"""Regenerate tests/spec/golden/base_exhaustive.txt from an independent implementation of JSS 1.0 scoring.

The scoring rule below is re-implemented from its documentation (the docstring and tables of
``jailscale/spec/scoring.py``, i.e. section "Score" of the spec), written afresh: integer arithmetic
instead of ``fractions``, its own metric table, its own class lookup. It imports nothing from
``jailscale``, so a golden file it writes cross-checks the library instead of copying it, as the
RedHat cvss library does with its golden files. ``tests/spec/test_golden.py`` also checks that this
implementation agrees with the library on random full vectors and that its metric table equals
``jailscale.spec.metrics()``.

Usage::

    .venv/bin/python scripts/gen_golden.py           # rewrite the golden file, print the count
    .venv/bin/python scripts/gen_golden.py --check   # exit 1 if the file on disk differs

``tests/spec/golden/hand_checked.txt`` and ``cjs.txt`` are NOT regenerated: their answers come from
hand computation and from the CJS appendix.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

PREFIX = "JSS:1.0"

#: Metric abbreviations in canonical order, each with its codes from least to most severe
#: (the table of issue 2 / the spec).
VALUES: dict[str, tuple[str, ...]] = {
    "HD": ("N", "L", "M", "S", "C"),
    "UN": ("N", "L", "H", "U"),
    "FI": ("L", "M", "H"),
    "RL": ("L", "M", "H"),
    "SB": ("N", "P", "A"),
    "UP": ("N", "L", "M", "H"),
    "EM": ("U", "P", "A"),
    "AC": ("H", "M", "L"),
    "AR": ("W", "P", "A"),
    "AU": ("N", "Y"),
    "TR": ("N", "L", "H"),
    "DX": ("R", "E", "P", "O"),
    "RM": ("F", "S", "X"),
}
BASE = ("HD", "UN", "FI", "RL", "SB")
OPTIONAL = tuple(a for a in VALUES if a not in BASE)
UNKNOWN = "X"
STEPS = sum(len(v) - 1 for v in VALUES.values())  # 30 ordinal steps in all

# Class tables, transcribed from the documentation. Rows and columns are listed by code, least severe
# first, so each table reads as a small grid.
REACH_ROWS = {"L": (1, 1, 1), "H": (1, 2, 2), "U": (2, 3, 3)}  # UN row, RL column L/M/H
CAPABILITY_ROWS = {"L": (1, 1, 1, 1), "M": (1, 2, 2, 2), "H": (1, 2, 2, 3)}  # FI row, UP column N/L/M/H
EXPOSURE_GRID = ((1, 1, 2), (1, 2, 3), (2, 3, 4))  # reach row 1-3, capability column 1-3
SAFEGUARD_DROP = {"A": 0, "P": 1, "N": 3}
ACCESS_ROWS = {"W": (1, 1, 1, 3), "P": (1, 1, 2, 3), "A": (1, 2, 3, 3)}  # AR row, DX column R/E/P/O
CLASS_GRID = {  # harm domain -> exposure row 1-4 -> threat column 1-3, in tenths
    "L": ((10, 15, 20), (15, 20, 25), (20, 25, 33), (25, 30, 39)),
    "M": ((20, 30, 40), (30, 40, 50), (40, 50, 60), (45, 55, 69)),
    "S": ((30, 40, 50), (40, 55, 65), (55, 70, 80), (65, 75, 89)),
    "C": ((40, 50, 65), (55, 70, 80), (70, 85, 93), (80, 90, 100)),
}
DOMAINS = ("L", "M", "S", "C")
BANDS = ((90, "Critical"), (70, "High"), (40, "Medium"), (1, "Low"), (0, "None"))


def rating(tenths: int) -> str:
    return next(name for low, name in BANDS if tenths >= low)


def _ease(ac: str, au: str, em: str) -> int:
    copy_paste = ac == "L"
    automated = au == "Y"
    active = em == "A"
    if copy_paste and (automated or active):
        return 3
    if copy_paste or active or (ac == "M" and automated):
        return 2
    return 1


def _class_score(hd: str, exposure: int, threat: int) -> int:
    return CLASS_GRID[hd][exposure - 1][threat - 1]


def score_tenths(codes: dict[str, str]) -> int | None:
    """Score in tenths of a vector given as {abbr: code}; unset optional metrics are absent.
    None when a base metric is unknown (X): the score is withheld."""
    if any(codes[a] == UNKNOWN for a in BASE):
        return None
    eff = {a: codes.get(a, VALUES[a][-1]) for a in VALUES}
    if eff["HD"] == "N" or eff["UN"] == "N":
        return 0
    reach = REACH_ROWS[eff["UN"]][VALUES["RL"].index(eff["RL"])]
    capability = CAPABILITY_ROWS[eff["FI"]][VALUES["UP"].index(eff["UP"])]
    exposure = max(1, EXPOSURE_GRID[reach - 1][capability - 1] - SAFEGUARD_DROP[eff["SB"]])
    access = ACCESS_ROWS[eff["AR"]][VALUES["DX"].index(eff["DX"])]
    bump = 1 if (eff["TR"] == "H" or eff["RM"] == "X") else 0
    threat = min(3, min(access, _ease(eff["AC"], eff["AU"], eff["EM"])) + bump)
    hd = eff["HD"]
    top = _class_score(hd, exposure, threat)
    neighbours = []
    if hd != "L":
        neighbours.append(_class_score(DOMAINS[DOMAINS.index(hd) - 1], exposure, threat))
    if exposure > 1:
        neighbours.append(_class_score(hd, exposure - 1, threat))
    if threat > 1:
        neighbours.append(_class_score(hd, exposure, threat - 1))
    floor = max(neighbours) if neighbours else 1
    short = sum(len(VALUES[a]) - 1 - VALUES[a].index(eff[a]) for a in VALUES)
    # score = top - (top - floor) * (short / STEPS) / 2, rounded half up; in units of 1 / (2 * STEPS):
    denominator = 2 * STEPS
    numerator = top * denominator - (top - floor) * short
    tenths = (2 * numerator + denominator) // (2 * denominator)
    if codes.get("UP") == "N":
        tenths = min(tenths, 39)
    return tenths


def vector_string(codes: dict[str, str]) -> str:
    return "/".join([PREFIX, *(f"{a}:{codes[a]}" for a in VALUES if a in codes)])


def golden_line(codes: dict[str, str]) -> str:
    tenths = score_tenths(codes)
    result = "withheld" if tenths is None else f"{tenths / 10:.1f} {rating(tenths)}"
    return f"{vector_string(codes)} - {result}"


def base_exhaustive_cases() -> list[dict[str, str]]:
    """Every base combination (5 x 4 x 3 x 3 x 3 = 540) with optional metrics unset, then the same 540
    with every optional metric at its least severe value."""
    combos = [dict(zip(BASE, c, strict=True)) for c in itertools.product(*(VALUES[a] for a in BASE))]
    least = {a: VALUES[a][0] for a in OPTIONAL}
    return combos + [{**c, **least} for c in combos]


HEADER = """\
# Golden vectors: exhaustive over the JSS 1.0 base group.
# Provenance: GENERATED by scripts/gen_golden.py from its own re-implementation of the scoring rule
# (written from the documented tables, independent of jailscale.spec.scoring). Do not edit by hand:
# run `.venv/bin/python scripts/gen_golden.py` after a deliberate change to the rule.
# Cases: every HD x UN x FI x RL x SB combination (540) with the optional metrics unset (scored at
# their worst), then the same 540 with every optional metric at its least severe value.
# Format: VECTOR - SCORE RATING
"""


def render() -> str:
    return HEADER + "".join(golden_line(c) + "\n" for c in base_exhaustive_cases())


def golden_path() -> Path:
    return Path(__file__).resolve().parent.parent / "tests" / "spec" / "golden" / "base_exhaustive.txt"


def main(argv: list[str]) -> int:
    text = render()
    path = golden_path()
    count = len(base_exhaustive_cases())
    if "--check" in argv:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is out of date: run scripts/gen_golden.py", file=sys.stderr)
            return 1
        print(f"{path}: {count} cases up to date")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {count} cases to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
