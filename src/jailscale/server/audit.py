"""The audit log: every change to the registry, with who and when, in one append-only hash chain.

Entry ``n`` stores ``hash_n = sha256(canonical JSON of {seq, at, org, actor, case, kind, detail,
prev: hash_(n-1)})`` with ``hash_0`` 64 zeros; a one-row head table holds the newest ``seq`` and
hash, written in the same transaction. :func:`verify` recomputes every hash and checks the numbering,
the links and the head, so an edited entry, a removed entry (in the middle or at the end) or an
inserted one is found. Someone able to rewrite the whole table and the head consistently is caught
only by comparing the head with a copy kept elsewhere: ``jailscale audit verify`` prints it, and
``--expect-head`` checks a kept copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..formats import canonical_json
from ..store.registry_models import RegistryAudit, RegistryAuditHead
from .auth import Principal

GENESIS = "0" * 64
HEAD_ID = 1
MAX_PROBLEMS = 20


def _utc(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def entry_hash(seq: int, at: dt.datetime, org_id: str | None, actor: str, case_id: str | None, kind: str,
               detail: dict[str, Any], prev: str) -> str:
    data = {"seq": seq, "at": _utc(at).isoformat(), "org": org_id, "actor": actor, "case": case_id,
            "kind": kind, "detail": detail, "prev": prev}
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def append(s: Session, who: Principal | None, kind: str, case_id: str | None = None,
           detail: dict[str, Any] | None = None, actor: str | None = None) -> RegistryAudit:
    """Add one entry at the end of the chain (the head row is locked until the transaction ends, so
    concurrent writers on PostgreSQL queue instead of forking the chain)."""
    head = s.get(RegistryAuditHead, HEAD_ID, with_for_update=True)
    if head is None:
        head = RegistryAuditHead(id=HEAD_ID, seq=0, hash=GENESIS)
        s.add(head)
    seq, prev = head.seq + 1, head.hash
    at = dt.datetime.now(dt.UTC)
    org_id = who.org_id if who else None
    name = actor or (f"{who.user}@{who.org}" if who else "registry")
    info = dict(detail or {})
    h = entry_hash(seq, at, org_id, name, case_id, kind, info, prev)
    row = RegistryAudit(seq=seq, at=at, org_id=org_id, actor=name, case_id=case_id, kind=kind, detail=info,
                        prev_hash=prev, hash=h)
    s.add(row)
    head.seq, head.hash = seq, h
    s.flush()
    return row


@dataclass
class Verification:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head_seq": self.head_seq, "head_hash": self.head_hash,
                "problems": self.problems}


def verify(s: Session, expect_head: str | None = None) -> Verification:
    """Recompute the chain from the first entry; list each problem found (the first 20)."""
    problems: list[str] = []
    prev_hash, prev_seq, n = GENESIS, 0, 0
    for r in s.scalars(select(RegistryAudit).order_by(RegistryAudit.seq)).yield_per(1000):
        n += 1
        if r.seq != prev_seq + 1:
            problems.append(f"entries {prev_seq + 1}..{r.seq - 1} are missing (deleted)" if r.seq > prev_seq + 1
                            else f"entry {r.seq} is out of order")
        if r.prev_hash != prev_hash:
            problems.append(f"entry {r.seq} does not link to the entry before it")
        if entry_hash(r.seq, r.at, r.org_id, r.actor, r.case_id, r.kind, r.detail, r.prev_hash) != r.hash:
            problems.append(f"entry {r.seq} was changed after it was written (its hash does not match)")
        prev_hash, prev_seq = r.hash, r.seq
        if len(problems) >= MAX_PROBLEMS:
            break
    head = s.get(RegistryAuditHead, HEAD_ID)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if len(problems) < MAX_PROBLEMS and (head_seq, head_hash) != (prev_seq, prev_hash):
        problems.append(f"the log ends at entry {prev_seq} but its head records entry {head_seq}: "
                        "entries were removed from the end, or the head was changed")
    if expect_head is not None and expect_head not in (head_hash, f"{head_seq}:{head_hash}"):
        problems.append("the head differs from the copy kept elsewhere (--expect-head)")
    return Verification(ok=not problems, entries=n, head_seq=head_seq, head_hash=head_hash, problems=problems)
