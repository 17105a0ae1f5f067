"""``jailscale key generate``, ``jailscale sign`` and ``jailscale verify``: detached Ed25519 signatures
over an assessment and the digest of its evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..textsafe import terminal
from ._common import app, print_json, user_errors

key_app = typer.Typer(help="Signing keys: make an Ed25519 key pair.", no_args_is_help=True)
app.add_typer(key_app, name="key")


@key_app.command("generate")
@user_errors
def generate(
    private: Annotated[Path, typer.Argument(help="Where to write the private key (PEM, mode 0600).")],
    public: Annotated[Path | None, typer.Option(help="Where to write the public key (default: PRIVATE.pub).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the key files and key id as JSON.")] = False,
) -> None:
    """Make an Ed25519 key pair for signing assessments. Keep the private key; give the public key to
    whoever verifies. The same files come from
    `openssl genpkey -algorithm ed25519 -out lab.key && openssl pkey -in lab.key -pubout -out lab.key.pub`.

    Example: jailscale key generate lab.key
    """
    from ..signing import generate_key

    pub = public or private.with_name(private.name + ".pub")
    kid = generate_key(private, pub)
    if as_json:
        print_json({"private_key": str(private), "public_key": str(pub), "key_id": kid})
        return
    print(f"wrote private key {terminal(str(private))} (keep it secret) and public key {terminal(str(pub))}")
    print(f"key id {kid}")


@app.command("sign")
@user_errors
def sign_(
    assessment: Annotated[Path, typer.Argument(help="An assessment.json (or the folder holding it).")],
    key: Annotated[Path, typer.Option(help="Your Ed25519 private key (PEM).")],
    evidence: Annotated[Path | None, typer.Option(
        help="The submission file the assessment was measured from: its hashes are checked and the "
             "bundle records that they were.")] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write the signed bundle (default: "
                                             "ASSESSMENT.signed.json beside it).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was signed and written as JSON.")] = False,
) -> None:
    """Sign an assessment and the digest of its evidence with your key: a signed bundle
    (jailscale.signed/1) that anyone with your public key can verify. Refuses an assessment that
    fails its integrity check.

    Example: jailscale sign jailscale-out/assessment.json --key lab.key --evidence my-submission.yaml
    """
    from ..formats import Assessment, Submission
    from ..formats.io import read_model
    from ..runner.output import write_file_atomic
    from ..signing import sign

    path = assessment / "assessment.json" if assessment.is_dir() else assessment
    a = read_model(Assessment, path)
    sub = read_model(Submission, evidence) if evidence is not None else None
    bundle = sign(a, key, sub)
    target = out or path.with_name(path.stem + ".signed.json")
    write_file_atomic(target, bundle.model_dump_json(indent=2) + "\n")
    if as_json:
        print_json({"signed": a.id, "key_id": bundle.signature.key_id,
                    "evidence_checked": bundle.payload.evidence.checked, "written": str(target)})
        return
    checked = "checked against the submission file" if bundle.payload.evidence.checked else \
        "as the assessment states it (pass --evidence to check it against the submission file)"
    print(f"signed {a.id[:19]} with key {bundle.signature.key_id[:19]}; evidence digest {checked}")
    print(f"wrote {terminal(str(target))}")


@app.command("verify")
@user_errors
def verify_(
    bundle: Annotated[Path, typer.Argument(help="A signed bundle (jailscale.signed/1) from jailscale sign.")],
    key: Annotated[Path, typer.Option(help="The signer's public key (PEM) that you trust.")],
    evidence: Annotated[Path | None, typer.Option(
        help="The submission file: also check the assessment was measured from exactly this evidence.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the verified assessment as JSON.")] = False,
) -> None:
    """Verify a signed bundle against a public key you trust: the signature, the assessment's
    integrity (id and rescoring), the evidence digest and, with --evidence, the submission itself.
    Exit 0 when verified, 1 when it does not verify, 2 when an input cannot be read.

    Example: jailscale verify assessment.signed.json --key lab.key.pub --evidence my-submission.yaml
    """
    from ..formats import Submission
    from ..formats.io import read_model
    from ..formats.signed import SignedAssessment
    from ..signing import verify

    b = read_model(SignedAssessment, bundle)
    sub = read_model(Submission, evidence) if evidence is not None else None
    v = verify(b, key, sub)
    if as_json:
        print_json(v.assessment.model_dump(mode="json"))
        return
    a = v.assessment
    ev = "checked against the submission file" if evidence is not None else (
        "checked by the signer" if v.evidence_checked else "as stated (not checked against a submission file)")
    print(f"verified: {a.id[:19]} signed by key {v.key_id[:19]}; {terminal(a.vector)} "
          f"{a.score.value if a.score.value is not None else 'withheld'} {a.score.rating or ''}; evidence {ev}")
