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
    out: list[str] = []
    pos = 0
    for edit in sorted(edits, key=_start):
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


def rewrite_block(
    block: Block, index: int, stage: str, finders: Sequence[Finder]
) -> tuple[Block, list[Change]]:
    """Run the finders over the text runs of one block; the block and its changes.

    ``index`` is the block's position in the stage's input, as logged.  Fields
    are never passed to a finder: what the user fills in is theirs.
    """
    offset = 0
    inlines: list[Inline] = []
    changes: list[Change] = []
    for inline in block.inlines:
        if isinstance(inline, Text):
            edits = merge_edits(inline.text, finders)
            if edits:
                for e in edits:
                    changes.append(
                        Change(
                            stage=stage,
                            reason=e.reason,
                            before=inline.text[e.start : e.end],
                            after=e.after,
                            block=index,
                            offset=offset + e.start,
                            confidence=e.confidence,
                        )
                    )
                new = apply_edits(inline.text, edits)
                offset += len(inline.text)
                if new:
                    inlines.append(Text(new))
                continue
            offset += len(inline.text)
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
    blocks: list[Block] = []
    changes: list[Change] = []
    for index, block in enumerate(doc.blocks):
        new, found = rewrite_block(block, index, stage, finders)
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
        edits: list[Edit] = []
        # The positions that differ, found in C: most characters of a converted text do not.
        changed = compress(count(), map(ne, before, after))
        start = prev = next(changed)
        for i in changed:
            if i != prev + 1:  # a run of changed characters ended at prev
                edits.append(Edit(start, prev + 1, after[start : prev + 1], reason, confidence))
                start = i
            prev = i
        edits.append(Edit(start, prev + 1, after[start : prev + 1], reason, confidence))
        return edits
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, before, after, autojunk=False)
    return [
        Edit(i1, i2, after[j1:j2], reason, confidence)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
