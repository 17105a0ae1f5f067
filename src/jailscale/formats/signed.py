"""The signed bundle: an assessment, the digest of the evidence it was measured from, and a detached
Ed25519 signature over both (``jailscale sign`` writes it, ``jailscale verify`` checks it)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ._base import Model
from .assessment import Assessment


class EvidenceDigest(Model):
    """What the assessment was measured from, by hash: the submission without its evidence, and the
    evidence (``evidence_root``: sha256 over the sorted transcript hashes). ``checked`` says whether
    the signer held the submission file and saw it hash to these values, or took them from the
    assessment's provenance."""

    submission_hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    evidence_root: str = Field(pattern=r"^sha256:[0-9a-f]{64}$")
    transcripts: int = Field(ge=0)
    checked: bool = Field(description="true when the signer hashed the submission file itself")


class Signature(Model):
    """A detached Ed25519 signature (RFC 8032) over the canonical JSON of the bundle's ``payload``
    (sorted keys, no insignificant white space, UTF-8)."""

    algorithm: Literal["ed25519"] = "ed25519"
    public_key: str = Field(description="the signer's raw 32-byte Ed25519 public key, base64",
                            pattern=r"^[A-Za-z0-9+/]{43}=$")
    key_id: str = Field(description="sha256 of the raw public key", pattern=r"^sha256:[0-9a-f]{64}$")
    signed_at: datetime
    value: str = Field(description="the 64-byte signature, base64", pattern=r"^[A-Za-z0-9+/]{86}==$")


class SignedPayload(Model):
    """What the signature covers."""

    assessment: Assessment
    evidence: EvidenceDigest
    signed_at: datetime


class SignedAssessment(Model):
    format: Literal["jailscale.signed/1"] = "jailscale.signed/1"
    payload: SignedPayload
    signature: Signature
