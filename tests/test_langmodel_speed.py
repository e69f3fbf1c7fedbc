"""The fast paths of the language model give the very numbers of the plain ones."""

from __future__ import annotations

import pytest

from pipeline.langmodel import CharBigram, ChineseScorer, WordModel

WORDS = {"重点": 50, "重": 10, "点": 10, "工作": 9, "工": 3, "作": 4, "我们": 20, "们": 2}
MODEL = ChineseScorer(
    WordModel(WORDS),
    CharBigram({"重": 5, "点": 5, "工": 3, "作": 3, "。": 9}, {"重点": 4, "工作": 3, "作。": 2}),
)


@pytest.mark.parametrize(
    ("left", "right"),
    [("", ""), ("重", "工作"), ("我们重", "。"), ("", "工作。"), ("a？", "")],
)
def test_logprobs_between_equals_logprob(left: str, right: str) -> None:
    middles = ["点", "工", "。", "x", "重点"]
    expected = [ChineseScorer(MODEL.model, MODEL.chars).logprob(left + m + right) for m in middles]
    assert MODEL.logprobs_between(left, middles, right) == expected
