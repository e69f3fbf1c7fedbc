"""Structure stage: decide what each block is (title, salutation, heading, closing ...).

The writers lay blocks out by kind, after GB/T 9704: a title, a salutation
flush left, numbered headings at four levels (``一、`` / ``（一）`` / ``1.`` /
``（1）``), body paragraphs, a closing and a signature or date line.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import Block, BlockKind, Change, Document
from ..options import Options

STAGE = "structure"

_CN_NUM = "一二三四五六七八九十百零〇"
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^([{_CN_NUM}]+、)")),
    (2, re.compile(rf"^([（(][{_CN_NUM}]+[）)])")),
    (3, re.compile(r"^(\d{1,2}[.．、])(?!\d)")),
    (4, re.compile(r"^([（(]\d{1,2}[）)])")),
)
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_SALUTATION = re.compile(r"(同志|朋友|代表|来宾|各位|女士|先生|老师|同学|们)[^，。]{0,4}[：:]$")
_DATE_LINE = re.compile(
    r"^(\d{4}|[〇零一二三四五六七八九]{4})年[\d〇零一二三四五六七八九十]{1,2}月[\d〇零一二三四五六七八九十]{1,3}日$"
)
_CLOSING = re.compile(r"^(最后，|谢谢大家|谢谢！|祝(大家|各位|全体))")

MAX_TITLE = 40
MAX_SALUTATION_INDEX = 5  # a salutation opens the text, after a title and a line or two
MAX_HEADING = 40


def _is_short_line(text: str, limit: int) -> bool:
    """Short, and no sentence ends inside it (a final 。 is allowed)."""
    return 0 < len(text) <= limit and not _SENTENCE_END.search(text[:-1])


def _classify(
    index: int, block: Block, count: int, seen_salutation: bool
) -> tuple[Block, str] | None:
    text = block.text.strip()
    for level, pattern in HEADING_PATTERNS:
        m = pattern.match(text)
        if m and _is_short_line(text, MAX_HEADING):
            return (
                replace(block, kind=BlockKind.HEADING, level=level, number=m.group(1)),
                f"numbered heading, level {level}",
            )
    near_start = index <= MAX_SALUTATION_INDEX and not seen_salutation
    if near_start and len(text) <= 30 and _SALUTATION.search(text):
        return replace(block, kind=BlockKind.SALUTATION), "addresses the audience, then a colon"
    if index == 0 and _is_short_line(text, MAX_TITLE) and not _SENTENCE_END.search(text[-1:]):
        return replace(block, kind=BlockKind.TITLE), "short first line without sentence punctuation"
    if index >= count - 2 and _DATE_LINE.match(text):
        return replace(block, kind=BlockKind.SIGNATURE), "date line at the end"
    if index >= count - 3 and _CLOSING.match(text):
        return replace(block, kind=BlockKind.CLOSING), "closing wishes at the end"
    return None


def detect_structure(doc: Document, opts: Options) -> Document:
    blocks: list[Block] = []
    changes: list[Change] = []
    seen_salutation = False
    for index, block in enumerate(doc.blocks):
        found = None
        if block.kind is BlockKind.PARAGRAPH:
            found = _classify(index, block, len(doc.blocks), seen_salutation)
        if found is None:
            blocks.append(block)
            continue
        new, why = found
        seen_salutation = seen_salutation or new.kind is BlockKind.SALUTATION
        blocks.append(new)
        changes.append(
            Change(
                stage=STAGE,
                reason=f"block is a {new.kind.value}: {why}",
                before=block.kind.value,
                after=new.kind.value,
                block=index,
                confidence=0.8,
            )
        )
    _title_from_meta(doc, blocks, changes)
    if not changes:
        return doc
    return doc.evolve(blocks=blocks, changes=changes)


def _title_from_meta(doc: Document, blocks: list[Block], changes: list[Change]) -> None:
    """Put the known title (:attr:`Meta.title`) on top when no title line opens the text."""
    title = doc.meta.title
    if not title or (blocks and blocks[0].kind is BlockKind.TITLE):
        return
    blocks.insert(0, Block.of_text(title, BlockKind.TITLE))
    changes.append(
        Change(
            stage=STAGE,
            reason="no title line: inserted the document's known title",
            after=title,
            block=0,
            offset=0,
            confidence=0.7,
        )
    )
