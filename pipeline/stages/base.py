"""The stage contract and the helpers that make recording changes the easy path.

A stage is a pure function ``(Document, Options) -> Document``.  It returns the
very same object when it changed nothing, and otherwise a new document whose
change log gains one :class:`~pipeline.model.Change` per edit.  Stages that
rewrite text describe their work as :class:`Edit` lists over a string and let
:func:`rewrite_text` apply them, so positions are always recorded the same way.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import compress, count
from operator import attrgetter, ne
from typing import TYPE_CHECKING

from ..model import Block, Change, Document, Inline, Text

if TYPE_CHECKING:
    from ..options import Options

Stage = Callable[[Document, "Options"], Document]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` by ``after``, for ``reason``."""

    start: int
    end: int
    after: str
    reason: str
    confidence: float = 1.0


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (in any order) to ``text``.

    >>> apply_edits("a,b", [Edit(1, 2, "，", "punct")])
    'a，b'
    """
    return _apply_in_order(text, sorted(edits, key=_start))


def _apply_in_order(text: str, edits: Sequence[Edit]) -> str:
    """:func:`apply_edits` for edits sorted by position (as :func:`merge_edits` returns them)."""
    out: list[str] = []
    pos = 0
    for edit in edits:
        if edit.start < pos:
            raise ValueError(f"overlapping edits at {edit.start}")
        out.append(text[pos : edit.start])
        out.append(edit.after)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


Finder = Callable[[str], Sequence[Edit]]


def merge_edits(text: str, finders: Sequence[Finder]) -> list[Edit]:
    """All finders' edits on the same ``text``; an edit overlapping an earlier one is dropped.

    Running every finder of a stage on the stage's input (rather than one
    after another) keeps every logged position relative to that one text.

    >>> upper = lambda t: [Edit(0, 2, t[:2].upper(), "up")]
    >>> drop = lambda t: [Edit(1, 3, "", "drop"), Edit(3, 4, "!", "bang")]
    >>> [e.reason for e in merge_edits("abcd", [upper, drop])]
    ['up', 'bang']
    """
    merged: list[Edit] = []
    for find in finders:
        edits = list(find(text))
        if not edits:  # most finders on most lines
            continue
        if not merged:
            merged = sorted(edits, key=_span)
            continue
        for edit in edits:
            i = bisect.bisect_left(merged, _span(edit), key=_span)
            neighbours = merged[max(0, i - 1) : i + 1]
            if not any(_overlap(edit, other) for other in neighbours):
                merged.insert(i, edit)
    return merged


# Sort keys read in C: a stage sorts tens of thousands of edits (one per converted character).
_start = attrgetter("start")
_span: Callable[[Edit], tuple[int, int]] = attrgetter("start", "end")


def _overlap(a: Edit, b: Edit) -> bool:
    if a.start == a.end or b.start == b.end:  # insertions clash only at the same point
        return a.start == b.start or b.start < a.start < b.end or a.start < b.start < a.end
    return a.start < b.end and b.start < a.end


# Rewrites one text run: (its text, its block's index, its offset in the block's
# text) -> (the new text, the changes made, logged at those positions).
RunRewrite = Callable[[str, int, int], tuple[str, list[Change]]]


def rewrite_block(
    block: Block, index: int, stage: str, finders: Sequence[Finder]
) -> tuple[Block, list[Change]]:
    """Run the finders over the text runs of one block; the block and its changes.

    ``index`` is the block's position in the stage's input, as logged.  Fields
    are never passed to a finder: what the user fills in is theirs.
    """
    return rewrite_runs(block, index, _edit_runs(stage, finders))


def _edit_runs(stage: str, finders: Sequence[Finder]) -> RunRewrite:
    """A :data:`RunRewrite` applying the finders' merged edits."""

    def rewrite(text: str, index: int, offset: int) -> tuple[str, list[Change]]:
        edits = merge_edits(text, finders)
        if not edits:
            return text, []
        # Positional arguments, in a comprehension: a stage may log tens of thousands.
        changes = [
            Change(
                stage,
                e.reason,
                text[e.start : e.end],
                e.after,
                index,
                offset + e.start,
                e.confidence,
            )
            for e in edits
        ]
        return _apply_in_order(text, edits), changes

    return rewrite


def rewrite_runs(block: Block, index: int, rewrite: RunRewrite) -> tuple[Block, list[Change]]:
    """``block`` with each text run rewritten (fields stay as they are), and the changes.

    The same block comes back when nothing changed; a run left empty goes.
    """
    offset = 0
    inlines: list[Inline] = []
    changes: list[Change] = []
    for inline in block.inlines:
        if isinstance(inline, Text):
            new, found = rewrite(inline.text, index, offset)
            offset += len(inline.text)
            if found:
                changes += found
                if new:
                    inlines.append(Text(new))
                continue
        else:
            offset += len(inline.raw)
        inlines.append(inline)
    if not changes:
        return block, changes
    return replace(block, inlines=tuple(inlines)), changes


def rewrite_text(doc: Document, stage: str, *finders: Finder) -> Document:
    """Run the finders over every text run of every block, apply and record the edits.

    Positions in the log are relative to the stage's input.
    """
    return rewrite_document(doc, _edit_runs(stage, finders))


def rewrite_document(doc: Document, rewrite: RunRewrite) -> Document:
    """Every text run of every block rewritten; the same document when nothing changed."""
    blocks: list[Block] = []
    changes: list[Change] = []
    for index, block in enumerate(doc.blocks):
        new, found = rewrite_runs(block, index, rewrite)
        blocks.append(new)
        changes.extend(found)
    if not changes:
        return doc
    return doc.evolve(blocks=blocks, changes=changes)


def diff_edits(before: str, after: str, reason: str, confidence: float = 1.0) -> list[Edit]:
    """Edits turning ``before`` into ``after``, one per run of differing characters.

    Converters such as OpenCC return a whole new string; this recovers *where*
    they changed it so the change log stays precise.

    >>> [(e.start, e.end, e.after) for e in diff_edits("這個好東西", "这个好东西", "t2s")]
    [(0, 2, '这个'), (3, 4, '东')]
    """
    if before == after:
        return []
    if len(before) == len(after):
        return [Edit(a, b, after[a:b], reason, confidence) for a, b in diff_spans(before, after)]
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, before, after, autojunk=False)
    return [
        Edit(i1, i2, after[j1:j2], reason, confidence)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def diff_spans(before: str, after: str) -> list[tuple[int, int]]:
    """The runs of differing characters of two texts of one length, as (start, end).

    A converter changes tens of thousands of runs in a big document: a stage
    that logs them straight from here spares an :class:`Edit` for each.

    >>> diff_spans("這個好東西", "这个好东西")
    [(0, 2), (3, 4)]
    """
    spans: list[tuple[int, int]] = []
    # The positions that differ, found in C: most characters of a converted text do not.
    changed = compress(count(), map(ne, before, after))
    start = prev = next(changed, -1)
    if start < 0:
        return spans
    for i in changed:
        if i != prev + 1:  # a run of changed characters ended at prev
            spans.append((start, prev + 1))
            start = i
        prev = i
    spans.append((start, prev + 1))
    return spans
