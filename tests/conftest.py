"""Shared fixtures: paths to the repository's sample and data, default options."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline import Options

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "input" / "000_9798310e6816be3e.txt"
CASES = Path(__file__).resolve().parent / "cases"
DATA = Path(__file__).resolve().parent / "data"


def load_cases(name: str) -> list[Any]:
    """Test cases as data: ``tests/cases/NAME.json``, one pytest id per label."""
    cases: list[dict[str, Any]] = json.loads((CASES / f"{name}.json").read_text("utf-8"))
    return [pytest.param(case, id=case["label"]) for case in cases]


@pytest.fixture
def opts(tmp_path: Path) -> Options:
    return Options(output=tmp_path / "out")
