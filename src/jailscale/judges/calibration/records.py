"""Calibrations as data: a judge's agreement with human labels as a typed
:class:`~jailscale.formats.Calibration`, built from counts, saved, found again and checked.

**Where calibrations live.** Shipped ones are JSON files in ``shipped/`` beside this module
(``<judge>-v<version>.<population>.json``, written by ``scripts/validate_judges.py``); a user's own
are in ``$JAILSCALE_HOME/calibrations/`` (``jailscale judge evaluate --save``) or any file passed
explicitly (``assess --calibration FILE``). :func:`calibration_for` looks in that order of
precedence: the explicit file, then the user's folder, then the shipped folder.

**Matching rule.** A calibration applies to a judge only when its ``judge`` and ``judge_version``
equal the judge's name and version, its ``config_hash`` equals the judge's ``config_hash`` (or is None,
"any configuration", for a judge that is not ``calibrated_per_configuration``), and its
``population`` is the one asked for. A figure measured on one population is never used on another,
and a reconfigured judge is an uncalibrated judge. A judge calibrated per configuration (a panel: its
members and rule; the ``recorded`` judge: its source) takes only a calibration naming its
configuration, and the ``recorded`` judge without a ``source`` takes none (each transcript's one
verdict may come from another judge). :func:`configuration_mismatch` states the configuration part,
for the ``--calibration`` file (``runner.assess.matching_calibration``) and the folders alike.

**Intervals.** Sensitivity, specificity and accuracy are :class:`~jailscale.formats.Rate` with the
Wilson 95% interval (``spec.thresholds.wilson``). Cohen's kappa has the large-sample interval
``kappa ± 1.96 · sqrt(p_o (1 - p_o) / (n (1 - p_e)^2))`` (Cohen 1960, eq. 9), clipped to [-1, 1].
F1 = 2 tp / (2 tp + fp + fn), a point figure (it is derived from the two rates).
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from ...errors import UserError
from ...formats import Calibration, Population, Rate
from ...spec.thresholds import wilson
from ..base import Judge

#: z for the 95% two-sided normal interval of kappa.
Z95 = 1.959963984540054
#: The environment variable naming the jailscale home folder (as in ``store``).
ENV_HOME = "JAILSCALE_HOME"
SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"


def rate(successes: int, n: int) -> Rate:
    """``successes / n`` with its Wilson 95% interval. ``n`` must be positive: a rate measured on
    nothing is not a rate (the caller reports it as unmeasurable)."""
    if n <= 0:
        raise ValueError("a rate needs at least one row")
    low, high = wilson(successes, n)
    est = successes / n
    return Rate(estimate=est, low=min(low, est), high=max(high, est), successes=successes, n=n)


def kappa_with_interval(tp: int, fp: int, tn: int, fn: int) -> tuple[float | None, tuple[float, float] | None]:
    """Cohen's kappa of a 2x2 table and its 95% interval (module docstring); (None, None) when the
    chance agreement is 1 (both raters constant and equal) or the table is empty."""
    n = tp + fp + tn + fn
    if n == 0:
        return None, None
    p_o = (tp + tn) / n
    p_e = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n**2
    if p_e >= 1.0:
        return None, None
    kappa = (p_o - p_e) / (1 - p_e)
    se = math.sqrt(p_o * (1 - p_o) / (n * (1 - p_e) ** 2))
    return kappa, (max(-1.0, kappa - Z95 * se), min(1.0, kappa + Z95 * se))


def calibration_from_counts(judge: Judge | tuple[str, str, str | None], *, population: Population, dataset: str,
                            tp: int, fp: int, tn: int, fn: int, unscoreable: int = 0,
                            dataset_hash: str | None = None, split: str = "all", command: str | None = None,
                            created_at: datetime | None = None) -> Calibration:
    """A :class:`Calibration` from a confusion table. ``judge`` is a judge or ``(name, version,
    config_hash)``. Both classes must be present (a sensitivity needs positives, a specificity
    negatives): otherwise a :class:`UserError` saying which is missing."""
    name, version, config_hash = ((judge.name, judge.version, judge.config_hash) if isinstance(judge, Judge)
                                  else judge)
    if tp + fn == 0 or tn + fp == 0:
        missing = "harmful (positive)" if tp + fn == 0 else "not-harmful (negative)"
        raise UserError(f"labelled set '{dataset}' has no scored {missing} rows: sensitivity and specificity "
                        "both need rows of each label; add labelled rows of the missing kind")
    kappa, kappa_ci = kappa_with_interval(tp, fp, tn, fn)
    denom_f1 = 2 * tp + fp + fn
    return Calibration(judge=name, judge_version=version, config_hash=config_hash, population=population,
                       dataset=dataset, dataset_hash=dataset_hash, split=split, n=tp + fp + tn + fn,
                       unscoreable=unscoreable, tp=tp, fp=fp, tn=tn, fn=fn, sensitivity=rate(tp, tp + fn),
                       specificity=rate(tn, tn + fp), accuracy=rate(tp + tn, tp + fp + tn + fn), kappa=kappa,
                       kappa_interval=kappa_ci, f1=2 * tp / denom_f1 if denom_f1 else None,
                       created_at=created_at, command=command)


def user_calibration_dir() -> Path:
    """``$JAILSCALE_HOME/calibrations`` (``~/.jailscale/calibrations`` by default)."""
    return Path(os.environ.get(ENV_HOME) or "~/.jailscale").expanduser() / "calibrations"


def calibration_filename(cal: Calibration) -> str:
    """``<judge>-v<version>.<population>[.<config hash prefix>].json``."""
    cfg = f".{cal.config_hash.removeprefix('sha256:')[:12]}" if cal.config_hash else ""
    return f"{cal.judge}-v{cal.judge_version}.{cal.population}{cfg}.json"


def save_calibration(cal: Calibration, folder: Path | None = None) -> Path:
    """Write ``cal`` as JSON into ``folder`` (default :func:`user_calibration_dir`); returns the path."""
    folder = folder or user_calibration_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / calibration_filename(cal)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(cal.model_dump_json(indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as e:
        raise UserError(f"cannot write the calibration into '{folder}': {e.strerror or e}; "
                        f"set {ENV_HOME} to a folder you can write") from None
    return path


def load_calibration(path: Path) -> Calibration:
    """Read a calibration file; a missing or invalid file is a :class:`UserError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise UserError(f"cannot read calibration file '{path}': {getattr(e, 'strerror', None) or e}") from None
    try:
        return Calibration.model_validate_json(text)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        raise UserError(f"calibration file '{path}' is not a jailscale calibration: {where}: {first['msg']}") from None


def configuration_shown(judge: Judge, limit: int = 120) -> str:
    """The judge's configuration without its name and version, for a message (``source='x'``)."""
    shown = ", ".join(f"{k}={v!r}" for k, v in judge.config().items() if k not in ("name", "version"))
    shown = shown or "its default configuration"
    return shown if len(shown) <= limit else shown[:limit - 3] + "..."


def unnamed_configuration(cal: Calibration, judge: Judge) -> str | None:
    """Why ``cal`` does not say it was measured on ``judge``'s configuration, which this judge needs
    (one phrase that says what to do), or None: a judge calibrated per configuration given a file
    naming none, or the ``recorded`` judge without a source (module docstring)."""
    from ..recorded import RecordedJudge

    if isinstance(judge, RecordedJudge) and judge.source is None:
        return ("the recorded judge without -J source=NAME re-issues whichever single verdict each transcript "
                "carries, which may come from a different judge on each one, so no calibration says what it was "
                "measured on; choose the judge whose verdicts to re-issue with -J source=NAME and give a "
                "calibration measured on that judge's verdicts, naming that configuration")
    if cal.config_hash is not None or not judge.calibrated_per_configuration:
        return None
    return (f"it names no configuration (config_hash null, \"any\"), and a {judge.name} judge is calibrated per "
            "configuration: figures measured on one configuration must not correct another's verdicts; if it "
            f"was measured on this one ({configuration_shown(judge)}), set its \"config_hash\" to "
            f"\"{judge.config_hash}\"")


def configuration_mismatch(cal: Calibration, judge: Judge) -> str | None:
    """Why ``cal``'s configuration keeps it from ``judge`` (one phrase), or None when that part of the
    matching rule (module docstring) holds. Name, version and population are not checked here."""
    unnamed = unnamed_configuration(cal, judge)
    if unnamed is not None:
        return unnamed
    if cal.config_hash is not None and cal.config_hash != judge.config_hash:
        return f"it was measured with configuration {cal.config_hash[:19]}, not {judge.config_hash[:19]}"
    return None


def matches(cal: Calibration, judge: Judge, population: Population) -> bool:
    """The matching rule of the module docstring."""
    return (cal.judge == judge.name and cal.judge_version == judge.version and cal.population == population
            and configuration_mismatch(cal, judge) is None and not cal.count_problems())


def mismatch(cal: Calibration, judge: Judge, population: Population) -> str | None:
    """Why ``cal`` does not apply (one phrase), or None when it does."""
    if (cal.judge, cal.judge_version) != (judge.name, judge.version):
        return f"it calibrates {cal.judge} v{cal.judge_version}, not {judge.name} v{judge.version}"
    if cal.population != population:
        return f"it was measured on {cal.population}, not {population}"
    why = configuration_mismatch(cal, judge)
    if why:
        return why
    problems = cal.count_problems()
    if problems:
        return f"its {problems[0]}"
    return None


def _newest(found: list[Calibration]) -> Calibration | None:
    if not found:
        return None
    floor = datetime.min.replace(tzinfo=UTC)
    return max(found, key=lambda c: (c.created_at.astimezone(UTC) if c.created_at else floor, c.n))


def _from_folder(folder: Path, judge: Judge, population: Population) -> Calibration | None:
    if not folder.is_dir():
        return None
    found = []
    for path in sorted(folder.glob(f"{judge.name}-v{judge.version}.{population}*.json")):
        try:
            cal = Calibration.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValidationError):
            continue  # a damaged user file is not a calibration; the explicit --calibration path reports it
        if matches(cal, judge, population):
            found.append(cal)
    return _newest(found)


def calibration_for(judge: Judge, population: Population, *, file: Path | None = None,
                    user_dir: Path | None = None) -> Calibration | None:
    """The calibration that applies to ``judge`` on ``population``, or None when there is none.

    ``file`` (``assess --calibration FILE``) must apply: a file for another judge, version,
    configuration or population is a :class:`UserError`, never silently ignored. Otherwise the newest
    matching file in ``user_dir`` (default ``$JAILSCALE_HOME/calibrations``), then the shipped one.
    """
    if file is not None:
        cal = load_calibration(file)
        why = mismatch(cal, judge, population)
        if why:
            if why == unnamed_configuration(cal, judge):  # the phrase says what to do
                raise UserError(f"calibration file '{file}' does not apply: {why}")
            raise UserError(f"calibration file '{file}' does not apply: {why}; measure this judge with "
                            f"'jailscale judge evaluate --judge {judge.name} --labels FILE --population "
                            f"{population} --save'")
        return cal
    return (_from_folder(user_dir or user_calibration_dir(), judge, population)
            or _from_folder(SHIPPED_DIR, judge, population))
