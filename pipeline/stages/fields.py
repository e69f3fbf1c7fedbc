"""Fields stage: redacted ``*`` placeholders become typed, labelled fields.

Template websites replace names, places and figures with ``*``.  Each run of
asterisks in Chinese context becomes a :class:`~pipeline.model.Field` whose
kind and label come from the words around it (``增长*%`` is a growth rate,
``第*位`` a rank, ``*市`` a city name).  Fields that must hold the same value
(every ``*市`` of one speech names the same city) share a ``group``.
Arithmetic (``3*4``) and Latin noise (``asd****19``) are not placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..model import Block, Change, Document, Field, Inline, Text
from ..options import Options

STAGE = "fields"

_STARS = re.compile(r"\*+")


@dataclass(frozen=True, slots=True)
class Rule:
    """``after``/``before`` match the text right after/before the placeholder."""

    kind: str
    label: str
    after: re.Pattern[str] | None = None
    before: re.Pattern[str] | None = None
    grouped: bool = False


def _rule(
    kind: str,
    label: str,
    after: str | None = None,
    before: str | None = None,
    grouped: bool = False,
) -> Rule:
    return Rule(
        kind,
        label,
        re.compile(after) if after else None,
        re.compile(before + r"$") if before else None,
        grouped,
    )


# First match wins; the most specific contexts come first.
RULES: tuple[Rule, ...] = (
    _rule("percent", "增幅（%）", after=r"%", before=r"(增长|增加|提高|下降|减少|增幅|上升|回落)"),
    _rule("percent", "百分比（%）", after=r"%"),
    _rule("number", "百分点", after=r"个百分点"),
    _rule("ordinal", "名次", before=r"第", after=r"[位名]"),
    _rule("ordinal", "序号", before=r"第"),
    _rule("year", "年份", before=r"20", after=r"年"),
    _rule("place", "市名", after=r"市(?!场|民|值|委|政府)", grouped=True),
    _rule("place", "县名", after=r"县", grouped=True),
    _rule("place", "区名", after=r"区(?!域|别)", grouped=True),
    _rule("place", "镇名", after=r"镇", grouped=True),
    _rule("place", "省名", after=r"省", grouped=True),
    _rule("count", "人数", after=r"(人|名|位)"),
    _rule("count", "数量", after=r"(个|项|家|次|所|批)"),
    _rule("amount", "金额", after=r"(万|亿)?元"),
)
DEFAULT = Rule("text", "待填")


def classify(before: str, after: str) -> Rule:
    """The rule for a placeholder between ``before`` and ``after`` text.

    >>> classify("地区生产总值增长", "%，").label
    '增幅（%）'
    >>> classify("为", "市经济社会").kind
    'place'
    """
    for rule in RULES:
        if rule.after and not rule.after.match(after):
            continue
        if rule.before and not rule.before.search(before):
            continue
        return rule
    return DEFAULT


def _is_placeholder(text: str, start: int, end: int) -> bool:
    """Asterisks between ASCII letters or digits are arithmetic or noise."""
    left = text[start - 1] if start else ""
    right = text[end] if end < len(text) else ""
    if left.isascii() and left.isalnum():
        return left == "0" and text[max(0, start - 2) : start] == "20"  # 20**年
    return not (right.isascii() and right.isalnum() and right != "%")


def make_fields(doc: Document, opts: Options) -> Document:
    counter = 0
    changes: list[Change] = []
    blocks: list[Block] = []
    for index, block in enumerate(doc.blocks):
        text = block.text
        if "*" not in text or any(isinstance(i, Field) for i in block.inlines):
            # a block that already holds fields (review marks) keeps them as they are
            blocks.append(block)
            continue
        inlines: list[Inline] = []
        pos = 0
        for m in _STARS.finditer(text):
            if not _is_placeholder(text, m.start(), m.end()):
                continue
            counter += 1
            rule = classify(text[: m.start()], text[m.end() :])
            before = text[: m.start()]
            if rule.kind == "year":  # the literal "20" belongs to the field
                before = before[:-2]
            field = Field(
                id=f"f{counter}",
                kind=rule.kind,
                label=rule.label,
                raw=text[len(before) : m.end()],
                group=rule.label if rule.grouped else None,
            )
            if before[pos:]:
                inlines.append(Text(before[pos:]))
            inlines.append(field)
            changes.append(
                Change(
                    stage=STAGE,
                    reason=f"redacted placeholder became field {field.id} ({field.kind})",
                    before=field.raw,
                    after=field.display,
                    block=index,
                    offset=len(before),
                    confidence=0.9 if rule is not DEFAULT else 0.5,
                )
            )
            pos = m.end()
        if pos == 0:
            blocks.append(block)
            continue
        if text[pos:]:
            inlines.append(Text(text[pos:]))
        blocks.append(replace(block, inlines=tuple(inlines)))
    if not changes:
        return doc
    return doc.evolve(blocks=blocks, changes=changes)
