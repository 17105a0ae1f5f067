"""Actions: the response policy's recommendation on an assessment becomes a tracked action with an
owner, a due date (from the decided action's "within") and a status. Deciding something other than
the recommendation needs a reason, which is kept with the action and in the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from ..spec.policy import ACTION_BY_NAME, ACTION_NAMES
from ..store.registry_models import RegistryAction
from . import audit, lifecycle
from .assessing import assessment_for
from .auth import Perm, Principal
from .cases import case_for, move, org_names, require
from .db import new_id
from .due import due_from
from .errors import ApiError, Conflict, NotFound
from .schemas import ActionIn, ActionOut, ActionUpdateIn
from .views import action_out, utc


def decide(s: Session, p: Principal, case_id: str, req: ActionIn) -> ActionOut:
    c = case_for(s, p, case_id, lock=True)
    require(p, Perm.act)
    a = assessment_for(s, p, case_id, req.assessment)
    if c.state not in lifecycle.ACTIONABLE:
        raise Conflict(f"actions are decided on an assessed, disputed, action decided or re-tested case; this one "
                       f"is {lifecycle.label(c.state)}")
    recommended, within = a.body["response"]["action"], a.body["response"]["within"]
    action = req.action or recommended
    if action not in ACTION_NAMES:
        raise ApiError(f"unknown action '{action}'; actions: {', '.join(ACTION_NAMES)}")
    reason = req.reason.strip()
    if action != recommended and not reason:
        raise ApiError(f"deciding {action} against the recommended {recommended} needs a reason")
    if action != recommended:
        within = ACTION_BY_NAME[action].within
    now = dt.datetime.now(dt.UTC)
    due = req.due if req.due is not None else due_from(within, now)
    if due is None:
        raise ApiError(f"the policy's 'within' ('{within}') gives no deadline; give 'due'")
    row = RegistryAction(id=new_id("act"), case_id=c.id, org_id=p.org_id, assessment_id=a.id,
                         recommended=recommended, within=within, action=action, reason=reason, owner=req.owner,
                         due_at=utc(due), status="open", created_at=now, updated_at=now)
    s.add(row)
    s.flush()
    audit.append(s, p, "action.decided", c.id, {
        "action": row.id, "assessment": a.id, "recommended": recommended, "decided": action,
        "against_recommendation": action != recommended, "reason": reason, "owner": req.owner,
        "due": utc(due).isoformat()})
    if c.state != lifecycle.ACTION_DECIDED:
        move(s, p, c, lifecycle.ACTION_DECIDED, f"{action} decided", auto=True)
    return action_out(row, org_names(s))


def update(s: Session, p: Principal, case_id: str, action_id: str, req: ActionUpdateIn) -> ActionOut:
    c = case_for(s, p, case_id, lock=True)
    row = s.get(RegistryAction, action_id)
    if row is None or row.case_id != c.id:
        raise NotFound("action not found")
    require(p, Perm.act)
    if row.status in ("done", "cancelled"):
        raise Conflict(f"the action is {row.status}; decide a new one instead")
    if req.status == "cancelled" and not req.reason.strip():
        raise ApiError("cancelling an action needs a reason")
    src = row.status
    row.status, row.updated_at = req.status, dt.datetime.now(dt.UTC)
    audit.append(s, p, "action.status", c.id, {"action": row.id, "from": src, "to": req.status,
                                               "reason": req.reason.strip()})
    return action_out(row, org_names(s))
