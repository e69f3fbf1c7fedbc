"""The fast paths of the language model give the very numbers of the plain ones."""

from __future__ import annotations

import pytest

from pipeline.langmodel import CharBigram, ChineseScorer, WordModel

WORDS = {"重点": 50, "重": 10, "点": 10, "工作": 9, "工": 3, "作": 4, "我们": 20, "们": 2}
UNIGRAM = {"重": 5, "点": 5, "工": 3, "作": 3, "。": 9}
BIGRAM = {"重点": 4, "工作": 3, "作。": 2, "点工": 2}
TRIGRAM = {"重点工": 2, "点工作": 2, "工作。": 2}
MODEL = ChineseScorer(WordModel(WORDS), CharBigram(UNIGRAM, BIGRAM))
WITH_TRIGRAMS = ChineseScorer(WordModel(WORDS), CharBigram(UNIGRAM, BIGRAM, TRIGRAM))


@pytest.mark.parametrize("model", [MODEL, WITH_TRIGRAMS], ids=["bigrams", "trigrams"])
@pytest.mark.parametrize(
    ("left", "right"),
    [("", ""), ("重", "工作"), ("我们重", "。"), ("", "工作。"), ("a？", ""), ("重点", "作。")],
)
def test_logprobs_between_equals_logprob(model: ChineseScorer, left: str, right: str) -> None:
    middles = ["点", "工", "。", "x", "重点", "点工作"]
    expected = [ChineseScorer(model.model, model.chars).logprob(left + m + right) for m in middles]
    assert model.logprobs_between(left, middles, right) == expected


def test_trigrams_tell_apart_what_one_character_of_context_cannot() -> None:
    """After 重点, 工 is likelier with the trigram 重点工 than by the pair 点工 alone."""
    assert WITH_TRIGRAMS.chars is not None and MODEL.chars is not None
    assert WITH_TRIGRAMS.chars.logprob("重点工") > MODEL.chars.logprob("重点工")
