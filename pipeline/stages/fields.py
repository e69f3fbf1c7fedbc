"""Fields stage: redacted placeholders become typed, labelled, grouped fields.

Template websites replace names, places and figures with ``*``, ``X``,
``×``, ``某`` and the like (:mod:`.placeholders` finds and types them).
Each becomes a :class:`~pipeline.model.Field` with an id in reading order
(``f1``, ``f2`` …), a kind, a readable label (市名, 增幅（%）, 名次 …) and,
for fields that must hold one value (every ``*市`` of a speech names the same
city), a shared ``group``.  A figure that was deleted outright
(``地区生产总值亿元``) becomes an empty-raw field and a warning.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Block, Change, Document, Field, Inline, Text
from ..options import Options
from .mojibake import REVIEW_KIND
from .placeholders import Span, find_deleted_numbers, find_placeholders

STAGE = "fields"


def find_spans(text: str) -> list[Span]:
    """Placeholders and deleted numbers of one block's text, in reading order."""
    spans = find_placeholders(text)
    return sorted(spans + find_deleted_numbers(text, spans), key=lambda s: (s.start, s.end))


def _build(text: str, spans: list[Span], first_id: int) -> tuple[list[Inline], list[Field]]:
    inlines: list[Inline] = []
    fields: list[Field] = []
    pos = 0
    for number, span in enumerate(spans, start=first_id):
        if text[pos : span.start]:
            inlines.append(Text(text[pos : span.start]))
        field = Field(
            id=f"f{number}",
            kind=span.kind,
            label=span.label,
            raw=text[span.start : span.end],
            group=span.label if span.grouped else None,
        )
        inlines.append(field)
        fields.append(field)
        pos = span.end
    if text[pos:]:
        inlines.append(Text(text[pos:]))
    return inlines, fields


def make_fields(doc: Document, opts: Options) -> Document:
    if any(f.kind != REVIEW_KIND for _, f in doc.fields()):
        return doc  # already done: ids must stay stable
    counter = 1
    changes: list[Change] = []
    blocks: list[Block] = []
    deleted: list[str] = []
    for index, block in enumerate(doc.blocks):
        inlines: list[Inline] = []
        offset = 0
        for inline in block.inlines:
            # text runs only: a review mark left by the mojibake stage stays as it is
            spans = find_spans(inline.text) if isinstance(inline, Text) else []
            if not isinstance(inline, Text) or not spans:
                inlines.append(inline)
                offset += len(inline.text if isinstance(inline, Text) else inline.raw)
                continue
            text = inline.text
            built, fields = _build(text, spans, counter)
            counter += len(fields)
            inlines.extend(built)
            for span, field in zip(spans, fields, strict=True):
                if span.deleted:
                    left, right = text[max(0, span.start - 6) : span.start], text[span.start :][:4]
                    deleted.append(f"{field.id} {left}【】{right}")
                    reason = f"a figure seems deleted here: field {field.id} ({field.label})"
                else:
                    reason = f"redacted placeholder became field {field.id} ({field.label})"
                changes.append(
                    Change(
                        stage=STAGE,
                        reason=reason,
                        before=field.raw,
                        after=field.display,
                        block=index,
                        offset=offset + span.start,
                        confidence=span.confidence,
                    )
                )
            offset += len(text)
        blocks.append(
            replace(block, inlines=tuple(inlines)) if inlines != list(block.inlines) else block
        )
    if not changes:
        return doc
    out = doc.evolve(blocks=blocks, changes=changes)
    if deleted:
        shown = "; ".join(deleted[:5]) + (" …" if len(deleted) > 5 else "")
        out = out.warn(
            f"{len(deleted)} figure(s) seem deleted from the source (marked as fields): {shown}"
        )
    return out


def field_positions(doc: Document) -> dict[str, tuple[int, int]]:
    """Field id -> (block index, character offset in that block's source text)."""
    positions: dict[str, tuple[int, int]] = {}
    for index, block in enumerate(doc.blocks):
        offset = 0
        for inline in block.inlines:
            if isinstance(inline, Field):
                positions[inline.id] = (index, offset)
                offset += len(inline.raw)
            else:
                offset += len(inline.text)
    return positions


def unfilled(doc: Document) -> list[Field]:
    """The fields nobody gave a value yet, in reading order."""
    return [f for _, f in doc.fields() if f.value is None]
