"""Terminal escapes, Markdown and HTML payloads in every free-text field of a submission: nothing
reaches the terminal raw (summary, list, show, compare, JSON, error lines), report.md shows the
Markdown as text, report.html escapes it and forbids every load and script with a CSP."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile_cli import one_error_line, run_here
from markupsafe import escape

from jailscale.runner.demo import demo_path
from jailscale.textsafe import HTML_CSP, markdown, quote, terminal

ESC = "\x1b]0;owned\x07\x1b[2J\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\\x9b31m\u202e\x00"
MD = "![x](http://evil.example/a.png) [click](http://evil.example) <img src=x onerror=alert(1)> **b** | c"
PAYLOAD = f"P {ESC} {MD}"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


#: Every free-text field of a submission: each gets the payload (the template keeps its slot).
FREE_TEXT = ("title", "technique.name", "technique.description", "technique.template", "technique.public_reference",
             "target.model", "target.model_version", "reporter.name", "reporter.organisation", "reporter.contact",
             "declared.*.justification", "references.*.name", "references.*.version")
#: ... and of every transcript (a few of them: the reports show each behaviour's transcripts).
FREE_TEXT_EVIDENCE = ("model", "response", "prompt.*.content")


def _inject(node: Any, path: list[str]) -> int:
    """Append the payload to the string(s) at ``path`` (``*``: every key or item; a missing last key is
    added); how many."""
    key, rest = path[0], path[1:]
    if not rest and isinstance(node, dict) and key != "*":
        node.setdefault(key, "x")
    items = (list(node.items()) if isinstance(node, dict) else list(enumerate(node))) if key == "*" else \
        [(int(key) if isinstance(node, list) else key, node[int(key) if isinstance(node, list) else key])]
    n = 0
    for k, v in items:
        if rest:
            n += _inject(v, rest)
        else:
            node[k] = f"{v} {PAYLOAD}"
            n += 1
    return n


TITLE = yaml.safe_load(demo_path().read_text(encoding="utf-8"))["title"] + " " + PAYLOAD


def _payload_submission(tmp: Path) -> Path:
    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    injected = [_inject(data, f.split(".")) for f in FREE_TEXT]
    data["baselines"] = [PAYLOAD]  # an unknown pick: a warning quoting it
    assert all(injected), dict(zip(FREE_TEXT, injected, strict=True))
    reference = data["references"][0]["name"]  # the transcripts that answer with it name it
    for t in data["evidence"]:
        if t.get("reference"):
            t["reference"] = reference
    for t in data["evidence"][:8]:
        for f in FREE_TEXT_EVIDENCE:
            assert _inject(t, f.split("."))
    data["evidence"][8].pop("response", None)
    data["evidence"][8]["error"] = "Error " + PAYLOAD  # a failed call's message
    p = tmp / "payload.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def assessed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("payload")
    sub = _payload_submission(tmp)
    r = run_here(["assess", str(sub), "--out", str(tmp / "out"), "--show-responses"], tmp)
    assert r.code == 0, r.stderr
    return tmp, r.stdout


def _clean(text: str) -> None:
    m = RAW_CONTROL.search(text)
    assert m is None, repr(text[max(0, m.start() - 40): m.end() + 40])


def test_summary_list_show_and_json_carry_no_raw_controls(assessed: tuple[Path, str]) -> None:
    tmp, summary = assessed
    _clean(summary)
    assert "\\x1b]0;owned\\x07" in summary  # shown, escaped
    assert "baseline pick(s) not in set" in summary
    listed = run_here(["list"], tmp)
    assert listed.code == 0 and "role-play frame P " in listed.stdout  # the list shows technique and target
    _clean(listed.stdout)
    aid = json.loads((tmp / "out" / "assessment.json").read_text())["id"][7:19]
    for args in (["show", aid], ["show", aid, "--json"], ["show", str(tmp / "out")],
                 ["compare", aid, str(tmp / "out" / "assessment.json")], ["list", "--json"],
                 ["compare", aid, aid, "--markdown"], ["compare", aid, aid, "--json"]):
        r = run_here(args, tmp)
        assert r.code == 0, (args, r.stderr)
        _clean(r.stdout)
    shown = json.loads(run_here(["show", aid, "--json"], tmp).stdout)
    assert shown["title"] == TITLE  # JSON escapes, and keeps the value exactly


def test_report_md_shows_markdown_as_text(assessed: tuple[Path, str]) -> None:
    tmp, _ = assessed
    md = (tmp / "out" / "report.md").read_text(encoding="utf-8")
    _clean(md)
    fences = re.findall(r"^(`{3,})text\n.*?\n\1$", md, flags=re.S | re.M)
    assert fences  # responses shown (--show-responses) inside code fences, where Markdown is not rendered
    outside = re.sub(r"^(`{3,})text\n.*?\n\1$", "", md, flags=re.S | re.M)
    md = outside
    for bad in (r"(?<!\\)!(?<!\\)\[", r"(?<!\\)\]\(", "<img"):  # an unescaped image, link target or tag
        m = re.search(bad, md)
        assert m is None, md[max(0, m.start() - 200): m.end() + 50]
    assert markdown(TITLE) in md
    assert "\\!\\[x\\](http://evil.example/a.png)" in md


def test_report_html_escapes_and_has_a_strict_csp(assessed: tuple[Path, str]) -> None:
    tmp, _ = assessed
    html = (tmp / "out" / "report.html").read_text(encoding="utf-8")
    _clean(html)
    assert "<img" not in html and "onerror=alert" not in html.replace("onerror=alert(1)&gt;", "")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert f'<meta http-equiv="Content-Security-Policy" content="{escape(HTML_CSP)}">' in html
    head = html[: html.index("</head>")]
    assert head.index("Content-Security-Policy") < head.index("<style>")
    assert "<script" not in html.lower()
    for directive in ("default-src 'none'", "script-src 'none'", "img-src data:", "base-uri 'none'"):
        assert directive in HTML_CSP


def test_error_lines_escape_untrusted_values(tmp_path: Path) -> None:
    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    data["suite"] = "missing-" + ESC
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = run_here(["assess", str(p), "--no-store"], tmp_path)
    assert r.code == 2
    _clean(r.stderr.rstrip("\n"))
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text", [ESC, MD, "a\u2066b\u2069c\u200f", "x" * 10_000])
def test_helpers(text: str) -> None:
    _clean(terminal(text))
    q = quote(text)
    _clean(q)
    assert len(q) < 140
    assert quote({"k": [text] * 1000}) == "<a dict of 1>"
    out = markdown(text)
    _clean(out)
    assert re.search(r"(?<!\\)\]\(|(?<!\\)!\[", out) is None and "<" not in out


#: Fields whose values are checked (a pattern, a date, a closed set, a name that must resolve): the
#: payload there is refused, and the error line quoting it is escaped like everything else.
CHECKED = ("format", "id", "assessed_on", "technique.kind", "target.safeguards.0", "target.access",
           "target.exposure", "declared.EM.value", "references.0.kind", "references.0.date", "suite",
           "claimed_vector", "disclosure.reported_on", "evidence.0.behaviour",
           "evidence.0.condition", "evidence.0.prompt.0.role", "declared.<key>")


@pytest.mark.parametrize("field", CHECKED)
def test_payload_in_a_checked_field_is_one_escaped_line_and_stores_nothing(tmp_path: Path, field: str) -> None:
    data = yaml.safe_load(demo_path().read_text(encoding="utf-8"))
    if field == "declared.<key>":
        data["declared"]["EM" + PAYLOAD] = data["declared"].pop("EM")
    elif field == "baselines":
        data["baselines"] = [PAYLOAD]
    else:
        assert _inject(data, field.split(".")) == 1
    p = tmp_path / "checked.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    r = run_here(["assess", str(p), "--out", str(tmp_path / "o")], tmp_path)
    line = one_error_line(r, 2)
    _clean(line)
    assert r.stdout == "" and not (tmp_path / "o").exists()
    db = tmp_path / "home" / "jailscale.sqlite3"
    if db.exists():  # opened, and nothing stored
        con = sqlite3.connect(db)
        try:
            assert con.execute("select count(*) from assessments").fetchone()[0] == 0
        finally:
            con.close()
