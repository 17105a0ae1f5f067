"""What every file format shares: strict models and canonical content hashes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """A strict model: unknown fields are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


#: The encoder of :func:`canonical_json`, made once: ``json.dumps`` with any option builds a new
#: ``JSONEncoder`` with these arguments on every call (a third of its cost on a transcript, and it is
#: called for every transcript's hashes), then calls ``encode``; this is that call without the building.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no insignificant white space: the input of every content hash
    (exactly ``json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)``)."""
    return _CANONICAL.encode(data)


def sha256_of(data: Any) -> str:
    """``sha256:`` and the hex digest of the canonical JSON of ``data``."""
    return "sha256:" + hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
