"""Cached verdicts are reused only under a seal that verifies (store._seal): a verdict row edited in the
database, stored by another machine (another secret) or stored before seals existed is never reused, and
the next save of a fresh verdict for it re-seals the row. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, text

from jailscale.runner.assess import input_hashes
from jailscale.store import Store
from jailscale.store._seal import SEAL_FILE


def _sql(url: str, statement: str) -> int:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return conn.execute(text(statement)).rowcount
    finally:
        engine.dispose()


def test_an_intact_row_is_reused_and_an_edited_one_is_not(store_url: str, make: SimpleNamespace) -> None:
    suite = make.suite()
    sub = make.submission(suite)
    verdicts = make.verdicts(sub)
    with Store.open(store_url) as store:
        store.save_assessment(sub, suite, verdicts, make.assessment(sub, suite))
        hashes = input_hashes(sub, suite)
        assert store.verdicts_for(hashes, make.judge, "1", make.config) == verdicts
    # the party being rated rewrites its jailbreak's stored verdicts to 'refused', label and body alike
    body = "REPLACE(CAST(body AS TEXT), 'complied', 'refused')"
    body = body if store_url.startswith("sqlite") else f"CAST({body} AS JSON)"
    edited = _sql(store_url, f"UPDATE verdicts SET label = 'refused', quality = NULL, body = {body} "
                             "WHERE label = 'complied'")
    assert edited == len(suite.behaviours)
    with Store.open(store_url) as store:
        reused = store.verdicts_for(hashes, make.judge, "1", make.config)
        assert {h: v.label for h, v in reused.items()} == {
            h: "refused" for h, v in verdicts.items() if v.label == "refused"}, "an edited verdict row was reused"
        # judged again and saved: the row is re-sealed with the fresh verdict and reused from then on
        store.save_assessment(sub, suite, verdicts, make.assessment(sub, suite, aid="sha256:" + "1" * 64))
        assert store.verdicts_for(hashes, make.judge, "1", make.config) == verdicts


def test_a_row_without_a_seal_or_under_another_secret_is_not_reused(
        store_url: str, make: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    suite = make.suite()
    sub = make.submission(suite)
    verdicts = make.verdicts(sub)
    hashes = input_hashes(sub, suite)
    with Store.open(store_url) as store:
        store.save_assessment(sub, suite, verdicts, make.assessment(sub, suite))
    monkeypatch.setenv("JAILSCALE_HOME", str(tmp_path / "another-machine"))
    with Store.open(store_url) as store:
        assert store.verdicts_for(hashes, make.judge, "1", make.config) == {}
    assert (tmp_path / "another-machine" / SEAL_FILE).stat().st_mode & 0o077 == 0
    monkeypatch.undo()
    with Store.open(store_url) as store:
        assert store.verdicts_for(hashes, make.judge, "1", make.config) == verdicts
    assert _sql(store_url, "UPDATE verdicts SET seal = ''") == len(verdicts)  # as stored before revision 0005
    with Store.open(store_url) as store:
        assert store.verdicts_for(hashes, make.judge, "1", make.config) == {}


def test_the_seal_frames_each_part_so_no_two_keys_share_a_message() -> None:
    """The parts are length-prefixed: moving text from one part into the next changes the seal (a
    plain concatenation would not), and so does any change to any part."""
    from jailscale.store._seal import verdict_seal

    secret = bytes(32)
    parts = ("sha256:aa", "rules", "2", "sha256:cc", "sha256:dd", '{"label":"refused"}')
    base = verdict_seal(secret, *parts)
    assert base.startswith("hmac-sha256:") and len(base) == len("hmac-sha256:") + 64
    shifted = ("sha256:aar", "ules", "2", "sha256:cc", "sha256:dd", '{"label":"refused"}')
    assert "".join(shifted) == "".join(parts) and verdict_seal(secret, *shifted) != base
    for i in range(len(parts)):
        changed = list(parts)
        changed[i] += "x"
        assert verdict_seal(secret, *changed) != base, i
    assert verdict_seal(bytes([1]) * 32, *parts) != base


def test_the_seal_is_an_hmac_of_the_documented_framing() -> None:
    """The message is each part as ``<length>:<text>``, in key order, UTF-8: computed here with the
    standard library from that description, so a faster way of computing the seal cannot change it
    (rows sealed before would stop verifying and be judged again)."""
    import hashlib
    import hmac

    from jailscale.store._seal import verdict_seal

    secret = bytes(range(32))
    parts = ("sha256:aa", "rules", "2", "sha256:cc", "sha256:dd", '{"label":"refused","rationale":"é"}')
    message = "".join(f"{len(p)}:{p}" for p in parts).encode("utf-8")
    assert verdict_seal(secret, *parts) == "hmac-sha256:" + hmac.new(secret, message, hashlib.sha256).hexdigest()
