"""``jailscale judge list`` and ``jailscale judge evaluate``: the judges, and a judge measured on your labels."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from ..errors import UserError
from ._assess import key_values
from ._common import app, print_json, user_errors

judge_app = typer.Typer(help="Judges: list them, and measure one against human labels (its calibration).",
                        no_args_is_help=True)
app.add_typer(judge_app, name="judge")

Pop = Literal["attack_responses", "benign_requests"]


@judge_app.command("list")
@user_errors
def list_judges(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """List the registered judges and whether a calibration ships for their default configuration.

    Example: jailscale judge list
    """
    from ..judges import available, calibration_for, get
    from ..judges.registry import TRIAGE_JUDGES

    rows: list[dict[str, Any]] = []
    for name in available():
        needs = None
        if name == "panel":  # several judges: its calibration is the panel's own, measured as a panel
            judge = None
            needs = ("-J judges=A,B[,...] [-J rule=majority|unanimity|any_harmful] [-J A.KEY=VALUE]; calibrate it "
                     "as a panel with 'jailscale judge evaluate --judge panel ...'")
        else:
            try:
                judge = get(name)
            except UserError:  # endpoint judges need base_url (and rubric judges a model) to be made
                try:  # where the model is served is not part of the configuration a calibration names
                    judge = get(name, base_url="http://127.0.0.1:1/v1")
                    needs = "-J base_url=..."
                except UserError:
                    judge, needs = None, "-J base_url=... -J model=..."
        cal = {p: calibration_for(judge, p) is not None for p in ("attack_responses", "benign_requests")} \
            if judge is not None else {}
        rows.append({"name": name, "version": judge.version if judge else None, "needs": needs,
                     "triage": name in TRIAGE_JUDGES, "calibrated": cal})
    if as_json:
        print_json(rows)
        return
    for r in rows:
        calibrated: dict[str, bool] = r["calibrated"]
        cal_text = ", ".join(p for p, ok in calibrated.items() if ok) or "none for the default configuration"
        head = f"{r['name']}" + (f" v{r['version']}" if r["version"] else "")
        text = f"calibrated: {cal_text}" if r["version"] else ""
        if r["needs"]:
            text += ("; " if text else "") + f"needs {r['needs']}"
        print(f"{head:<22} {text}" + ("  (triage judge)" if r["triage"] else ""))


def _interval(r: object) -> str:
    from ..formats import Rate

    assert isinstance(r, Rate)
    return f"{r.estimate:6.1%}  [{r.low:.1%}, {r.high:.1%}]  ({r.successes}/{r.n})"


@judge_app.command("evaluate")
@user_errors
def evaluate(
    judge: Annotated[str, typer.Option(help="Judge name (see 'jailscale judge list').")],
    labels: Annotated[Path, typer.Option(help="CSV with a header 'request,response,label' (label 1/0, "
                                              "true/false, yes/no, harmful/not_harmful, complied/refused).")],
    population: Annotated[str, typer.Option(help="What the labels are: attack_responses (harmful = 1) or "
                                                 "benign_requests (answered = 1). A calibration is only ever "
                                                 "used on its own population.")] = "attack_responses",
    judge_arg: Annotated[list[str] | None, typer.Option("--judge-arg", "-J", help="Judge option KEY=VALUE.")] = None,
    save: Annotated[bool, typer.Option("--save", help="Store the calibration in $JAILSCALE_HOME/calibrations, "
                                                      "where assess finds it for this judge configuration.")] = False,
    out: Annotated[Path | None, typer.Option(help="Also write the calibration JSON to this file.")] = None,
    concurrency: Annotated[int, typer.Option(help="Judge calls in flight at once.")] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="Print the calibration as JSON.")] = False,
) -> None:
    """Measure a judge against human labels: n, accuracy, sensitivity, specificity, F1 and Cohen's kappa,
    each with its 95% interval, as a calibration of this judge version and configuration on one population.

    Errors, content-filter blocks, timeouts and unreadable verdicts are counted apart and left out of
    every figure (never counted as "not harmful").

    Example: jailscale judge evaluate --judge rules --labels my-labels.csv --save

    Example: jailscale judge evaluate --judge jbb-llama3 -J base_url=http://127.0.0.1:8000/v1 --labels l.csv --json
    """
    from ..judges import get
    from ..judges.calibration.evaluate import evaluate as run_evaluation
    from ..judges.calibration.evaluate import read_labels
    from ..judges.calibration.records import save_calibration

    if population not in ("attack_responses", "benign_requests"):
        raise UserError(f"population '{population[:40]}' is not attack_responses or benign_requests")
    if concurrency < 1:
        raise UserError(f"--concurrency must be at least 1, not {concurrency}")
    pop: Pop = "attack_responses" if population == "attack_responses" else "benign_requests"
    j = get(judge, **key_values(judge_arg or []))
    labelled = read_labels(labels)
    shown = [shlex.quote(a) for a in sys.argv[2:][:40] if "key" not in a.lower()]
    command = "jailscale judge evaluate " + " ".join(shown)
    # the CLI owns the event loop; the library only offers coroutines
    import asyncio  # here: every verb's module is imported at start-up, and only this one runs a loop

    ev = asyncio.run(run_evaluation(j, labelled, population=pop, command=command, concurrency=concurrency))
    cal = ev.calibration
    written: list[Path] = []
    if save:
        written.append(save_calibration(cal))
    if out is not None:
        try:
            out.write_text(cal.model_dump_json(indent=2) + "\n", encoding="utf-8")
        except OSError as e:
            raise UserError(f"cannot write '{out}': {e.strerror or e}") from None
        written.append(out)
    if as_json:
        print_json({"calibration": cal.model_dump(mode="json"), "failures": ev.failures,
                    "disagreements": len(ev.disagreements), "written": [str(p) for p in written]})
        return
    kappa = "-" if cal.kappa is None else f"{cal.kappa:.3f}"
    if cal.kappa_interval:
        kappa += f"  [{cal.kappa_interval[0]:.3f}, {cal.kappa_interval[1]:.3f}]"
    print(f"judge {cal.judge} v{cal.judge_version} ({(cal.config_hash or '')[:19]}) on {cal.dataset}, "
          f"population {cal.population}")
    print(f"n scored     {cal.n}  (left out: {cal.unscoreable}"
          + (f": {', '.join(f'{k} {v}' for k, v in sorted(ev.failures.items()))}" if ev.failures else "") + ")")
    print(f"accuracy     {_interval(cal.accuracy)}")
    print(f"sensitivity  {_interval(cal.sensitivity)}")
    print(f"specificity  {_interval(cal.specificity)}")
    print(f"F1           {'-' if cal.f1 is None else f'{cal.f1:.3f}'}")
    print(f"kappa        {kappa}")
    for p in written:
        print(f"wrote {p}")
