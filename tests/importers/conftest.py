"""Fixtures for the importer tests: the JailbreakBench artifacts in ../shared/data (read in place),
and small neutral artifact files written to tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = SHARED_DATA / "jailbreakbench-artifacts" / "attack-artifacts"
    if not folder.is_dir():
        pytest.skip(f"JailbreakBench artifacts not found at {folder}: these tests read ../shared/data "
                    "beside the checkout, which a fresh clone does not have")
    return folder.resolve()


@pytest.fixture(scope="session")
def jbb_csv() -> Path:
    path = SHARED_DATA / "jbb-behaviors" / "harmful-behaviors.csv"
    if not path.is_file():
        pytest.skip(f"JBB-Behaviors not found at {path} (../shared/data beside the checkout)")
    return path.resolve()


@pytest.fixture
def write_artifact(tmp_path: Path) -> Callable[..., Path]:
    """Write a neutral per-model artifact file at ``tmp_path/ATTACK/TYPE/MODEL.json``."""

    def write(rows: list[dict[str, Any]], attack: str = "PAIR", attack_type: str = "black_box",
              model: str = "placeholder-model", **params: Any) -> Path:
        path = tmp_path / attack / attack_type / f"{model}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        parameters = {"method": attack, "model": model, "attack_type": attack_type,
                      "evaluation_date": "2024-01-02", "evaluation_llm_provider": "placeholder", **params}
        path.write_text(json.dumps({"parameters": parameters, "jailbreaks": rows}), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def peer_outputs() -> Path:
    """Native files written by Inspect, garak and promptfoo (../shared/data/peer-outputs)."""
    folder = SHARED_DATA / "peer-outputs"
    if not folder.is_dir():
        pytest.skip(f"peer tool outputs not found at {folder}: these tests read ../shared/data beside the "
                    "checkout, which a fresh clone does not have")
    return folder.resolve()
