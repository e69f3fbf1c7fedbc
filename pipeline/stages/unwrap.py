"""Unwrap stage: give back the paragraphs the author wrote.

The reader makes one block per input line, so text copied from a PDF or a
narrow web page arrives hard-wrapped: one paragraph over many blocks.  A
block is joined to the one before when that one clearly runs on:

* it ends mid-sentence (``，``, ``、``, an opening quote or bracket), or the
  next starts with a mark no line may start with (``，`` ``。`` ``）`` …);
* it fills the document's wrap width (most unfinished lines share one width);
* or it is a long line of prose whose last character and the next line's
  first are both hanzi.

Never after a sentence end (``。！？；：…``), a heading, a salutation or the
title, never before a heading or an indented line.  The opposite damage,
every break lost, is repaired from cues: a long run-together block is split
before ``一、`` or ``（一）`` following a sentence end, and around the
salutation (``…同志们：``) near the top.  Indentation and trailing spaces are
layout, which the writers own, and are removed here after serving as cues.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..model import Block, BlockKind, Change, Document, Field, Inline, Text
from ..options import Options
from ..textutil import CN_NUMERALS, HEADING_START, MAX_PARAGRAPH, is_cjk
from .base import Edit, apply_edits, merge_edits
from .noise import find_junk_edits
from .phrases import compile_both
from .pinyin import find_pinyin_edits

STAGE = "unwrap"

JOIN_REASON = "joined a hard-wrapped line to its paragraph"
SPLIT_REASON = "split a run-together paragraph"
EDGE_REASON = "removed indentation or trailing spaces"

# a folded comma runs on after a hanzi, a figure (8.2%,) or a closing mark
_RUNS_ON = re.compile(
    r"[，、“‘「『（《〈—]$|(?<=[\u3400-\u9fff])\($|(?<=[\u3400-\u9fff\d%％”’）)]),$"
)
_CANNOT_START = re.compile(r"^[，。、；：！？）》〉」』”’…,;:!?)]")
_INNER_END = re.compile(r"[。！？；：!?;:]")
_PROSE_MARKS = re.compile(r"[，、；,]")
_INDENT = re.compile(r"^(?:[ \u00a0\t]{2,}|\u3000)")

MAX_TITLE = 40
MIN_WRAP = 16  # narrower "widths" are short lines, not wrapping
MIN_PROSE_LINE = 10
MIN_SPLIT = 120  # shorter blocks hold one paragraph
RUN_TOGETHER = 300  # a block this long may hold paragraphs whose breaks were lost
_SPLIT_BEFORE = re.compile(rf"(?<=[。！？!?])\s*(?=[{CN_NUMERALS}]+、|[（(][{CN_NUMERALS}]+[）)])")
# In both scripts: unwrapping runs before the conversion to simplified characters.
_SALUTATION = (
    r"(?:尊敬的|亲爱的|各位)[^，。！？：:]{0,20}?"
    r"(?:同志们|朋友们|代表们|来宾们|女士们|先生们|老师们|同学们|领导|代表|来宾)"
    r"[^，。！？：:]{0,10}[：:]"
    r"|(?:同志们|朋友们|同学们)[：:]"
)
MAX_SALUTATION_OFFSET = 80
# Stand-ins for fields (see _with_fields): a run of one private-use character.
_STAND_IN = re.compile("([\U000f0000-\U000ffffd])\\1*")
_SEAM_FINDERS = (find_pinyin_edits, find_junk_edits)
# A line ending in a hanzi, or in a hanzi and the opening of a reading
# (``新(x``), whose reading the next line may carry on.
_OPEN_GLOSS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff](?: ?[(（][^()（）]{0,39})?$")


# Full-width in Chinese type: CJK and Hangul blocks, full-width forms, and the
# ambiguous-width marks Chinese text uses (quotes, ellipsis, dash, middle dot).
_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
    "\u2018\u2019\u201c\u201d\u2026\u2014\u00b7\u00d7\u00f7\u00b0\u203b\u2116"
)
# Counted rather than the wide ones: Chinese text holds few (a list per line is built).
_NARROW = re.compile(f"[^{_WIDE}]")


Measure = Callable[[str], int]


# A line ends a sentence with one of these, then only closing quotes or brackets;
# an ASCII mark must not follow a digit (``3.5``, ``第3.``).
_END_MARKS = "。！？；：…"
_ASCII_END_MARKS = ".!?;:"
_CLOSERS = "”’」』）)"


def ends_sentence(line: str) -> bool:
    """Whether ``line`` ends a sentence (a line break after it may end a paragraph).

    The same as searching ``(?:[。！？；：…]|(?<!\\d)[.!?;:])[”’」』）)]*$``, a
    tenth of the time: a regex anchored at the end tries every position, and
    every line of a document is asked, in two stages.

    >>> [ends_sentence(line) for line in ("“好。”", "共3.5", "第3.", "好.")]
    [True, False, False, True]
    """
    body = line[:-1] if line.endswith("\n") else line  # as ``$`` matches before a last newline
    body = body.rstrip(_CLOSERS)
    if not body:
        return False
    if body[-1] in _END_MARKS:
        return True
    return body[-1] in _ASCII_END_MARKS and not (len(body) > 1 and body[-2].isdecimal())


def display_width(text: str) -> int:
    """Columns ``text`` takes: a hanzi or full-width mark counts two.

    Ambiguous-width marks (``“”…—``) are full width in Chinese type.

    >>> display_width("中文“ab”")
    10
    """
    return 2 * len(text) - len(_NARROW.findall(text))


def _band(widths: list[int]) -> tuple[int, int]:
    """The most shared width (allowing a few columns short of it) and how many share it."""
    counts = Counter(widths)
    best = max(counts, key=lambda w: (sum(counts[w - k] for k in range(4)), w))
    return best, sum(1 for w in widths if best - 3 <= w <= best + 1)


def char_count(text: str) -> int:
    """Characters: web pages wrap copied text by count, not by columns."""
    return len(text)


def wrap_width(lines: list[str], measure: Measure = display_width) -> int | None:
    """The width most unfinished lines share, if the text is hard-wrapped.

    >>> wrap_width(["一二三四五六七八九十一二，", "一二三四五六七八九十一二，"] * 2)
    26
    >>> wrap_width(["短标题", "一句完整的话。"]) is None
    True
    """
    finished = list(map(ends_sentence, lines))
    return _wrap_width(list(map(measure, lines)), finished, lambda: _broken(lines))


def _wrap_width(widths: list[int], finished: list[bool], broken: Callable[[], int]) -> int | None:
    """:func:`wrap_width` of lines already measured: their ``widths``, whether each
    ends a sentence, and a function counting the breaks that cannot end a paragraph
    (called only when needed).  :func:`layout_of` tries two measures on one text."""
    unfinished = [w for w, end in zip(widths, finished, strict=True) if not end and w >= MIN_WRAP]
    if len(unfinished) < 3:
        return None
    best, band = _band(unfinished)
    if band < 3 or band * 2 < len(unfinished):
        return None
    # Unnumbered subheadings of one length also share a width; but each is
    # followed by a finished paragraph, while wrapped lines outnumber those
    # or break mid-sentence somewhere.
    if band <= sum(finished) and not broken():
        return None
    return best


def _broken(lines: list[str]) -> int:
    """Line breaks that cannot end a paragraph: after ``，``, before ``。`` ..."""
    return sum(
        1 for a, b in itertools.pairwise(lines) if _RUNS_ON.search(a) or _CANNOT_START.match(b)
    )


@dataclass(frozen=True, slots=True)
class Layout:
    """What the whole document says about its line breaks."""

    width: int | None  # the wrap width, when the text is hard-wrapped at one
    measure: Measure  # columns (PDF copies) or characters (web copies wrap by count)
    indents: bool  # some lines are indented: an indented line starts a paragraph
    wrapped: bool  # evidence of hard wrapping at all


def layout_of(lines: list[str]) -> Layout:
    bodies = [body for body in map(str.strip, lines) if body]
    finished = list(map(ends_sentence, bodies))
    broken = functools.cache(lambda: _broken(bodies))
    # Columns for PDF copies, characters for web copies: whichever more lines share.
    width, measure, share = None, display_width, 0
    for candidate in (display_width, char_count):
        widths = list(map(candidate, bodies))
        found = _wrap_width(widths, finished, broken)
        if found is not None:
            band = sum(1 for w in widths if found - 3 <= w <= found + 1)
            if band > share:
                width, measure, share = found, candidate, band
    return Layout(
        width=width,
        measure=measure,
        indents=any(_INDENT.match(line) for line in lines),
        wrapped=width is not None or broken() >= 2,
    )


def joins(prev: str, cur: str, prev_index: int, layout: Layout) -> float:
    """Confidence that ``cur`` continues the paragraph ``prev`` (0: it does not)."""
    body_prev, body_cur = prev.strip(), cur.strip()
    if not body_prev or not body_cur or HEADING_START.match(body_cur):
        return 0.0
    if layout.indents and _INDENT.match(cur):
        return 0.0
    if _CANNOT_START.match(body_cur):
        return 0.95  # no line starts with a closing mark, whatever the line before
    # A reading needs its parenthesis on one of the lines (most have none: no scan).
    glossed = "(" in body_prev or "（" in body_prev or "(" in body_cur or "（" in body_cur
    gloss = _OPEN_GLOSS.search(body_prev) if glossed else None
    if gloss and any(
        e.end > len(gloss.group()) for e in find_pinyin_edits(gloss.group() + body_cur)
    ):
        return 0.95  # the reading of the character that ends the line runs over the break
    at_width = (
        layout.width is not None
        and layout.width - 4 <= layout.measure(body_prev) <= layout.width + 1
    )
    if HEADING_START.match(body_prev) and not (at_width or _RUNS_ON.search(body_prev)):
        return 0.0  # a numbered heading ends its line, unless the line was cut short
    if ends_sentence(body_prev) or compile_both(_SALUTATION).match(body_cur):
        return 0.0
    if body_prev.startswith(("—", "-")):
        return 0.0  # a subtitle: ——在…上的讲话
    if _RUNS_ON.search(body_prev):
        return 0.95
    if (
        prev_index <= 1
        and len(body_prev) <= MAX_TITLE
        and not at_width
        and not _INNER_END.search(body_prev)
    ):
        return 0.0  # the title or a subtitle
    if at_width:
        return 0.9
    if (
        layout.wrapped
        and is_cjk(body_prev[-1])
        and is_cjk(body_cur[0])
        and len(body_prev) >= MIN_PROSE_LINE
        and _PROSE_MARKS.search(body_prev)
    ):
        return 0.8
    return 0.0


def _split_points(text: str, index: int, joined: bool) -> list[int]:
    """Where a run-together block breaks into paragraphs (offsets in ``text``).

    A heading number after a sentence end (``…。一、``) opens a paragraph in any
    block long enough to hold several; a salutation near the top ends one when
    the block is evidently run together (long, rebuilt from wrapped lines
    (``joined``), or holding such a heading).
    """
    points: set[int] = set()
    if len(text) >= MIN_SPLIT:
        points = {m.end() for m in _SPLIT_BEFORE.finditer(text)}
    if index <= 2 and (joined or points or len(text) >= RUN_TOGETHER):
        m = compile_both(_SALUTATION).search(text, 0, MAX_SALUTATION_OFFSET + 40)
        if m and m.start() <= MAX_SALUTATION_OFFSET:
            points.update((m.start(), m.end()))
    return sorted(p for p in points if 0 < p < len(text) and text[p:].strip())


def _edge_changes(text: str, index: int) -> list[Change]:
    """Indentation and trailing spaces (``str.strip``: linear, unlike an end-anchored regex)."""
    body = text.strip()
    if body == text:
        return []
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    changes = []
    if lead:
        changes.append(Change(STAGE, EDGE_REASON, text[:lead], "", index, 0))
    if trail and body:
        end = lead + len(body)
        changes.append(Change(STAGE, EDGE_REASON, text[end:], "", index, end))
    return changes


_LATIN_WORDS = re.compile(r"[A-Za-z]+[ ,;:]+[A-Za-z]+$")


def _glue(left: str, right: str) -> str:
    """A space where a wrap split English text between two words, else nothing.

    Only after a run of Latin words: hanzi need no space, and Latin letters
    glued to hanzi (``劳动as|d****19``, ``会(h|uì)``) are split inside a token.
    """
    latin = right[:1].isascii() and right[:1].isalpha()
    return " " if latin and _LATIN_WORDS.search(left[-40:]) else ""


def _old_position(p: int, edits: list[Edit]) -> int:
    """Where position ``p`` of the edited text was before ``edits`` (sorted) were applied."""
    shift = 0
    for e in edits:
        if p < e.start - shift + len(e.after):
            break
        shift += (e.end - e.start) - len(e.after)
    return p + shift


def _paragraph(group: list[int], texts: list[str]) -> tuple[str, str, list[Edit], list[int]]:
    """The lines of ``group`` joined, before and after the noise edits that a
    line break hid from the cleanup; those edits; where each line starts."""
    joined = ""
    starts: list[int] = []
    seams: list[tuple[int, int]] = []
    for index in group:
        body = texts[index].strip()
        glue = _glue(joined, body) if joined else ""
        if joined:
            seams.append((len(joined), len(joined) + len(glue)))
        joined += glue
        starts.append(len(joined))
        joined += body
    found = merge_edits(joined, _SEAM_FINDERS) if seams else []  # a line alone was cleaned up
    edits = [
        e
        for e in found
        if any(e.start <= b and e.end >= a for a, b in seams)
        and not _STAND_IN.search(joined, e.start, e.end)  # a field is never edited
    ]
    return joined, apply_edits(joined, edits), edits, starts


# A field (a placeholder or a span kept for review) stands in a paragraph's
# text as this many private-use characters, one code point per field, as long
# as its raw text: lines holding one are joined and split like any other, and
# the logged offsets stay those of the block's text.
_FIELD_BASE = 0xF0000


def _with_fields(block: Block, fields: list[Field]) -> str:
    """``block.text`` with each field's raw text replaced by its stand-in characters."""
    out = []
    for inline in block.inlines:
        if isinstance(inline, Text):
            out.append(inline.text)
        else:
            out.append(chr(_FIELD_BASE + len(fields)) * max(1, len(inline.raw)))
            fields.append(inline)
    return "".join(out)


def _block_of(text: str, fields: list[Field]) -> Block:
    """A paragraph of ``text``, its stand-in characters back as the fields they stand for."""
    inlines: list[Inline] = []
    pos = 0
    for m in _STAND_IN.finditer(text):
        if m.start() > pos:
            inlines.append(Text(text[pos : m.start()]))
        inlines.append(fields[ord(m.group(1)) - _FIELD_BASE])
        pos = m.end()
    if pos < len(text):
        inlines.append(Text(text[pos:]))
    return Block(kind=BlockKind.PARAGRAPH, inlines=tuple(inlines))


def unwrap(doc: Document, opts: Options) -> Document:
    plain = [b.kind is BlockKind.PARAGRAPH for b in doc.blocks]
    fields: list[Field] = []
    texts = [
        _with_fields(b, fields) if p else b.text for b, p in zip(doc.blocks, plain, strict=True)
    ]
    layout = layout_of([t for t, p in zip(texts, plain, strict=True) if p])
    changes: list[Change] = []
    # Paragraphs as lists of input block indices, each to be joined into one block.
    groups: list[list[int]] = []
    size = 0  # characters in the last group: a paragraph never grows past MAX_PARAGRAPH
    for index in range(len(doc.blocks)):
        if plain[index]:
            changes.extend(_edge_changes(texts[index], index))
        if (
            groups
            and plain[index]
            and plain[groups[-1][-1]]
            and groups[-1][-1] == index - 1
            and size + len(texts[index]) <= MAX_PARAGRAPH
        ):
            confidence = joins(texts[index - 1], texts[index], index - 1, layout)
            if confidence:
                glue = _glue(texts[index - 1].strip(), texts[index].strip())
                changes.append(Change(STAGE, JOIN_REASON, "\n", glue, index, 0, confidence))
                groups[-1].append(index)
                size += len(texts[index])
                continue
        groups.append([index])
        size = len(texts[index])
    blocks: list[Block] = []
    for group in groups:
        first = group[0]
        if not plain[first]:
            blocks.append(doc.blocks[first])
            continue
        unedited, joined, edits, starts = _paragraph(group, texts)
        for e in edits:
            k = bisect.bisect_right(starts, e.start) - 1
            index = group[k]
            lead = len(texts[index]) - len(texts[index].lstrip())
            changes.append(
                Change(
                    STAGE,
                    f"{e.reason} (split by a line break, so left by the cleanup)",
                    unedited[e.start : e.end],
                    e.after,
                    index,
                    lead + max(0, e.start - starts[k]),
                    e.confidence,
                )
            )
        points = _split_points(joined, first, len(group) > 1)
        for p in points:
            old = _old_position(p, edits)
            k = bisect.bisect_right(starts, old) - 1
            index = group[k]
            lead = len(texts[index]) - len(texts[index].lstrip())
            changes.append(
                Change(STAGE, SPLIT_REASON, "", "\n", index, lead + old - starts[k], 0.75)
            )
        if len(group) == 1 and not points and joined == texts[first]:
            blocks.append(doc.blocks[first])
            continue
        for a, b in zip([0, *points], [*points, len(joined)], strict=True):
            if joined[a:b].strip():
                blocks.append(_block_of(joined[a:b].strip(), fields))
    if not changes:
        return doc
    return doc.evolve(blocks=blocks, changes=changes)
