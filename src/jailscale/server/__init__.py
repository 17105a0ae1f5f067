"""The registry service (``jailscale serve``): a FastAPI app over the registry's tables, with a JSON
API, server-rendered web pages and an audit log. Needs the ``server`` extra:
``pip install 'jailscale[server]'``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app as create_app

INSTALL_HINT = "the registry needs the server extra: pip install 'jailscale[server]'"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
