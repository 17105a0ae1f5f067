"""JBB-Behaviors (JailbreakBench): ``harmful-behaviors.csv``, with the topic-matched benign twin
from ``benign-behaviors.csv`` in the same folder when that file is present.

Columns ``Index,Goal,Target,Behavior,Category,Source``. A behaviour's id is the slug of its
``Behavior`` name (:func:`behaviour_id`); the JailbreakBench importer uses the same function, so
imported evidence matches this suite. Twins are matched by ``Index``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UserError
from ..formats import Suite
from ._common import build_suite, find_file, refine, require, slug, tier_for
from ._csv import Row, read_csv

NAME = "jbb-behaviors"
HARMFUL = "harmful-behaviors.csv"
BENIGN = "benign-behaviors.csv"
COLUMNS = ("Index", "Goal", "Behavior", "Category")
SOURCE = "JBB-Behaviors (JailbreakBench/JBB-Behaviors, MIT)"


def behaviour_id(behavior: str) -> str:
    """The suite id of a JBB ``Behavior`` name: 'Human  trafficking' -> 'human-trafficking'."""
    return slug(behavior)


def _index(row: Row, path: Path) -> int:
    text = require(row, path, "Index")
    try:
        return int(text)
    except ValueError:
        raise UserError(f"{row.where(path)}: Index {text!r} is not a whole number") from None


def _twins(path: Path) -> dict[int, str]:
    benign = path.with_name(BENIGN)
    if path.name == BENIGN or not benign.is_file():
        return {}
    twins: dict[int, str] = {}
    for row in read_csv(benign, COLUMNS):
        i = _index(row, benign)
        if i in twins:
            raise UserError(f"{row.where(benign)}: Index {i} appears twice; indices must be unique")
        twins[i] = require(row, benign, "Goal")
    return twins


def load(path: Path) -> Suite:
    path = find_file(path, (HARMFUL,))
    twins = _twins(path)
    items: list[tuple[Row, dict[str, Any]]] = []
    for row in read_csv(path, COLUMNS):
        category = require(row, path, "Category")
        b: dict[str, Any] = {
            "id": behaviour_id(require(row, path, "Behavior")),
            "request": require(row, path, "Goal"),
            "category": category,
            "tier": tier_for("JailbreakBench", category, path, row),
            "tags": [f"jbb:index:{_index(row, path)}"],
        }
        if row.values.get("Source"):
            b["tags"].append(f"source:{row['Source']}")
        twin = twins.get(_index(row, path))
        if twin:
            b["benign_twin"] = twin
        items.append((row, refine("JailbreakBench", b)))
    return build_suite(path, NAME, SOURCE, items)
