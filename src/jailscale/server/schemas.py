"""What the API takes and gives, as pydantic models: they validate requests and document the
OpenAPI schema (``/openapi.json``). Text fields are bounded: every input is written by a party that
may be the one being rated."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..formats import Submission, Suite

ShortText = Field(min_length=1, max_length=200)
Id = Field(min_length=1, max_length=40, pattern=r"^[a-z]+_[0-9a-f]{24}$")
RoleName = Literal["reporter", "assessor", "admin", "observer"]
ActionStatus = Literal["open", "in_progress", "done", "cancelled"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests ---------------------------------------------------------------------------------------
class LoginIn(Strict):
    user: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class UserIn(Strict):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.@\-]+$")
    role: RoleName
    password: str | None = Field(None, min_length=12, max_length=1000)


class TokenIn(Strict):
    user: str = Field(min_length=1, max_length=200)
    label: str = Field("api", min_length=1, max_length=200)
    days: int | None = Field(None, ge=1, le=3650, description="expires after this many days (none: never)")


class SuiteIn(Strict):
    suite: Suite
    private: bool = True


class CaseIn(Strict):
    submission: Submission


class TransitionIn(Strict):
    to: str = Field(min_length=1, max_length=32)
    reason: str = Field("", max_length=2000)


class ShareIn(Strict):
    org: str = Field(min_length=1, max_length=200)


class AssessIn(Strict):
    suite: str = Field("practice", min_length=1, max_length=80,
                       description="'practice' (bundled) or the id of a suite uploaded to the registry")
    judge: Literal["rules"] = "rules"
    submission: Submission | None = Field(None, description="your own evidence for this case's technique "
                                          "(default: the case's first submission)")
    submission_id: str | None = Field(None, min_length=1, max_length=40,
                                      description="a submission already on the case, by registry id")
    retest_of: str | None = Field(None, min_length=1, max_length=40,
                                  description="the assessment this re-tests (after a fix); needs new evidence")


class ActionIn(Strict):
    assessment: str = Field(min_length=1, max_length=40)
    owner: str = Field(min_length=1, max_length=200)
    action: str | None = Field(None, min_length=1, max_length=32,
                               description="the action decided (default: the policy's recommendation)")
    reason: str = Field("", max_length=2000, description="required when deciding against the recommendation")
    due: dt.datetime | None = Field(None, description="default: now plus the action's 'within'")


class ActionUpdateIn(Strict):
    status: ActionStatus
    reason: str = Field("", max_length=2000)


class NoteIn(Strict):
    text: str = Field(min_length=1, max_length=20000)
    private: bool = True


# --- responses --------------------------------------------------------------------------------------
class MeOut(BaseModel):
    user: str
    org: str
    role: RoleName
    permissions: list[str]


class UserOut(BaseModel):
    id: str
    name: str
    role: RoleName
    org: str
    disabled: bool
    created_at: dt.datetime


class TokenOut(BaseModel):
    id: str
    user: str
    label: str
    kind: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked: bool


class NewTokenOut(TokenOut):
    token: str = Field(description="the secret: shown once, stored only as its sha256")


class SuiteOut(BaseModel):
    id: str
    org: str
    hash: str
    name: str
    private: bool
    behaviours: int
    created_at: dt.datetime


class SubmissionMeta(BaseModel):
    id: str
    submission_id: str
    title: str
    technique_kind: str
    technique_name: str
    org: str
    evidence: int
    content_hash: str
    created_at: dt.datetime


class SubmissionOut(SubmissionMeta):
    redacted: bool = Field(description="response text was removed: the caller lacks the evidence permission")
    submission: dict[str, Any]


class AssessmentMeta(BaseModel):
    id: str
    org: str
    created_at: dt.datetime
    submission: str
    retest_of: str | None
    assessment_id: str
    vector: str
    score: float | None
    score_low: float
    score_high: float
    rating: str | None
    label: str
    recommended: str
    within: str
    policy: str


class AssessmentOut(AssessmentMeta):
    assessment: dict[str, Any]


class RetestOut(BaseModel):
    before: AssessmentMeta
    after: AssessmentMeta


class ActionOut(BaseModel):
    id: str
    org: str
    assessment: str
    recommended: str
    within: str
    action: str
    against_recommendation: bool
    reason: str
    owner: str
    due_at: dt.datetime
    status: str
    overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class NoteOut(BaseModel):
    id: str
    org: str
    user: str
    private: bool
    text: str
    created_at: dt.datetime


class MatchOut(BaseModel):
    case_id: str
    submission: str
    title: str
    technique_kind: str
    score: float = Field(description="estimated Jaccard similarity of the techniques' features (MinHash)")


class CaseSummary(BaseModel):
    id: str
    title: str
    state: str
    org: str
    created_at: dt.datetime
    updated_at: dt.datetime
    score: float | None = None
    rating: str | None = None
    assessments: int = 0
    open_actions: int = 0
    overdue_actions: int = 0


class CaseDetail(CaseSummary):
    participants: list[str]
    next_states: list[str]
    submissions: list[SubmissionMeta]
    assessment_list: list[AssessmentMeta]
    retests: list[RetestOut]
    actions: list[ActionOut]
    notes: list[NoteOut]
    matches: list[MatchOut] | None = Field(None, description="closest known techniques (for those who triage)")


class CaseCreated(BaseModel):
    case: CaseSummary
    submission: SubmissionMeta
    matches: list[MatchOut]


class HistoryEntry(BaseModel):
    seq: int
    at: dt.datetime
    actor: str
    kind: str
    detail: dict[str, Any]


class ComparisonOut(BaseModel):
    a: AssessmentMeta
    b: AssessmentMeta
    names: list[str]
    deciding: list[str] = Field(description="metrics whose difference alone moves a rating")
    text: str
    comparison: dict[str, Any]


class AuditOut(BaseModel):
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    problems: list[str]
