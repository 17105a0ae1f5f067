"""The registry's database: opened and migrated once when the service starts, then one session per
request. A database that cannot be reached, stays locked, is damaged or has lost its tables while the
service runs is an :class:`EnvironmentFault` (a 503); see ``store._engine.environmental``."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import EnvironmentFault
from ..store._engine import connect, environmental, mask
from ..store._migrate import upgrade
from ..store._paths import default_url


def new_id(prefix: str) -> str:
    """A random id such as ``case_5f0c...``: 96 random bits, so ids can be neither guessed nor counted."""
    return f"{prefix}_{secrets.token_hex(12)}"


def _reason(e: BaseException) -> str:
    orig = getattr(e, "orig", None)
    lines = str(orig if orig is not None else e).strip().splitlines()
    return lines[0][:200] if lines else type(e).__name__


class Registry:
    """The database behind ``jailscale serve``. ``Registry.open(url)`` connects and applies the
    migrations (once, here); ``session()`` gives a transaction that commits when the block ends."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = mask(engine.url.render_as_string(hide_password=False))
        # SQLite allows one writer at a time: writers in this process queue here instead of failing
        # with "database is locked" when two requests write at once.
        self._sqlite = engine.dialect.name == "sqlite"
        self._writer = threading.Lock()

    @classmethod
    def open(cls, url: str | None = None) -> Registry:
        engine = connect(url or default_url())
        try:
            upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed at the end of the block, rolled back on error.
        Database failures become EnvironmentFault (never with SQL parameters or credentials)."""
        lock = self._writer if (write and self._sqlite) else None
        if lock is not None:
            lock.acquire()
        try:
            with Session(self.engine, expire_on_commit=False) as s, s.begin():
                yield s
        except IntegrityError:
            raise  # a conflict with stored data: the app answers 409
        except SQLAlchemyError as e:
            if isinstance(e, OperationalError) or environmental(e, opened=True):
                raise EnvironmentFault(f"the registry database at '{self.url}' is unavailable: "
                                       f"{_reason(e)}") from None
            raise  # the code's fault: a 500, logged
        finally:
            if lock is not None:
                lock.release()
