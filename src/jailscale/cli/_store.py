"""Opening the store from CLI options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store


@contextmanager
def open_store(url: str | None, disabled: bool = False) -> Iterator[Store | None]:
    if disabled:
        yield None
        return
    from ..store import Store

    store = Store.open(url or Store.url_from_env())
    try:
        yield store
    finally:
        store.close()
