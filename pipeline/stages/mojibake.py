"""Mojibake stage: repair text that went through the wrong bytes, before anything else.

Three kinds of damage, all seen in documents copied from template websites:

* **Chunk splits.**  GBK (or Big5) text decoded in chunks that split a
  double-byte character: the lone lead byte becomes ``?`` (or is dropped),
  the following bytes decode one byte out of phase as rare characters until
  an ASCII byte re-aligns them, and full-width marks that the shifted decoding
  produced were then folded to ASCII (``！`` -> ``!``).  ``“六?!钡戎攸c工作``
  is ``“六保”等重點工作`` shifted by one byte.  Repair: unfold the ASCII marks,
  re-encode the span, put back the lost byte(s) and decode in phase.  The lost
  byte is inferred: every possible byte is tried and the results ranked by a
  character model of Chinese (:mod:`pipeline.langmodel`) and by what the
  damage says of the bytes: a ``?`` that closed the run stands for a byte
  that could not pair with the next one (see :func:`_unpaired`).
* **UTF-8 read as GBK** (``鈥滀綘濂解€``), repaired by re-encoding; the
  ``锟斤拷`` left when such text was saved again cannot be repaired and is
  marked for review.
* **GBK read as Latin-1** (``ºþÄÏÈÕ±¨`` = 湖南日报), repaired the same way.

A candidate replaces the original only when the model clearly prefers it; a
span that is surely damaged but has no confident repair is kept and turned
into a review field (rendered like a placeholder) instead of being guessed.
"""

from __future__ import annotations

import math
import re
import sys
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from typing import TypeVar

from .. import diskcache
from ..langmodel import (
    LOG_CLASH,
    CharCounts,
    ChineseScorer,
    InDocument,
    hanzi_counts,
    scorer,
    simplified,
    simplified_each,
)
from ..model import Block, Change, Document, Field, Inline, Text
from ..options import Options
from ..textutil import CN_NUMERALS, HEADING_START, is_chinese_context, is_cjk

STAGE = "mojibake"
REVIEW_KIND = "review"
# What the repairs of text split inside its characters say (the other repairs
# re-decode whole spans): a document with one has been through a chunked decoder.
SHIFTED = "text decoded one byte out of phase"
LOST_WHOLE = "a character was lost whole (its bytes shown as ?)"
LOST_LEAD = "a character lost its lead byte and its trail byte showed as ASCII"
LOST_END_CHAR = (
    "a character lost at the end of a heading: its lead byte dropped, its second shown as ?"
    " (the text was split inside characters elsewhere)"
)
LOST_NUMBER = "a heading's number was lost (its bytes shown as ?); read from the headings around it"
LOST_STOP = (
    "a mark lost at the end of a line: its lead byte dropped, its second shown as ?"
    " (the text was split inside characters elsewhere, and nothing before it asks a question)"
)

# Folded full-width marks, unfolded before re-encoding.  Only marks: a Latin
# letter in a shifted run is a real single byte (the one that re-aligned).
_UNFOLD = {"!": "！", ",": "，", ":": "：", ";": "；", "?": "？", "(": "（", ")": "）"}
_LOST = "?\ufffd"
_UNFOLDED_MARKS = str.maketrans({ch: _UNFOLD[ch] for ch in ",:;!()"})
_MAX_RUN = 40  # characters a shifted run may span before we stop looking
# In traditional text two trail bytes in five are ASCII, so a run that one
# ends is short: longer ones are not looked for.
_MAX_TRAIL_RUN = 8
# ASCII characters a run that starts at its '?' may hold (folded full-width
# forms: ；Ｕ７ read out of phase); 3 rather than 2 leaves 15 fewer characters
# wrong in 91,400 of the bench (seeds 9-16), for about 2 % more time.
_RUN_ASCII = 3
# Characters of context scored before a span (enough for a word of MAX_WORD
# characters to end in it: 发展改革|局) and after it (more changes nothing).
_CONTEXT_LEFT = 5
_CONTEXT_RIGHT = 3

MIN_GAIN_PER_CHAR = 1.5  # nats per character the repair must gain over the original
MIN_CONFIDENCE = 0.6  # below this, a surely damaged span becomes a review field
# A character guessed whole is right far less often than its confidence
# says between 0.6 and 0.8 (about one time in three on the tuning texts and
# on benchmark seeds other than the reported one), unlike a run's reading.
MIN_CONFIDENCE_GUESS = 0.8
# A mark lost whole (a comma's A3 AC split) is guessed more reliably: on the
# tuning texts split before their punctuation was folded, as in the sample,
# 0.5 repairs 3 more spans exactly and none more wrongly than 0.8 (0.3: 2 more
# wrong), and it leaves 7 fewer characters wrong in 46,000.
MIN_CONFIDENCE_MARK = 0.5
# A mark read in a lone '?' between hanzi (a comma whose lead byte was dropped)
# competes with the folded question mark the '?' usually is: 0.8, as for a
# guessed character (0.7 gave more wrong, 0.9 fewer exact, on the tuning texts).
MIN_CONFIDENCE_LONE_MARK = 0.8
# The marks a line's last '?' may have been (no second byte pairs with a line
# break) in a document split inside characters elsewhere.  A hanzi may have
# been lost there too (a heading's last), but ranked among the marks and the
# commonest hanzi, the marks lose most of their share, and most lines end in one.
LINE_END_MARKS = tuple("。：；！”）")
LINE_END_MIN = 20  # characters of a line whose end says how the document ends its lines
# A line's last '?' is read among the hanzi too when the line may be a heading,
# a title, a signature or a date (see _heading): shorter than this.  (Line-end
# spans of lines under 24 characters: 671 to 698 exact, 89 to 32 wrong; of
# longer lines: 828 to 833 exact, 53 to 51 wrong; with no length limit 826,
# and 7 fewer in the tuning texts.)
HEADING_MAX = 32
MIN_PARTIAL = 2  # characters between a run's unsure ends for the rest to be applied
MAX_GUESS_SHOWN = 4  # a review field names readings this short
OPTION_SHARE = 0.1  # of the probability a reading needs to be offered for review
MAX_OPTIONS = 3  # readings a review field offers at most
COMMON_CHARS = 4000  # candidates when a whole character was lost
# Marks lost whole are candidates too: in GBK "，" is A3 AC, and a lone AC
# before a hanzi cannot pair, so a lost comma shows as "??" like a hanzi.
LOST_MARKS = tuple("，。、；：！？“”（）—")
LOST_MARKS_LONE = tuple(m for m in LOST_MARKS if m != "？")  # those a lone '?' may be
COMMON_UNFIT = 1500  # of them, tried when their bytes do not explain the '?'
SHORTLIST = 150  # of them, scored in full after a first round by bigrams
UNFIT_SHORTLIST = 25  # of those whose bytes do not explain the '?' (rarely right)
COMPLETION_SHORTLIST = 40  # of the ~190 characters a lost byte could complete
SURE = 0.9  # a repair this confident after a '?' settles that spot
JOINT = 6  # best head and tail completions ranked together
JOINT_ADJACENT = 12  # heads ranked with their own tails when the two ends touch
SINGLE_LOST_MARGIN = 5.0  # nats a character must beat a folded "？" by
LOST_LEAD_MARGIN = 12.0  # nats a character must beat a lone Latin letter by (A股, e時代)
# A lone @ ^ _ | ~ between hanzi is hardly ever the author's: a character need
# only read better, then its confidence decides between repair and review.
LOST_LEAD_MARGIN_SYMBOL = 3.0
# A '?' that closes a shifted run is, this often, the decoder's replacement
# for a byte that could not pair with the next one; otherwise another chunk
# ended there (as once in the sample) and the byte is any.  Chunk ends are
# rare (the sample has two splits in 2,852 characters), so mostly the former.
# After a lost lead byte ("??", or "?" when it was dropped) a chunk of one
# byte is no explanation at all.
UNPAIRED_SHARE = 0.9
UNPAIRED_SHARE_LOST_CHAR = 0.95

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\s]{2,}")
_RUN_MARK = re.compile("[" + _LOST + "@-~]")  # where _shifted_runs looks
_LATIN1_RUN = re.compile(r"[\u00a1-\u00ff]{2,}")


@dataclass(frozen=True, slots=True)
class Repair:
    start: int
    end: int
    after: str
    reason: str
    confidence: float
    review: bool = False
    evidence: float = 0.0  # nats the bytes lend the repair (see _unpaired_bonus)
    # A shifted run's reading is certain between its ends; only the characters
    # completed from a lost byte are guesses: how long they are in ``after``
    # and how sure each is on its own (its share of the joint ranking).
    head: int = 0
    tail: int = 0
    head_confidence: float = 1.0
    tail_confidence: float = 1.0
    # the likeliest readings (best first, see _options) of the whole span, of
    # its head and of its tail: what a review field offers the reader
    options: tuple[str, ...] = ()
    head_options: tuple[str, ...] = ()
    tail_options: tuple[str, ...] = ()
    # (offset in ``after``, length, readings, confidence) of the characters
    # kept for review when the rest of the repair is applied (see _partial)
    unsure: tuple[tuple[int, int, tuple[str, ...], float], ...] = ()
    # read back from a traditional conversion of the damage, which is not one
    # to one: then even the characters between the ends are not certain
    converted: bool = False
    # the run starts at the '?' its lost byte left: where it starts is known
    # (a dropped byte leaves the start to be inferred, and so the head's share
    # of one start's ranking overstates how sure it is)
    anchored: bool = False
    # a whole character guessed from context (lost whole, or but for its
    # trail byte), not a run read from its bytes: held to MIN_CONFIDENCE_GUESS
    guessed: bool = False


# One character lost whole: its two bytes shown as "??", or one shown and one
# dropped ("?"), after a character or at the start of a line (??志们).
_LOST_CHAR = re.compile(r"(?<![?\s])(?:\?\?(?=[^?]|$)|\?(?=[^?]))")  # "??" also at the end
# The same before a question mark that ends the text (如何申报? read 如何申??).
_ASKED_END = re.compile(r"(?<=[\u3400-\u9fff])(\?\??)\?$")

# A date's figures say what stands between them: by the text just before a
# spot and just after it, the characters it may hold there (2024?10月 is
# 2024年10月, 10?18日 is 10月18日, 2025?2027年 a range; 5月23? wants its 日 or
# 号, unless figures follow: 5月23至25日).  Anything else clashes.
# Read within the context a repair is kept by (_CONTEXT_LEFT, _CONTEXT_RIGHT).
_DATE_UNITS = ("年", "月")  # a figure after one is a date's (2024年12月6日)
_RANGE = "至到、—－-～"
_DATE_PARTS = (
    (re.compile(r"(?<![\d.])\d{4}$"), re.compile(r"\d{1,2}月"), "年"),
    (re.compile(r"(?<![\d.])\d{4}$"), re.compile(r"\d{3}"), _RANGE),
    (re.compile(r"年\d{1,2}$"), re.compile(r"\d{1,2}日"), "月"),
    (re.compile(r"(?<![\d.])\d{1,2}月\d{1,2}$"), re.compile(r"\d"), "日号" + _RANGE),
    (re.compile(r"(?<![\d.])\d{1,2}月\d{1,2}$"), re.compile(r"(?!\d)"), "日号"),
)


# Words that make a clause a question (simplified and traditional forms), and
# a verb asked both ways (是不是, 对不对, 有没有).
_QUESTION = re.compile(
    r"吗|嗎|呢|什么|什麼|怎么|怎麼|怎样|怎樣|为何|為何|如何|何时|何時|何处|何處|哪|谁|誰|几|幾|多少"
    r"|多久|是否|难道|難道|吧|么|麼|啥|咋|([\u4e00-\u9fff])[不没沒]\1"
)


# A quotation closed before a '?': its question words ask nothing of the '?'.
_CLOSED_QUOTE = re.compile("[“「『][^“”「」『』]*[”」』]")


def _clause_before(text: str, end: int) -> str:
    """The text from the last clause mark before ``end`` up to it, less the
    quotations closed within it (想清楚“为什么读大学”“毕业后想…).

    >>> _clause_before("为何坚持“两个毫不动摇”?", 12), _clause_before("想清楚“为什么”“想成", 11)
    ('为何坚持', '想清楚“想成')
    """
    start = max(text.rfind(mark, 0, end) for mark in "。，！？；,!;\n")
    return _CLOSED_QUOTE.sub("", text[start + 1 : end])


def _question(text: str, start: int, end: int) -> bool:
    """Whether the marks ``text[start:end]`` (``?`` or ``??``) read as question marks.

    They do after a question (吗, 什么 …), and a lone one beside an
    exclamation mark (``真的?!``); ``??`` before ``!`` is more often a
    character lost before a folded ``！`` (``祝??!``).

    >>> _question("今天是星期几?明天呢", 6, 7), _question("安?生产", 1, 2)
    (True, False)
    >>> _question("真的?!", 2, 3), _question("表示祝??!", 4, 6)
    (True, False)
    """
    if _QUESTION.search(_clause_before(text, start)):
        return True
    beside = text[end : end + 1] in ("!", "！") or text[start - 1 : start] in ("!", "！")
    return beside and end - start == 1


def _lead_bytes(codec: str) -> range:
    return range(0x81, 0xFF) if codec == "gbk" else range(0xA1, 0xFA)


def _trail_bytes(codec: str) -> list[int]:
    if codec == "gbk":
        return [b for b in range(0x40, 0xFF) if b != 0x7F]
    return [*range(0x40, 0x7F), *range(0xA1, 0xFF)]


def _plausible(text: str) -> bool:
    """No private-use, replacement or control characters in a decoded candidate."""
    return all(
        ch.isprintable() and not (0xE000 <= ord(ch) <= 0xF8FF) and ch != "\ufffd" for ch in text
    )


_FULL_WIDTH = {c: c + 0xFEE0 for c in range(ord("!"), ord("~") + 1)}  # _unfold as a table


def _unfold(ch: str) -> str:
    """The full-width form a site's normaliser folded to ``ch`` (``!`` <- ``！``)."""
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


def _encode_run(run: str, codec: str, last_real: bool) -> bytes | None:
    """The bytes a shifted run was decoded from, folded forms unfolded.

    A shifted decoding yields full-width forms (two bytes each) that were
    folded to ASCII; only the run's last byte may be a real single byte, the
    one that put the decoding back in phase (``last_real``): an ASCII
    character, or the second byte of a last character that paired the byte
    before with it (:func:`_absorbed`).
    """
    if last_real and not run[-1].isascii():
        encoded = _encode_run(run, codec, False)
        return encoded if encoded and encoded[-1] < 0x80 else None
    body = run[:-1] if last_real else run
    try:
        encoded = body.translate(_FULL_WIDTH).encode(codec)
        return encoded + run[-1].encode("ascii") if last_real else encoded
    except UnicodeEncodeError:
        return None


def _absorbed(body: str, last_real: bool) -> bool:
    """Whether the run's real last byte is the second byte of its last
    character: the decoding paired the byte before with the ASCII byte that
    had put it back in phase (占GDP read out of phase as 糋DP, 糋 = BC 47 "G").
    That byte reads as itself, and no byte of the run was lost at its end.

    >>> _absorbed("嫡糋", True), _absorbed("迣y", True), _absorbed("嫡糋", False)
    (True, False, False)
    """
    return last_real and not body[-1].isascii()


@lru_cache(maxsize=8192)
def _in_phase(body: str, codec: str, last_real: bool) -> tuple[bytes, str] | None:
    """A shifted run's bytes and the characters between its two ends read in
    phase, or None when they do not decode to plausible text.

    In phase again the bytes pair as (lost, raw[0]) (raw[1], raw[2]) ... and,
    when a byte is left over, (raw[-1], lost): only the two ends depend on
    lost bytes.  Most runs proposed fail here, so it is cached and checked
    before anything else.
    """
    raw = _encode_run(body, codec, last_real)
    if not raw:
        return None
    inner = raw[1:-1] if len(raw) % 2 == 0 and not _absorbed(body, last_real) else raw[1:]
    try:
        middle = inner.decode(codec)
    except UnicodeDecodeError:
        return None
    return (raw, middle) if _plausible(middle) else None


def _next_bytes(text: str, end: int, codec: str) -> tuple[int, ...] | None:
    """The byte(s) the text from ``end`` on may start with; None at the end of the text.

    A folded mark may stand for its full-width form (``,`` for ``，``), as
    the sites folded before or after decoding, and a traditional character
    for its simplified form, as sites that serve both scripts convert the
    damaged text.  A character the codec cannot encode gives none: the text
    is not in that codec.
    """
    if end >= len(text):
        return None
    ch = text[end]
    firsts = set()
    for form in {ch, _unfold(ch) if ch in _UNFOLD else simplified(ch)}:
        try:
            firsts.add(form.encode(codec)[0])
        except UnicodeEncodeError:
            if form == ch:
                return ()
    return tuple(sorted(firsts))


@cache
def _unpaired(codec: str, following: tuple[int, ...] | None) -> frozenset[int]:
    """Bytes a decoder replaces with ``?`` when one of ``following`` comes next.

    Those no double-byte character starts with that pair (GBK's user-defined
    rows ``AA``-``AF`` and ``F8``-``FE`` before a hanzi, any high byte before
    ASCII); at the end of the text, any high byte left alone.

    >>> sorted(_unpaired("gbk", (0xD4,)))[:8] == [0x80, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF, 0xF8]
    True
    """
    high = range(0x80, 0x100)
    if following is None:
        return frozenset(high)
    found = set()
    for y in high:
        for n in following:
            try:
                bytes((y, n)).decode(codec)
            except UnicodeDecodeError:
                found.add(y)
    return frozenset(found)


def _unpaired_bonus(unpaired: frozenset[int], share: float = UNPAIRED_SHARE) -> float:
    """Nats for a completion whose last byte explains a closing ``?`` as a replaced byte.

    The ``?`` is a replaced byte (``share`` of the time, then the byte is
    one of ``unpaired``) or not (then any of ~190 trail bytes): the
    likelihood ratio of a byte that fits both readings to one that fits only
    the second.  No bytes, no evidence.
    """
    if not unpaired:
        return 0.0
    return math.log(1 + share / (1 - share) * 190 / max(1, len(unpaired)))


def _softmax_top(scores: list[float]) -> float:
    best = max(scores)
    return 1.0 / sum(math.exp(s - best) for s in scores)


def _options(shares: dict[str, float], first: str) -> tuple[str, ...]:
    """``first`` and the next likeliest readings with at least :data:`OPTION_SHARE`.

    >>> _options({"和": 0.3, "就": 0.5, "低": 0.05, "送": 0.15}, "就")
    ('就', '和', '送')
    """
    rest = [k for k, v in shares.items() if v >= OPTION_SHARE and k != first]
    rest.sort(key=lambda k: shares[k], reverse=True)
    return (first, *rest)[:MAX_OPTIONS]


def _shares(items: Iterable[tuple[float, str]]) -> dict[str, float]:
    """Each reading's share of the probability of ``(score, reading)`` items (summed)."""
    items = list(items)
    best = max(score for score, _ in items)
    weights = [(math.exp(score - best), reading) for score, reading in items]
    total = sum(w for w, _ in weights)
    shares: dict[str, float] = {}
    for w, reading in weights:
        shares[reading] = shares.get(reading, 0.0) + w / total
    return shares


def _end_readings(
    joint: list[tuple[float, str, str, float]],
) -> tuple[dict[str, float], dict[str, float]]:
    """The heads' and the tails' shares of the joint ranking (how sure each end is on its own).

    >>> heads, tails = _end_readings([(0.0, "就", "要", 0.0), (0.0, "和", "要", 0.0)])
    >>> heads["就"], tails["要"]
    (0.5, 1.0)
    """
    return _shares((j[0], j[1]) for j in joint), _shares((j[0], j[2]) for j in joint)


def _partial(found: Repair) -> Repair | None:
    """A repair not sure enough as a whole, applied where it is sure: between its ends.

    The characters between a shifted run's two ends decode from bytes that
    are all there; only the characters completed from a lost byte are
    guesses.  When at least :data:`MIN_PARTIAL` characters lie between them,
    or one end is sure, the rest is applied and each unsure end is kept for
    review with its best guess: the reader checks one character instead of a
    run of garbage.
    """
    if not (found.head or found.tail) or found.converted or not found.anchored:
        return None
    ends = [
        (at, length, share)
        for at, length, share in (
            (0, found.head, found.head_confidence),
            (len(found.after) - found.tail, found.tail, found.tail_confidence),
        )
        if length
    ]
    readings = {0: found.head_options, len(found.after) - found.tail: found.tail_options}
    unsure = tuple(
        (at, length, readings[at] or (found.after[at : at + length],), share)
        for at, length, share in ends
        if share < SURE
    )
    middle = len(found.after) - found.head - found.tail
    if not unsure or (middle < MIN_PARTIAL and len(unsure) == len(ends)):
        return None  # sure nowhere, or only as a whole
    guesses = "; ".join(f"「{options[0]}」 ({share:.2f})" for _, _, options, share in unsure)
    return replace(
        found,
        unsure=unsure,
        reason=found.reason
        + f"; the characters completed from a lost byte are unsure, kept for review: {guesses}",
    )


# Marks that open or pause and so never end a paragraph (a repair's last
# character there is more likely 。 than 、).
_NOT_FINAL = "，、；：“‘《（,;:("
LOG_NOT_QUESTION = LOG_CLASH / 2  # a question without a question word is rare
_OPENING = "“‘《（「『"
_CLOSING = "”’》）」』"
_MARKED = frozenset("？" + _CLOSING)  # marks typography looks at inside a candidate


_Ranked = TypeVar("_Ranked", tuple[float, str], tuple[float, str, float])
_T = TypeVar("_T", tuple[float, str], tuple[float, str, float], tuple[float, str, str, float])


# Repairs found with a scorer shared by many lines (see _in_document), by
# what they depend on: the same damaged spot met again in another line is
# not worked out again.  Kept while the scorer lives, at most KEPT_SPOTS.
_KEPT: weakref.WeakKeyDictionary[ChineseScorer, dict[tuple[object, ...], Repair | None]]
_KEPT = weakref.WeakKeyDictionary()
KEPT_SPOTS = 10_000


def _date_clash(left: str, right: str, candidate: str) -> bool:
    """Whether ``candidate``, between ``left`` and ``right``, breaks a date (:data:`_DATE_PARTS`).

    >>> _date_clash("2024", "10月", "，"), _date_clash("2024", "10月", "年")
    (True, False)
    >>> _date_clash("5月23", "上午", "—"), _date_clash("5月23", "25日", "—")
    (True, False)
    """
    first = candidate[:1]
    return any(
        first not in may and before.search(left) and after.match(right)
        for before, after, may in _DATE_PARTS
    )


def _traditional_text(text: str) -> bool:
    """Whether ``text`` is in traditional characters (any of its hanzi is)."""
    hanzi = "".join(c for c in text if is_cjk(c))
    return simplified(hanzi) != hanzi


class _Repairer:
    def __init__(
        self, text: str, model: ChineseScorer, paragraph_end: bool = True, end_odds: float = 0.0
    ) -> None:
        """``end_odds``: the document's :func:`hanzi_end_odds` (0: no knowledge)."""
        self.text = text
        self.model = model
        self.paragraph_end = paragraph_end  # the text ends where its paragraph does
        self.end_odds = end_odds
        self.traditional = _traditional_text(text)  # the text's script
        self.kept = _KEPT.get(model)
        self._open: dict[int, tuple[int, ...]] = {}  # open_marks by offset

    def _spot(self, start: int, end: int, typography: bool) -> tuple[object, ...]:
        """All a repair of ``text[start:end]`` depends on besides the model (the kept repairs' key).

        The span and its context (:meth:`ctx`, which holds the next byte),
        the text's script and, for :meth:`typography`, whether the paragraph
        ends with the span, the clause before it and the marks open there.
        """
        text = self.text
        key: tuple[object, ...] = (*self.ctx(start, end), text[start:end], self.traditional)
        if typography:
            final = self.paragraph_end and end == len(text)
            key += (final and self.end_odds, _clause_before(text, start), *self.open_marks(start))
        return key

    def _recall(
        self, key: tuple[object, ...], start: int, end: int, find: Callable[[], Repair | None]
    ) -> Repair | None:
        """``find()``, or what it gave for the same spot before (moved to ``start``, ``end``)."""
        kept = self.kept
        if kept is None:
            return find()
        if key in kept:
            known = kept[key]
            return None if known is None else replace(known, start=start, end=end)
        found = find()
        if len(kept) >= KEPT_SPOTS:
            kept.clear()
        kept[key] = found
        return found

    def distinct(self, ranked: Iterable[_Ranked]) -> list[_Ranked]:
        """``(score, character, ...)`` best first, one per character read alike.

        The models read a traditional character as its simplified form, so
        both score the same: the one of the text's script stays, the other
        would only split the confidence.
        """

        items = list(ranked)
        return self._distinct(items, [item[1] for item in items])

    def distinct_pairs(
        self, joint: list[tuple[float, str, str, float]]
    ) -> list[tuple[float, str, str, float]]:
        """The joint ranking with one entry per head and tail read alike (see :meth:`distinct`)."""
        return self._distinct(joint, [item[1] + item[2] for item in joint])

    def _distinct(self, items: list[_T], texts: list[str]) -> list[_T]:
        """``items`` by score (ties: the text's script first), one per simplified text."""
        forms = simplified_each(texts)
        traditional = self.traditional
        keys = [
            (-item[0], (form == text) == traditional)
            for item, form, text in zip(items, forms, texts, strict=True)
        ]
        order = sorted(range(len(items)), key=keys.__getitem__)
        seen: set[str] = set()
        out = []
        for k in order:
            if forms[k] not in seen:
                seen.add(forms[k])
                out.append(items[k])
        return out

    def _foreign(self, chars: str) -> bool:
        """Whether ``chars`` are not of the text's script."""
        return (simplified(chars) == chars) == self.traditional

    def typography(self, start: int, end: int, candidate: str) -> float:
        """A penalty (nats) for marks ``candidate`` cannot have in its place.

        A paragraph does not end in a pause or an opening mark, and a long
        line ends in a hanzi only as often as the document's other long lines
        do (:func:`hanzi_end_odds`); a question mark closes a clause with a
        question word, and a closing quote or bracket closes one opened before
        it in the paragraph.
        """
        penalty = 0.0
        if self.text[start - 1 : start].isdigit() and _date_clash(*self.ctx(start, end), candidate):
            penalty += LOG_CLASH  # 5月23? is 5月23日
        if self.paragraph_end and end == len(self.text):
            if candidate[-1:] in _NOT_FINAL:
                penalty += LOG_CLASH
            elif len(self.text) >= LINE_END_MIN and is_cjk(candidate[-1:] or "?"):
                penalty += self.end_odds  # this document's lines mostly end in a mark
        if _MARKED.isdisjoint(candidate):
            return penalty  # most candidates: no question mark, no closing mark
        at = candidate.find("？")
        if at >= 0:
            clause = _clause_before(self.text[:start] + candidate, start + at)
            if not _QUESTION.search(clause):
                penalty += LOG_NOT_QUESTION
        if any(ch in _CLOSING for ch in candidate):
            open_ = self.open_marks(start)
            for ch in candidate:
                if ch in _OPENING:
                    open_[_OPENING.index(ch)] += 1
                elif ch in _CLOSING:
                    k = _CLOSING.index(ch)
                    if open_[k] <= 0:
                        penalty += LOG_CLASH
                    open_[k] -= 1
        return penalty

    def open_marks(self, start: int) -> list[int]:
        """How many of each opening mark are still open before ``start``."""
        known = self._open.get(start)  # every candidate for a span asks
        if known is None:
            before = self.text[:start].replace("(", "（").replace(")", "）")
            known = self._open[start] = tuple(
                before.count(o) - before.count(c) for o, c in zip(_OPENING, _CLOSING, strict=True)
            )
        return list(known)

    def ctx(self, start: int, end: int) -> tuple[str, str]:
        text = self.text
        return text[max(0, start - _CONTEXT_LEFT) : start], text[end : end + _CONTEXT_RIGHT]

    def total_gain(self, start: int, end: int, candidate: str) -> float:
        """How much likelier the text is with ``candidate`` in place (nats).

        The text as it stands is read with ``?`` as a folded ``？``: a
        question mark must lose to the repair on its merits.
        """
        left, right = self.ctx(start, end)
        before = self.model.logprob((left + self.text[start:end] + right).replace("?", "？"))
        return self.model.logprob(left + candidate + right) - before

    def gain(self, start: int, end: int, candidate: str) -> float:
        return self.total_gain(start, end, candidate) / max(1, end - start)

    def _average(self, text: str) -> float:
        return self.model.logprob(text) / max(1, len(text))

    def whole_char(self, start: int, end: int) -> Repair | None:
        """``??`` (or ``?``) after a hanzi: a character lost whole; guess it in context.

        A single ``?`` is far more often a folded question mark, so there a
        character must beat ``？`` by a wide margin.
        """
        if self.kept is None:
            return self._whole_char(start, end)
        key = ("whole", *self._spot(start, end, typography=True))
        return self._recall(key, start, end, lambda: self._whole_char(start, end))

    def _whole_char(self, start: int, end: int) -> Repair | None:
        """:meth:`whole_char`, worked out."""
        left, right = self.ctx(start, end)
        model = self.model
        # A lost character whose last byte could not pair with the next byte
        # explains the (last) '?' as the decoder's replacement: it earns the
        # byte evidence, in whichever codec it fits.
        # A lone '?' is the question mark itself, if not lost: a '？' lost is no
        # candidate there.
        marks = LOST_MARKS if end - start == 2 else LOST_MARKS_LONE
        fits, evidence, rest = _lost_candidates(
            marks + model.common_hanzi[:COMMON_CHARS],
            _unpaired("gbk", _next_bytes(self.text, end, "gbk")),
            _unpaired("big5", _next_bytes(self.text, end, "big5")),
        )
        # both short lists scored in one call: the context is segmented once
        shortlisted = model.shortlist(left, fits, right, SHORTLIST // 2) + model.shortlist(
            left, rest, right, UNFIT_SHORTLIST
        )
        # a lost mark where a paragraph ends is a full stop, not a pause
        scored = self.distinct(
            (sc + evidence.get(ch, 0.0) + self.typography(start, end, ch), ch)
            for sc, ch in model.ranked_between(left, shortlisted, right)
        )
        if not scored:
            return None
        candidate = scored[0][1]
        confidence = _softmax_top([sc for sc, _ in scored[:200]])
        if end - start == 1:
            # The bytes vouch for a character only if one was lost at all, and
            # a question mark ends a clause with a question word, which this
            # one lacks (else _question would have kept it).  Only a hanzi
            # far likelier than the '？' says a character was lost; then it
            # may as well have been a mark (保障?依法: a comma's lead byte
            # dropped), which the ranking decides.
            # (before a question's own mark, 哪??, the '?' would double it:
            # scored as one, as the model has never seen a mark doubled)
            doubled = right.startswith("？")
            question = self.model.logprob(left + ("" if doubled else "？") + right)
            if not _QUESTION.search(_clause_before(self.text, start)):
                question += LOG_NOT_QUESTION
            hanzi, char = next(((sc, ch) for sc, ch in scored if is_cjk(ch)), (question, ""))
            if hanzi - evidence.get(char, 0.0) - question < SINGLE_LOST_MARGIN:
                return None
        if self.gain(start, end, candidate) < MIN_GAIN_PER_CHAR:
            return None
        return Repair(
            start,
            end,
            candidate,
            f"{LOST_WHOLE}; inferred it from context",
            round(confidence, 3),
            evidence=evidence.get(candidate, 0.0),
            options=_options(_shares(scored[:200]), candidate),
            guessed=True,
        )

    def final_mark(self) -> Repair:
        """The text's last ``?`` read as a mark whose lead byte was dropped, the
        second byte left alone before the line break (``财富。`` read ``财富?``),
        ranked among :data:`LINE_END_MARKS` (a closing one only where the text
        has one open); in a heading, which ends in no mark, among the common
        hanzi too (``情况总?`` is 总结)."""
        text = self.text
        end = len(text) - 1
        opened = {"”": text.count("“") > text.count("”"), "）": _open_paren(text)}
        marks = tuple(m for m in LINE_END_MARKS if opened.get(m, True))
        left = text[max(0, end - _CONTEXT_LEFT) : end]
        if _heading(text):
            common = self.model.common_hanzi[:COMMON_CHARS]
            marks += self.model.shortlist(left, common, "", SHORTLIST)
        # a long line ends in a hanzi as often as the document's others do
        scored = sorted(
            (
                (sc + self.typography(end, end + 1, ch), ch)
                for sc, ch in self.model.ranked_between(left, marks, "")
            ),
            reverse=True,
        )
        mark = scored[0][1]
        return Repair(
            end,
            end + 1,
            mark,
            LOST_END_CHAR if is_cjk(mark) else LOST_STOP,
            round(_softmax_top([sc for sc, _ in scored]), 3),
            # its second byte, alone before the line break, explains the '?'
            # as a run's last byte there does
            evidence=_unpaired_bonus(_unpaired("gbk", None)),
            options=_options(_shares(scored), mark),
            guessed=is_cjk(mark),
        )

    def latin_word(self, i: int) -> bool:
        """Whether the Latin letter at ``i`` makes a dictionary word with its neighbours (A股)."""
        text, words = self.text, self.model.model.words
        near = (text[i : i + 2], text[i : i + 3], text[i - 1 : i + 1], text[max(0, i - 2) : i + 1])
        return any(simplified(w) in words for w in near)

    def lost_lead(self, i: int) -> Repair | None:
        """A lone ASCII character from ``@`` after a hanzi (``產業W加值``, in
        traditional text): a character whose lead byte was dropped, its trail
        byte left standing; guess it in context.

        A Latin letter between hanzi is rare in clean text but not unknown
        (``A股``, ``X光``): one that makes a word of the dictionary with its
        neighbours stays, and a character must beat any other by
        :data:`LOST_LEAD_MARGIN`.
        """
        if self.kept is None:
            return self._lost_lead(i)
        key = ("lead", *self._spot(i, i + 1, typography=False))
        return self._recall(key, i, i + 1, lambda: self._lost_lead(i))

    def _lost_lead(self, i: int) -> Repair | None:
        """:meth:`lost_lead`, worked out."""
        text = self.text
        if self.latin_word(i):
            return None
        left, right = self.ctx(i, i + 1)
        model = self.model
        chars = _lead_completions(ord(text[i]))
        scored = self.distinct(
            model.ranked_between(
                left, model.shortlist(left, chars, right, COMPLETION_SHORTLIST, words=True), right
            )
        )
        if not scored:
            return None
        best, candidate = scored[0]
        margin = LOST_LEAD_MARGIN if text[i].isalpha() else LOST_LEAD_MARGIN_SYMBOL
        if best - model.logprob(left + text[i] + right) < margin:
            return None
        if self.gain(i, i + 1, candidate) < MIN_GAIN_PER_CHAR:
            return None
        return Repair(
            i,
            i + 1,
            candidate,
            f"{LOST_LEAD}; inferred it from context",
            round(_softmax_top([sc for sc, _ in scored[:200]]), 3),
            options=_options(_shares(scored[:200]), candidate),
            guessed=True,
        )

    def shifted(
        self, start: int, end: int, codec: str, lead_lost: bool, last_real: bool
    ) -> Repair | None:
        """Best in-phase decoding of ``text[start:end]`` with the lost byte(s) restored.

        ``lead_lost``: ``text[start]`` is the ``?`` that stood for the lost
        lead byte; otherwise the byte was dropped and ``start`` is the first
        shifted character.  A final ``?`` (or a run ending before an ASCII
        byte below 0x40) stands for a lost trailing byte.

        Sites that serve both scripts convert the damaged text too: a run
        with traditional characters is also read back as simplified.
        """
        if not self._decodes(start, end, codec, lead_lost, last_real):
            return None  # most runs proposed: spared the search and its key
        if self.kept is None:
            return self._shifted_fresh(start, end, codec, lead_lost, last_real)
        key = (codec, lead_lost, last_real, *self._spot(start, end, typography=True))
        return self._recall(
            key, start, end, lambda: self._shifted_fresh(start, end, codec, lead_lost, last_real)
        )

    def _body(self, start: int, end: int, lead_lost: bool) -> str:
        """The run's shifted characters, without the ``?`` at either end ("" for ``??``)."""
        text = self.text
        body_start = start + 1 if lead_lost else start
        body_end = end - 1 if text[end - 1] in _LOST else end
        return text[body_start:body_end] if body_end > body_start else ""

    def _decodes(self, start: int, end: int, codec: str, lead_lost: bool, last_real: bool) -> bool:
        """Whether the run's bytes, as read or as before conversion, decode in phase at all."""
        body = self._body(start, end, lead_lost)
        if not body:
            return False  # "??": a character lost whole, not a shifted run
        if _in_phase(body, codec, last_real):
            return True
        simple = _unconverted(body, codec)[0]
        return simple != body.translate(_UNFOLDED_MARKS) and bool(
            _in_phase(simple, codec, last_real)
        )

    def _shifted_fresh(
        self, start: int, end: int, codec: str, lead_lost: bool, last_real: bool
    ) -> Repair | None:
        """:meth:`shifted`, worked out."""
        body = self._body(start, end, lead_lost)
        if not body:
            return None  # "??": a character lost whole, not a shifted run
        found = self._shifted(start, end, codec, body, last_real)
        simple, certain = _unconverted(body, codec)
        if simple != body.translate(_UNFOLDED_MARKS):
            other = self._shifted(start, end, codec, simple, last_real)
            if other and (
                not found
                or self.total_gain(start, end, other.after) + other.evidence
                > self.total_gain(start, end, found.after) + found.evidence
            ):
                found = replace(
                    other,
                    reason=other.reason + " (the damage had been converted to traditional)",
                    converted=not certain,
                )
        return replace(found, anchored=True) if found and lead_lost else found

    def _shifted(
        self, start: int, end: int, codec: str, body: str, last_real: bool
    ) -> Repair | None:
        text = self.text
        decoded = _in_phase(body, codec, last_real)
        if not decoded:
            return None
        raw, middle = decoded
        needs_tail = len(raw) % 2 == 0 and not _absorbed(body, last_real)
        if len(middle) >= 2 and self._average(middle) < self._average(text[start:end]):
            return None  # the bytes in phase read no better than the damage: wrong start
        left, right = self.ctx(start, end)
        if needs_tail and not _ends_run(codec, raw[-1]):
            return None  # no character ends the run: no tails, whatever the heads
        heads = self._complete(_head_pairs(codec, raw[0]), codec, left, middle[:2])
        if not heads:
            return None
        # When little lies between the two ends they may form one word (规模):
        # then each of the best heads gets its own tails, all ranked together.
        firsts = heads[:JOINT_ADJACENT] if len(middle) < 2 else heads[:JOINT]
        tails_for: dict[str, tuple[tuple[float, str, float], ...]] = {}
        if needs_tail:
            closed = text[end - 1] in _LOST
            favoured = _unpaired(codec, _next_bytes(text, end, codec)) if closed else None
            pairs = _tail_pairs(codec, raw[-1])
            if len(middle) < 2:  # short-listed by bigrams only: the joint scores them
                tails_for = self._short(
                    pairs, codec, [h for _, h, _ in firsts], middle, right, favoured
                )
            else:
                tails_for[heads[0][1]] = self._complete(
                    pairs, codec, (left + heads[0][1] + middle)[-4:], right, favoured
                )[:JOINT]
            if not any(tails_for.values()):
                return None
        shared = tails_for.get(heads[0][1], ((0.0, "", 0.0),))
        combos = [(h, eh, t, et) for _, h, eh in firsts for _, t, et in tails_for.get(h, shared)]
        # all combinations scored with the context segmented once: the numbers logprob gives
        scores = self.model.logprobs_between(left, [h + middle + t for h, _, t, _ in combos], right)
        joint = sorted(
            (
                (s + eh + et + self.typography(start, end, h + middle + t), h, t, eh + et)
                for s, (h, eh, t, et) in zip(scores, combos, strict=True)
            ),
            reverse=True,
        )
        joint = self.distinct_pairs(joint)
        _, head, tail, evidence = joint[0]
        candidate = head + middle + tail
        if self.gain(start, end, candidate) < MIN_GAIN_PER_CHAR:
            return None
        confidence = _softmax_top([j[0] for j in joint])
        head_shares, tail_shares = _end_readings(joint)
        readings = _shares((j[0], j[1] + middle + j[2]) for j in joint)
        name = "GBK" if codec == "gbk" else "Big5"
        return Repair(
            start,
            end,
            candidate,
            f"{name} {SHIFTED}; restored the lost byte and re-decoded",
            round(confidence, 3),
            evidence=evidence,
            head=len(head),
            tail=len(tail),
            head_confidence=round(head_shares[head], 3),
            tail_confidence=round(tail_shares[tail], 3),
            options=_options(readings, candidate),
            head_options=_options(head_shares, head),
            tail_options=_options(tail_shares, tail),
        )

    def _complete(
        self,
        pairs: tuple[bytes, ...],
        codec: str,
        left: str,
        right: str,
        favoured: frozenset[int] | None = None,
    ) -> tuple[tuple[float, str, float], ...]:
        """``(score, character, evidence)`` for the byte pairs' decodings, best first.

        Pairs whose last byte is in ``favoured`` (the bytes that explain a
        closing ``?``) earn :func:`_unpaired_bonus`; of each kind the bigrams
        short-list :data:`COMPLETION_SHORTLIST` for the full scoring.
        """
        if favoured is None:
            chars = _evidence(codec, pairs, None)[0]
            return tuple(self.distinct((sc, ch, 0.0) for sc, ch in self._rank(chars, left, right)))
        _, fits, rest, bonus = _split(codec, pairs, favoured)
        ranked = [(sc + bonus, ch, bonus) for sc, ch in self._rank(fits, left, right)]
        ranked.extend((sc, ch, 0.0) for sc, ch in self._rank(rest, left, right))
        return tuple(self.distinct(ranked))

    def _short(
        self,
        pairs: tuple[bytes, ...],
        codec: str,
        heads: list[str],
        middle: str,
        right: str,
        favoured: frozenset[int] | None,
    ) -> dict[str, tuple[tuple[float, str, float], ...]]:
        """For each head, ``(0, character, evidence)`` for the :data:`JOINT` decodings of
        ``pairs`` that fit best after it (and ``middle``) by bigrams and bytes."""
        chars, evidence = _evidence(codec, pairs, favoured)
        table = self.model.bigram_best((h + middle for h in heads), chars, right, evidence, JOINT)
        return {
            h: tuple((0.0, chars[k], evidence[k]) for k in best)
            for h, best in zip(heads, table, strict=True)
        }

    def _rank(self, chars: tuple[str, ...], left: str, right: str) -> tuple[tuple[float, str], ...]:
        model = self.model
        return model.ranked_between(
            left, model.shortlist(left, chars, right, COMPLETION_SHORTLIST, words=True), right
        )


_ASCII = "".join(map(chr, range(128)))


def _gb2312(ch: str) -> bool:
    """Whether ``ch`` is in GB2312, where nearly every pair a shifted GBK decoding reads falls."""
    try:
        return ch.encode("gb2312") is not None
    except UnicodeEncodeError:
        return False


def _shifted_form(ch: str) -> bool:
    """Whether a shifted GBK pair (one character's trail byte and the next one's
    lead byte) reads as ``ch``: a GB2312 character, or one of GBK's whose second
    byte is ASCII (a letter or digit followed).

    >>> _shifted_form("袷"), _shifted_form("緼"), _shifted_form("導")
    (True, True, False)
    """
    if _gb2312(ch):
        return True
    try:
        return ch.encode("gbk")[-1] < 0x80
    except UnicodeEncodeError:
        return False


@cache
def _s2t_sources() -> dict[str, str]:
    """Traditional character -> the characters a shifted GBK pair reads as
    (:func:`_shifted_form`) that OpenCC's s2t turns into it
    (``pipeline/data/s2t_shifted.txt``)."""
    text = resources.files("pipeline").joinpath("data", "s2t_shifted.txt").read_text("utf-8")
    return dict(line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))


@cache
def _s2t_changed() -> frozenset[str]:
    """The characters of shifted pairs that s2t turns into another one."""
    return frozenset("".join(_s2t_sources().values()))


@lru_cache(maxsize=8192)
def _unconverted(body: str, codec: str) -> tuple[str, bool]:
    """``body`` as it was before a site converted it to traditional, and whether that is certain.

    Shifted GBK pairs fall in GB2312, or where an ASCII byte closed them in
    GBK's rows with an ASCII second byte, so each character is read back as
    the character of those that converts to it (``鉅`` was ``钜``, though
    OpenCC's t2s makes it ``巨``; ``縕`` at a run's end can be ``緼``), or as
    itself when it is one that conversion leaves alone (``袷``).  Where both
    readings, or none, are possible (``著``: itself or ``着``) the simplified
    form is taken and the reading is not certain.  Big5 text is traditional
    already.  Folded marks are unfolded.

    >>> _unconverted("嗣袷贗", "gbk"), _unconverted("幌鉅", "gbk"), _unconverted("嗣袷贗", "big5")
    (('嗣袷赝', True), ('幌钜', True), ('嗣夹赝', False))
    >>> _unconverted("導憂縕I", "gbk"), _unconverted("縕導", "gbk")
    (('导忧緼I', False), ('缊导', False))
    """
    simple = simplified(body)
    if codec != "gbk":
        return simple, False
    if not _READ_KNOWN.issuperset(body):
        _learn_readings(body)
    if _READ_VARIOUS.isdisjoint(body):  # most runs: each character read one way
        return body.translate(_READ_ONE), True
    out = []
    certain = True
    last = len(body.rstrip(_ASCII)) - 1  # the last character before any ASCII ones
    for i, (ch, form) in enumerate(zip(body, simple, strict=True)):
        if not is_cjk(ch):
            out.append(form)
            continue
        readings = _readings(ch)
        if not readings and i == last:
            # a pair closed by an ASCII byte (which puts the run back in
            # phase, so only the last character can be one): 縕 was 緼 or itself
            changed = _s2t_changed()
            readings = _s2t_sources().get(ch, "") + (
                ch if ch not in changed and _shifted_form(ch) else ""
            )
        if len(readings) == 1:
            out.append(readings)
        else:
            out.append(form if form in readings or not readings else readings[0])
            certain = False
    return "".join(out), certain


@cache
def _readings(ch: str) -> str:
    """The characters a shifted GBK pair may have read as before s2t made it the hanzi ``ch``
    (anywhere but at the end of a run closed by an ASCII byte: see :func:`_unconverted`)."""
    readings = "".join(c for c in _s2t_sources().get(ch, "") if _gb2312(c))
    if _gb2312(ch) and ch not in _s2t_changed():
        readings += ch
    return readings


# What _unconverted reads each character it has seen as, when that is one
# character wherever it stands (a hanzi with one reading, any other character
# its simplified form): a str.translate table; the other hanzi (none or
# several readings) are in _READ_VARIOUS, both in _READ_KNOWN.
_READ_ONE: dict[int, str] = {}
_READ_VARIOUS: set[str] = set()
_READ_KNOWN: set[str] = set()


def _learn_readings(chars: str) -> None:
    """Enter the characters of ``chars`` not yet seen in :data:`_READ_ONE` or
    :data:`_READ_VARIOUS`."""
    for ch in set(chars).difference(_READ_KNOWN):
        if not is_cjk(ch):
            _READ_ONE[ord(ch)] = simplified(ch)
        elif len(readings := _readings(ch)) == 1:
            _READ_ONE[ord(ch)] = readings
        else:
            _READ_VARIOUS.add(ch)
        _READ_KNOWN.add(ch)


def _decodings(codec: str, pairs: Iterable[bytes]) -> tuple[str, ...]:
    """The plausible characters ``pairs`` decode to, in order."""
    table = _pair_table(codec)
    return tuple(ch for ch in map(table.get, pairs) if ch is not None)


# The byte pairs that may complete a shifted run's ends, and what they decode
# to: the same few hundred sets for every run, so worked out once each.


@cache
def _lead_completions(trail: int) -> tuple[str, ...]:
    """The characters, GBK's and Big5's, whose trail byte is ``trail``."""
    found = _decodings("gbk", _head_pairs("gbk", trail)) + _decodings(
        "big5", _head_pairs("big5", trail)
    )
    return tuple(dict.fromkeys(found))


@cache
def _head_pairs(codec: str, trail: int) -> tuple[bytes, ...]:
    """Every pair of a lead byte of ``codec`` and ``trail``."""
    return tuple(bytes((x, trail)) for x in _lead_bytes(codec))


@cache
def _tail_pairs(codec: str, lead: int) -> tuple[bytes, ...]:
    """Every pair of ``lead`` and a trail byte of ``codec``."""
    return tuple(bytes((lead, y)) for y in _trail_bytes(codec))


@cache
def _ends_run(codec: str, lead: int) -> bool:
    """Whether some character of ``codec`` starts with ``lead`` (a run's last byte).

    When none does, :meth:`_Repairer._shifted` finds no tails for the run
    whatever its heads: it stops before ranking them.
    """
    return bool(_decodings(codec, _tail_pairs(codec, lead)))


@lru_cache(maxsize=4096)
def _split(
    codec: str, pairs: tuple[bytes, ...], favoured: frozenset[int]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], float]:
    """``pairs``' decodings: all, those whose last byte is in ``favoured``, the
    others, and the evidence (:func:`_unpaired_bonus`) the former earn."""
    return (
        _decodings(codec, pairs),
        _decodings(codec, (p for p in pairs if p[-1] in favoured)),
        _decodings(codec, (p for p in pairs if p[-1] not in favoured)),
        _unpaired_bonus(favoured),
    )


@lru_cache(maxsize=4096)
def _evidence(
    codec: str, pairs: tuple[bytes, ...], favoured: frozenset[int] | None
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """``pairs``' decodings and the evidence (nats) each earns from ``favoured``."""
    if not favoured:
        chars = _decodings(codec, pairs)
        return chars, (0.0,) * len(chars)
    chars, fits, _, bonus = _split(codec, pairs, favoured)
    fitting = set(fits)
    return chars, tuple(bonus if ch in fitting else 0.0 for ch in chars)


PAIR_TABLE_FORMAT = 1  # bump when _plausible or the byte ranges change


@cache
def _pair_table(codec: str) -> dict[bytes, str]:
    """Every byte pair of ``codec`` that decodes to a plausible character, and the character.

    Built once (some 22,000 pairs): the candidates of every lost byte are
    looked up here rather than decoded and kept per set of pairs.  Building
    it takes a thirtieth of a second, so it is kept in the user's cache
    folder too, per Python version (whose codecs made it).
    """
    version = ".".join(map(str, sys.version_info[:3]))
    path = diskcache.cache_dir() / f"pairs-{PAIR_TABLE_FORMAT}-{codec}-py{version}.marshal"
    known = diskcache.load(path)
    if isinstance(known, dict) and known:
        return known
    table = _build_pair_table(codec)
    diskcache.store(path, table)
    return table


def _build_pair_table(codec: str) -> dict[bytes, str]:
    table = {}
    for x in _lead_bytes(codec):
        for y in _trail_bytes(codec):
            pair = bytes((x, y))
            try:
                ch = pair.decode(codec)
            except UnicodeDecodeError:
                continue
            if _plausible(ch):
                table[pair] = ch
    return table


@lru_cache(maxsize=16)
def _lost_candidates(
    common: tuple[str, ...], gbk: frozenset[int], big5: frozenset[int]
) -> tuple[tuple[str, ...], dict[str, float], tuple[str, ...]]:
    """Candidates for a lost character: ``(fits, evidence, rest)``.

    ``fits``: the ``common`` characters (either script) and marks whose last
    byte is one of the unpaired bytes ``gbk`` or ``big5``, with their byte
    evidence; ``rest``: the most common others, in case the '?' came otherwise.
    """
    evidence: dict[str, float] = {}
    for codec, favoured in (("gbk", gbk), ("big5", big5)):
        bonus = _unpaired_bonus(favoured, UNPAIRED_SHARE_LOST_CHAR)
        table = _lost_chars(codec, common)
        for y in favoured:
            for ch in table.get(y, ()):
                evidence[ch] = max(bonus, evidence.get(ch, 0.0))
    rest = tuple(ch for ch in common[: COMMON_UNFIT + _marks(common)] if ch not in evidence)
    return tuple(evidence), evidence, rest


@lru_cache(maxsize=4)
def _marks(common: tuple[str, ...]) -> int:
    """How many of ``common`` are not hanzi (the lost marks ahead of them)."""
    return sum(1 for ch in common if not is_cjk(ch))


@cache
def _lost_chars(codec: str, common: tuple[str, ...]) -> dict[int, tuple[str, ...]]:
    """Characters a lost one may be, by last byte: the hanzi of ``codec``
    whose simplified form is among ``common`` (so traditional forms too)."""
    from .convert import converter

    known = set(common)
    chars = tuple(_pair_table(codec).values())
    simple = converter("t2s")("\n".join(chars)).split("\n")
    if len(simple) != len(chars):
        simple = list(chars)
    table: dict[int, list[str]] = {}
    for ch, form in zip(chars, simple, strict=True):
        if ch in known or form in known:
            table.setdefault(ch.encode(codec)[-1], []).append(ch)
    return {y: tuple(found) for y, found in table.items()}


def _shifted_runs(
    text: str, across: int | None = None, traditional: bool = False
) -> Iterator[tuple[int, int, bool, bool]]:
    """Spans that may be shifted decodings: ``(start, end, lead_lost, last_real)``.

    Several may be proposed for one damaged spot (we cannot see where a run
    whose lost byte was dropped begins); the caller keeps the best repair.
    ``across``: only the spots near this offset, where a run over it may
    start or end, are looked at (the runs proposed are a superset of those
    over it).  ``traditional``: the text is traditional, so it may have
    been Big5, whose trail bytes include ASCII letters.
    """
    if across is None:
        lo, hi = 0, len(text)
    else:  # a run ends at most _MAX_RUN + 1 after its '?' and starts _MAX_RUN before its end
        lo, hi = max(0, across - _MAX_RUN - 2), min(len(text), across + _MAX_RUN + 2)
    for found in _RUN_MARK.finditer(text, lo, hi):  # a '?', or ASCII from 0x40
        i = found.start()
        ch = text[i]
        if ch in _LOST:
            # (a run's last characters may all be kana or folded forms: ぁ, Ｖ)
            near = text[max(0, i - 4) : i + 3]
            if not any(is_chinese_context(c) for c in near):
                continue
            for end, last_real in _run_ends(text, i + 1):
                if end > i + 1:
                    yield i, end, True, last_real
            # the same '?' may instead end a run whose lost lead byte was dropped
            for start in _run_starts(text, i):
                yield start, i + 1, False, False
        elif i and _absorbs(text, i - 1) and not text[i - 1].isascii():
            # the character before absorbed the real byte: a run whose lead
            # byte was dropped may end with it
            for start in _run_starts(text, i):
                yield start, i, False, True
        if ch not in _LOST and _lone_latin(text, i, traditional):
            # a Latin letter between hanzi: maybe the single byte that re-aligned
            for start in _run_starts(text, i):
                # a run starting with a folded mark, or, in traditional text
                # (Big5's, whose trail bytes include ASCII), any short run
                if (text[start] in _UNFOLD and start < i - 1) or (
                    traditional and start >= i - _MAX_TRAIL_RUN
                ):
                    yield start, i + 1, False, True


def _run_starts(text: str, end: int) -> Iterator[int]:
    """Where a shifted run ending at ``end`` may start, nearest first.

    A shifted decoding yields any double-byte character (hanzi, kana,
    Cyrillic, box drawing ...) and folded full-width forms; a newline or a
    third ASCII character is surely in phase, and a run does not start
    inside a Latin word (``why?``) or at a date's figure (``2024年12月6?`` is
    6日, not 12月。对 with the 6 read as a folded ``６``).
    """
    ascii_seen = 0
    for start in range(end - 1, max(-1, end - _MAX_RUN), -1):
        ch = text[start]
        if ch == "\n" or ch in _LOST:
            return
        if ch.isascii():
            ascii_seen += 1
            if ascii_seen > 2 or not ch.isprintable() or ch == " ":
                return
        before = text[start - 1] if start else ""
        inside = ch.isascii() and ch.isalnum() and before.isascii() and before.isalnum()
        if not (inside or (ch.isdigit() and before in _DATE_UNITS)):
            yield start


# ASCII from 0x40 is also a trail byte (of Big5 characters, and of GBK's
# traditional and rare ones): a lone one after a hanzi or a mark (folded too) may
# be all that is left of a character whose lead byte was dropped (增 = BC 57
# "W", 年 = A6 7E "~" after 2024), or end a run (迣y = 創造).
_TRAIL_ASCII = re.compile(
    r"(?<=[\u0080-\u00bf\u0250-\U0010ffff,;:!?])[@-~](?![A-Za-z])"
    r"|(?<=[0-9])[@-`{-~](?=[^\x00-\x7f])"
)  # after a hanzi or a (folded) mark, not an accented Latin letter: a pinyin gloss's (rén)


def _lone_trails(text: str, across: int | None = None) -> Iterator[int]:
    """Offsets of lone ASCII characters from 0x40 that may be trail bytes (near ``across``).

    >>> list(_lone_trails("產業W加值，人(rén)民"))  # not the n of a pinyin gloss
    [2]
    """
    for m in _TRAIL_ASCII.finditer(text):
        if across is None or abs(m.start() - across) <= 1:
            yield m.start()


def _absorbs(text: str, j: int) -> bool:
    """Whether ``text[j]`` may have paired a shifted run's last byte with the
    real byte after it (:func:`_absorbed`): a hanzi whose GBK or Big5 form ends
    in an ASCII letter, before a letter or digit (the rest of a word: GDP, APP).
    """
    return (
        j + 1 < len(text)
        and text[j + 1].isascii()
        and text[j + 1].isalnum()
        and _letter_second(text[j])
    )


@lru_cache(maxsize=8192)
def _letter_second(ch: str) -> bool:
    """Whether ``ch`` is a hanzi whose GBK or Big5 form's second byte is an ASCII letter.

    >>> _letter_second("糋"), _letter_second("值"), _letter_second("，")
    (True, False, False)
    """
    if not is_cjk(ch):
        return False
    for codec in ("gbk", "big5"):
        try:
            raw = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(raw) == 2 and chr(raw[1]).isalpha() and raw[1] < 0x80:
            return True
    return False


def _lone_latin(text: str, i: int, traditional: bool = False) -> bool:
    """Whether ``text[i]`` may be the byte that ended a shifted run: a Latin
    letter between hanzi, or, in traditional text, any ASCII from 0x40 that
    :data:`_TRAIL_ASCII` finds."""
    if traditional:
        return i > 0 and _TRAIL_ASCII.match(text, i) is not None
    ch = text[i]
    return (
        ch.isascii()
        and ch.isalpha()
        and 0 < i < len(text) - 1
        and is_cjk(text[i - 1])
        and is_cjk(text[i + 1])
    )


def _run_ends(text: str, start: int) -> Iterator[tuple[int, bool]]:
    """Where a shifted run starting at ``start`` may end: ``(end, last_real)``.

    An ASCII character in the run is either a folded full-width form (the run
    goes on) or a real byte that put the decoding back in phase: a byte from
    0x40 up completed the last pair (it ends the run).  One below 0x40 cannot
    end it: the last pair's leftover byte would have shown as a second '?'
    before it, as the run's lost lead byte did (``联系电?:0571`` is 话 lost
    whole, not a run ``?:0`` read as 。海拔 with the 0 of the number eaten).
    For the first few ASCII characters from 0x40 both readings are proposed;
    a '?' always ends the run.
    """
    limit = min(len(text), start + _MAX_RUN)
    ascii_seen = 0
    for j in range(start, limit):
        ch = text[j]
        if ch in _LOST:
            yield j + 1, False  # the decoder's replacement for an unpaired byte
            return
        if ch == "\n":
            break
        if j > start and _absorbs(text, j):
            yield j + 1, True  # its second byte was the real one
        if ch.isascii():
            if 0x40 <= ord(ch) <= 0x7E:
                yield j + 1, True
            ascii_seen += 1
            if ascii_seen > _RUN_ASCII or ch == " ":
                return
    else:
        j = limit
    if j > start:
        yield j, False


def _whole_span_repairs(text: str, model: Callable[[], ChineseScorer]) -> Iterator[Repair]:
    for m in _LATIN1_RUN.finditer(text):
        try:
            fixed = m.group().encode("latin-1").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if _plausible(fixed) and all(is_chinese_context(c) for c in fixed):
            yield Repair(m.start(), m.end(), fixed, "GBK text shown as Latin-1; re-decoded", 0.95)
    for m in _NON_ASCII_RUN.finditer(text):
        span = m.group()
        if "锟斤拷" in span:
            start = m.start() + span.index("锟斤拷")
            end = (
                start
                + len(span[span.index("锟斤拷") :])
                - len(span[span.index("锟斤拷") :].lstrip("锟斤拷"))
            )
            yield Repair(
                start,
                end,
                text[start:end],
                "锟斤拷: characters lost when UTF-8 text was saved as GBK; cannot be repaired",
                0.0,
                review=True,
            )
            continue
        if not _utf8_start(span[0]):
            continue  # as GBK, the run cannot be UTF-8 from its first byte on (most text)
        try:
            fixed = span.encode("gbk").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed == span or not any(is_cjk(c) for c in fixed):
            continue
        scorer_ = model()
        if scorer_.logprob(fixed) - scorer_.logprob(span) > MIN_GAIN_PER_CHAR * len(span):
            yield Repair(m.start(), m.end(), fixed, "UTF-8 text shown as GBK; re-decoded", 0.9)


def _utf8_start(ch: str) -> bool:
    """Whether ``ch``'s GBK bytes may begin UTF-8 text: a lead byte and a continuation byte.

    >>> _utf8_start("浣"), _utf8_start("你")  # E4 BD; C4 E3
    (True, False)
    """
    try:
        lead, second = ch.encode("gbk")[:2]
    except (UnicodeEncodeError, ValueError):
        return False
    return 0xC2 <= lead <= 0xF4 and 0x80 <= second <= 0xBF


@dataclass(frozen=True, slots=True)
class _Suspects:
    """What :func:`find_repairs` tries in a text: shifted runs
    (:func:`_shifted_runs`), characters lost whole (``??``), lone ASCII
    characters that may be trail bytes left standing (:func:`_lone_trails`),
    and a character lost whole before the question mark that ends the text
    (``如何申??``: the spans of its ``?``)."""

    runs: list[tuple[int, int, bool, bool]]
    lost_chars: list[tuple[int, int]]
    trails: list[int]
    asked: list[tuple[int, int]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.runs or self.lost_chars or self.trails or self.asked)


def _suspects(text: str, across: int | None) -> _Suspects:
    """The spots of ``text`` to try (only those over ``across`` when given:
    a trail byte's one character spans no line break)."""
    if not _RUN_MARK.search(text):
        return _Suspects([], [], [])  # no '?' and no ASCII from 0x40: most lines
    # the script matters only for lone ASCII that may be a trail byte (most lines have none)
    traditional = _TRAIL_ASCII.search(text) is not None and _traditional_text(text)
    runs = list(_shifted_runs(text, across, traditional))
    lost_chars = [
        m.span()
        for m in _LOST_CHAR.finditer(text)
        if any(is_chinese_context(c) for c in text[max(0, m.start() - 6) : m.end() + 6])
    ]
    # A lone ASCII letter between hanzi is a trail byte left standing only in
    # text that went through Big5 or GBK's traditional rows; in simplified
    # text it is the author's (A股, X光).
    trails = list(_lone_trails(text)) if traditional and across is None else []
    if across is not None:
        runs = [r for r in runs if r[0] < across < r[1]]
        # a character lost at the start of a line has its left context only across it
        lost_chars = [(a, b) for a, b in lost_chars if a <= across < b]
    asked = [m.span(1) for m in _ASKED_END.finditer(text)] if across is None else []
    return _Suspects(runs, lost_chars, trails, asked)


def _proposals(
    repairer: _Repairer, suspects: _Suspects, before: str = ""
) -> Iterator[tuple[float, Repair]]:
    """Each repair found for the suspects, with its total gain (nats, evidence included).

    Lazily, in order: a caller that needs only the first stops the search there.
    ``before``: the text before it in its paragraph (see :func:`find_repairs`).
    """
    text = repairer.text
    reads_last = False
    for gain, found in _each_proposal(repairer, suspects, before):
        reads_last = reads_last or (found.end == len(text) and found.end - found.start <= 2)
        yield gain, found
    # A short run read as ending at the paragraph's last '?' (冒险作业? as 作家的)
    # takes the '?' for damage: then it may as well be a lost mark (作业。).
    # (A longer one is surely a run: 思想保ぁ? is 思想保证。)
    if reads_last and repairer.paragraph_end and _line_end_lost(text, before):
        found = repairer.final_mark()
        yield repairer.total_gain(len(text) - 1, len(text), found.after) + found.evidence, found


def _each_proposal(
    repairer: _Repairer, suspects: _Suspects, before: str = ""
) -> Iterator[tuple[float, Repair]]:
    """:func:`_proposals` but the lost final mark (:meth:`_Repairer.final_mark`)."""
    text = repairer.text

    def question(start: int, end: int) -> bool:
        return _question(before + text, len(before) + start, len(before) + end)

    # a run that a Latin letter ends, when the letter is part of a word, is none (拍X光)
    runs = [
        r
        for r in suspects.runs
        if not (r[3] and text[r[1] - 1].isalpha() and repairer.latin_word(r[1] - 1))
    ]
    # Where the lost byte shows as '?', the run after it is nearly always the
    # damage: a sure repair there spares trying every start before a '?' it
    # explains.
    covered: list[tuple[int, int]] = []  # spans a sure repair explains
    for start, end, lead_lost, last_real in sorted(runs, key=lambda r: not r[2]):
        if not lead_lost and (
            any(a <= end - 1 < b for a, b in covered)
            or (end - start <= 2 and question(end - 1, end))  # 几? is no run
        ):
            continue
        for codec in ("gbk", "big5"):
            found = repairer.shifted(start, end, codec, lead_lost, last_real)
            if found:
                if lead_lost and found.confidence >= SURE:
                    covered.append((start, end))
                yield repairer.total_gain(start, end, found.after) + found.evidence, found
    for i in suspects.trails:
        if not any(a <= i < b for a, b in covered):
            found = repairer.lost_lead(i)
            if found:
                yield repairer.total_gain(i, i + 1, found.after), found
    for start, end in suspects.lost_chars:
        if any(a <= start < b for a, b in covered):
            continue
        if question(start, end) or (
            end - start == 1 and text[start - 1].isascii() and text[start - 1].isalpha()
        ):
            continue  # a question (why?): the '?' is a folded '？', not a lost character
        found = repairer.whole_char(start, end)
        if found:
            yield repairer.total_gain(start, end, found.after) + found.evidence, found
    for start, end in suspects.asked:
        # the last '?' asks the question, and is read as the question mark it
        # is; those before it are a lost character
        if question(end, end + 1) and not any(a <= start < b for a, b in covered):
            asking = _Repairer(
                text[:end] + "？" + text[end + 1 :],
                repairer.model,
                repairer.paragraph_end,
                repairer.end_odds,
            )
            found = asking.whole_char(start, end)
            if found:
                yield asking.total_gain(start, end, found.after) + found.evidence, found


def find_repairs(
    text: str,
    model: Callable[[], ChineseScorer] = scorer,
    paragraph_end: bool = True,
    across: int | None = None,
    before: str = "",
    end_odds: Callable[[], float] = float,
) -> list[Repair]:
    """Repairs for one run of text, non-overlapping, in order.

    ``before``: the text before it in its paragraph (the line before, when a
    hard wrap may have cut the sentence), read for question words.
    ``paragraph_end``: the text ends where its paragraph does (no field
    follows).  ``across``: only damage that spans this offset is looked at.
    ``end_odds``: gives the document's :func:`hanzi_end_odds` (asked only
    where there is something to repair; by default 0, no knowledge).
    """
    repairs: list[Repair] = list(_whole_span_repairs(text, model))
    suspects = _suspects(text, across)
    if not suspects:
        return sorted(repairs, key=lambda r: r.start)
    repairer = _Repairer(text, model(), paragraph_end, end_odds())
    proposals = list(_proposals(repairer, suspects, before))
    # The best explanation of each damaged spot wins; overlapping ones yield.
    for _gain, found in sorted(proposals, key=lambda p: p[0], reverse=True):
        if any(r.start < found.end and found.start < r.end for r in repairs):
            continue
        if found.confidence < _threshold(found):
            found = _partial(found) or replace(
                found,
                after=text[found.start : found.end],
                review=True,
                options=found.options or (found.after,),
                reason=found.reason
                + f"; not sure enough, kept for review (best guess 「{found.after}」)",
            )
        repairs.append(found)
    return sorted(repairs, key=lambda r: r.start)


def _threshold(found: Repair) -> float:
    """The confidence a repair needs to be applied (below it the span is kept for review)."""
    if not found.guessed:
        return MIN_CONFIDENCE
    if found.after not in LOST_MARKS:
        return MIN_CONFIDENCE_GUESS
    return MIN_CONFIDENCE_MARK if found.end - found.start > 1 else MIN_CONFIDENCE_LONE_MARK


def _review_field(field_id: str, raw: str, options: tuple[str, ...]) -> Field:
    """A damaged span (or a lost character, ``?``) kept for the reader, with its likeliest readings.

    >>> _review_field("r0-3", "?", ("半", "伴")).label
    '待核对：?（疑为「半」或「伴」）'
    """
    short = [f"「{o}」" for o in options if len(o) <= MAX_GUESS_SHOWN]
    shown = f"（疑为{'或'.join(short)}）" if short else ""
    return Field(id=field_id, kind=REVIEW_KIND, label=f"待核对：{raw}{shown}", raw=raw)


def _apply(
    block: Block,
    index: int,
    model: Callable[[], ChineseScorer],
    before: str = "",
    end_odds: Callable[[], float] = float,
) -> tuple[Block, list[Change]]:
    inlines: list[Inline] = []
    changes: list[Change] = []
    offset = 0
    for k, inline in enumerate(block.inlines):
        if not isinstance(inline, Text):
            inlines.append(inline)
            offset += len(inline.raw)
            continue
        text = inline.text
        pos = 0
        last = k == len(block.inlines) - 1
        found = find_repairs(
            text, model, last, before=before + block.text[:offset], end_odds=end_odds
        )
        for r in found:
            if r.start > pos:
                inlines.append(Text(text[pos : r.start]))
            after = r.after
            if r.review:
                raw = text[r.start : r.end]
                inlines.append(_review_field(f"r{index}-{offset + r.start}", raw, r.options))
                after = ""
            elif r.unsure:
                at = 0
                after = ""
                for start, length, options, _share in r.unsure:
                    if start > at:
                        inlines.append(Text(r.after[at:start]))
                    field_id = f"r{index}-{offset + r.start + start}"
                    inlines.append(_review_field(field_id, _LOST[0], options))
                    after += r.after[at:start] + _LOST[0]
                    at = start + length
                if at < len(r.after):
                    inlines.append(Text(r.after[at:]))
                after += r.after[at:]
            else:
                inlines.append(Text(r.after))
            changes.append(
                Change(
                    stage=STAGE,
                    reason=r.reason,
                    before=text[r.start : r.end],
                    after=after,
                    block=index,
                    offset=offset + r.start,
                    confidence=r.confidence,
                )
            )
            pos = r.end
        if pos < len(text):
            inlines.append(Text(text[pos:]))
        offset += len(text)
    if not changes:
        return block, changes
    merged: list[Inline] = []
    for inline in inlines:  # keep adjacent text runs as one
        if merged and isinstance(inline, Text) and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + inline.text)
        else:
            merged.append(inline)
    return replace(block, inlines=tuple(merged)), changes


_SENTENCE_ENDS = tuple("。！？；：…”")  # a line ending so ends its paragraph
_CLAUSE_ENDS = (*_SENTENCE_ENDS, "?", "!", ";", "，", ",")


def _wrapped_across(first: Block, second: Block, model: Callable[[], ChineseScorer]) -> bool:
    """Whether a damaged span runs over the line break between two text-only lines.

    Text copied from a PDF or a narrow page breaks lines anywhere, also inside
    a shifted span; repaired line by line its two halves would both fail.
    """
    head, tail = first.text, second.text
    if not (head and tail) or first.kind is not second.kind:
        return False
    if any(not isinstance(i, Text) for i in (*first.inlines, *second.inlines)):
        return False
    if head.endswith(_SENTENCE_ENDS):
        return False  # a sentence ends there: a real paragraph end
    seam = len(head)
    near = head[-_MAX_RUN:] + tail[:_MAX_RUN]
    if not any(ch in near for ch in _LOST):
        return False
    joined = head + tail
    # find_repairs(joined, model, across=seam) spans the seam when any of its
    # repairs does: a whole-span one, or else any proposal (all of them span
    # the seam) that none of those overlaps, as the best of these is kept.
    # So the search stops at the first.
    repairs = list(_whole_span_repairs(joined, model))
    if any(r.start < seam < r.end for r in repairs):
        return True
    suspects = _suspects(joined, seam)
    if not suspects:
        return False
    found = (
        (gain, r)
        for gain, r in _proposals(_Repairer(joined, model()), suspects)
        if not any(w.start < r.end and r.start < w.end for w in repairs)
    )
    if not any(start == seam for start, _end in suspects.lost_chars):
        return next(found, None) is not None
    # A character lost at the line's start competes with the runs over the
    # seam; if it is the best reading and its own line tells it, no join.
    best = max(found, key=lambda p: p[0], default=None)
    return best is not None and not (best[1].start == seam and _sure_alone(tail, model))


def _sure_alone(line: str, model: Callable[[], ChineseScorer]) -> bool:
    """Whether a character lost at the start of ``line`` is repaired surely
    without the line before: then that line need not be joined to it.

    A title is not wrapped into the salutation after it (``…上的讲话`` and
    ``??志们:``, 同 either way); a wrapped line whose first character only
    the line before tells (``…获得感、幸`` and ``??感、安全感``) still is.
    """
    head = line[:_MAX_RUN]
    found = find_repairs(head, model, paragraph_end=len(head) == len(line))
    return any(r.start == 0 and not (r.review or r.unsure) for r in found)


def _in_document(doc: Document) -> Callable[[Block], Callable[[], ChineseScorer]]:
    """For each line, a scorer that knows the character pairs of the rest of the document.

    The document's pairs are counted only when a line first needs scoring: most
    documents hold nothing suspicious and never pay for it.
    """
    document: list[tuple[Counter[str], Counter[str], int]] = []  # its pairs, hanzi, their sum
    kept: dict[tuple[str, tuple[str, ...], str], list[int]] = {}  # shared by the lines
    shared: list[InDocument] = []

    def counted() -> tuple[Counter[str], Counter[str], int]:
        if not document:
            pairs, chars = hanzi_counts(doc.text)
            document.append((pairs, chars, chars.total()))
        return document[0]

    def make(block: Block) -> ChineseScorer:
        line, line_chars = hanzi_counts(block.text)
        counts, chars, total = counted()
        if all(counts.get(pair, 0) > n for pair, n in line.items()):
            # Every pair of the line is found elsewhere too, so the line
            # excludes nothing (its hanzi are the document's: counting them
            # once more is a rounding of the character bonus): the lines
            # alike share one scorer, and so the spots it has ranked and the
            # repairs found with it (_KEPT).
            if not shared:
                everywhere = CharCounts(chars, Counter(), total)
                shared.append(InDocument(scorer(), counts, Counter(), kept, everywhere))
                _KEPT[shared[0]] = {}
            return shared[0]
        return InDocument(scorer(), counts, line, kept, CharCounts.of(chars, line_chars, total))

    last: list[tuple[Block, ChineseScorer]] = []  # a line is scored twice: across its end, then

    def made(block: Block) -> ChineseScorer:
        if not (last and last[0][0] is block):
            last[:] = [(block, make(block))]
        return last[0][1]

    def for_line(block: Block) -> Callable[[], ChineseScorer]:
        return lambda: made(block)

    return for_line


def repair_mojibake(doc: Document, opts: Options) -> Document:
    blocks: list[Block] = []
    changes: list[Change] = []
    source = list(doc.blocks)
    scorer_for = _in_document(doc)
    # how the document ends its lines: counted once, and only if a line needs it
    end_odds = cache(lambda: hanzi_end_odds(b.text for b in doc.blocks))
    numbers = _lost_numbers(source)
    index = 0
    while index < len(source):
        block = source[index]
        number = numbers.get(id(block))
        if number:
            block, change = _number_restored(block, number, len(blocks))
            changes.append(change)
        if index + 1 < len(source) and _wrapped_across(block, source[index + 1], scorer_for(block)):
            # join the two lines (as the unwrap stage would) so the span is whole
            changes.append(
                Change(
                    stage=STAGE,
                    reason="joined a line broken inside a damaged span",
                    before="\n",
                    after="",
                    block=index,
                    offset=len(block.text),
                    confidence=0.9,
                )
            )
            block = replace(block, inlines=(Text(block.text + source[index + 1].text),))
            source[index + 1 : index + 2] = []
            source[index] = block
        previous = source[index - 1].text if index else ""
        # a line that ends with a (folded) mark ends its clause: its question
        # words ask nothing of the next line (哪些支持?)
        before = "" if previous.endswith(_CLAUSE_ENDS) else previous
        new, found = _apply(block, len(blocks), scorer_for(block), before, end_odds)
        blocks.append(new if found else block)
        changes.extend(found)
        index += 1
    if any(_split_inside(c.reason) for c in changes):
        for k, block in enumerate(blocks):
            previous = blocks[k - 1].text if k else ""
            found_stop = _lost_stop(block, k, scorer_for(block), previous)
            if found_stop:
                blocks[k], change = found_stop
                changes.append(change)
        changes.sort(key=lambda c: -1 if c.block is None else c.block)  # stable: by line
    if not changes:
        return doc
    out = doc.evolve(blocks=blocks, changes=changes)
    kept = _review_count(out) - _review_count(doc)
    if kept:
        out = out.warn(
            f"{kept} damaged {'spot' if kept == 1 else 'spots'} kept for review "
            "(marked 【待核对：…】 with the likeliest readings; fill them like fields)"
        )
    return out


# A numbered heading (一、 （二）) whose number was lost: its bytes show as
# '?' ('??' or, its lead byte dropped, '?') before the mark that follows it.
_NUMBER_LOST = re.compile(r"^(?:[（(]\??(\?)[）)]|\??(\?)、)")
_NUMBER_KNOWN = re.compile(rf"^(?:[（(]([{CN_NUMERALS}]+)[）)]|([{CN_NUMERALS}]+)、)")
_DIGITS = CN_NUMERALS[:10]  # 一 to 十


def _lost_numbers(blocks: Sequence[Block]) -> dict[int, Repair]:
    """By ``id`` of the block: the number a heading lost (``?、会议地点``), read
    from its neighbours in the same numbering (``一、`` … ``三、``, or the
    ``（一）`` under one ``一、``) and checked against the bytes: the
    number's last byte must be one that shows as ``?`` before the mark after it.

    >>> lines = ["一、会议时间", "x", "?、会议地点", "（一）甲", "（??）乙", "三、要求"]
    >>> found = _lost_numbers([Block.of_text(t) for t in lines])
    >>> sorted((r.after, r.confidence) for r in found.values())
    [('二', 0.9), ('二', 0.99)]
    """
    firsts = [b.inlines[0] if b.inlines else None for b in blocks]
    texts = [first.text if isinstance(first, Text) else "" for first in firsts]
    if not any(_NUMBER_LOST.match(text) for text in texts):
        return {}  # most documents
    # each line's numbering: (level, value or None if lost) where it has one
    numbering: list[tuple[int, int | None] | None] = []
    for text in texts:
        known, lost = _NUMBER_KNOWN.match(text), _NUMBER_LOST.match(text)
        if known:
            value = _cn_value(known.group(1) or known.group(2))
            numbering.append((2 if known.group(1) else 1, value or None))
        elif lost:
            numbering.append((2 if lost.group(1) else 1, None))
        else:
            numbering.append(None)
    found: dict[int, Repair] = {}
    for k, entry in enumerate(numbering):
        if entry is None or entry[1] is not None:
            continue
        near = _neighbours(numbering, k, entry[0])
        guesses = {value + steps for steps, value in near}
        if len(guesses) != 1:
            continue  # no neighbour, or they disagree
        (value,) = guesses
        if not 1 <= value <= len(_DIGITS):
            continue
        text = texts[k]
        start, end = text.index("?"), text.rindex("?", 0, 3) + 1
        digit = _DIGITS[value - 1]
        if not any(
            digit.encode(codec)[-1] in _unpaired(codec, _next_bytes(text, end, codec))
            for codec in ("gbk", "big5")
        ):
            continue  # the bytes say it was some other character
        # both neighbours agreeing leave little doubt; one may have skipped a number
        found[id(blocks[k])] = Repair(
            start, end, digit, LOST_NUMBER, 0.99 if len(near) == 2 else 0.9
        )
    return found


def _neighbours(
    numbering: Sequence[tuple[int, int | None] | None], k: int, level: int
) -> list[tuple[int, int]]:
    """The nearest known numbers of ``level`` before and after line ``k``,
    within the same heading of the level above, as ``(steps, value)``: line
    ``k`` is ``steps`` headings of its level after (or, negative, before) it."""
    near: list[tuple[int, int]] = []
    for step in (-1, 1):
        j, steps = k + step, 0
        while 0 <= j < len(numbering):
            entry = numbering[j]
            if entry is not None and entry[0] < level:
                break  # a heading above: another numbering
            if entry is not None and entry[0] == level:
                steps -= step
                if entry[1] is not None:
                    near.append((steps, entry[1]))
                    break
            j += step
    return near


def _cn_value(numeral: str) -> int:
    """The value of a Chinese numeral up to 99 (0 if it is none).

    >>> _cn_value("三"), _cn_value("十"), _cn_value("十二"), _cn_value("二十三")
    (3, 10, 12, 23)
    """
    tens, _, units = numeral.rpartition("十")
    if "十" not in numeral:
        tens, units = "", numeral
    value = 0
    if "十" in numeral:
        value = 10 * (_DIGITS.index(tens) + 1 if tens else 1)
    if units:
        if len(units) != 1 or units not in _DIGITS[:9]:
            return 0
        value += _DIGITS.index(units) + 1
    return value


def _number_restored(block: Block, found: Repair, index: int) -> tuple[Block, Change]:
    """``block`` with the number ``found`` in place, and the change that records it."""
    first = block.inlines[0]
    assert isinstance(first, Text)  # as _lost_numbers found it
    text = first.text[: found.start] + found.after + first.text[found.end :]
    change = Change(
        stage=STAGE,
        reason=found.reason,
        before=first.text[found.start : found.end],
        after=found.after,
        block=index,
        offset=found.start,
        confidence=found.confidence,
    )
    return replace(block, inlines=(Text(text), *block.inlines[1:])), change


def hanzi_end_odds(lines: Iterable[str]) -> float:
    """The log-odds that a long line of a document ends in a hanzi rather than
    a mark, from the document's own long lines (add-one smoothed).

    A word model knows nothing of where a paragraph ends: it finds
    ``和市场`` as likely as ``和谐。`` at the end of a line.  Most documents
    end their paragraphs with a mark, and their headings are short; a
    hard-wrapped one ends most lines in a hanzi, and then the odds say so.
    Lines ending in ``?`` (maybe damage) do not count.

    >>> round(hanzi_end_odds(["这是一个足够长的句子，它以句号结束，共二十多字。"] * 9), 2)
    -2.3
    >>> hanzi_end_odds([])
    0.0
    """
    ends = [line.rstrip()[-1] for line in lines if len(line.rstrip()) >= LINE_END_MIN]
    ends = [ch for ch in ends if ch != "?"]
    hanzi = sum(1 for ch in ends if is_cjk(ch))
    return math.log((hanzi + 1) / (len(ends) - hanzi + 1))


def _split_inside(reason: str) -> bool:
    """Whether a change's reason is that of text split inside its characters."""
    return SHIFTED in reason or reason.startswith((LOST_WHOLE, LOST_LEAD))


# A line's last '?' after a hanzi, a figure or a closing mark (one '?': a
# character lost whole shows as "??", which find_repairs tries).
_LINE_END_LOST = re.compile(r"(?<=[^\x00-\x7f。！？；：…]|[%0-9)])\?$")
_SENTENCE_MARKS = "。！？!?\n"
_SENTENCE_END = re.compile(f"[{_SENTENCE_MARKS}]")
_PAUSE = re.compile("[，；,;]")  # in a line that is no numbered heading: a sentence


def _lost_stop(
    block: Block, index: int, model: Callable[[], ChineseScorer], previous: str
) -> tuple[Block, Change] | None:
    """A line's last ``?`` read as the mark whose lead byte a chunked decoder dropped.

    ``财富。`` split before its last byte reads ``财富?``: the same as a
    folded question mark.  Only in a document split inside characters
    elsewhere, and where nothing in the sentence asks a question, is it taken
    for a lost mark, ranked among :data:`LINE_END_MARKS` (``。``, the ``：``
    of 通知如下：…); a reading not sure enough becomes a review field.
    """
    last = block.inlines[-1] if block.inlines else None
    if not (isinstance(last, Text) and last.text.endswith("?")):
        return None  # most lines
    if not _line_end_lost(last.text, previous):
        return None
    found = _Repairer(last.text, model(), True).final_mark()
    end = len(block.text) - 1
    inline: Inline = Text(last.text[:-1] + found.after)
    after = found.after
    reason = found.reason
    if found.confidence < _threshold(found):
        inline, after = _review_field(f"r{index}-{end}", "?", found.options), ""
        reason += "; not sure enough, kept for review"
        head = [Text(last.text[:-1])] if len(last.text) > 1 else []
        inlines = (*block.inlines[:-1], *head, inline)
    else:
        inlines = (*block.inlines[:-1], inline)
    change = Change(
        stage=STAGE,
        reason=reason,
        before="?",
        after=after,
        block=index,
        offset=end,
        confidence=found.confidence,
    )
    return replace(block, inlines=inlines), change


def _heading(text: str) -> bool:
    """Whether ``text`` (ending in its damaged ``?``) may be a heading, a title,
    a signature or a date, which end in no mark: shorter than
    :data:`HEADING_MAX`, with no sentence ended within it, and no pause but
    in a numbered heading.

    >>> _heading("三、下一步打?"), _heading("2024年5月23?"), _heading("青山市人民政?")
    (True, True, True)
    >>> _heading("一、凝心聚力,确保大会精神落地见?")
    True
    >>> _heading("会议强调。要抓好落?"), _heading("会议强调,要抓好落?")
    (False, False)
    >>> _heading("今年以来全区各级各部门认真贯彻落实党中央和省委省政府的各项决策部署?")
    False
    """
    end = len(text) - 1
    return (
        len(text) < HEADING_MAX
        and not _SENTENCE_END.search(text, 0, end)
        and (HEADING_START.match(text) is not None or not _PAUSE.search(text, 0, end))
    )


def _line_end_lost(text: str, before: str) -> bool:
    """Whether ``text`` ends in one ``?`` that a lost mark may have left: after a
    hanzi, a figure or a closing mark, in a sentence that asks nothing (also
    on the line before, ``before``, when the sentence began there)."""
    if (
        not text.endswith("?")
        or text.endswith("??")
        or not _LINE_END_LOST.search(text, len(text) - 2)
    ):
        return False
    end = len(text) - 1
    sentence = max(text.rfind(mark, 0, end) for mark in _SENTENCE_MARKS)
    asked = text[sentence + 1 : end]
    if sentence < 0 and not before.endswith(tuple(_SENTENCE_MARKS)):
        asked = before + asked  # the sentence began on the line before
    return not _QUESTION.search(_CLOSED_QUOTE.sub("", asked))


def _open_paren(text: str) -> bool:
    """Whether ``text`` has more opening parentheses (either width) than closing ones."""
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


def _review_count(doc: Document) -> int:
    return sum(1 for _, f in doc.fields() if f.kind == REVIEW_KIND)
