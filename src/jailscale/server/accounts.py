"""Organisations, users, tokens, logins and uploaded suites.

Organisations are created by whoever runs the registry (``jailscale registry add-org``, with direct
access to the database); each organisation's admins then manage its own users and tokens over the API.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..store.registry_models import RegistryOrg, RegistrySuite, RegistryToken, RegistryUser
from . import audit
from .auth import SESSION_HOURS, Perm, Principal, Role, hash_password, new_secret, verify_password
from .cases import org_names, require
from .db import new_id
from .errors import Conflict, NotFound, Unauthorised
from .schemas import NewTokenOut, SuiteIn, SuiteOut, TokenIn, TokenOut, UserIn, UserOut
from .views import suite_out, utc


def add_org(s: Session, name: str, admin: str, password: str | None = None) -> tuple[str, str]:
    """A new organisation with one admin user; returns (admin user id, the admin's API token)."""
    if s.scalars(select(RegistryOrg).where(RegistryOrg.name == name)).first() is not None:
        raise Conflict(f"organisation '{name}' exists")
    if s.scalars(select(RegistryUser).where(RegistryUser.name == admin)).first() is not None:
        raise Conflict(f"user '{admin}' exists")
    now = dt.datetime.now(dt.UTC)
    org = RegistryOrg(id=new_id("org"), name=name, created_at=now)
    user = RegistryUser(id=new_id("user"), org_id=org.id, name=admin, role=Role.admin.value,
                        password_hash=hash_password(password) if password else None, disabled=False, created_at=now)
    s.add(org)
    s.flush()
    s.add(user)
    s.flush()
    raw, h = new_secret()
    s.add(RegistryToken(id=new_id("tok"), user_id=user.id, token_hash=h, kind="api", label="bootstrap",
                        created_at=now, expires_at=None, revoked=False))
    audit.append(s, None, "org.created", None, {"org": org.id, "admin": user.id}, actor="operator")
    return user.id, raw


def _user_out(u: RegistryUser, orgs: dict[str, str]) -> UserOut:
    return UserOut(id=u.id, name=u.name, role=Role(u.role), org=orgs.get(u.org_id, "?"), disabled=u.disabled,
                   created_at=utc(u.created_at))


def add_user(s: Session, p: Principal, req: UserIn) -> UserOut:
    require(p, Perm.manage)
    if s.scalars(select(RegistryUser).where(RegistryUser.name == req.name)).first() is not None:
        raise Conflict("that user name is taken")
    u = RegistryUser(id=new_id("user"), org_id=p.org_id, name=req.name, role=req.role,
                     password_hash=hash_password(req.password) if req.password else None, disabled=False,
                     created_at=dt.datetime.now(dt.UTC))
    s.add(u)
    try:
        s.flush()
    except IntegrityError:
        raise Conflict("that user name is taken") from None
    audit.append(s, p, "user.created", None, {"user": u.id, "role": req.role})
    return _user_out(u, org_names(s))


def list_users(s: Session, p: Principal) -> list[UserOut]:
    require(p, Perm.manage)
    orgs = org_names(s)
    return [_user_out(u, orgs) for u in s.scalars(
        select(RegistryUser).where(RegistryUser.org_id == p.org_id).order_by(RegistryUser.name))]


def _token_out(t: RegistryToken, user: str) -> TokenOut:
    return TokenOut(id=t.id, user=user, label=t.label, kind=t.kind, created_at=utc(t.created_at),
                    expires_at=None if t.expires_at is None else utc(t.expires_at), revoked=t.revoked)


def add_token(s: Session, p: Principal, req: TokenIn) -> NewTokenOut:
    require(p, Perm.manage)
    u = s.scalars(select(RegistryUser).where(RegistryUser.name == req.user, RegistryUser.org_id == p.org_id)).first()
    if u is None:
        raise NotFound("user not found")
    now = dt.datetime.now(dt.UTC)
    raw, h = new_secret()
    t = RegistryToken(id=new_id("tok"), user_id=u.id, token_hash=h, kind="api", label=req.label, created_at=now,
                      expires_at=None if req.days is None else now + dt.timedelta(days=req.days), revoked=False)
    s.add(t)
    s.flush()
    audit.append(s, p, "token.created", None, {"token": t.id, "user": u.id})
    return NewTokenOut(**_token_out(t, u.name).model_dump(), token=raw)


def list_tokens(s: Session, p: Principal) -> list[TokenOut]:
    """Tokens of the caller's organisation (admins) or the caller's own (everyone else); never secrets."""
    q = select(RegistryToken, RegistryUser.name).join(RegistryUser, RegistryUser.id == RegistryToken.user_id)
    q = q.where(RegistryUser.org_id == p.org_id) if p.can(Perm.manage) else q.where(RegistryUser.id == p.user_id)
    return [_token_out(t, name) for t, name in s.execute(q.order_by(RegistryToken.created_at, RegistryToken.id))]


def revoke_token(s: Session, p: Principal, token_id: str) -> TokenOut:
    row = s.execute(select(RegistryToken, RegistryUser).join(RegistryUser, RegistryUser.id == RegistryToken.user_id)
                    .where(RegistryToken.id == token_id)).first()
    if row is None:
        raise NotFound("token not found")
    t, u = row
    mine = u.id == p.user_id
    if not mine and not (p.can(Perm.manage) and u.org_id == p.org_id):
        raise NotFound("token not found")
    t.revoked = True
    audit.append(s, p, "token.revoked", None, {"token": t.id})
    return _token_out(t, u.name)


def login(s: Session, user: str, password: str) -> tuple[str, dt.datetime, str]:
    """A web session for a user with a password: (secret, expiry, user id). The same answer for an
    unknown user and a wrong password."""
    u = s.scalars(select(RegistryUser).where(RegistryUser.name == user)).first()
    if not verify_password(u.password_hash if u else None, password) or u is None or u.disabled:
        raise Unauthorised("wrong user name or password")
    now = dt.datetime.now(dt.UTC)
    raw, h = new_secret()
    expires = now + dt.timedelta(hours=SESSION_HOURS)
    s.add(RegistryToken(id=new_id("tok"), user_id=u.id, token_hash=h, kind="session", label="web session",
                        created_at=now, expires_at=expires, revoked=False))
    audit.append(s, None, "user.login", None, {"user": u.id}, actor=u.name)
    return raw, expires, u.id


def logout(s: Session, p: Principal) -> None:
    t = s.get(RegistryToken, p.token_id)
    if t is not None and t.kind == "session":
        t.revoked = True


def add_suite(s: Session, p: Principal, req: SuiteIn) -> SuiteOut:
    require(p, Perm.suites)
    h = req.suite.content_hash
    old = s.scalars(select(RegistrySuite).where(RegistrySuite.org_id == p.org_id, RegistrySuite.hash == h)).first()
    if old is not None:
        return suite_out(old, org_names(s))
    r = RegistrySuite(id=new_id("suite"), org_id=p.org_id, hash=h, name=req.suite.name, private=req.private,
                      body=req.suite.model_dump(mode="json"), created_at=dt.datetime.now(dt.UTC))
    s.add(r)
    s.flush()
    audit.append(s, p, "suite.added", None, {"suite": r.id, "hash": h, "private": req.private})
    return suite_out(r, org_names(s))



def list_suites(s: Session, p: Principal) -> list[SuiteOut]:
    orgs = org_names(s)
    return [suite_out(r, orgs) for r in s.scalars(
        select(RegistrySuite).where(or_(RegistrySuite.org_id == p.org_id, RegistrySuite.private.is_(False)))
        .order_by(RegistrySuite.created_at, RegistrySuite.id))]


def get_suite(s: Session, p: Principal, suite_id: str) -> dict[str, object]:
    r = s.get(RegistrySuite, suite_id)
    if r is None or (r.private and r.org_id != p.org_id):
        raise NotFound("suite not found")
    return {**suite_out(r, org_names(s)).model_dump(mode="json"), "suite": r.body}
