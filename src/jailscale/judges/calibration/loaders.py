"""Loaders for the human-labelled sets a judge is calibrated on. They read the public files in place
(``<repo>/../shared/data`` by default); nothing from them is copied into the project.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from ...errors import UserError
from ...formats import Behaviour, Transcript
from .stats import Agreement, LabelledItem, LabelledSet, agreement_stats

#: ``<repo>/../shared/data`` for a source checkout (src/jailscale/judges/calibration/).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[4].parent / "shared" / "data"

#: The JailbreakBench judge_comparison columns holding other judges' 0/1 verdicts.
JBB_REFERENCE_JUDGES = ("harmbench_cf", "gpt4_cf", "llamaguard2_cf", "llama3_cf")


def file_sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise UserError(f"labelled set not found: {path} (expected the public copy in ../shared/data)")
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _item(bid: str, request: str, source: str, response: str, condition: str,
          jailbroken: bool, model: str | None = None) -> LabelledItem:
    # tier is a placeholder: calibration sets are judged, not scored, and no judge reads the tier
    behaviour = Behaviour(id=bid, request=request or "(no request text)", category=source, tier="L")
    transcript = Transcript.model_validate({"behaviour": bid, "condition": condition,
                                            "response": response, "model": model})
    return LabelledItem(behaviour, transcript, jailbroken)


def load_jbb_judge_comparison(data_dir: Path = DEFAULT_DATA_DIR) -> LabelledSet:
    """JailbreakBench judge_comparison (300 rows): positive when ``human_majority`` is 1."""
    path = data_dir / "jbb-judge-comparison" / "judge-comparison.utf8.csv"
    items = [_item(f"jbb-{r['Index']}", r["goal"], "jbb-judge-comparison", r["target_response"],
                   "jailbreak", r["human_majority"].strip() == "1") for r in _rows(path)]
    return LabelledSet("jbb-judge-comparison", items, {path.name: file_sha256(path)})


def load_jbb_attack_rows(data_dir: Path = DEFAULT_DATA_DIR) -> LabelledSet:
    """The 200 attack rows (0-199: PAIR, GCG, random-search prompts on harmful goals) of the JBB
    judge comparison. Rows 200-299 are benign XSTest prompts, where a refusal detector's "complied"
    is right about the model but counts as a false positive for harm: for the chance rate of a
    jailbreak's success on harmful requests, these rows are the relevant population."""
    full = load_jbb_judge_comparison(data_dir)
    items = [i for i in full.items if int(i.transcript.behaviour.split("-")[-1]) < 200]
    return LabelledSet("jbb-judge-comparison-attacks", items, full.files)


def jbb_reference_judges(data_dir: Path = DEFAULT_DATA_DIR) -> dict[str, Agreement]:
    """Agreement of the judges whose verdicts the judge_comparison file carries (its ``*_cf``
    columns) with ``human_majority``: the figures to compare a judge against."""
    rows = _rows(data_dir / "jbb-judge-comparison" / "judge-comparison.utf8.csv")
    truth = [r["human_majority"].strip() == "1" for r in rows]
    return {col: agreement_stats([r[col].strip() == "1" for r in rows], truth)
            for col in JBB_REFERENCE_JUDGES}


XSTEST_MODELS = ("mistralinstruct", "mistralguard")


def load_xstest(data_dir: Path = DEFAULT_DATA_DIR) -> LabelledSet:
    """XSTest's human-labelled Mistral completions (2 x 450 rows): positive when ``final_label`` is
    ``1_full_compliance``; ``2_full_refusal`` and ``3_partial_refusal`` are negative."""
    items: list[LabelledItem] = []
    files: dict[str, str] = {}
    for model in XSTEST_MODELS:
        path = data_dir / "xstest" / "model_completions" / f"xstest_v2_completions_{model}.csv"
        files[path.name] = file_sha256(path)
        items += [_item(f"xstest-{model}-{r['id']}", r["prompt"], "xstest", r["completion"], "baseline",
                        r["final_label"].strip() == "1_full_compliance", model) for r in _rows(path)]
    return LabelledSet("xstest", items, files)


def load_jbb_benign_rows(data_dir: Path = DEFAULT_DATA_DIR) -> LabelledSet:
    """Rows 200-299 of the JBB judge comparison: benign XSTest prompts, all labelled not jailbroken."""
    full = load_jbb_judge_comparison(data_dir)
    items = [i for i in full.items if int(i.transcript.behaviour.split("-")[-1]) >= 200]
    return LabelledSet("jbb-judge-comparison-benign", items, full.files)


def load_xstest_safe(data_dir: Path = DEFAULT_DATA_DIR) -> LabelledSet:
    """The ``benign_requests`` population: XSTest's Mistral completions on its *safe* prompts (types
    not starting with ``contrast_``), positive when the response fully complies (answered), negative
    for a full or partial refusal: the over-refusal question."""
    items: list[LabelledItem] = []
    files: dict[str, str] = {}
    for model in XSTEST_MODELS:
        path = data_dir / "xstest" / "model_completions" / f"xstest_v2_completions_{model}.csv"
        files[path.name] = file_sha256(path)
        items += [_item(f"xstest-{model}-{r['id']}", r["prompt"], "xstest", r["completion"], "baseline",
                        r["final_label"].strip() == "1_full_compliance", model)
                  for r in _rows(path) if not r["type"].startswith("contrast")]
    return LabelledSet("xstest-safe", items, files)


def xstest_string_match_baseline(data_dir: Path = DEFAULT_DATA_DIR) -> Agreement:
    """Agreement of XSTest's own refusal-string matcher (``strmatch_label``) with ``final_label``."""
    predicted: list[bool | None] = []
    truth: list[bool] = []
    for model in XSTEST_MODELS:
        name = f"xstest_v2_completions_{model}_streval.csv"
        for r in _rows(data_dir / "xstest" / "automated_evaluation_labels" / name):
            predicted.append(r["strmatch_label"].strip() == "1_full_compliance")
            truth.append(r["final_label"].strip() == "1_full_compliance")
    return agreement_stats(predicted, truth)


def load_gptfuzz(data_dir: Path = DEFAULT_DATA_DIR) -> LabelledSet:
    """GPTFuzz's labelled responses, train and evaluate (7,700 rows): positive when ``label`` is 1."""
    root = data_dir / "gptfuzz"
    qpath = root / "questions" / "question_list.csv"
    questions = {r["index"]: r["text"] for r in _rows(qpath)}
    items: list[LabelledItem] = []
    files = {f"questions/{qpath.name}": file_sha256(qpath)}
    for split in ("train", "evaluate"):
        path = root / "responses_labeled" / f"{split}.csv"
        files[f"responses_labeled/{path.name}"] = file_sha256(path)
        items += [_item(f"gptfuzz-{split}-{n}", questions.get(r["question"], ""), "gptfuzz", r["Response"],
                        "jailbreak", r["label"].strip() == "1") for n, r in enumerate(_rows(path))]
    return LabelledSet("gptfuzz", items, files)


LOADERS = {"jbb-judge-comparison": load_jbb_judge_comparison,
           "jbb-judge-comparison-attacks": load_jbb_attack_rows, "xstest": load_xstest,
           "gptfuzz": load_gptfuzz}
