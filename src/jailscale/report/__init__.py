"""Human-readable reports of an assessment: Markdown, self-contained HTML, and a terminal summary.

Response text is redacted unless asked for; request text is never included; a private suite is named
by its hash only.

The names below are imported on first use: the terminal summary (``report.summary``), which a rerun
served from the store prints, does not pay for the HTML stack (Jinja2, charts).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .html import render_html
    from .markdown import render_markdown
    from .summary import plain, summary_lines

#: Each exported name and the module it lives in.
_HOME = {"render_html": ".html", "render_markdown": ".markdown", "plain": ".summary", "summary_lines": ".summary"}

__all__ = ["plain", "render_html", "render_markdown", "summary_lines"]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value
