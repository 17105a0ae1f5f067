"""HarmBench text behaviours (``harmbench_behaviors_text_{all,test,val}.csv``).

Columns ``Behavior,FunctionalCategory,SemanticCategory,Tags,ContextString,BehaviorID``. Every
functional category is kept and tagged ``functional:standard|contextual|copyright``; HarmBench's
own tags become ``harmbench:<tag>``; ``ContextString`` becomes the behaviour's ``context``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Suite
from ._common import build_suite, find_file, refine, require, tier_for
from ._csv import Row, read_csv

NAME = "harmbench"
FILES = ("harmbench_behaviors_text_all.csv", "behavior_datasets/harmbench_behaviors_text_all.csv")
COLUMNS = ("Behavior", "FunctionalCategory", "SemanticCategory", "Tags", "ContextString", "BehaviorID")
FUNCTIONAL = ("standard", "contextual", "copyright")
SOURCE = "HarmBench text behaviours (centerforaisafety/HarmBench, MIT)"


def load(path: Path) -> Suite:
    path = find_file(path, FILES)
    items: list[tuple[Row, dict[str, Any]]] = []
    for row in read_csv(path, COLUMNS):
        functional = require(row, path, "FunctionalCategory")
        if functional not in FUNCTIONAL:
            raise UserError(f"{row.where(path)}: unknown FunctionalCategory {functional!r}; "
                            f"known: {', '.join(FUNCTIONAL)}")
        category = require(row, path, "SemanticCategory")
        tags = [f"functional:{functional}"]
        tags += [f"harmbench:{t.strip()}" for t in row["Tags"].split(",") if t.strip()]
        b: dict[str, Any] = {
            "id": require(row, path, "BehaviorID"),
            "request": require(row, path, "Behavior"),
            "category": category,
            "tier": tier_for("HarmBench", category, path, row),
            "tags": tags,
        }
        if row["ContextString"].strip():
            b["context"] = row["ContextString"]
        items.append((row, refine("HarmBench", b)))
    return build_suite(path, NAME, SOURCE, items)
