"""The bundled demo inputs: neutral example evidence over the practice suite."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from ..formats import Submission, Suite
from ..formats.io import read_model
from ..suites import practice


def demo_path() -> Path:
    return Path(str(files("jailscale.examples").joinpath("demo-submission.yaml")))


def demo_inputs() -> tuple[Submission, Suite]:
    return read_model(Submission, demo_path()), practice()
