"""The typed document that every stage reads and returns, and every writer renders.

Readers turn bytes into a :class:`Document`; stages return a new ``Document``
(the old one is never mutated, so a failed stage can be dropped and its input
kept); writers turn it into bytes.  Everything that changes text appends a
:class:`Change` to :attr:`Document.changes`, so a user can see *what* changed,
*where*, *why* and *how sure* the program was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class Text:
    """A run of plain text inside a block."""

    text: str


@dataclass(frozen=True, slots=True)
class Field:
    """A placeholder the source redacted (``*``), to be filled by the user.

    ``raw`` is what the source had; ``label`` is what an unfilled field shows
    (rendered as 【label】); ``group`` names the fields that share one value.
    """

    id: str
    kind: str
    label: str
    raw: str
    value: str | None = None
    group: str | None = None

    @property
    def display(self) -> str:
        """What a reader sees: the value once filled, else the bracketed label."""
        return self.value if self.value is not None else f"【{self.label}】"


Inline = Text | Field


class BlockKind(StrEnum):
    """What a block is in the document's structure (GB/T 9704 terms)."""

    TITLE = "title"
    SUBTITLE = "subtitle"
    SALUTATION = "salutation"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    CLOSING = "closing"
    SIGNATURE = "signature"


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph-level unit: its kind and its inline parts.

    ``level`` is the heading level (1 = ``一、``, 2 = ``（一）``, 3 = ``1.``,
    4 = ``（1）``) and ``number`` the numbering text found, for headings only.
    ``lead`` is the length, in characters of :attr:`text`, of a lead sentence
    (``一要…。``, ``一是…；``, ``首先，…。``) that opens the block and is set in bold.
    """

    kind: BlockKind
    inlines: tuple[Inline, ...]
    level: int = 0
    number: str = ""
    lead: int = 0

    @classmethod
    def of_text(cls, text: str, kind: BlockKind = BlockKind.PARAGRAPH) -> Block:
        return cls(kind=kind, inlines=(Text(text),) if text else ())

    @property
    def text(self) -> str:
        """The block's source text; a field counts as its raw placeholder."""
        return "".join(i.text if isinstance(i, Text) else i.raw for i in self.inlines)

    @property
    def display_text(self) -> str:
        """The text a reader of the handout sees (fields as label or value)."""
        return "".join(i.text if isinstance(i, Text) else i.display for i in self.inlines)

    def fields(self) -> Iterator[Field]:
        return (i for i in self.inlines if isinstance(i, Field))

    def marked_inlines(self) -> Iterator[tuple[Inline, bool]]:
        """The inlines, each with whether it lies in the lead sentence.

        A text run that straddles the end of the lead is cut in two; a field
        counts as its raw placeholder and belongs to the lead if it starts in it.

        >>> b = Block(BlockKind.PARAGRAPH, (Text("一要学习。要实干。"),), lead=5)
        >>> [(i.text, strong) for i, strong in b.marked_inlines()]
        [('一要学习。', True), ('要实干。', False)]
        """
        left = self.lead
        for inline in self.inlines:
            if isinstance(inline, Text) and 0 < left < len(inline.text):
                yield Text(inline.text[:left]), True
                yield Text(inline.text[left:]), False
                left = 0
                continue
            size = len(inline.text) if isinstance(inline, Text) else len(inline.raw)
            yield inline, left > 0
            left = max(0, left - size)


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change: the unit of the change log.

    ``block`` and ``offset`` locate ``before`` in the document *as the stage
    saw it* (block index, character offset in that block's text); a stage that
    drops or merges blocks shifts the indices seen by later stages, exactly as
    a patch series does.  ``count`` > 1 summarises identical repeated changes.
    """

    stage: str
    reason: str
    before: str = ""
    after: str = ""
    block: int | None = None
    offset: int | None = None
    confidence: float = 1.0
    count: int = 1


@dataclass(frozen=True, slots=True)
class Meta:
    """What is known about the document besides its blocks."""

    source: str
    encoding: str | None = None
    encoding_confidence: float | None = None
    title: str | None = None
    language: str = "zh-CN"
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """Blocks, metadata and the change log of everything done to them."""

    meta: Meta
    blocks: tuple[Block, ...] = ()
    changes: tuple[Change, ...] = field(default=())

    def evolve(
        self,
        *,
        blocks: Iterable[Block] | None = None,
        meta: Meta | None = None,
        changes: Iterable[Change] = (),
    ) -> Document:
        """A new document with some parts replaced and ``changes`` appended."""
        return Document(
            meta=self.meta if meta is None else meta,
            blocks=self.blocks if blocks is None else tuple(blocks),
            changes=self.changes + tuple(changes),
        )

    def warn(self, message: str) -> Document:
        return self.evolve(meta=replace(self.meta, warnings=(*self.meta.warnings, message)))

    @property
    def text(self) -> str:
        """All blocks' source text, one block per line."""
        return "\n".join(b.text for b in self.blocks)

    @property
    def title(self) -> str | None:
        for block in self.blocks:
            if block.kind is BlockKind.TITLE:
                return block.display_text
        return self.meta.title

    def fields(self) -> Iterator[tuple[int, Field]]:
        """Every field with the index of its block, in reading order."""
        for index, block in enumerate(self.blocks):
            for f in block.fields():
                yield index, f


def inline_to_dict(inline: Inline) -> dict[str, Any]:
    if isinstance(inline, Text):
        return {"type": "text", "text": inline.text}
    return {
        "type": "field",
        "id": inline.id,
        "kind": inline.kind,
        "label": inline.label,
        "raw": inline.raw,
        "value": inline.value,
        "group": inline.group,
    }


def inline_from_dict(data: dict[str, Any]) -> Inline:
    if data["type"] == "text":
        return Text(data["text"])
    return Field(
        id=data["id"],
        kind=data["kind"],
        label=data["label"],
        raw=data["raw"],
        value=data.get("value"),
        group=data.get("group"),
    )


def document_to_dict(doc: Document) -> dict[str, Any]:
    """A JSON-ready view of the document: stable keys, nothing lost."""
    fields = []
    for index, block in enumerate(doc.blocks):
        offset = 0  # in the block's source text, where the field's raw placeholder starts
        for inline in block.inlines:
            if isinstance(inline, Field):
                entry = inline_to_dict(inline)
                entry["type"] = inline.kind
                entry["block"] = index
                entry["offset"] = offset
                fields.append(entry)
                offset += len(inline.raw)
            else:
                offset += len(inline.text)
    return {
        "meta": {
            "source": doc.meta.source,
            "encoding": doc.meta.encoding,
            "encoding_confidence": doc.meta.encoding_confidence,
            "title": doc.title,
            "language": doc.meta.language,
            "warnings": list(doc.meta.warnings),
        },
        "blocks": [
            {
                "kind": b.kind.value,
                "level": b.level,
                "number": b.number,
                "lead": b.lead,
                "inlines": [inline_to_dict(i) for i in b.inlines],
            }
            for b in doc.blocks
        ],
        "fields": fields,
        "changes": [
            {
                "stage": c.stage,
                "block": c.block,
                "offset": c.offset,
                "before": c.before,
                "after": c.after,
                "reason": c.reason,
                "confidence": c.confidence,
                "count": c.count,
            }
            for c in doc.changes
        ],
    }


def document_from_dict(data: dict[str, Any]) -> Document:
    """Inverse of :func:`document_to_dict` (used to inspect and diff outputs)."""
    meta = data["meta"]
    return Document(
        meta=Meta(
            source=meta["source"],
            encoding=meta.get("encoding"),
            encoding_confidence=meta.get("encoding_confidence"),
            title=meta.get("title"),
            language=meta.get("language", "zh-CN"),
            warnings=tuple(meta.get("warnings", ())),
        ),
        blocks=tuple(
            Block(
                kind=BlockKind(b["kind"]),
                inlines=tuple(inline_from_dict(i) for i in b["inlines"]),
                level=b.get("level", 0),
                number=b.get("number", ""),
                lead=b.get("lead", 0),
            )
            for b in data["blocks"]
        ),
        changes=tuple(
            Change(
                stage=c["stage"],
                reason=c["reason"],
                before=c.get("before", ""),
                after=c.get("after", ""),
                block=c.get("block"),
                offset=c.get("offset"),
                confidence=c.get("confidence", 1.0),
                count=c.get("count", 1),
            )
            for c in data["changes"]
        ),
    )
