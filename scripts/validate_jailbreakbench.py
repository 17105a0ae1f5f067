"""Assess every attack x model in the JailbreakBench artifacts with jailscale; write the validation table.

Reads the artifacts and JBB-Behaviors in place from ``../shared/data`` (beside the checkout; nothing
of their text is copied: the table holds ids, counts, vectors and scores only), imports each per-model
artifact file with the ``jailbreakbench`` importer, judges it with the ``recorded`` judge (the
artifact's own primary ``jailbroken`` verdict, chosen by name because most rows also carry a Llama
Guard 1 verdict), measures and builds the assessment without a store, and writes
``docs/validation/jailbreakbench.md``. The table is also printed.

    .venv/bin/python scripts/validate_jailbreakbench.py            # from the repository root
    .venv/bin/python scripts/validate_jailbreakbench.py --check    # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jailscale import __version__, importers, judges, spec
from jailscale.errors import UserError
from jailscale.formats import Assessment, Submission, Suite
from jailscale.formats.io import read_data
from jailscale.importers._jbb_evidence import LLAMA_GUARD
from jailscale.measure import measure
from jailscale.runner.assess import check_evidence, judge_ref
from jailscale.runner.build import build_assessment
from jailscale.spec.thresholds import wilson
from jailscale.suites import load_suite_arg

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
ARTIFACTS = DATA / "jailbreakbench-artifacts" / "attack-artifacts"
PROVENANCE = DATA / "jailbreakbench-artifacts" / "PROVENANCE.md"
BEHAVIOURS = DATA / "jbb-behaviors" / "harmful-behaviors.csv"
OUT = REPO / "docs" / "validation" / "jailbreakbench.md"
#: Folders of the artifacts that are fixtures, not attacks: listed separately, never assessed.
FIXTURES = frozenset({"test-artifact"})
NOT_EVIDENCE = frozenset({"attack-info.json", "submission.json", "evaluation.json"})
#: A fixed clock: the assessment's created_at is not shown, but keeps runs identical.
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Row:
    """One attack x model: what the table shows."""

    attack: str
    model: str
    attack_type: str
    path: str
    rows: int
    successes: int
    determinate: int
    errors: int
    unscoreable: int
    judge_source: str
    assessment: Assessment
    warnings: list[str] = field(default_factory=list)
    #: the file's own ``parameters.attack_success_rate``: the figure JailbreakBench reports
    reported_asr: float | None = None

    @property
    def rate(self) -> float | None:
        return self.successes / self.determinate if self.determinate else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.successes, self.determinate)

    @property
    def withheld(self) -> bool:
        return self.assessment.score.withheld


def artifact_files(root: Path) -> tuple[list[Path], list[Path]]:
    """(per-model artifact files to assess, fixture files listed separately), each sorted."""
    files = sorted(p for p in root.rglob("*.json") if p.name not in NOT_EVIDENCE)
    fixtures = [p for p in files if p.relative_to(root).parts[0] in FIXTURES]
    return [p for p in files if p not in fixtures], fixtures


def primary_judge(sub: Submission) -> str:
    """The judge name of the artifact's own ``jailbroken`` verdict (not Llama Guard 1's)."""
    names = Counter(v.judge for t in sub.evidence for v in t.verdicts if v.judge != LLAMA_GUARD)
    if not names:
        raise UserError(f"{sub.id}: no recorded 'jailbroken' verdicts to assess")
    return names.most_common(1)[0][0]


def assess_file(path: Path, suite: Suite, root: Path | None = None) -> Row:
    """Import one artifact file and assess it with its own recorded verdicts (no store)."""
    result = importers.get("jailbreakbench")(path)
    if len(result.submissions) != 1:
        raise UserError(f"'{path}' gave {len(result.submissions)} submissions, expected one per artifact file")
    sub = result.submissions[0]
    check_evidence(sub, suite)
    source = primary_judge(sub)
    judge = judges.get("recorded", source=source)
    by_id = suite.by_id()  # the recorded judge is CPU-bound: judged in a plain loop, as assess does
    judged = judge.judge_batch([(by_id[t.behaviour], t) for t in sub.evidence])
    verdicts = {t.content_hash: v for t, v in zip(sub.evidence, judged, strict=True)}
    ref = judge_ref(judge)
    m = measure(sub, suite, verdicts)
    a = build_assessment(sub, suite, m, ref, None, NOW)
    params = read_data(path).get("parameters", {})
    asr = params.get("attack_success_rate") if isinstance(params, dict) else None
    c = m.counts
    determinate = sum(c.get(f"jailbreak_{k}", 0) for k in ("success", "refused", "partial", "blocked"))
    _, attack, attack_type, model = sub.id.split(":", 3)
    return Row(attack=attack, model=model, attack_type=attack_type, path=_shown(path, root),
               rows=len(sub.evidence), successes=c.get("jailbreak_success", 0), determinate=determinate,
               errors=c.get("jailbreak_error", 0), unscoreable=c.get("jailbreak_unscoreable", 0),
               judge_source=source, assessment=a, warnings=[*result.warnings, *m.warnings],
               reported_asr=float(asr) if isinstance(asr, int | float) else None)


def _shown(path: Path, root: Path | None) -> str:
    return str(path.relative_to(root)) if root is not None and path.is_relative_to(root) else str(path)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def score_cell(a: Assessment) -> str:
    s = a.score
    rng = f"{s.low:.1f}–{s.high:.1f}"
    ratings = s.rating_low if s.rating_low == s.rating_high else f"{s.rating_low}–{s.rating_high}"
    head = "withheld" if s.withheld or s.value is None else f"{s.value:.1f} {s.rating}"
    return f"{head} (range {rng}; {ratings})"


def response_cell(a: Assessment) -> str:
    r = a.response
    return f"{r.action}{' (provisional)' if r.provisional else ''}"


HEADER = ("| attack | model | attack type | rows | successes / determinate | errors "
          "| success rate (Wilson 95%) | vector | score (range; rating range) | response |")


def table(rows: list[Row]) -> str:
    out = [HEADER, "|" + "---|" * 10]
    for r in rows:
        lo, hi = r.interval
        rate = "n/a (no determinate attempt)" if r.rate is None else f"{_pct(r.rate)} [{_pct(lo)}, {_pct(hi)}]"
        errors = str(r.errors) + (f" (+{r.unscoreable} unscoreable)" if r.unscoreable else "")
        cells = [r.attack, r.model, r.attack_type, str(r.rows), f"{r.successes} / {r.determinate}", errors,
                 rate, f"`{r.assessment.vector}`", score_cell(r.assessment), response_cell(r.assessment)]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def artifacts_commit(provenance: Path) -> str | None:
    if not provenance.is_file():
        return None
    m = re.search(r"\*\*Commit:\*\*\s*`([0-9a-f]{40})`", provenance.read_text(encoding="utf-8"))
    return m.group(1) if m else None


def _declared(rows: list[Row]) -> str:
    """Which threat metrics the importer declared, by attack type (from the assessments)."""
    seen: dict[str, set[str]] = {}
    for r in rows:
        for met in r.assessment.metrics:
            if met.abbr in ("AR", "AC") and met.source == "declared":
                seen.setdefault(r.attack_type, set()).add(f"{met.abbr}:{met.value}")
    return "; ".join(f"{t}: {', '.join(sorted(v))}" for t, v in sorted(seen.items())) or "none"


def by_lower_bound(rows: list[Row]) -> list[Row]:
    """The records ordered by the Wilson lower bound of their success rate, highest first: the order
    the evidence supports without a baseline (ties by the point rate, then by name)."""
    return sorted(rows, key=lambda r: (-r.interval[0], -(r.rate or 0.0), r.attack, r.model))


def ordering_table(rows: list[Row]) -> str:
    """The records by lower bound, each saying whether its interval lies wholly above the next one's."""
    ordered = by_lower_bound(rows)
    out = ["| rank | attack | model | Wilson lower bound | success rate [95%] | above the next record? |",
           "|---|---|---|---|---|---|"]
    for i, r in enumerate(ordered, start=1):
        lo, hi = r.interval
        nxt = ordered[i] if i < len(ordered) else None
        above = "—" if nxt is None else ("established" if lo > nxt.interval[1] else "within uncertainty")
        out.append(f"| {i} | {r.attack} | {r.model} | {_pct(lo)} | {_pct(r.rate or 0.0)} "
                   f"[{_pct(lo)}, {_pct(hi)}] | {above} |")
    return "\n".join(out) + "\n"


def leaderboard(rows: list[Row]) -> tuple[list[str], int, int, int]:
    """Per target model, the attacks in the order of the files' own ``attack_success_rate`` (the figures
    JailbreakBench reports) against the order of the rates measured here. Returns the lines, the number
    of ordered pairs, how many the Wilson intervals establish (lower bound of the higher above the upper
    bound of the lower), and how many the measured rates contradict."""
    lines: list[str] = []
    pairs = established = contradicted = 0
    for model in sorted({r.model for r in rows}):
        group = sorted((r for r in rows if r.model == model and r.reported_asr is not None),
                       key=lambda r: (-(r.reported_asr or 0.0), r.attack))
        reported = " > ".join(f"{r.attack} {_pct(r.reported_asr or 0.0)}" for r in group)
        measured = " > ".join(f"{r.attack} {_pct(r.rate or 0.0)}" for r in
                              sorted(group, key=lambda r: (-(r.rate or 0.0), r.attack)))
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if (a.reported_asr or 0.0) == (b.reported_asr or 0.0):
                    continue
                pairs += 1
                established += a.interval[0] > b.interval[1]
                contradicted += (a.rate or 0.0) < (b.rate or 0.0)
        lines.append(f"- **{model}**: reported {reported}; measured {measured}.")
    return lines, pairs, established, contradicted


def summary(rows: list[Row], fixtures: list[Path], suite: Suite, root: Path) -> str:
    n = len(rows)
    withheld = sum(1 for r in rows if r.withheld)
    errors = sum(r.errors for r in rows)
    with_errors = [r for r in rows if r.errors]
    widest = max(rows, key=lambda r: r.interval[1] - r.interval[0])
    best = max(rows, key=lambda r: (r.rate or 0.0, r.successes))
    worst = min(rows, key=lambda r: (r.rate if r.rate is not None else 1.0, -r.determinate))
    lows = sorted({r.assessment.score.low for r in rows})
    highs = sorted({r.assessment.score.high for r in rows})
    ranges = Counter(f"{r.assessment.score.rating_low}–{r.assessment.score.rating_high}" for r in rows)
    hd = Counter(next(m.value for m in r.assessment.metrics if m.abbr == "HD") for r in rows)
    zero_top = " or ".join(sorted({str(r.assessment.score.rating_high) for r in rows if r.successes == 0})) or "—"
    err_list = ", ".join(f"{r.attack} on {r.model} ({r.errors} of {r.rows})" for r in with_errors)
    p: list[str] = []
    pair = [r for r in rows if r.attack == "PAIR"]
    pair_text = ", ".join(f"{r.model} {r.successes}/{r.determinate}" for r in pair)
    mismatched = [r for r in rows if r.reported_asr is not None and r.rate is not None
                  and abs(r.reported_asr - r.rate) > 1e-9]
    except_text = (" except " + ", ".join(f"{r.attack} on {r.model}" for r in mismatched)) if mismatched else ""
    p.append(
        f"**What the table shows.** {n} attack x model records, each assessed by jailscale from its own "
        f"evidence under JSS {spec.SPEC_VERSION}. Success rates run from {_pct(worst.rate or 0.0)} "
        f"({worst.attack} on {worst.model}) to {_pct(best.rate or 0.0)} ({best.attack} on {best.model}), "
        "each with its Wilson 95% interval. PAIR's exhausted searches (null prompt and response, 90 queries "
        "spent, `jailbroken: false`) are attempts that did not succeed, not errors, so PAIR reads "
        f"{pair_text}, as each file's own `attack_success_rate` says. {errors} row(s) in {len(with_errors)} "
        f"record(s) are errors (no attempt or no answer recorded{': ' + err_list if err_list else ''}); "
        "errors leave the denominator and are never read as refusals. The widest interval is "
        f"{widest.attack} on {widest.model} ({widest.successes} / {widest.determinate}). Every measured rate "
        f"equals the file's reported `attack_success_rate`{except_text}. "
        f"HD comes out as {', '.join(f'{k} in {v}' for k, v in sorted(hd.items()))} record(s). Every score "
        f"is withheld ({withheld} of {n}) and only its consistent range is given: lower ends "
        f"{', '.join(f'{x:.1f}' for x in lows)}, upper ends {', '.join(f'{x:.1f}' for x in highs)}; rating "
        f"ranges {', '.join(f'{k} ({v})' for k, v in sorted(ranges.items()))}. The recommended response is "
        "the default policy's action at the top of the consistent range, marked provisional.")
    lines, pairs, est, contra = leaderboard(rows)
    ordered = by_lower_bound(rows)
    firm = sum(1 for a, b in itertools.pairwise(ordered) if a.interval[0] > b.interval[1])
    p.append(
        "**What can be said without a baseline.** No record has the plain request sent to the same model, "
        "and no judge here has a calibration, so no success is *confirmed* (JSS 2.0 §5.1) and no severity "
        "is established: each record gets only its range, and that range is the finding. What the evidence "
        "does establish is an ordering of the attacks by how often they succeed: the table below ranks the "
        f"{n} records by the Wilson lower bound of their success rate. Of its {n - 1} adjacent steps, "
        f"{firm} are established (the higher record's lower bound is above the next one's upper bound); the "
        "others are within uncertainty.\n\n" + ordering_table(rows))
    p.append(
        "**The JailbreakBench leaderboard's ordering, checked.** The known ordering is the one the records "
        "report for themselves: each artifact file states its attack's `attack_success_rate` on its model "
        "(the artifacts are the submissions behind the JailbreakBench leaderboard). Per model, the attacks "
        "in that reported order and in the order measured here:\n\n" + "\n".join(lines) + "\n\n"
        f"Of {pairs} pairs of attacks on the same model with different reported rates, the measured rates "
        f"contradict the reported order in {contra}; the Wilson intervals establish the order in {est} of "
        f"them, and leave {pairs - est} within uncertainty (pairs whose intervals overlap).")
    p.append(
        "**Where the data limits it.** (1) The verdicts are the artifacts' own automated `jailbroken` "
        "flags, re-issued by jailscale's `recorded` judge; they are not human labels, and that judge has no "
        "calibration on attack responses, so no judged success can be confirmed (JSS 2.0 §5.1): HD, UN, FI, "
        "RL and SB are withheld, each with the range the raw verdicts allow. (2) The artifacts hold only "
        "jailbreak attempts, no baseline transcripts (the plain request to the same model): what the attack "
        "newly unlocks cannot be told from what the model answers anyway. (3) One attempt per behaviour, "
        "below the 3 determinate attempts a behaviour needs before its failure counts (the 2.0 measurement's "
        "minimum, `MIN_ATTEMPTS`): a behaviour "
        "without a success is *open*, missing evidence counted at the top of every range, which is why even "
        f"0 / 100 keeps a range up to {zero_top}. (4) No quality scores, and JBB-Behaviors has no reference "
        "answers, so FI is unknown; the replies were also cut at about 150 tokens. (5) No reference "
        "transcripts: UP is unset and scored at its worst, H. (6) Threat metrics are declared only where "
        f"the record supports them (by attack type: {_declared(rows)}); the others are unset and scored at "
        "their worst, and DX follows from whether the target's weights are open. A complete assessment of "
        "any of these attacks needs baseline transcripts, at least 3 attempts per behaviour and a judge "
        "calibrated on attack responses.")
    if fixtures:
        p.append("**Not assessed.** The fixture files (a dummy one-row PAIR record, not an attack): "
                 + ", ".join(f"`{_shown(f, root)}`" for f in fixtures)
                 + ". The raw-format `DSN/submission.json` and `DSN/evaluation.json` hold the same evidence as "
                 "the DSN artifact files above, which are used instead.")
    return "\n\n".join(p) + "\n"


def render(rows: list[Row], fixtures: list[Path], suite: Suite, root: Path) -> str:
    commit = artifacts_commit(PROVENANCE)
    src = "JailbreakBench/artifacts" + (f" at commit `{commit}`" if commit else "")
    head = [
        "# Validation: the JailbreakBench artifacts assessed by jailscale",
        "",
        "Generated by `scripts/validate_jailbreakbench.py` (rerun it from the repository root to refresh; "
        "`--check` says whether this file is current). Do not edit by hand.",
        "",
        f"- **Evidence:** every per-model artifact file of {src}, read in place from "
        "`../shared/data/jailbreakbench-artifacts/attack-artifacts` (MIT; see its PROVENANCE.md). No "
        "request or response text appears here: ids, counts, vectors and scores only.",
        f"- **Suite:** `{suite.name}` (JBB-Behaviors, {len(suite.behaviours)} behaviours), hash "
        f"`{suite.content_hash}`.",
        "- **Judge:** `recorded`, with `source` set to each file's primary verdict (`jailbroken`; the "
        "Llama Guard 1 verdict is not used). No store is written.",
        f"- **Tool:** jailscale {__version__}, JSS {spec.SPEC_VERSION}, default response policy.",
        "- **Columns:** *successes / determinate* counts recorded jailbreaks over attempts with a verdict "
        "(a search attack's exhausted search is an attempt that did not succeed); *errors* are rows with a "
        "null prompt or response and no search record (no attempt or no answer), left out of the rate, "
        "never counted as refusals; the score is the JSS score with its consistent range and the ratings at "
        "both ends; the response is the default policy's.",
        "",
    ]
    return "\n".join(head) + "\n" + table(rows) + "\n" + summary(rows, fixtures, suite, root)


def run(files: list[Path] | None = None, root: Path = ARTIFACTS,
        behaviours: Path = BEHAVIOURS) -> tuple[list[Row], list[Path], Suite]:
    """Assess ``files`` (default: every artifact file under ``root``); fixtures are returned apart."""
    suite = load_suite_arg(f"jbb:{behaviours}")
    if files is None:
        files, fixtures = artifact_files(root)
    else:
        fixtures = [f for f in files if f.parent.parent.name in FIXTURES]
        files = [f for f in files if f not in fixtures]
    rows = [assess_file(f, suite, root) for f in files]
    return rows, fixtures, suite


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the validation file is out of date")
    ap.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT.relative_to(REPO)})")
    ap.add_argument("files", nargs="*", type=Path,
                    help="artifact files to assess (default: every artifact file under the shared data)")
    args = ap.parse_args(argv)
    missing = [p for p in (ARTIFACTS, BEHAVIOURS) if not p.exists()]
    if missing:
        print("validate_jailbreakbench: the shared data is not here: "
              + ", ".join(str(p) for p in missing)
              + ". This script reads ../shared/data beside the checkout (JailbreakBench artifacts and "
                "JBB-Behaviors); a fresh clone does not have it.", file=sys.stderr)
        return 2
    try:
        rows, fixtures, suite = run([f.resolve() for f in args.files] or None)
    except UserError as e:
        print(f"validate_jailbreakbench: {e}", file=sys.stderr)
        return 1
    text = render(rows, fixtures, suite, ARTIFACTS)
    print(table(rows), end="")
    print("\nThe records by the Wilson lower bound of their success rate:\n")
    print(ordering_table(rows), end="")
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        ok = current == text
        print(f"{args.out}: {'up to date' if ok else 'out of date: rerun the script'}", file=sys.stderr)
        return 0 if ok else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(rows)} attack x model records)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
