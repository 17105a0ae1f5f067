"""Helpers for the registry's tests, the authorisation matrix script and the load benchmark: a
registry with two organisations and a member of every role, and a
registry served by uvicorn on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jailscale.server.auth import Limits
from jailscale.server.db import Registry
from jailscale.server.seed import add_member

PASSWORD = "correct horse battery staple"
#: Who the tests act as: (organisation, user, role).
MEMBERS = (("Lab", "lab-admin", "admin"), ("Lab", "lab-assessor", "assessor"), ("Lab", "lab-reporter", "reporter"),
           ("Lab", "lab-observer", "observer"), ("Gov", "gov-admin", "admin"), ("Gov", "gov-assessor", "assessor"),
           ("Gov", "gov-observer", "observer"), ("Other", "other-admin", "admin"))
GENEROUS = Limits(logins=1000, bad_tokens=100000, per_token=100000)


@dataclass
class Kit:
    """An open registry with the members of ``MEMBERS``; ``tokens[user]`` is each one's API token."""

    registry: Registry
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


#: Who gets a password for the web pages (Argon2 is slow on purpose: the others use tokens only).
WITH_PASSWORD = frozenset({"lab-admin", "gov-assessor"})


def populate(registry: Registry, password: str | None = PASSWORD) -> Kit:
    kit = Kit(registry)
    with registry.session(write=True) as s:
        for org, user, role in MEMBERS:
            kit.tokens[user] = add_member(s, org, user, role, password if user in WITH_PASSWORD else None)
    return kit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the registry did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
