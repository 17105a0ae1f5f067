"""Request plumbing shared by the API and the web pages: the app's state, the caller's address, the
token check with its rate limits."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from .auth import MEMORY, Limits, Principal, RateLimiter, resolve
from .db import Registry
from .errors import RateLimited, Unauthorised

SESSION_COOKIE = "jailscale_session"


@dataclass
class State:
    registry: Registry
    limiter: RateLimiter


def state(request: Request) -> State:
    st: State = request.app.state.jailscale
    return st


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def authenticate(request: Request, raw: str | None, kind: str | None = None) -> Principal:
    """The principal for token ``raw``; 401 when missing or not valid, 429 past the limits (failed
    attempts per client address, requests per token)."""
    st = state(request)
    ip = client(request)
    if st.limiter.exhausted("bad_token", ip):
        raise RateLimited("too many requests with a missing or invalid token from this address; wait a minute")
    principal = None
    if raw:
        with st.registry.session() as s:
            principal = resolve(s, raw, kind)
    if principal is None:
        st.limiter.hit("bad_token", ip)
        raise Unauthorised()
    if not st.limiter.hit("token", principal.token_id):
        raise RateLimited(f"this token is over {st.limiter.limits.per_token} requests a minute; wait a minute")
    return principal


def new_state(registry: Registry, limits: Limits | None = None, rate_limit_storage: str | None = None) -> State:
    return State(registry=registry, limiter=RateLimiter(limits or Limits(), rate_limit_storage or MEMORY))
