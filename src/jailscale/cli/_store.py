"""Opening the store from CLI options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..store import Store


@contextmanager
def open_store(url: str | None, disabled: bool = False) -> Iterator[Store | None]:
    if disabled:
        yield None
        return
    store = Store.open(url or Store.url_from_env())
    try:
        yield store
    finally:
        store.close()
