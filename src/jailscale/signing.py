"""Signing and verifying assessments: detached Ed25519 signatures (RFC 8032) with a key the user holds.

A lab signs the assessment it produced, together with the digest of the evidence it was measured
from; a government (or anyone holding the lab's public key) verifies that the bundle is unchanged,
that the assessment is internally consistent (:mod:`jailscale.integrity`), that it was made with that
key, and, given the submission file, that it was measured from exactly that evidence. The rescoring
check catches edits to derived figures; only the signature catches a forger who rewrites the metric
table, the vector and every derived figure consistently.

Keys are PEM files: a PKCS#8 private key and a SubjectPublicKeyInfo public key, the same files
``openssl genpkey -algorithm ed25519 -out lab.key`` and ``openssl pkey -in lab.key -pubout -out
lab.pub`` write, so keys can be made and kept with the tools an organisation already uses.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import UserError
from .formats import Assessment, Submission, canonical_json
from .formats.io import read_bytes, show_path
from .formats.signed import EvidenceDigest, Signature, SignedAssessment, SignedPayload
from .integrity import check_assessment


class VerificationFailed(UserError):
    """The bundle is readable but does not verify: exit 1 (as ``policy check`` fails with 1), apart
    from unreadable input (2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=1)


def _crypto() -> object:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # pragma: no cover - cryptography is a core dependency
        raise UserError("signing needs the 'cryptography' package: pip install 'cryptography>=42'") from None
    return ed25519


def key_id(raw_public: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw_public).hexdigest()


def generate_key(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair (private key readable by the owner only); refuse to overwrite.
    Returns the key id."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    for p in (private_path, public_path):
        if p.exists() or p.is_symlink():
            raise UserError(f"{show_path(p)} already exists; refusing to overwrite a key: choose another name")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    pub = key.public_key()
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        public_path.write_bytes(pub.public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo))
    except OSError as e:
        raise UserError(f"cannot write the key files: {e.strerror or e}") from None
    return key_id(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def _load_private(path: Path) -> object:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = read_bytes(path, what="private key", limit=64_000)
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except (ValueError, TypeError) as e:
        raise UserError(f"private key {show_path(path)} is not an unencrypted PEM private key "
                        f"({str(e)[:80]}); make one with `jailscale key generate`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError(f"private key {show_path(path)} is not an Ed25519 key; make one with "
                        "`jailscale key generate` or `openssl genpkey -algorithm ed25519`")
    return key


def _load_public(path: Path) -> bytes:
    """The raw 32-byte public key from a PEM public key file (or a private key file)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    raw = read_bytes(path, what="public key", limit=64_000)
    key: object
    try:
        key = serialization.load_pem_public_key(raw)
    except (ValueError, TypeError):
        try:
            key = serialization.load_pem_private_key(raw, password=None)
        except (ValueError, TypeError):
            raise UserError(f"public key {show_path(path)} is not a PEM public key; export it with "
                            "`openssl pkey -in KEY -pubout`") from None
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise UserError(f"public key {show_path(path)} is not an Ed25519 key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def evidence_digest(a: Assessment, submission: Submission | None) -> EvidenceDigest:
    """The evidence digest: from the submission file when given (it must be the one the assessment
    was measured from), else as the assessment's provenance states it."""
    p = a.provenance
    if submission is None:
        return EvidenceDigest(submission_hash=p.submission_hash, evidence_root=p.evidence_root,
                              transcripts=p.evidence, checked=False)
    from .formats import sha256_of

    root = sha256_of(sorted(submission.evidence_hashes()))
    if submission.content_hash != p.submission_hash or root != p.evidence_root:
        raise UserError(f"the submission '{submission.id[:80]}' is not the evidence assessment {a.id[:19]} was "
                        f"measured from (submission {submission.content_hash[:19]} vs {p.submission_hash[:19]}, "
                        f"evidence {root[:19]} vs {p.evidence_root[:19]})")
    return EvidenceDigest(submission_hash=submission.content_hash, evidence_root=root,
                          transcripts=len(submission.evidence), checked=True)


def _message(payload: SignedPayload) -> bytes:
    return canonical_json(payload.model_dump(mode="json")).encode("utf-8")


def sign(a: Assessment, key_path: Path, submission: Submission | None = None,
         now: datetime | None = None) -> SignedAssessment:
    """Sign ``a`` (refused unless it passes its integrity check) with the private key at ``key_path``."""
    from cryptography.hazmat.primitives import serialization

    problems = check_assessment(a)
    if problems:
        raise UserError(f"assessment {a.id[:19]} fails its integrity check ({problems[0]}); refusing to sign it")
    key = _load_private(key_path)
    payload = SignedPayload(assessment=a, evidence=evidence_digest(a, submission),
                            signed_at=now or datetime.now(UTC).replace(microsecond=0))
    raw_pub = key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    value = key.sign(_message(payload))  # type: ignore[attr-defined]
    sig = Signature(public_key=base64.b64encode(raw_pub).decode(), key_id=key_id(raw_pub),
                    signed_at=payload.signed_at, value=base64.b64encode(value).decode())
    return SignedAssessment(payload=payload, signature=sig)


@dataclass(frozen=True)
class Verified:
    assessment: Assessment
    key_id: str
    evidence_checked: bool


def verify(bundle: SignedAssessment, public_key_path: Path, submission: Submission | None = None) -> Verified:
    """Check, in order: the bundle was signed by the key in ``public_key_path`` (the key the verifier
    trusts, never the one the bundle carries); the signature is valid over the payload; the assessment
    passes its integrity check; the evidence digest matches the assessment's provenance and, when
    ``submission`` is given, that submission. Raises :class:`VerificationFailed` on the first failure."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    trusted = _load_public(public_key_path)
    sig = bundle.signature
    carried = base64.b64decode(sig.public_key)
    if carried != trusted or sig.key_id != key_id(trusted):
        raise VerificationFailed(f"signed by key {sig.key_id[:19]}, not by the trusted key {key_id(trusted)[:19]} "
                                 f"in {show_path(public_key_path)}: not verified")
    if sig.signed_at != bundle.payload.signed_at:
        raise VerificationFailed("the signature's time differs from the signed payload's: not verified")
    try:
        Ed25519PublicKey.from_public_bytes(trusted).verify(base64.b64decode(sig.value), _message(bundle.payload))
    except InvalidSignature:
        raise VerificationFailed("bad signature: the bundle was changed after it was signed, or signed with "
                                 "another key: not verified") from None
    a = bundle.payload.assessment
    problems = check_assessment(a)
    if problems:
        raise VerificationFailed(f"the signed assessment fails its integrity check ({problems[0]}): not verified")
    ev = bundle.payload.evidence
    p = a.provenance
    if (ev.submission_hash, ev.evidence_root, ev.transcripts) != (p.submission_hash, p.evidence_root, p.evidence):
        raise VerificationFailed("the evidence digest differs from the assessment's provenance: not verified")
    if submission is not None:
        try:
            evidence_digest(a, submission)
        except UserError as e:
            raise VerificationFailed(f"{e}: not verified") from None
    return Verified(a, sig.key_id, ev.checked or submission is not None)
