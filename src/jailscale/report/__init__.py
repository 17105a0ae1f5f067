"""Human-readable reports of an assessment: Markdown, self-contained HTML, and a terminal summary.

Response text is redacted unless asked for; request text is never included; a private suite is named
by its hash only.
"""

from .html import render_html
from .markdown import render_markdown
from .summary import plain, summary_lines

__all__ = ["plain", "render_html", "render_markdown", "summary_lines"]
