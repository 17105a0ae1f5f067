"""Sign and verify: a genuine bundle verifies against the signer's key and its evidence; a bad
signature, another key, a consistent (re-hashed) forgery, other evidence: each refused, one line."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from hostile_cli import one_error_line, run_here

from jailscale.formats import Assessment
from jailscale.integrity import check_assessment, content_id
from jailscale.runner.demo import demo_path


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("signed")
    assert run_here(["demo", "--out", str(tmp / "d"), "--no-store"], tmp).code == 0
    assert run_here(["key", "generate", str(tmp / "lab.key")], tmp).code == 0
    assert run_here(["key", "generate", str(tmp / "other.key")], tmp).code == 0
    r = run_here(["sign", str(tmp / "d"), "--key", str(tmp / "lab.key"), "--evidence", str(demo_path())], tmp)
    assert r.code == 0, r.stderr
    assert "checked against the submission file" in r.stdout
    return tmp


def _verify(tmp: Path, bundle: Path, key: str = "lab.key.pub", evidence: bool = False) -> tuple[int, str, str]:
    args = ["verify", str(bundle), "--key", str(tmp / key)] + (["--evidence", str(demo_path())] if evidence else [])
    r = run_here(args, tmp)
    return r.code, r.stdout, r.stderr


def _forge(tmp: Path, name: str, edit: object) -> Path:
    data = json.loads((tmp / "d" / "assessment.signed.json").read_text())
    edit(data)  # type: ignore[operator]
    p = tmp / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def test_genuine_bundle_verifies_and_matches_its_schema(signed: Path, repo_root: Path) -> None:
    bundle = signed / "d" / "assessment.signed.json"
    code, out, err = _verify(signed, bundle, evidence=True)
    assert code == 0, err
    assert out.startswith("verified: ") and "checked against the submission file" in out
    schema = json.loads((repo_root / "docs" / "schema" / "signed.schema.json").read_text())
    jsonschema.validate(json.loads(bundle.read_text()), schema)
    assert (signed / "lab.key").stat().st_mode & 0o077 == 0  # the private key is the owner's only


def test_edited_score_in_bundle_is_a_bad_signature(signed: Path) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["payload"]["assessment"]["score"]["value"] = 1.2

    code, _, err = _verify(signed, _forge(signed, "f1.json", edit))
    assert code == 1 and "bad signature" in err and len(err.strip().splitlines()) == 1


def test_consistent_rehashed_forgery_is_caught_only_by_the_signature(signed: Path) -> None:
    """A forger changes the title and recomputes the id: the integrity check passes (the file is
    self-consistent), the signature does not."""
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        a = Assessment.model_validate(d["payload"]["assessment"])
        a.title = "A different jailbreak"
        a.id = content_id(a)
        assert check_assessment(a) == []
        d["payload"]["assessment"] = a.model_dump(mode="json")

    code, _, err = _verify(signed, _forge(signed, "f2.json", edit))
    assert code == 1 and "bad signature" in err


def test_forger_resigning_with_own_key_is_refused(signed: Path) -> None:
    """Re-signed with another key: the bundle is valid for that key, not for the one the verifier trusts."""
    r = run_here(["sign", str(signed / "d" / "assessment.json"), "--key", str(signed / "other.key"),
                  "--out", str(signed / "f3.json")], signed)
    assert r.code == 0, r.stderr
    code, _, err = _verify(signed, signed / "f3.json")
    assert code == 1 and "not by the trusted key" in err
    code, out, _ = _verify(signed, signed / "f3.json", key="other.key.pub")
    assert code == 0 and "evidence as stated" in out


def test_swapped_public_key_in_bundle_is_refused(signed: Path) -> None:
    other = (signed / "other.key.pub").read_bytes()
    from cryptography.hazmat.primitives import serialization

    raw = serialization.load_pem_public_key(other).public_bytes(serialization.Encoding.Raw,
                                                                 serialization.PublicFormat.Raw)

    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["signature"]["public_key"] = base64.b64encode(raw).decode()

    code, _, err = _verify(signed, _forge(signed, "f4.json", edit))
    assert code == 1 and "not by the trusted key" in err


def test_garbage_signature_value_and_bad_bundle(signed: Path) -> None:
    def edit(d: dict) -> None:  # type: ignore[type-arg]
        d["signature"]["value"] = base64.b64encode(b"\0" * 64).decode()

    code, _, err = _verify(signed, _forge(signed, "f5.json", edit))
    assert code == 1 and "bad signature" in err
    code, _, err = _verify(signed, _forge(signed, "f6.json", lambda d: d.pop("signature")))
    assert code == 2 and "not a valid SignedAssessment" in err


def test_other_evidence_is_refused(signed: Path, tmp_path: Path) -> None:
    text = demo_path().read_text(encoding="utf-8").replace("title: 'Demo:", "title: 'Changed demo:")
    other = tmp_path / "other.yaml"
    other.write_text(text, encoding="utf-8")
    r = run_here(["verify", str(signed / "d" / "assessment.signed.json"), "--key", str(signed / "lab.key.pub"),
                  "--evidence", str(other)], signed)
    line = one_error_line(r, 1)
    assert "is not the evidence" in line
    r = run_here(["sign", str(signed / "d"), "--key", str(signed / "lab.key"), "--evidence", str(other),
                  "--out", str(tmp_path / "x.json")], signed)
    assert one_error_line(r, 2) and not (tmp_path / "x.json").exists()


def test_signing_a_tampered_assessment_is_refused(signed: Path, tmp_path: Path) -> None:
    data = json.loads((signed / "d" / "assessment.json").read_text())
    data["score"]["value"] = 1.2
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    line = one_error_line(run_here(["sign", str(p), "--key", str(signed / "lab.key")], signed))
    assert "integrity" in line


def test_key_generate_refuses_to_overwrite(signed: Path) -> None:
    line = one_error_line(run_here(["key", "generate", str(signed / "lab.key")], signed))
    assert "already exists" in line


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
def test_openssl_keys_work(signed: Path, tmp_path: Path) -> None:
    key, pub = tmp_path / "o.key", tmp_path / "o.pub"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(key)], check=True)
    subprocess.run(["openssl", "pkey", "-in", str(key), "-pubout", "-out", str(pub)], check=True)
    out = tmp_path / "b.json"
    assert run_here(["sign", str(signed / "d"), "--key", str(key), "--out", str(out)], signed).code == 0
    r = run_here(["verify", str(out), "--key", str(pub)], signed)
    assert r.code == 0, r.stderr
