"""Showing untrusted text safely: on a terminal, in an error line, in Markdown and in HTML.

Every title, model name, behaviour id, response and file name jailscale prints was written by someone
else, possibly the party being rated. Printed raw, such text can drive the terminal (ESC and OSC
sequences set the window title, plant OSC 8 links, clear the screen; BEL rings; C1 controls such as
U+009B act as CSI on some terminals), reorder what is shown (the Unicode bidirectional overrides of
"Trojan Source", CVE-2021-42574) or, in a Markdown report, load a remote image. This module is the one
place that neutralises them; the CLI, the reports and the server all use it.

Standard library only; imports nothing of ours, so every layer can use it.
"""

from __future__ import annotations

import re
from typing import Any

#: C0 controls (U+0000-U+001F), DEL (U+007F), C1 controls (U+0080-U+009F), and the Unicode
#: bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069, Unicode
#: TR #9) plus U+200E/U+200F/U+061C marks. Each is shown as a visible escape instead.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: The same, but line feed and tab are left alone (multi-line text on a terminal or in a file).
_CONTROL_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: C1 controls and bidi controls only: what JSON with ensure_ascii=False leaves raw inside strings.
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

#: Markdown characters that start emphasis, links, images, code, headings, tables or strikethrough
#: anywhere in a line (CommonMark 0.31 "Backslash escapes": any ASCII punctuation may be escaped;
#: GFM adds ``|`` tables and ``~`` strikethrough). ``<`` and ``>`` become HTML entities instead.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]!|~])")
#: What starts a block only at the beginning of a line: a list item (``-``, ``+``, ``1.``, ``1)``), a
#: heading (``#``), a setext underline (``=``), a block quote (``>``, already an entity).
_MD_LEADING = re.compile(r"^(\s*)([-+](?=\s|$)|[#=]|\d{1,9}(?=[.)](?:\s|$)))")

#: The Content-Security-Policy of the HTML report (W3C CSP Level 3): nothing may load or run. The
#: report's CSS is inline (style-src 'unsafe-inline' allows only that); its chart is inline SVG;
#: images only as data: URIs; no scripts, frames, fonts, forms, connections or base URL changes.
HTML_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; "
            "object-src 'none'; frame-src 'none'; connect-src 'none'; font-src 'none'; "
            "form-action 'none'; base-uri 'none'")

#: How many characters of an untrusted value an error line quotes, by default.
QUOTE_LIMIT = 80


def _visible(m: re.Match[str]) -> str:
    c = m.group(0)
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str, keep_lines: bool = False) -> str:
    """``text`` with every control character shown as a visible escape (``\\x1b``, ``\\u202e``).
    With ``keep_lines``, line feeds and tabs stay (for multi-line output); otherwise the result is
    one line."""
    return (_CONTROL_KEEP_LINES if keep_lines else _CONTROL).sub(_visible, text)


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters, with ``...`` and how much was cut when longer."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """An untrusted value for an error line: a string truncated, escaped and in single quotes; any
    other value as its type and size, never ``str()`` of a structure (which may be a gigabyte after
    YAML aliases expand)."""
    if isinstance(value, str):
        return "'" + terminal(truncate(value, limit)).replace("'", "\\'") + "'"
    if value is None or isinstance(value, bool | int | float):
        return terminal(truncate(repr(value), limit))
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    try:
        size = f" of {len(value)}"
    except TypeError:
        size = ""
    return f"<a {type(value).__name__}{size}>"


def one_line(text: str, limit: int | None = None) -> str:
    """Text for one terminal line (error messages, list rows): controls escaped, optionally cut."""
    return terminal(truncate(text, limit) if limit else text)


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the C1, bidi and line-separator
    characters it leaves raw written as ``\\u`` escapes: the same JSON value, safe on a terminal."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def markdown(text: str) -> str:
    """Text safe inline in Markdown (a line, a list item, a table cell): controls escaped, HTML
    entities for ``& < >``, every Markdown special character backslash-escaped (so ``![x](url)`` is
    shown, not fetched), line breaks as spaces."""
    text = terminal(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    m = _MD_LEADING.match(text)
    if m and m.group(2).isdigit():
        end = m.end()
        return text[:end] + "\\" + text[end:]
    return _MD_LEADING.sub(r"\1\\\2", text, count=1)


def markdown_code(text: str) -> str:
    """Text as a Markdown code span: a backtick run longer than any inside it (CommonMark 6.1)."""
    text = terminal(text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_block(text: str) -> list[str]:
    """Multi-line text as a fenced code block whose fence no line of the text can close."""
    text = terminal(text, keep_lines=True)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", text, fence]
