"""Who may do what: organisations, users with one role each, API tokens and web sessions.

Roles and their permissions (``ROLE_PERMISSIONS``):

- reporter: file cases, write notes; sees the cases it filed and the response text of its own
  submissions only.
- assessor: everything on the cases its organisation takes part in: file, triage and move, assess,
  decide actions, notes, response text, upload suites, share a case its organisation filed.
- admin: what an assessor may, and manage its own organisation's users and tokens.
- observer: reads the cases its organisation takes part in; response text redacted; changes nothing.

Secrets: a token is 32 random bytes (``secrets.token_urlsafe``); only its sha256 is stored, which
is enough for a secret with that much entropy (no salt or slow hash is needed, unlike a password).
Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommended option).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import RateLimitItemPerMinute
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import EnvironmentFault, UserError
from ..store.registry_models import RegistryOrg, RegistryToken, RegistryUser
from ..textsafe import one_line, quote

TOKEN_PREFIX = "jss_"
#: The prefix of the rate limits' keys in a shared storage (Redis): apart from other applications'.
KEY_PREFIX = "jailscale-registry"
SESSION_HOURS = 12


class Role(StrEnum):
    reporter = "reporter"
    assessor = "assessor"
    admin = "admin"
    observer = "observer"


class Perm(StrEnum):
    file = "file cases"
    triage = "triage and move cases"
    assess = "assess"
    act = "decide actions"
    note = "write notes"
    evidence = "see response text"
    suites = "upload suites"
    share = "share cases with another organisation"
    manage = "manage users and tokens"


_WORK = {Perm.file, Perm.triage, Perm.assess, Perm.act, Perm.note, Perm.evidence, Perm.suites, Perm.share}
ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.reporter: frozenset({Perm.file, Perm.note}),
    Role.assessor: frozenset(_WORK),
    Role.admin: frozenset({*_WORK, Perm.manage}),
    Role.observer: frozenset(),
}


@dataclass(frozen=True)
class Principal:
    """The caller: a user of one organisation, through one token."""

    user_id: str
    user: str
    org_id: str
    org: str
    role: Role
    token_id: str
    token_kind: str

    def can(self, perm: Perm) -> bool:
        return perm in ROLE_PERMISSIONS[self.role]


def new_secret() -> tuple[str, str]:
    """A fresh token and the sha256 hex digest that is stored in its place."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return raw, token_hash(raw)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches; a user with no password never logs in with one."""
    if not stored:
        _HASHER.hash(password)  # spend the same time as a real check: timing says nothing
        return False
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def csrf_token(session_secret: str) -> str:
    """The CSRF token of a web session: an HMAC of a fixed label under the session's secret, so a
    page can embed it and a forged cross-site form, which cannot read the cookie, cannot."""
    return hmac.new(session_secret.encode("utf-8", "surrogatepass"), b"jailscale-csrf", hashlib.sha256).hexdigest()


def _utc(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t


def resolve(s: Session, raw: str, kind: str | None = None) -> Principal | None:
    """The principal holding token ``raw`` (of ``kind`` when given): None when the token is unknown,
    revoked, expired, of another kind, or its user is disabled."""
    if not raw or len(raw) > 200:
        return None
    row = s.execute(select(RegistryToken, RegistryUser, RegistryOrg)
                    .join(RegistryUser, RegistryUser.id == RegistryToken.user_id)
                    .join(RegistryOrg, RegistryOrg.id == RegistryUser.org_id)
                    .where(RegistryToken.token_hash == token_hash(raw))).first()
    if row is None:
        return None
    token, user, org = row
    if token.revoked or user.disabled or (kind is not None and token.kind != kind):
        return None
    if token.expires_at is not None and _utc(token.expires_at) <= dt.datetime.now(dt.UTC):
        return None
    return Principal(user_id=user.id, user=user.name, org_id=org.id, org=org.name, role=Role(user.role),
                     token_id=token.id, token_kind=token.kind)


@dataclass(frozen=True)
class Limits:
    """Requests allowed per minute (moving window): login attempts per client address and user name,
    failed token checks per client address, and requests per token."""

    logins: int = 10
    bad_tokens: int = 30
    per_token: int = 600


#: Where the limits count, unless ``serve --rate-limit-storage`` says otherwise: this process's memory.
MEMORY = "memory://"


def _shown(url: str) -> str:
    """The storage URL with any password hidden."""
    from ..store._engine import mask

    return quote(mask(url), 120)


class RateLimiter:
    """Moving-window limits (the ``limits`` library). ``storage`` is a ``limits`` storage URL: the
    default ``memory://`` counts in this process only, so with several workers or instances each
    counts on its own and a client gets that many times the limit; ``redis://host:6379`` (or another
    storage ``limits`` supports) shares the counts between every process that names it.

    A storage that cannot be used when the service starts is bad input (an unknown scheme, a missing
    client library: UserError) or the environment (unreachable: EnvironmentFault); while serving, a
    storage that fails is an EnvironmentFault (a 503): limits are never silently dropped."""

    def __init__(self, limits: Limits, storage: str = MEMORY, key_prefix: str = KEY_PREFIX) -> None:
        from limits.errors import ConfigurationError
        from limits.storage import storage_from_string

        self.limits = limits
        self.storage_url = storage
        try:
            self._storage = storage_from_string(storage, **({} if storage == MEMORY else {"key_prefix": key_prefix}))
        except (ConfigurationError, ValueError) as e:
            raise UserError(f"cannot use rate-limit storage {_shown(storage)}: {one_line(str(e), 200)}; give "
                            "memory:// (this process only) or e.g. redis://127.0.0.1:6379 (pip install "
                            "'jailscale[redis]')") from None
        if storage != MEMORY:
            try:
                ok = self._storage.check()
            except Exception:  # any client error: unreachable
                ok = False
            if not ok:
                raise EnvironmentFault(f"cannot reach the rate-limit storage at {_shown(storage)}")
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._items = {"login": RateLimitItemPerMinute(limits.logins),
                       "bad_token": RateLimitItemPerMinute(limits.bad_tokens),
                       "token": RateLimitItemPerMinute(limits.per_token)}

    @property
    def shared(self) -> bool:
        return self.storage_url != MEMORY

    def _call(self, fn: Callable[..., bool], kind: str, key: str) -> bool:
        try:
            return fn(self._items[kind], kind, key)
        except Exception as e:  # the storage client failed (connection, timeout)
            raise EnvironmentFault(f"the rate-limit storage at {_shown(self.storage_url)} failed: "
                                   f"{type(e).__name__}") from None

    def hit(self, kind: str, key: str) -> bool:
        """Count one event; False when the limit for ``kind`` and ``key`` is already reached."""
        return self._call(self._limiter.hit, kind, key)

    def exhausted(self, kind: str, key: str) -> bool:
        return not self._call(self._limiter.test, kind, key)
