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
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ..model import Block, BlockKind, Change, Document, Text
from ..options import Options
from ..textutil import is_cjk
from .phrases import compile_both

STAGE = "unwrap"

JOIN_REASON = "joined a hard-wrapped line to its paragraph"
SPLIT_REASON = "split a run-together paragraph"
EDGE_REASON = "removed indentation or trailing spaces"

_CN_NUM = "一二三四五六七八九十百零〇"
_HEADING = re.compile(
    rf"^(?:[{_CN_NUM}]+、|[（(][{_CN_NUM}]+[）)]|\d{{1,2}}[.．、](?!\d)|[（(]\d{{1,2}}[）)]"
    rf"|第[{_CN_NUM}\d]+[章节条部分篇]|[●■◆★☆▲►•·※□√])"
)
_SENTENCE_END = re.compile(r"(?:[。！？；：…]|(?<![\dA-Za-z])[.!?;:])[”’」』）)]*$")
_RUNS_ON = re.compile(r"[，、“‘「『（《〈—]$|(?<=[\u3400-\u9fff]),$")
_CANNOT_START = re.compile(r"^[，。、；：！？）》〉」』”’…]")
_INNER_END = re.compile(r"[。！？；：!?;:]")
_PROSE_MARKS = re.compile(r"[，、；,]")
_INDENT = re.compile(r"^(?:[ \u00a0\t]{2,}|\u3000)")

MAX_TITLE = 40
MIN_WRAP = 16  # narrower "widths" are short lines, not wrapping
MIN_PROSE_LINE = 10
MIN_SPLIT = 120  # shorter blocks hold one paragraph
RUN_TOGETHER = 300  # a block this long may hold paragraphs whose breaks were lost
_SPLIT_BEFORE = re.compile(rf"(?<=[。！？!?])\s*(?=[{_CN_NUM}]+、|[（(][{_CN_NUM}]+[）)])")
# In both scripts: unwrapping runs before the conversion to simplified characters.
_SALUTATION = (
    r"(?:尊敬的|亲爱的|各位)[^，。！？：:]{0,20}?"
    r"(?:同志们|朋友们|代表们|来宾们|女士们|先生们|老师们|同学们|领导|代表|来宾)"
    r"[^，。！？：:]{0,10}[：:]"
    r"|(?:同志们|朋友们|同学们)[：:]"
)
MAX_SALUTATION_OFFSET = 80


def display_width(text: str) -> int:
    """Columns ``text`` takes: a hanzi or full-width mark counts two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap_width(lines: list[str]) -> int | None:
    """The width most unfinished lines share, if the text is hard-wrapped.

    >>> wrap_width(["一二三四五六七八九十一二，", "一二三四五六七八九十一二，"] * 2)
    26
    >>> wrap_width(["短标题", "一句完整的话。"]) is None
    True
    """
    widths = [
        display_width(line)
        for line in lines
        if not _SENTENCE_END.search(line) and display_width(line) >= MIN_WRAP
    ]
    if len(widths) < 3:
        return None
    counts = Counter(widths)
    best = max(counts, key=lambda w: (sum(counts[w - k] for k in range(4)), w))
    band = sum(1 for w in widths if best - 3 <= w <= best + 1)
    if band < 3 or band * 2 < len(widths):
        return None
    # Unnumbered subheadings of one length also share a width; but each is
    # followed by a finished paragraph, while wrapped lines outnumber those
    # or break mid-sentence somewhere.
    ends = sum(1 for line in lines if _SENTENCE_END.search(line))
    broken = sum(
        1 for a, b in itertools.pairwise(lines) if _RUNS_ON.search(a) or _CANNOT_START.match(b)
    )
    if band <= ends and not broken:
        return None
    return best


@dataclass(frozen=True, slots=True)
class Layout:
    """What the whole document says about its line breaks."""

    width: int | None  # the wrap width, when the text is hard-wrapped at one
    indents: bool  # some lines are indented: an indented line starts a paragraph
    wrapped: bool  # evidence of hard wrapping at all


def layout_of(lines: list[str]) -> Layout:
    bodies = [line.strip() for line in lines if line.strip()]
    width = wrap_width(bodies)
    broken = sum(
        1 for a, b in itertools.pairwise(bodies) if _RUNS_ON.search(a) or _CANNOT_START.match(b)
    )
    return Layout(
        width=width,
        indents=any(_INDENT.match(line) for line in lines),
        wrapped=width is not None or broken >= 2,
    )


def _joins(prev: str, cur: str, prev_index: int, layout: Layout) -> float:
    """Confidence that ``cur`` continues the paragraph ``prev`` (0: it does not)."""
    body_prev, body_cur = prev.strip(), cur.strip()
    if not body_prev or not body_cur or _HEADING.match(body_prev) or _HEADING.match(body_cur):
        return 0.0
    if layout.indents and _INDENT.match(cur):
        return 0.0
    if _SENTENCE_END.search(body_prev) or compile_both(_SALUTATION).match(body_cur):
        return 0.0
    if body_prev.startswith(("—", "-")):
        return 0.0  # a subtitle: ——在…上的讲话
    if _RUNS_ON.search(body_prev) or _CANNOT_START.match(body_cur):
        return 0.95
    at_width = (
        layout.width is not None
        and layout.width - 4 <= display_width(body_prev) <= layout.width + 1
    )
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


def _glue(left: str, right: str) -> str:
    """A space where a wrap split two Latin words, nothing between hanzi."""
    a, b = left[-1:], right[:1]
    latin = a.isascii() and b.isascii() and a.isalnum() and b.isalnum()
    return " " if latin and not (a.isdigit() and b.isdigit()) else ""


def unwrap(doc: Document, opts: Options) -> Document:
    plain = [
        b.kind is BlockKind.PARAGRAPH and all(isinstance(i, Text) for i in b.inlines)
        for b in doc.blocks
    ]
    texts = [b.text for b in doc.blocks]
    layout = layout_of([t for t, p in zip(texts, plain, strict=True) if p])
    changes: list[Change] = []
    # Paragraphs as lists of input block indices, each to be joined into one block.
    groups: list[list[int]] = []
    for index in range(len(doc.blocks)):
        if plain[index]:
            changes.extend(_edge_changes(texts[index], index))
        if groups and plain[index] and plain[groups[-1][-1]] and groups[-1][-1] == index - 1:
            confidence = _joins(texts[index - 1], texts[index], index - 1, layout)
            if confidence:
                glue = _glue(texts[index - 1].strip(), texts[index].strip())
                changes.append(Change(STAGE, JOIN_REASON, "\n", glue, index, 0, confidence))
                groups[-1].append(index)
                continue
        groups.append([index])
    blocks: list[Block] = []
    for group in groups:
        first = group[0]
        if not plain[first]:
            blocks.append(doc.blocks[first])
            continue
        # The paragraph's text, and where each input line starts in it.
        joined = ""
        starts: list[int] = []
        for index in group:
            body = texts[index].strip()
            joined += _glue(joined, body) if joined else ""
            starts.append(len(joined))
            joined += body
        points = _split_points(joined, first, len(group) > 1)
        for p in points:
            k = bisect.bisect_right(starts, p) - 1
            index = group[k]
            lead = len(texts[index]) - len(texts[index].lstrip())
            changes.append(Change(STAGE, SPLIT_REASON, "", "\n", index, lead + p - starts[k], 0.75))
        if len(group) == 1 and not points and joined == texts[first]:
            blocks.append(doc.blocks[first])
            continue
        for a, b in zip([0, *points], [*points, len(joined)], strict=True):
            if joined[a:b].strip():
                blocks.append(Block.of_text(joined[a:b].strip()))
    if not changes:
        return doc
    return doc.evolve(blocks=blocks, changes=changes)
