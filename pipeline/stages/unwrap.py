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

import re
import unicodedata
from collections import Counter

from ..model import Block, BlockKind, Change, Document, Text
from ..options import Options
from ..textutil import is_cjk

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
_PROSE_MARKS = re.compile(r"[，、；,]")
_INDENT = re.compile(r"^(?:[ \u00a0\t]{2,}|\u3000)")
_EDGE = re.compile(r"^[\s\u3000]+|[\s\u3000]+$")

MAX_TITLE = 40
MIN_WRAP = 16  # narrower "widths" are short lines, not wrapping
MIN_PROSE_LINE = 20
RUN_TOGETHER = 300  # a block this long may hold paragraphs whose breaks were lost
_SPLIT_BEFORE = re.compile(rf"(?<=[。！？!?])\s*(?=[{_CN_NUM}]+、|[（(][{_CN_NUM}]+[）)])")
_SALUTATION = re.compile(
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
    return best


def _joins(prev: str, cur: str, prev_index: int, width: int | None, indents: bool) -> float:
    """Confidence that ``cur`` continues the paragraph ``prev`` (0: it does not)."""
    if not prev or not cur or _HEADING.match(prev) or _HEADING.match(cur):
        return 0.0
    if indents and _INDENT.match(cur):
        return 0.0
    body_prev, body_cur = prev.strip(), cur.strip()
    if _SENTENCE_END.search(body_prev):
        return 0.0
    if prev_index == 0 and len(body_prev) <= MAX_TITLE and not _PROSE_MARKS.search(body_prev):
        return 0.0  # the title
    if _RUNS_ON.search(body_prev) or _CANNOT_START.match(body_cur):
        return 0.95
    if width is not None and width - 4 <= display_width(body_prev) <= width + 1:
        return 0.9
    if (
        is_cjk(body_prev[-1])
        and is_cjk(body_cur[0])
        and len(body_prev) >= MIN_PROSE_LINE
        and _PROSE_MARKS.search(body_prev)
    ):
        return 0.8
    return 0.0


def _split_points(text: str, index: int) -> list[int]:
    """Where a run-together block breaks into paragraphs (offsets in ``text``)."""
    if len(text) < RUN_TOGETHER:
        return []
    points = {m.end() for m in _SPLIT_BEFORE.finditer(text)}
    if index <= 2:
        m = _SALUTATION.search(text, 0, MAX_SALUTATION_OFFSET + 40)
        if m and m.start() <= MAX_SALUTATION_OFFSET:
            glued = m.start() > 0 and not _SENTENCE_END.search(text[: m.start()].rstrip())
            if glued or points:
                if m.start() > 0:
                    points.add(m.start())
                points.add(m.end())
    return sorted(p for p in points if 0 < p < len(text) and text[p:].strip())


def _edge_changes(text: str, index: int) -> list[Change]:
    return [
        Change(STAGE, EDGE_REASON, m.group(), "", index, m.start()) for m in _EDGE.finditer(text)
    ]


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
    width = wrap_width([t.strip() for t, p in zip(texts, plain, strict=True) if p])
    indents = any(_INDENT.match(t) for t, p in zip(texts, plain, strict=True) if p)
    changes: list[Change] = []
    # Paragraphs as lists of input block indices, each to be joined into one block.
    groups: list[list[int]] = []
    for index in range(len(doc.blocks)):
        if plain[index]:
            changes.extend(_edge_changes(texts[index], index))
        if groups and plain[index] and plain[groups[-1][-1]] and groups[-1][-1] == index - 1:
            confidence = _joins(texts[index - 1], texts[index], index - 1, width, indents)
            if confidence:
                glue = _glue(texts[index - 1].strip(), texts[index].strip())
                changes.append(Change(STAGE, JOIN_REASON, "\n", glue, index, 0, confidence))
                groups[-1].append(index)
                continue
        groups.append([index])
    blocks: list[Block] = []
    for group in groups:
        first = group[0]
        if len(group) == 1:
            block = doc.blocks[first]
            if not plain[first]:
                blocks.append(block)
                continue
            split, found = _split(texts[first], first)
            changes.extend(found)
            if split:
                blocks.extend(Block.of_text(piece) for piece in split)
            elif texts[first] != texts[first].strip():
                blocks.append(Block.of_text(texts[first].strip()))
            else:
                blocks.append(block)
            continue
        joined = texts[first].strip()
        for index in group[1:]:
            body = texts[index].strip()
            joined += _glue(joined, body) + body
        blocks.append(Block.of_text(joined))
    if not changes:
        return doc
    return doc.evolve(blocks=blocks, changes=changes)


def _split(text: str, index: int) -> tuple[list[str], list[Change]]:
    """The paragraphs of a run-together block and the splits made (offsets in ``text``)."""
    body = text.strip()
    points = _split_points(body, index)
    if not points:
        return [], []
    lead = len(text) - len(text.lstrip())
    pieces = [body[a:b].strip() for a, b in zip([0, *points], [*points, len(body)], strict=True)]
    changes = [Change(STAGE, SPLIT_REASON, "", "\n", index, lead + p, 0.75) for p in points]
    return [p for p in pieces if p], changes
