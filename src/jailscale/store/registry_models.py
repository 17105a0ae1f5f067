"""The registry's tables (``jailscale serve``): organisations, users, API tokens, cases with their
submissions, assessments, actions and notes, private suites, and the hash-chained audit log.

Ids of cases and of everything on them are random (``secrets.token_hex``), so an id says nothing
about how many cases exist or who filed them. Token and password columns hold only hashes. The
audit log is append-only by contract: the registry never updates or deletes its rows, and
``jailscale.server.audit.verify`` detects a row that was edited or removed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import HASH, NAME, Base

RID = String(40)  # random ids: a short kind prefix and 24 hex digits
TS = DateTime(timezone=True)


class RegistryOrg(Base):
    __tablename__ = "registry_orgs"

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    name: Mapped[str] = mapped_column(NAME, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistryUser(Base):
    """A person or a service account in one organisation, with one role."""

    __tablename__ = "registry_users"

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("registry_orgs.id"), index=True)
    name: Mapped[str] = mapped_column(NAME, unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool]
    created_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistryToken(Base):
    """An API token or a web session: only the sha256 of the secret is kept."""

    __tablename__ = "registry_tokens"

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("registry_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(NAME)
    created_at: Mapped[dt.datetime] = mapped_column(TS)
    expires_at: Mapped[dt.datetime | None] = mapped_column(TS)
    revoked: Mapped[bool]


class RegistryCase(Base):
    """One jailbreak, from report to closure. ``org_id`` filed it; ``registry_case_orgs`` lists every
    organisation taking part (the filer included)."""

    __tablename__ = "registry_cases"

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("registry_orgs.id"), index=True)
    reporter_id: Mapped[str] = mapped_column(ForeignKey("registry_users.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(TS, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistryCaseOrg(Base):
    __tablename__ = "registry_case_orgs"

    case_id: Mapped[str] = mapped_column(ForeignKey("registry_cases.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("registry_orgs.id"), primary_key=True)
    added_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistrySubmission(Base):
    """A submission with its evidence (``body``), and its technique's MinHash signature for
    near-duplicate search."""

    __tablename__ = "registry_submissions"

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("registry_cases.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("registry_orgs.id"))
    user_id: Mapped[str] = mapped_column(ForeignKey("registry_users.id"))
    submission_id: Mapped[str] = mapped_column(NAME)
    content_hash: Mapped[str] = mapped_column(HASH, index=True)
    technique_kind: Mapped[str] = mapped_column(String(32))
    signature: Mapped[list[Any]]
    body: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistrySuite(Base):
    """A suite uploaded by an organisation; a private one is seen by that organisation only."""

    __tablename__ = "registry_suites"
    __table_args__ = (UniqueConstraint("org_id", "hash", name="uq_registry_suites_org_hash"),)

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("registry_orgs.id"), index=True)
    hash: Mapped[str] = mapped_column(HASH)
    name: Mapped[str] = mapped_column(Text)
    private: Mapped[bool]
    body: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistryAssessment(Base):
    """An assessment on a case by one organisation; ``retest_of`` links a re-test to the assessment
    it re-tests."""

    __tablename__ = "registry_assessments"

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("registry_cases.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("registry_orgs.id"))
    user_id: Mapped[str] = mapped_column(ForeignKey("registry_users.id"))
    submission_id: Mapped[str] = mapped_column(ForeignKey("registry_submissions.id"))
    suite_id: Mapped[str | None] = mapped_column(ForeignKey("registry_suites.id"))
    retest_of: Mapped[str | None] = mapped_column(ForeignKey("registry_assessments.id"))
    assessment_id: Mapped[str] = mapped_column(HASH)
    body: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistryAction(Base):
    """A response action decided on a case: the policy's recommendation, what was decided, who owns
    it and by when."""

    __tablename__ = "registry_actions"

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("registry_cases.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("registry_orgs.id"))
    assessment_id: Mapped[str] = mapped_column(ForeignKey("registry_assessments.id"))
    recommended: Mapped[str] = mapped_column(String(32))
    within: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(NAME)
    due_at: Mapped[dt.datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(TS)
    updated_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistryNote(Base):
    """A note on a case; a private one is seen by its organisation only."""

    __tablename__ = "registry_notes"

    id: Mapped[str] = mapped_column(RID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("registry_cases.id"), index=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("registry_orgs.id"))
    user_id: Mapped[str] = mapped_column(ForeignKey("registry_users.id"))
    private: Mapped[bool]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(TS)


class RegistryAudit(Base):
    """One audit entry; ``hash`` is sha256 over the entry and ``prev_hash`` (the chain)."""

    __tablename__ = "registry_audit"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(TS)
    org_id: Mapped[str | None] = mapped_column(RID)
    actor: Mapped[str] = mapped_column(NAME)
    case_id: Mapped[str | None] = mapped_column(RID, index=True)
    kind: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class RegistryAuditHead(Base):
    """The newest entry's number and hash (one row): removing the last entries of the log is
    detected by comparing with it."""

    __tablename__ = "registry_audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


REGISTRY_TABLES = ("registry_orgs", "registry_users", "registry_tokens", "registry_cases", "registry_case_orgs",
                   "registry_submissions", "registry_suites", "registry_assessments", "registry_actions",
                   "registry_notes", "registry_audit", "registry_audit_head")
