"""The baseline registry: which models count as freely available alternatives for UP (JSS 2.0).

The bundled set (``jss-baselines-*.yaml`` in this package, the newest ``as_of`` wins) is the default;
``--baselines FILE`` names another. :func:`pick` applies a set to a submission: the submission's
``baselines`` (ids) become reference alternatives when the set lists them and they were public on the
assessment date; reference evidence for any other pick is left out of the measurement (missing
evidence widens UP's range or withholds it: it never lowers the score) and the assessment records
both lists.

    >>> from jailscale import baselines
    >>> s = baselines.bundled()
    >>> s.name, "meta/llama-3.1-405b-instruct" in s.by_id()
    ('jss-baselines', True)
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from ..errors import UserError
from ..formats import ReferenceAlternative, Submission
from ..formats.baselines import BaselineEntry, BaselinePicks, BaselineSet
from ..formats.io import read_model

PATTERN = "jss-baselines-*.yaml"
#: What a registry kind is as a submission's reference alternative kind.
RefKind = Literal["open_weights", "commercial"]
REFERENCE_KIND: dict[str, RefKind] = {"open_weights": "open_weights", "public_api": "commercial"}


def bundled_paths() -> list[Path]:
    """The bundled set files, oldest first."""
    root = Path(str(resources.files(__package__)))
    return sorted(root.glob(PATTERN))


@cache
def _bundled() -> BaselineSet:
    sets = [read_model(BaselineSet, p) for p in bundled_paths()]
    if not sets:
        raise RuntimeError(f"no bundled baseline set ({PATTERN}) in the jailscale package")
    return max(sets, key=lambda s: s.as_of)


def bundled() -> BaselineSet:
    """The newest bundled set (a copy: callers may not change the cached one)."""
    return _bundled().model_copy(deep=True)


def load(path: Path) -> BaselineSet:
    """A baseline set file (YAML or JSON, ``format: jailscale.baselines/1``), read through the bounded
    untrusted-input layer (:mod:`jailscale.formats.io`: regular files only, a size cap, duplicate keys
    and alias bombs refused) and validated (bounded fields, unique ids, dates not after ``as_of``)."""
    return read_model(BaselineSet, Path(path))


def load_arg(text: str | None) -> BaselineSet:
    """``--baselines``: a file path, or nothing for the bundled set."""
    if text is None or text == "bundled":
        return bundled()
    path = Path(text)
    if not path.exists():
        raise UserError(f"baseline set '{text[:200]}' is not a file; give a jailscale.baselines/1 YAML or "
                        "JSON file, or leave --baselines out for the bundled set")
    return load(path)


def _reference(entry: BaselineEntry) -> ReferenceAlternative:
    return ReferenceAlternative(name=entry.id, kind=REFERENCE_KIND[entry.kind],
                                version=entry.version, date=entry.available_from)


def pick(sub: Submission, bset: BaselineSet) -> tuple[Submission, BaselinePicks, list[str]]:
    """Apply ``bset`` to ``sub``: (the submission to measure, the picks to record, warnings).

    Each id in ``sub.baselines`` that ``bset`` lists and that was public on ``sub.assessed_on`` becomes a
    reference alternative named by its id. Reference transcripts of any other pick (not in the set, or
    not yet public) are dropped from the evidence measured: that evidence no longer counts, which can
    only widen UP's range or withhold it. Reference alternatives declared by the submission itself
    (``references``) are kept, with a warning that they are not from the registry."""
    known = bset.by_id()
    picked: list[BaselineEntry] = []
    missing: list[str] = []
    early: list[str] = []
    for bid in sub.baselines:
        entry = known.get(bid)
        if entry is None:
            missing.append(bid)
        elif not entry.available_on(sub.assessed_on):
            early.append(bid)
        else:
            picked.append(entry)
    dropped = set(missing) | set(early)
    own = {r.name for r in sub.references}
    refs = [*sub.references, *(_reference(e) for e in picked if e.id not in own)]
    evidence = [t for t in sub.evidence if not (t.condition == "reference" and t.reference in dropped)]
    measured = sub.model_copy(update={"references": refs, "evidence": evidence})
    warnings: list[str] = []
    if missing:
        warnings.append(f"baseline pick(s) not in set '{bset.name}' ({bset.as_of}): {', '.join(missing)}; their "
                        "reference evidence was not counted")
    if early:
        warnings.append(f"baseline pick(s) not public on {sub.assessed_on}: {', '.join(early)}; their reference "
                        "evidence was not counted")
    unregistered = sorted(own - set(known))
    if unregistered:
        warnings.append(f"reference alternative(s) declared by the submission, not from baseline set "
                        f"'{bset.name}': {', '.join(unregistered)}")
    picks = BaselinePicks(set_name=bset.name, set_as_of=bset.as_of, set_hash=bset.content_hash, picked=picked,
                          not_in_set=missing, not_available=early)
    return measured, picks, warnings


__all__ = ["BaselineEntry", "BaselinePicks", "BaselineSet", "bundled", "bundled_paths", "load", "load_arg",
           "pick"]
