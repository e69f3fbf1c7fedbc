"""What the scorer keeps between calls (tables by character, follower counts, the
terms of a right context, simplified lists) gives the very numbers worked out afresh."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.charmodel import CharBigram
from pipeline.langmodel import (
    ChineseScorer,
    WordModel,
    _simplify_list,
    simplified,
    simplified_each,
)

WORDS = {"重点": 50, "重": 10, "点": 10, "工作": 9, "工": 3, "作": 4, "我们": 20, "们": 2}
UNIGRAM = {"重": 5, "点": 5, "工": 3, "作": 3, "。": 9, "们": 4}
BIGRAM = {"重点": 4, "工作": 3, "作。": 2, "点工": 2, "们重": 1, "点。": 1}
TRIGRAM = {"重点工": 2, "点工作": 2, "工作。": 2}
ALPHABET = "重点工作我们。x"

# one model for every example: what it keeps from one is read by the next
KEPT = CharBigram(UNIGRAM, BIGRAM, TRIGRAM)
KEPT_SCORER = ChineseScorer(WordModel(WORDS), KEPT)

chars = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=12).map(tuple)


def _fresh() -> CharBigram:
    return CharBigram(UNIGRAM, BIGRAM, TRIGRAM)


@given(prev=st.sampled_from(ALPHABET), candidates=chars)
def test_follow_counts_are_the_counts(prev: str, candidates: tuple[str, ...]) -> None:
    expected = [KEPT.bigram.get(prev + c) for c in candidates]
    assert KEPT._follow_counts(prev, candidates) == expected
    assert _fresh()._follow_counts(prev, candidates) == expected


@given(
    candidates=st.lists(st.text(alphabet=ALPHABET, max_size=2), max_size=14).map(tuple),
    after=st.sampled_from(ALPHABET),
)
def test_precede_counts_are_the_counts(candidates: tuple[str, ...], after: str) -> None:
    """Read from the reversed pairs (more candidates than ``after``'s count, or
    kept) or looked up one by one: the counts; 0 for what is not one character."""
    expected = [KEPT.bigram.get(c + after) for c in candidates]
    assert KEPT._precede_counts(candidates, after) == expected
    assert _fresh()._precede_counts(candidates, after) == expected


@given(candidates=chars, after=st.sampled_from(ALPHABET))
def test_rows_by_character_are_the_rows_worked_out(candidates: tuple[str, ...], after: str) -> None:
    fresh = _fresh()
    weights = [fresh.ALPHA * fresh._p(c) for c in candidates]
    assert KEPT._weights(candidates) == weights
    order, keys = KEPT._alone_order(candidates, True)
    assert keys == [
        math.log(w) - math.log(fresh.unigram.get(c, 0) + fresh.ALPHA)
        for w, c in zip(weights, candidates, strict=True)
    ]
    assert order == sorted(range(len(candidates)), key=keys.__getitem__, reverse=True)
    assert KEPT.precedes(candidates, after) == [fresh.pair(c, after) for c in candidates]


@settings(max_examples=300)
@given(
    left=st.text(alphabet=ALPHABET, min_size=2, max_size=4),
    candidates=chars,
    right=st.text(alphabet=ALPHABET, max_size=3),
)
def test_continue_terms_kept_equal_add_terms(
    left: str, candidates: tuple[str, ...], right: str
) -> None:
    """The terms of the right context are kept by characters and right: the same
    sums as add_terms, whatever left they meet."""
    plain = _fresh()
    stop = len(left) + 3
    expected = [plain.add_terms(-1.0, left + c + right, len(left), stop) for c in candidates]
    assert KEPT.continue_each(-1.0, left, candidates, right) == expected


@settings(max_examples=300)
@given(
    left=st.text(alphabet=ALPHABET, max_size=4),
    middles=st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=10)
    | st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=3), min_size=1, max_size=8),
    right=st.text(alphabet=ALPHABET, max_size=4),
)
def test_logprobs_between_with_kept_numbers_equal_logprob(
    left: str, middles: list[str], right: str
) -> None:
    """One-character middles (summed as one group) and longer ones,
    scored by a scorer that keeps numbers from example to example."""
    plain = ChineseScorer(WordModel(WORDS), _fresh())
    expected = [plain.logprob(left + m + right) for m in middles]
    assert KEPT_SCORER.logprobs_between(left, middles, right) == expected


# Traditional characters, folded marks, line breaks and empty candidates.
SCRIPT = "勞模重點工作,:;!()?\n劳"


@given(st.lists(st.text(alphabet=SCRIPT, max_size=3), max_size=8).map(tuple))
def test_simplified_lists_equal_each_simplified(candidates: tuple[str, ...]) -> None:
    assert _simplify_list(candidates) == tuple(simplified(c) for c in candidates)


@given(st.lists(st.sampled_from(SCRIPT), max_size=8).map(tuple))
def test_simplified_characters_equal_each_simplified(candidates: tuple[str, ...]) -> None:
    assert _simplify_list(candidates) == tuple(simplified(c) for c in candidates)


@given(st.lists(st.text(alphabet=SCRIPT, max_size=4), max_size=6))
def test_simplified_each_equals_each_simplified(texts: list[str]) -> None:
    assert simplified_each(texts) == [simplified(t) for t in texts]


@given(
    prev=st.sampled_from(ALPHABET),
    candidates=st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=12).map(tuple),
    after=st.sampled_from([*ALPHABET, ""]),
    keep=st.integers(1, 4),
)
def test_likely_between_sums_are_the_pairs(
    prev: str, candidates: tuple[str, ...], after: str, keep: int
) -> None:
    """The sums likely_between works out a column at a time are pair()'s, added in order."""
    plain = _fresh()
    for model in (KEPT, _fresh()):
        found = model.likely_between(prev, candidates, after, keep)
        assert found == {
            k: plain.pair(prev, candidates[k]) + plain.pair(candidates[k], after)
            if after
            else plain.pair(prev, candidates[k])
            for k in found
        }
