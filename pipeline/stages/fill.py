"""Fill stage: give fields the values of ``Options.values``, checked by field type.

A field takes, first match wins: the document's value for its id, for its
group, for its label; then the shared value for its group, for its label.
A value of the wrong type (a percent that is no number) or a per-document key
that names no field of that document is the user's mistake, so it raises
:class:`~pipeline.values.ValuesError` naming the file, document and field;
the runner turns it into a usage error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..model import Block, Change, Document, Field, Inline
from ..options import Options
from ..values import ValuesError, check_value
from .fields import field_positions

STAGE = "fill"


def _lookup(f: Field, own: Mapping[str, str], shared: Mapping[str, str]) -> str | None:
    for table, keys in ((own, (f.id, f.group, f.label)), (shared, (f.group, f.label))):
        for key in keys:
            if key is not None and key in table:
                return table[key]
    return None


def fill(doc: Document, opts: Options) -> Document:
    values = opts.values
    if values is None:
        return doc
    name, own = values.for_document(doc.meta.source)
    fields = [f for _, f in doc.fields()]
    known = {f.id for f in fields} | {f.label for f in fields} | {f.group for f in fields}
    stray = sorted(set(own) - known)
    if stray:
        ids = ", ".join(f.id for f in fields) or "none"
        raise ValuesError(
            f"{values.source}: document {name}: no field or group named {', '.join(stray)} "
            f"(its fields: {ids})"
        )
    positions = field_positions(doc)
    filled: dict[str, str] = {}
    for f in fields:
        value = _lookup(f, own, values.shared)
        if value is None or not value.strip() or value == f.value:
            continue
        try:
            filled[f.id] = check_value(f.kind, value)
        except ValueError as exc:
            raise ValuesError(
                f"{values.source}: document {name}: field {f.id} ({f.label}, {f.kind}): "
                f"{value!r} {exc}"
            ) from None
    if not filled:
        return doc
    blocks: list[Block] = []
    changes: list[Change] = []
    for block in doc.blocks:
        if not any(f.id in filled for f in block.fields()):
            blocks.append(block)
            continue
        inlines: list[Inline] = []
        for inline in block.inlines:
            if isinstance(inline, Field) and inline.id in filled:
                new = replace(inline, value=filled[inline.id])
                index, offset = positions[inline.id]
                changes.append(
                    Change(
                        stage=STAGE,
                        reason=f"filled field {inline.id} ({inline.label}) from {values.source}",
                        before=inline.raw,
                        after=new.display,
                        block=index,
                        offset=offset,
                    )
                )
                inline = new
            inlines.append(inline)
        blocks.append(replace(block, inlines=tuple(inlines)))
    return doc.evolve(blocks=blocks, changes=changes)
