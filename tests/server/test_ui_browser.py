"""The web pages in headless Chromium (Debian's package through Playwright, tests/browser.py): log in,
file a case, see its assessment chart, compare two assessments, act on a recommendation; attacker text
in a title, a transcript or a note renders as text and runs nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from jailscale.server.app import create_app
from jailscale.server.seed import example_submission
from registry_kit import GENEROUS, PASSWORD, Kit, serve

HOSTILE_TITLE = "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=4\">"
HOSTILE_RESPONSE = '<img src=x onerror="window.__pwned=2"><script>window.__pwned=3</script>'


@pytest.fixture
def live(sqlite_kit: Kit) -> Iterator[str]:
    with serve(create_app(sqlite_kit.registry, GENEROUS)) as url:
        yield url


def _login(page: Any, live: str, user: str = "lab-admin") -> None:
    page.goto(f"{live}/ui/login")
    page.fill("#user", user)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{live}/ui/cases")


def _yaml_file(folder: Path, name: str, **kw: Any) -> str:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(example_submission(**kw).model_dump(mode="json")), encoding="utf-8")
    return str(path)


def test_file_assess_compare_and_act(page: Any, live: str, shot: Callable[..., Path], tmp_path: Path) -> None:
    _login(page, live)
    page.click("text=File a case")
    page.set_input_files("#file-input", _yaml_file(tmp_path, "first"))
    page.click("#file")
    page.wait_for_selector("#case-title")
    assert page.inner_text("#case-state") == "reported"
    case_url = page.url

    page.select_option("#transition select[name=to]", "triaged")
    page.click("#transition button")
    assert page.inner_text("#case-state") == "triaged"

    page.click("#assess")
    page.wait_for_selector("svg.chart")
    assert page.inner_text("#case-state") == "assessed"
    assert page.locator("svg.chart g.metric").count() >= 5
    assert page.locator("svg.chart rect.range").count() >= 5
    shot(page, "registry-case-chart", full_page=True)

    page.set_input_files("#assess-form input[name=file]", _yaml_file(tmp_path, "second", sid="second", unlocked=16))
    page.click("#assess")
    assert page.locator("svg.chart").count() == 2
    page.click("#compare-form button")
    page.wait_for_selector("#comparison")
    assert page.inner_text("#deciding")
    assert page.locator("#comparison tbody tr").count() >= 1
    shot(page, "registry-compare", full_page=True)

    page.goto(case_url)
    decide = page.locator("form.decide").last
    recommended = decide.locator("select[name=action] option").first.inner_text()
    decide.locator("input[name=owner]").fill("safety team")
    decide.locator("button").click()
    row = page.locator("#actions tbody tr").first
    assert "safety team" in row.inner_text() and recommended.split(" ")[0] in row.inner_text()
    assert row.locator("td.status").inner_text() == "open"
    assert page.inner_text("#case-state") == "action decided"
    row.locator("select[name=status]").select_option("done")
    row.locator("button").click()
    assert page.locator("#actions tbody tr td.status").first.inner_text() == "done"
    assert page.console_messages == []


def test_attacker_text_renders_as_text_and_runs_nothing(browser: Any, live: str, sqlite_kit: Kit,
                                                        shot: Callable[..., Path]) -> None:
    import httpx

    sub = example_submission(title=HOSTILE_TITLE, response=HOSTILE_RESPONSE).model_dump(mode="json")
    r = httpx.post(f"{live}/api/cases", json={"submission": sub}, headers=sqlite_kit.auth("lab-admin"), timeout=60)
    assert r.status_code == 201, r.text
    cid, sid = r.json()["case"]["id"], r.json()["submission"]["id"]
    httpx.post(f"{live}/api/cases/{cid}/notes", json={"text": HOSTILE_RESPONSE, "private": False},
               headers=sqlite_kit.auth("lab-admin"), timeout=60)

    # Scripts allowed by the browser: only the escaping and the CSP stop them.
    ctx = browser.new_context(java_script_enabled=True)
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        _login(page, live)
        for url in (f"{live}/ui/cases", f"{live}/ui/cases/{cid}?evidence={sid}", f"{live}/ui/cases/{cid}/history"):
            page.goto(url)
            page.wait_for_load_state("load")
            assert page.evaluate("() => window.__pwned === undefined"), url
            assert page.locator("script").count() == 0 and page.locator("img").count() == 0, url
        page.goto(f"{live}/ui/cases/{cid}?evidence={sid}")
        assert page.inner_text("#case-title") == HOSTILE_TITLE
        texts = page.locator("pre.response").all_inner_texts()
        assert texts.count(HOSTILE_RESPONSE) == 24  # 8 unlocked items x 3 samples, each shown as text
        assert HOSTILE_RESPONSE in page.locator("#notes").inner_text()
        shot(page, "registry-hostile-text", full_page=True)
        assert dialogs == []
    finally:
        ctx.close()


def _attacker_site(target: str) -> Any:
    """Another site's page with a form that posts the attacker's user name and password to the
    registry's login (login CSRF), as a person lured there would click it."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    html = (f'<!doctype html><form method="post" action="{target}/ui/login">'
            f'<input type="hidden" name="user" value="gov-assessor">'
            f'<input type="hidden" name="password" value="{PASSWORD}">'
            '<input type="hidden" name="csrf" value="' + "0" * 64 + '">'
            '<button id="win" type="submit">Claim your prize</button></form>')

    async def home(request: Any) -> HTMLResponse:
        return HTMLResponse(html)

    return Starlette(routes=[Route("/", home)])


def test_cross_site_login_form_is_refused(browser: Any, live: str) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    try:
        with serve(_attacker_site(live)) as evil:
            # The victim opened the registry's login form earlier: its cookie is in the browser.
            # 'localhost' is another site than '127.0.0.1' to the browser: it says so (Sec-Fetch-Site)
            # and the registry refuses the form outright. Another port of 127.0.0.1 is the same site
            # but another origin: SameSite lets the login cookie go along, but the attacker cannot
            # read it, so the form's token is wrong.
            page.goto(f"{live}/ui/login")
            assert [c for c in ctx.cookies() if c["name"] == "jailscale_login"]
            for origin, says in ((evil.replace("127.0.0.1", "localhost"), "posted from another site"),
                                 (evil, "did not come from this registry")):
                page.goto(origin + "/")
                with page.expect_navigation() as nav:
                    page.click("#win")
                assert nav.value.status == 403 and page.url == f"{live}/ui/login"
                assert says in page.inner_text("main")
        assert not [c for c in ctx.cookies() if c["name"] == "jailscale_session"]
        page.goto(f"{live}/ui/cases")
        assert page.url == f"{live}/ui/login"  # not logged in as anyone
        # the registry's own form, in the same browser, still logs in
        _login(page, live, "gov-assessor")
        assert "gov-assessor" in page.inner_text("header")
    finally:
        ctx.close()
