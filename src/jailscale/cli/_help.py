"""``jailscale --help`` without Typer: the same panels, drawn with Rich from a generated index.

The full command line builds every verb's Typer command (and, through Typer, a pydantic adapter for
every parameter) only to list their names and first paragraphs, several times the calculator's own
start-up. :data:`jailscale.cli._help_index.INDEX` holds what the root help shows, taken from the real
Typer group by :func:`index_of` (``scripts/write_cli_docs.py`` writes it; tests/cli/test_cli_docs.py
fails when it is stale), and :func:`render` draws it exactly as Typer's Rich help does (the same
console settings, highlighters, tables and panels). tests/cli/test_fast_path.py holds the output
byte-identical to the full path's, at several widths and in colour.

Imports Rich only, inside :func:`render`; Typer never.
"""

from __future__ import annotations

import os
from typing import Any

#: Typer's styles for what the root help shows (typer.rich_utils).
STYLE_OPTION, STYLE_SWITCH = "bold cyan", "bold green"
STYLE_NEGATIVE_OPTION, STYLE_NEGATIVE_SWITCH = "bold magenta", "bold red"
STYLE_TYPES, STYLE_TYPES_SEPARATOR, STYLE_USAGE = "bold yellow", "dim", "yellow"
STYLE_HELPTEXT, STYLE_OPTION_DEFAULT, STYLE_OPTION_ENVVAR = "dim", "dim", "dim yellow"
STYLE_PANEL_BORDER, STYLE_COMMANDS_FIRST_COLUMN = "dim", "bold cyan"
#: Environment variables that change how Typer draws help; when one is set, the full path draws it.
TYPER_ENV = ("TYPER_USE_RICH", "_TYPER_FORCE_DISABLE_TERMINAL", "_TYPER_STANDARD_TRACEBACK")


def _cleandoc_twice(text: str) -> str:
    """Typer cleans a help text, then cleans it again when it makes it rich text."""
    import inspect

    return inspect.cleandoc(inspect.cleandoc(text))


def index_of(group: Any, ctx: Any) -> dict[str, Any]:
    """What the root help shows, from a Typer group and its context: plain data for :func:`render`.
    Raises ValueError on anything :func:`render` does not draw (so a change of the app that it
    cannot follow fails the generator instead of drawing something else)."""
    import inspect

    if getattr(group, "rich_markup_mode", None) != "rich" or group.deprecated or group.epilog:
        raise ValueError("the fast --help draws a rich-markup group without epilog or deprecation only")
    help_text = inspect.cleandoc(group.help or "").partition("\f")[0]
    first, *rest = help_text.split("\n\n")
    if first.startswith("\b"):
        raise ValueError("a \\b paragraph in the root help is not drawn by the fast --help")
    options = []
    for p in group.get_params(ctx):
        if getattr(p, "hidden", False):
            continue
        if type(p).__name__ != "TyperOption" or p.required or getattr(p, "rich_help_panel", None):
            raise ValueError(f"root parameter {p.name!r} is not a plain option")
        envvar = p.envvar
        if envvar is None and getattr(p, "allow_from_autoenv", None) and ctx.auto_envvar_prefix is not None \
                and p.name:
            envvar = f"{ctx.auto_envvar_prefix}_{p.name.upper()}"
        var_str = None
        if envvar and p.show_envvar:
            var_str = envvar if isinstance(envvar, str) else ", ".join(str(d) for d in envvar)
        help_value = getattr(p, "help", None) or ""
        paragraphs = [x.replace("\n", " ").strip() if not x.startswith("\b") else "{}\n".format(x.strip("\b\n"))
                      for x in help_value.split("\n\n")] if help_value else []
        default_value = p._extract_default_help_str(ctx=ctx)
        show_default_is_str = isinstance(p.show_default, str)
        default = None
        if show_default_is_str or (default_value is not None and (p.show_default or ctx.show_default)):
            default = p._get_default_string(ctx=ctx, show_default_is_str=show_default_is_str,
                                            default_value=default_value) or None
        options.append({
            "long": ",".join(o for o in p.opts if "--" in o), "short": ",".join(o for o in p.opts if "--" not in o),
            "secondary_long": ",".join(o for o in p.secondary_opts if "--" in o),
            "secondary_short": ",".join(o for o in p.secondary_opts if "--" not in o),
            "type": p.display_type_rich(ctx=ctx), "range": p._get_number_range_help_str() or "",
            "help": _cleandoc_twice("\n".join(paragraphs).strip()) if help_value else None,
            "envvar": var_str, "default": default,
        })
    commands = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None or cmd.hidden:
            continue
        if cmd.deprecated:
            raise ValueError(f"deprecated command {name!r} is not drawn by the fast --help")
        paragraphs = inspect.cleandoc(cmd.short_help or cmd.help or "").split("\n\n")
        if paragraphs[0].startswith("\b"):
            paragraphs[0] = paragraphs[0].replace("\b\n", "")
        commands.append({"name": cmd.name or "", "panel": getattr(cmd, "rich_help_panel", None) or "Commands",
                         "help": _cleandoc_twice(paragraphs[0].strip())})
    return {
        "usage": group.get_usage(ctx),
        "help": _cleandoc_twice(first.replace("\n", " ").strip()) if group.help else None,
        "help_rest": _cleandoc_twice("\n\n".join(rest)) if group.help and rest else None,
        "options": options,
        "commands": commands,
    }


def render(index: dict[str, Any]) -> None:
    """Print the root help from ``index`` as Typer's Rich help prints it."""
    from rich.align import Align
    from rich.columns import Columns
    from rich.console import Console, Group
    from rich.highlighter import RegexHighlighter
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text
    from rich.theme import Theme

    class Options(RegexHighlighter):
        highlights = [  # noqa: RUF012  (Rich's own class attribute)
                      r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])", r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
                      r"(?P<types>\<[^\>]+\>)", r"(?P<usage>Usage: )"]

    class Negative(RegexHighlighter):
        highlights = [  # noqa: RUF012
                      r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
                      r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])"]

    class Types(RegexHighlighter):
        highlights = [  # noqa: RUF012
                      r"^(?P<types_sep>(\[|<))", r"(?P<types_sep>\|)", r"(?P<types_sep>(\]|>))(\.\.\.)?$"]

    options_hl, negative_hl, types_hl = Options(), Negative(), Types()

    def rich_text(text: str, style: str = "") -> Text:
        return options_hl(Text.from_ansi(text, style=style) if "\033[" in text else Text.from_markup(text, style=style))

    width = os.getenv("TERMINAL_WIDTH")
    force = True if os.getenv("GITHUB_ACTIONS") or os.getenv("FORCE_COLOR") or os.getenv("PY_COLORS") else None
    console = Console(theme=Theme({"option": STYLE_OPTION, "switch": STYLE_SWITCH,
                                   "negative_option": STYLE_NEGATIVE_OPTION, "negative_switch": STYLE_NEGATIVE_SWITCH,
                                   "types": STYLE_TYPES, "types_sep": STYLE_TYPES_SEPARATOR, "usage": STYLE_USAGE}),
                      highlighter=options_hl, color_system="auto", force_terminal=force,
                      width=int(width) if width else None)
    table_style: dict[str, Any] = {"show_lines": False, "leading": 0, "box": None, "border_style": None,
                                   "row_styles": None, "pad_edge": False, "padding": (0, 1)}

    console.print(Padding(options_hl(index["usage"]), 1), style="bold")
    if index["help"] is not None:
        parts: list[Text] = [rich_text(index["help"])]
        if index["help_rest"] is not None:
            parts += [Text(""), rich_text(index["help_rest"], STYLE_HELPTEXT)]
        console.print(Padding(Align(Group(*parts), pad=False), (0, 1, 1, 1)))
    if index["options"]:
        table = Table(highlight=True, show_header=False, expand=True, **table_style)
        for o in index["options"]:
            types = Text(style=STYLE_TYPES, overflow="fold")
            if o["type"] is not None:
                types.append(o["type"])
            if o["range"]:
                types.append(f" [{o['range']}]")
            items: list[Text] = [rich_text(o["help"])] if o["help"] is not None else []
            if o["envvar"]:
                items.append(Text(f"[env var: {o['envvar']}]", style=STYLE_OPTION_ENVVAR))
            if o["default"]:
                items.append(Text(f"[default: {o['default']}]", style=STYLE_OPTION_DEFAULT))
            table.add_row(options_hl(o["long"]), options_hl(o["short"]), negative_hl(o["secondary_long"]),
                          negative_hl(o["secondary_short"]), types_hl(types), Columns(items))
        console.print(Panel(table, border_style=STYLE_PANEL_BORDER, title="Options", title_align="left"))
    panels: dict[str, list[dict[str, str]]] = {}
    for c in index["commands"]:
        panels.setdefault(c["panel"], []).append(c)
    width_of_names = max((len(c["name"]) for c in index["commands"]), default=0)
    names = ["Commands", *[p for p in panels if p != "Commands"]]
    for name in names:
        table = Table(highlight=False, show_header=False, expand=True, **table_style)
        table.add_column(style=STYLE_COMMANDS_FIRST_COLUMN, no_wrap=True, width=width_of_names)
        table.add_column("Description", justify="left", no_wrap=False, ratio=10)
        for c in panels.get(name, []):
            table.add_row(Text(c["name"]), rich_text(c["help"]))
        if table.row_count:
            console.print(Panel(table, border_style=STYLE_PANEL_BORDER, title=name, title_align="left"))
