"""The fast paths of the language model give the very numbers of the plain ones."""

from __future__ import annotations

import heapq
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.charmodel import CharBigram
from pipeline.langmodel import (
    CHAR_CACHE,
    DOC_BONUS,
    CharCounts,
    ChineseScorer,
    InDocument,
    WordModel,
    _top,
    hanzi_counts,
    hanzi_pairs,
)

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


# Characters the toy model knows and some it does not, for the properties below.
ALPHABET = "重点工作我们。们x"
texts = st.text(alphabet=ALPHABET, max_size=6)
chars = st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=12).map(tuple)


def _bigram(trigrams: bool = False) -> CharBigram:
    """A fresh copy of the toy character model (with its trigrams or not), nothing kept yet."""
    return CharBigram(UNIGRAM, BIGRAM, TRIGRAM if trigrams else None)


@given(left=texts, candidates=chars, right=texts, keep=st.integers(1, 5))
def test_shortlist_with_words_adds_those_that_make_a_word(
    left: str, candidates: tuple[str, ...], right: str, keep: int
) -> None:
    scorer = ChineseScorer(MODEL.model, _bigram())
    candidates = tuple(dict.fromkeys(candidates))
    plain = scorer.shortlist(left, candidates, right, keep)
    worded = scorer.shortlist(left, candidates, right, keep, words=True)
    words = MODEL.model.words
    makes_word = [
        c
        for c in candidates
        if (left[-1:] + c in words and left) or (right and c + right[:1] in words)
    ]
    assert worded[: len(plain)] == plain
    assert set(worded) == set(plain) | set(makes_word)
    assert len(worded) == len(set(worded))
    assert scorer.shortlist(left, candidates, right, keep, words=True) == worded  # kept


@given(prev=st.sampled_from(ALPHABET), candidates=chars)
def test_rows_and_columns_equal_pair(prev: str, candidates: tuple[str, ...]) -> None:
    bigram = _bigram()
    assert bigram.follows(prev, candidates) == [bigram.pair(prev, c) for c in candidates]
    assert bigram.precedes(candidates, prev) == [bigram.pair(c, prev) for c in candidates]
    again = _bigram()  # the same numbers whether pair() has seen them first or not
    assert again.follows(prev, candidates) == [again.pair(prev, c) for c in candidates]


@given(left=texts, candidates=chars, right=texts, keep=st.integers(1, 5))
def test_shortlist_equals_ranking_all_by_pairs(
    left: str, candidates: tuple[str, ...], right: str, keep: int
) -> None:
    scorer = ChineseScorer(MODEL.model, _bigram())
    candidates = tuple(dict.fromkeys(candidates))
    pair = _bigram().pair
    before, after = left[-1:], right[:1]
    scores = [
        (pair(before, c) if before else 0.0) + (pair(c, after) if after else 0.0)
        for c in candidates
    ]
    expected = [c for _, c in sorted(zip(scores, candidates, strict=True), reverse=True)[:keep]]
    if len(candidates) <= keep:
        expected = list(candidates)
    assert list(scorer.shortlist(left, candidates, right, keep)) == expected


@given(befores=st.lists(texts, max_size=3), candidates=chars, after=texts, keep=st.integers(1, 5))
def test_bigram_best_equals_sorting_the_fits(
    befores: list[str], candidates: tuple[str, ...], after: str, keep: int
) -> None:
    scorer = ChineseScorer(MODEL.model, _bigram())
    bonus = tuple(float(k % 2) for k in range(len(candidates)))
    expected = []
    for fits in scorer.bigram_fits(befores, candidates, after):
        totals = [f + b for f, b in zip(fits, bonus, strict=True)]
        expected.append(
            tuple(sorted(range(len(candidates)), key=totals.__getitem__, reverse=True)[:keep])
        )
    assert scorer.bigram_best(befores, candidates, after, bonus, keep) == expected
    assert scorer.bigram_best(befores, candidates, after, bonus, keep) == expected  # kept


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(document=texts, line=texts, left=texts, right=texts, middles=st.lists(texts, max_size=4))
def test_document_bonus_is_its_definition(
    document: str, line: str, left: str, right: str, middles: list[str]
) -> None:
    """InDocument counts a pair when the document has more of it than the line."""
    doc_pairs, line_pairs = hanzi_pairs(document + line), hanzi_pairs(line)
    scorer = InDocument(MODEL, doc_pairs, line_pairs)

    def expected(text: str) -> float:
        pairs = [text[k : k + 2] for k in range(len(text) - 1)]
        found = sum(1 for p in pairs if doc_pairs.get(p, 0) > line_pairs.get(p, 0))
        return MODEL.logprob(text) + found * DOC_BONUS

    assert scorer.logprobs_between(left, middles, right) == [
        expected(left + m + right) for m in middles
    ]
    assert [scorer.logprob(left + m + right) for m in middles] == [
        expected(left + m + right) for m in middles
    ]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(document=texts, line=texts, left=texts, right=texts, middles=st.lists(texts, max_size=4))
def test_character_bonus_is_its_definition(
    document: str, line: str, left: str, right: str, middles: list[str]
) -> None:
    """Each hanzi's probability is mixed with its share of the rest of the document."""
    (doc_pairs, doc_chars), (line_pairs, line_chars) = (
        hanzi_counts(document + line),
        hanzi_counts(line),
    )
    scorer = InDocument(MODEL, doc_pairs, line_pairs, chars=CharCounts.of(doc_chars, line_chars))
    hanzi = doc_chars.total() - line_chars.total()
    assert MODEL.chars is not None

    def term(ch: str) -> float:
        if not hanzi or ch not in "重点工作我们":
            return 0.0
        share = (doc_chars[ch] - line_chars[ch]) / hanzi
        return math.log(1 - CHAR_CACHE + CHAR_CACHE * share / math.exp(MODEL.chars.head(ch)))

    def expected(text: str) -> float:
        pairs = [text[k : k + 2] for k in range(len(text) - 1)]
        found = sum(1 for p in pairs if doc_pairs.get(p, 0) > line_pairs.get(p, 0))
        return MODEL.logprob(text) + (found * DOC_BONUS + sum(map(term, text)))

    got = scorer.logprobs_between(left, middles, right)
    assert got == [scorer.logprob(left + m + right) for m in middles]
    assert got == pytest.approx([expected(left + m + right) for m in middles])


def test_the_document_vouches_a_little_for_characters_it_uses_often() -> None:
    """A character the rest of the document uses often reads likelier; one it lacks, less."""
    (pairs, chars), (line_pairs, line_chars) = hanzi_counts("工作工作。重点"), hanzi_counts("重点")
    scorer = InDocument(MODEL, pairs, line_pairs, chars=CharCounts.of(chars, line_chars))
    plain = InDocument(MODEL, pairs, line_pairs)
    assert scorer.logprob("工") > plain.logprob("工")
    assert scorer.logprob("重") < plain.logprob("重")  # the line's own do not count


@pytest.mark.parametrize("trigrams", [False, True], ids=["bigrams", "trigrams"])
@given(left=texts, middles=st.lists(texts, max_size=5), right=texts)
def test_logprobs_between_equals_logprob_anywhere(
    trigrams: bool, left: str, middles: list[str], right: str
) -> None:
    """Whatever words the left context's positions start (see WordModel.context), and
    however far a middle's characters reach into the right context's terms."""
    fresh = ChineseScorer(MODEL.model, _bigram(trigrams))
    plain = ChineseScorer(WordModel(WORDS), _bigram(trigrams))
    assert fresh.logprobs_between(left, middles, right) == [
        plain.logprob(left + m + right) for m in middles
    ]


def test_trigrams_tell_apart_what_one_character_of_context_cannot() -> None:
    """After 重点, 工 is likelier with the trigram 重点工 than by the pair 点工 alone."""
    assert WITH_TRIGRAMS.chars is not None and MODEL.chars is not None
    assert WITH_TRIGRAMS.chars.logprob("重点工") > MODEL.chars.logprob("重点工")


def test_what_follows_a_common_pair_unseen_keeps_room_when_its_trigrams_were_pruned() -> None:
    """After a pair seen often whose trigrams were mostly seen once (and
    pruned), an unseen third character is not ruled out: 、区税 keeps about
    half the pair's estimate of 区税, as the corpus's singletons say."""
    unigram = {"、": 50, "区": 40, "乾": 2, "税": 5, "县": 10}
    bigram = {"、区": 30, "、乾": 1, "区税": 2, "乾税": 1, "区县": 10}
    model = CharBigram(unigram, bigram, {"、区县": 6})  # 24 of 、区 seen once each
    assert model.triple("、区税") - model.pair("区", "税") > math.log(0.3)
    # a pair whose trigrams were all kept leaves only BETA's share
    kept = CharBigram(unigram, bigram, {"、区县": 30})
    assert kept.triple("、区税") - kept.pair("区", "税") < math.log(0.2)


@given(
    total=st.floats(-50, 0),
    left=st.text(alphabet=ALPHABET, min_size=2, max_size=5),
    candidates=chars,
    right=texts,
)
def test_continue_each_equals_add_terms(
    total: float, left: str, candidates: tuple[str, ...], right: str
) -> None:
    """The last terms of many candidates at once are add_terms' numbers, bit for bit."""
    batch, plain = _bigram(trigrams=True), _bigram(trigrams=True)
    stop = len(left) + 3
    assert batch.continue_each(total, left, candidates, right) == [
        plain.add_terms(total, left + c + right, len(left), stop) for c in candidates
    ]


@pytest.mark.parametrize("trigrams", [False, True], ids=["bigrams", "trigrams"])
@given(
    left=texts,
    heads=st.lists(st.text(alphabet=ALPHABET, max_size=3), min_size=1, max_size=4),
    tails=st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=4),
    right=texts,
)
def test_logprobs_between_equals_logprob_for_heads_and_tails(
    trigrams: bool, left: str, heads: list[str], tails: list[str], right: str
) -> None:
    """Candidates that share all but their last character (a head's tails, or a
    lost byte's completions when the heads are empty) are scored together: the
    same numbers as one by one."""
    middles = [h + t for h in heads for t in tails]
    fresh = ChineseScorer(MODEL.model, _bigram(trigrams))
    plain = ChineseScorer(WordModel(WORDS), _bigram(trigrams))
    assert fresh.logprobs_between(left, middles, right) == [
        plain.logprob(left + m + right) for m in middles
    ]


# Random character models over a few characters: many pairs never seen, counts
# and bonuses that tie, for the shortcuts that skip the unseen pairs.
RANDOM_ALPHABET = "甲乙丙丁戊己庚辛壬癸"
random_models = st.builds(
    lambda unigram, bigram: CharBigram(unigram, {k: v for k, v in bigram.items() if v}),
    st.dictionaries(st.sampled_from(RANDOM_ALPHABET), st.integers(1, 30), min_size=1, max_size=10),
    st.dictionaries(
        st.tuples(st.sampled_from(RANDOM_ALPHABET), st.sampled_from(RANDOM_ALPHABET)).map("".join),
        st.integers(0, 40),
        min_size=10,
        max_size=60,
    ),
)


@settings(max_examples=500)
@given(
    model=random_models,
    prev=st.sampled_from(RANDOM_ALPHABET),
    candidates=st.lists(st.sampled_from(RANDOM_ALPHABET), min_size=1, max_size=15).map(tuple)
    | st.lists(st.sampled_from(RANDOM_ALPHABET), min_size=1, max_size=10, unique=True).map(tuple),
    after=st.sampled_from(["", *RANDOM_ALPHABET]),
    bonuses=st.lists(st.sampled_from([0.0, 0.0, 0.5, 1.25, 3.0]), min_size=15, max_size=15),
    keep=st.integers(1, 8),
)
def test_best_between_equals_sorting_all_sums(
    model: CharBigram,
    prev: str,
    candidates: tuple[str, ...],
    after: str,
    bonuses: list[float],
    keep: int,
) -> None:
    """Only the unseen pairs that may rank are summed: the very ranking of all the sums."""
    bonus = tuple(bonuses[: len(candidates)])
    plain = CharBigram(model.unigram, model.bigram)
    sums = [
        (plain.pair(prev, c) + (plain.pair(c, after) if after else 0.0)) + b
        for c, b in zip(candidates, bonus, strict=True)
    ]
    expected = tuple(sorted(range(len(candidates)), key=sums.__getitem__, reverse=True)[:keep])
    assert model.best_between(prev, candidates, after, bonus, keep) == expected
    assert model.best_between(prev, candidates, after, bonus, keep) == expected  # kept


@given(
    scores=st.lists(st.sampled_from([-3.0, -2.5, -1.0, -0.25, 0.0]), max_size=20),
    keep=st.integers(0, 25),
)
def test_top_equals_nlargest(scores: list[float], keep: int) -> None:
    candidates = tuple(RANDOM_ALPHABET[k % 10] + str(k) for k in range(len(scores)))
    expected = tuple(c for _, c in heapq.nlargest(keep, zip(scores, candidates, strict=True)))
    assert _top(scores, candidates, keep) == expected


@given(
    left=st.text(alphabet=ALPHABET, min_size=2, max_size=4),
    starts=st.lists(st.text(alphabet=ALPHABET, max_size=2), min_size=1, max_size=4),
    ending=st.text(alphabet=ALPHABET, min_size=2, max_size=3),
    tails=st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=4),
    right=texts,
)
def test_heads_that_end_alike_share_their_last_terms(
    left: str, starts: list[str], ending: str, tails: list[str], right: str
) -> None:
    """Heads before a long middle end alike: their tails' terms are worked out once,
    and each sum is still logprob's number."""
    middles = [s + ending + t for s in starts for t in tails]
    fresh = ChineseScorer(MODEL.model, _bigram(trigrams=True))
    plain = ChineseScorer(WordModel(WORDS), _bigram(trigrams=True))
    assert fresh.logprobs_between(left, middles, right) == [
        plain.logprob(left + m + right) for m in middles
    ]


@settings(max_examples=500)
@given(
    model=random_models,
    left=st.text(alphabet=RANDOM_ALPHABET + "x", max_size=2),
    candidates=st.lists(st.sampled_from(RANDOM_ALPHABET), min_size=1, max_size=10, unique=True).map(
        tuple
    ),
    right=st.text(alphabet=RANDOM_ALPHABET + "x", max_size=2),
    keep=st.integers(1, 3),
)
def test_shortlist_sums_only_what_may_rank(
    model: CharBigram, left: str, candidates: tuple[str, ...], right: str, keep: int
) -> None:
    """Pairs never seen are summed only for the candidates that may make the list."""
    scorer = ChineseScorer(MODEL.model, model)
    plain = CharBigram(model.unigram, model.bigram)
    before, after = left[-1:], right[:1]
    scores = [
        (plain.pair(before, c) if before else 0.0) + (plain.pair(c, after) if after else 0.0)
        for c in candidates
    ]
    expected = tuple(c for _, c in sorted(zip(scores, candidates, strict=True), reverse=True))
    expected = candidates if len(candidates) <= keep else expected[:keep]
    assert scorer.shortlist(left, candidates, right, keep) == expected


@given(
    left=st.text(alphabet=ALPHABET, min_size=2, max_size=6),
    middles=st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=8),
    right=texts,
)
def test_one_character_middles_are_scored_as_logprob_scores_them(
    left: str, middles: list[str], right: str
) -> None:
    """Middles of one character each share the word scores after them (one list for all)."""
    fresh = ChineseScorer(MODEL.model, _bigram(trigrams=True))
    plain = ChineseScorer(WordModel(WORDS), _bigram(trigrams=True))
    assert fresh.logprobs_between(left, middles, right) == [
        plain.logprob(left + m + right) for m in middles
    ]
