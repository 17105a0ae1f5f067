"""StrongREJECT forbidden prompts (``strongreject_dataset.csv`` or its MIT subset).

Columns ``category,source,forbidden_prompt``. The file has no ids, so a behaviour's id is
``strongreject-`` and the first 12 hex digits of the sha256 of its prompt: the same prompt has the
same id in the full set and in any subset, whatever its row.

The tier map spells one category as the StrongREJECT paper does ("Hate/harassment/discrimination");
the dataset file spells it "Hate, harassment and discrimination". :data:`SPELLINGS` maps the file's
spelling to the map's key; the behaviour keeps the file's own spelling as its category.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..formats import Suite
from ._common import build_suite, find_file, refine, require, tier_for
from ._csv import Row, read_csv

NAME = "strongreject"
FILES = ("strongreject_dataset.csv", "strongreject_dataset_mit_subset.csv")
COLUMNS = ("category", "source", "forbidden_prompt")
SPELLINGS = {"Hate, harassment and discrimination": "Hate/harassment/discrimination"}
SOURCE = "StrongREJECT forbidden prompts (alexandrasouly/strongreject, MIT subset)"


def behaviour_id(prompt: str) -> str:
    return "strongreject-" + hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:12]


def load(path: Path) -> Suite:
    path = find_file(path, FILES)
    items: list[tuple[Row, dict[str, Any]]] = []
    for row in read_csv(path, COLUMNS):
        category = require(row, path, "category")
        prompt = require(row, path, "forbidden_prompt")
        b: dict[str, Any] = {
            "id": behaviour_id(prompt),
            "request": prompt,
            "category": category,
            "tier": tier_for("StrongREJECT", SPELLINGS.get(category, category), path, row),
            "tags": [f"source:{row['source']}"] if row["source"].strip() else [],
        }
        items.append((row, refine("StrongREJECT", b)))
    return build_suite(path, NAME, SOURCE, items)
