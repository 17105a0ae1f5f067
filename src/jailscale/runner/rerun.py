"""The rerun shortcut: a run into a store that already holds its result writes the stored outputs
again instead of reading, judging, measuring and rendering (issue 8: a rerun at most 0.2x a fresh run).

A finished, stored run records its three outputs under a **run key**, a digest of everything that
went into them:

- the submission file's bytes (not the parsed submission: reading it is most of a rerun's cost);
- how the suite was named (``--suite`` as typed, or the submission's own ``suite:`` field) and the
  suite actually used, by content (resolved again on every lookup, relative to the submission file
  as the full run resolves it);
- the judge's name, version and configuration hash, and the calibration it is corrected with, by
  content (the one given, or the one :func:`~jailscale.judges.calibration_for` would pick now,
  which may be the user's own under ``$JAILSCALE_HOME/calibrations``);
- the response policy and the baseline set, by content;
- the spec version, the measurement version, the tool's version and a digest of the installed
  package's own files (code, templates, bundled suites and calibrations), so that any change in
  what measures or renders misses;
- the creation-time rule (the fixed time, or "the clock") and ``--show-responses``.

The stored outputs are sealed (an HMAC over the run key, the assessment id and the outputs) with a
secret kept in the jailscale home folder, not in the database: a row edited by whoever can write the
database but not read that folder does not verify and is not served; a store shared between machines
serves each machine only what it recorded itself.

A lookup that matches, whose seal verifies, whose assessment is still stored and intact
(:func:`jailscale.integrity.check_assessment`: the vector rescores to the stated score, the id is the
content's), and whose stored ``assessment.json`` is the stored assessment's own, is a hit; anything
else, including any error while computing the key, is a miss and the full run proceeds (and reports
the error itself). A miss costs one indexed query.

The lookup reads through a :class:`RerunSource`: the :class:`~jailscale.store.Store`, or, for a plain SQLite
store at the newest schema, the standard-library reader of :mod:`jailscale.store._fastread`, which the
command line's fast path (:mod:`jailscale.cli._assess`) uses to serve a rerun before importing Typer or
SQLAlchemy. Every check above is made either way.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .. import __version__, judges, spec
from ..errors import UserError
from ..formats import Assessment, BaselineSet, Calibration, Suite
from ..measure.constants import MEASUREMENT_VERSION

if TYPE_CHECKING:
    from ..store import Store
    from .outcome import Outcome

#: The key's own format; bump it when what goes into the key changes.
KEY_FORMAT = "jailscale.run-key/1"
#: How a stored run named its suite (``suite_ref``): the option, or the submission's own field.
FROM_OPTION, FROM_SUBMISSION = "option:", "submission:"
#: Largest stored outputs accepted back (decompressed): reports are bounded far below this.
MAX_OUTPUTS_BYTES = 64 * 1024 * 1024
#: The package's files that make up "the code" (everything shipped but caches).
_CODE_SUFFIXES = (".py", ".yaml", ".yml", ".json", ".j2", ".css", ".ini", ".mako", ".csv")


@cache
def code_digest() -> str:
    """A digest of the installed jailscale package's own files (computed once per process)."""
    return tree_digest(Path(__file__).resolve().parents[1])


def tree_digest(root: Path) -> str:
    """A digest of the code and data files under ``root`` (path and bytes, in path order; caches left out)."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.suffix in _CODE_SUFFIXES and p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return "sha256:" + h.hexdigest()


def file_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def submission_digest(path: Path) -> str | None:
    """The digest of a submission file's bytes, read in chunks (memory stays flat); None when the full
    run would refuse the file (not a regular file, over the input size limit, unreadable): it says why."""
    import os
    import stat

    from ..formats.io import max_input_bytes
    from ..formats.lines import is_lines, max_stream_bytes

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > (max_stream_bytes() if is_lines(path) else max_input_bytes()):
            return None
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
    except (OSError, UserError):
        return None
    return "sha256:" + h.hexdigest()


def _digest(obj: Any) -> str:
    return file_digest(json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                  default=str).encode("utf-8"))


def policy_data(policy: spec.Policy | None) -> Any:
    """A policy as plain, order-independent data (its rules' value sets sorted)."""
    if policy is None:
        return None
    return {"name": policy.name, "inputs": list(policy.inputs), "description": policy.description,
            "spec": policy.spec,
            "rules": [{"when": {k: sorted(v) for k, v in sorted(r.when.items())}, "action": r.action,
                       "index": r.index} for r in policy.rules]}


@dataclass(frozen=True)
class RunInputs:
    """What a run reads besides the submission and its suite (the CLI resolves them once per batch)."""

    judge_name: str
    judge_options: Mapping[str, str]
    policy: spec.Policy | None
    baselines: BaselineSet | None
    calibration: Calibration | None
    now: datetime | None
    show_responses: bool


def run_key(submission_digest: str, ref: str, suite: Suite, inputs: RunInputs) -> str:
    """The run key (see the module's description). Raises UserError where the full run would (an
    unknown judge or option). A calibration given is keyed by its content beside the judge's identity
    (the full run checks that it is of this judge; a stored run passed that check for this pair);
    otherwise the one the full run would pick (:func:`jailscale.runner.assess.shipped_calibration`)."""
    judge = judges.get(inputs.judge_name, **dict(inputs.judge_options))
    cal = inputs.calibration if inputs.calibration is not None else judges.calibration_for(judge, "attack_responses")
    return _digest({
        "format": KEY_FORMAT,
        "submission": submission_digest,
        "suite_ref": ref,
        "suite": suite.model_dump(mode="json"),
        "judge": [judge.name, judge.version, judge.config_hash],
        "calibration": None if cal is None else cal.model_dump(mode="json"),
        "policy": policy_data(inputs.policy),
        "baselines": None if inputs.baselines is None else inputs.baselines.model_dump(mode="json"),
        "spec": spec.SPEC_VERSION, "measurement": MEASUREMENT_VERSION, "tool": __version__, "code": code_digest(),
        "created_at": "clock" if inputs.now is None else inputs.now.isoformat(),
        "show_responses": inputs.show_responses,
    })


OUTPUT_NAMES = ("assessment.json", "report.md", "report.html")


def seal_secret() -> bytes | None:
    """This machine's sealing secret (:func:`jailscale.store._seal.local_secret`); None when it cannot be
    read or made (then nothing is recorded and nothing is served: every run runs in full)."""
    from ..store._seal import local_secret

    return local_secret()


def seal(secret: bytes, key: str, assessment_id: str, outputs: Mapping[str, str]) -> str:
    """An HMAC binding the outputs to the run key and the assessment they are of: a store row edited by
    someone without this machine's secret (the party being rated, with write access to a shared
    database, say) no longer verifies, and is not served."""
    import hmac

    msg = json.dumps([key, assessment_id, [outputs[n] for n in OUTPUT_NAMES]], ensure_ascii=False).encode("utf-8")
    return "hmac-sha256:" + hmac.new(secret, msg, hashlib.sha256).hexdigest()


def pack(outputs: Mapping[str, str], sealed: str) -> bytes:
    return zlib.compress(json.dumps({**{n: outputs[n] for n in OUTPUT_NAMES}, "seal": sealed},
                                    ensure_ascii=False).encode("utf-8"), 6)


def unpack(blob: bytes) -> tuple[dict[str, str], str] | None:
    """The stored outputs and their seal, or None when the blob is not what :func:`pack` writes (or is
    too large)."""
    try:
        d = zlib.decompressobj()
        raw = d.decompress(blob, MAX_OUTPUTS_BYTES)
        if d.unconsumed_tail or not d.eof:
            return None
        data = json.loads(raw.decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, ValueError):
        return None
    names = (*OUTPUT_NAMES, "seal")
    if not isinstance(data, dict) or sorted(data) != sorted(names) or not all(isinstance(data[n], str) for n in names):
        return None
    return {n: data[n] for n in OUTPUT_NAMES}, data["seal"]


@dataclass(frozen=True)
class Hit:
    assessment: Assessment
    transcripts: int
    outputs: dict[str, str]


class RerunSource(Protocol):
    """Where a lookup reads stored runs: the :class:`~jailscale.store.Store`, or on a SQLite store the
    standard-library reader of :mod:`jailscale.store._fastread` (the command line's fast path)."""

    def rerun_suite_refs(self, submission_digest: str) -> list[str]: ...

    def find_rerun(self, key: str) -> tuple[Assessment, int, bytes] | None: ...


def lookup(store: RerunSource, submission_digest: str, suite_arg: str | None, submission_path: Path,
           inputs: RunInputs) -> Hit | None:
    """The stored result of this exact run, or None (a miss). ``suite_arg`` is ``--suite`` as typed."""
    from .. import suites
    from .outcome import assessment_json

    refs = store.rerun_suite_refs(submission_digest)
    if not refs:
        return None
    # The suite is resolved as the full run resolves it: --suite as typed, else the submission's own
    # suite: field (which a stored run of the same bytes recorded), relative to the submission file.
    wanted = suite_ref(suite_arg, None) if suite_arg else None
    for ref in refs:
        if (ref != wanted) if wanted else not ref.startswith(FROM_SUBMISSION):
            continue
        try:
            suite = (suites.load_suite_arg(suite_arg) if suite_arg else
                     suites.load_suite_arg(ref.removeprefix(FROM_SUBMISSION), named_in=submission_path))
            key = run_key(submission_digest, ref, suite, inputs)
        except UserError:
            return None  # the full run meets the same mistake and reports it
        found = store.find_rerun(key)
        if found is None:
            continue
        assessment, transcripts, blob = found
        unpacked, secret = unpack(blob), seal_secret()
        if unpacked is None or secret is None:
            return None
        outputs, sealed = unpacked
        import hmac

        if not hmac.compare_digest(sealed, seal(secret, key, assessment.id, outputs)):
            return None  # edited, or recorded on another machine
        if outputs["assessment.json"] != assessment_json(assessment):
            return None
        from ..integrity import check_assessment

        if check_assessment(assessment):  # a row edited consistently with its columns: show refuses it too
            return None
        return Hit(assessment, transcripts, outputs)
    return None


def serve(store: RerunSource, submission_digest: str, suite_arg: str | None, submission_path: Path,
          inputs: RunInputs, out_dir: Path) -> Outcome | None:
    """A hit's outcome, its stored outputs written again into ``out_dir``; None on a miss (see
    :func:`lookup`). The one way both paths of the command line serve a rerun."""
    hit = lookup(store, submission_digest, suite_arg, submission_path, inputs)
    if hit is None:
        return None
    from .outcome import Outcome
    from .output import write_results

    return Outcome(hit.assessment, {}, write_results(out_dir, hit.outputs), True, 0, hit.transcripts, hit.outputs)


def suite_ref(suite_arg: str | None, submission_suite: str | None) -> str:
    """How a run named its suite: ``--suite`` as typed, or the submission's ``suite:`` field."""
    return FROM_OPTION + suite_arg if suite_arg else FROM_SUBMISSION + (submission_suite or "")


def record(store: Store, submission_digest: str, ref: str, suite: Suite, inputs: RunInputs,
           assessment: Assessment, transcripts: int, outputs: Mapping[str, str]) -> None:
    """Keep a finished, stored run's outputs for the next rerun, sealed with this machine's secret (a
    cache: an existing row is kept; without a secret nothing is kept)."""
    secret = seal_secret()
    if secret is None:
        return
    key = run_key(submission_digest, ref, suite, inputs)
    store.save_rerun(key, submission_digest, ref, assessment.id, transcripts,
                     pack(outputs, seal(secret, key, assessment.id, outputs)))
