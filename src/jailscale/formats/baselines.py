"""The baseline registry: dated, sourced models that count as "freely available" for UP (JSS 2.0).

A :class:`BaselineSet` is a file (``format: jailscale.baselines/1``) listing models, each with its
version, kind (open weights or a public API), the date it became available and a public source for
that date. A submission picks its reference alternatives from a set by id; the assessment records the
set and the picks (:class:`BaselinePicks`), so the choice is visible and can be re-scored
(``jailscale rescore``) when the set moves. Every field is bounded: a set is input from a party to the
dispute like any other file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Literal

from pydantic import Field, model_validator

from ._base import Model, sha256_of

BaselineKind = Literal["open_weights", "public_api"]
#: At most this many models in one set (bounded input; the bundled set has a dozen).
MAX_BASELINES = 500
#: At most this many picks in one submission.
MAX_PICKS = 50
BASELINE_ID = r"^[a-z0-9][a-z0-9._:/\-]{0,99}$"


class BaselineEntry(Model):
    """One model that was freely available from ``available_from`` (and, for an API, until
    ``available_until`` when it was withdrawn)."""

    id: str = Field(pattern=BASELINE_ID, description="registry id, e.g. 'meta/llama-3.1-405b-instruct'")
    model: str = Field(min_length=1, max_length=200, description="the model's public name")
    version: str = Field(min_length=1, max_length=100)
    kind: BaselineKind
    available_from: dt.date = Field(description="the date the weights or the API became public")
    available_until: dt.date | None = Field(None, description="the date an API model was withdrawn, if it was")
    source: str = Field(pattern=r"^https://[^\s]{1,500}$", description="public page stating the release")
    note: str = Field("", max_length=500)

    @model_validator(mode="after")
    def _dates_ordered(self) -> BaselineEntry:
        if self.available_until is not None and self.available_until < self.available_from:
            raise ValueError(f"{self.id}: available_until is before available_from")
        return self

    def available_on(self, day: dt.date) -> bool:
        """Was this model public on ``day``?"""
        return self.available_from <= day and (self.available_until is None or day <= self.available_until)


class BaselineSet(Model):
    """A dated set of baseline models; ``as_of`` is when the set was compiled (no entry may postdate it)."""

    format: Literal["jailscale.baselines/1"] = "jailscale.baselines/1"
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:\-]+$")
    as_of: dt.date
    description: str = Field("", max_length=2000)
    baselines: list[BaselineEntry] = Field(min_length=1, max_length=MAX_BASELINES)

    @model_validator(mode="after")
    def _consistent(self) -> BaselineSet:
        dupes = sorted(i for i, n in Counter(b.id for b in self.baselines).items() if n > 1)
        if dupes:
            raise ValueError(f"duplicate baseline ids: {', '.join(dupes[:5])}")
        late = [b.id for b in self.baselines if b.available_from > self.as_of]
        if late:
            raise ValueError(f"baseline(s) available after the set's as_of date {self.as_of}: {', '.join(late[:5])}")
        return self

    @property
    def content_hash(self) -> str:
        """sha256 of the entries' canonical JSON (the name and description are not content)."""
        return sha256_of([b.model_dump(mode="json") for b in self.baselines])

    def by_id(self) -> dict[str, BaselineEntry]:
        return {b.id: b for b in self.baselines}


class BaselinePicks(Model):
    """What an assessment used: the set (by name, date and hash), the picks found in it and available
    on the assessment date, and the picks that were not (their reference evidence was not counted)."""

    set_name: str
    set_as_of: dt.date
    set_hash: str
    picked: list[BaselineEntry] = Field(default_factory=list)
    not_in_set: list[str] = Field(default_factory=list, description="picked ids the set does not list")
    not_available: list[str] = Field(default_factory=list,
                                     description="picked ids not public on the assessment date")
