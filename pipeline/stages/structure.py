"""Structure stage: decide what each block is (title, salutation, heading, closing ...).

The writers lay blocks out by kind, after GB/T 9704: a title (detected, or the
candidate an earlier stage left in ``meta.title``), a subtitle or date line
under it, a salutation flush left, numbered headings at four levels (``一、`` /
``（一）`` / ``1.`` / ``（1）``), body paragraphs whose opening lead sentence
(``一要…。``, ``一是…；``, ``首先，…。``) is set in bold, closing wishes and a
signature or date line.  Writers only render what is decided here.
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
_SALUTATION = re.compile(
    r"(同志|朋友|代表|来宾|各位|各单位|各部门|女士|先生|老师|同学|们)[^，。]{0,4}[：:]$"
)
_DATE_LINE = re.compile(
    r"^(\d{4}|[〇零一二三四五六七八九]{4})年[\d〇零一二三四五六七八九十]{1,2}月[\d〇零一二三四五六七八九十]{1,3}日$"
)
_CLOSING = re.compile(r"^(最后，|谢谢大家|谢谢！|祝(大家|各位|全体))")
# "各位劳模、同志们！…祝大家…" : the speech's last paragraph addresses the audience again.
_CLOSING_ADDRESS = re.compile(r"^[^，。！]{0,16}(同志|朋友|代表|来宾|们)[^，。]{0,4}！")
_SUBTITLE = re.compile(
    r"^(——.+|[（(].*[）)]|.{2,30}(讲话|报告|发言|致辞|讲稿)|.{0,12}\d{4}年\d{1,2}月\d{1,2}日.{0,6})$"
)
_LEAD = re.compile(rf"^([{_CN_NUM}]+[要是来则]|首先|其次|再次|第[{_CN_NUM}]+[，、,])")
_LEAD_END = re.compile(r"[。；！？：]")
MAX_LEAD = 60
MAX_SIGNATURE = 24

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


def lead_length(text: str) -> int:
    """Length of the lead sentence that opens ``text``, 0 if there is none.

    >>> lead_length("一要坚持强化理论武装头脑。习近平新时代……")
    13
    >>> lead_length("一是来看望大家；二是提几点希望。")
    8
    >>> lead_length("首先，要提高认识。")
    9
    >>> lead_length("一方面，我们要看到成绩。")
    0
    """
    if not _LEAD.match(text):
        return 0
    end = _LEAD_END.search(text, 2)
    if end is None or end.end() > MAX_LEAD:
        return 0
    return end.end()


def _title_from_meta(doc: Document) -> tuple[list[Block], list[Change]]:
    """A title block for the candidate an earlier stage found, if nothing else is a title."""
    candidate = (doc.meta.title or "").strip()
    if not candidate or any(b.kind is BlockKind.TITLE for b in doc.blocks):
        return [], []
    if doc.blocks and doc.blocks[0].text.strip() == candidate:
        return [], []  # the first line is the title: _classify decides on it
    if doc.blocks and doc.blocks[0].kind is BlockKind.PARAGRAPH:
        own = _classify(0, doc.blocks[0], len(doc.blocks), False)
        if own is not None and own[0].kind is BlockKind.TITLE:
            return [], []  # the text has a title line of its own: the author's wins
    block = Block.of_text(candidate, BlockKind.TITLE)
    change = Change(
        stage=STAGE,
        reason="title inserted from the title candidate found while repairing",
        after=candidate,
        block=0,
        offset=0,
        confidence=0.7,
    )
    return [block], [change]


def _refine(blocks: list[Block]) -> list[tuple[int, Block, str]]:
    """Second pass, with every block's kind known: subtitle, signature, closing address."""
    found: list[tuple[int, Block, str]] = []
    count = len(blocks)
    for index, block in enumerate(blocks):
        if block.kind is not BlockKind.PARAGRAPH:
            continue
        text = block.text.strip()
        previous = blocks[index - 1].kind if index else None
        following = blocks[index + 1].kind if index + 1 < count else None
        if previous is BlockKind.TITLE and _SUBTITLE.match(text) and _is_short_line(text, 40):
            found.append((index, replace(block, kind=BlockKind.SUBTITLE), "line under the title"))
        elif (
            following is BlockKind.SIGNATURE
            and index + 2 == count
            and _is_short_line(text, MAX_SIGNATURE)
            and not _SENTENCE_END.search(text[-1:])
        ):
            found.append(
                (index, replace(block, kind=BlockKind.SIGNATURE), "sender above the closing date")
            )
        elif index >= count - 2 and _CLOSING_ADDRESS.match(text):
            found.append(
                (
                    index,
                    replace(block, kind=BlockKind.CLOSING),
                    "last paragraph addresses the audience",
                )
            )
    return found


def detect_structure(doc: Document, opts: Options) -> Document:
    blocks: list[Block] = []
    changes: list[Change] = []
    seen_salutation = False
    title_blocks, changes = _title_from_meta(doc)
    shift = len(title_blocks)
    for index, block in enumerate(doc.blocks):
        found = None
        if block.kind is BlockKind.PARAGRAPH:
            found = _classify(index + shift, block, len(doc.blocks) + shift, seen_salutation)
        if found is None:
            blocks.append(block)
            continue
        new, why = found
        seen_salutation = seen_salutation or new.kind is BlockKind.SALUTATION
        blocks.append(new)
        changes.append(_kind_change(index + shift, block, new, why))
    blocks = title_blocks + blocks
    for index, new, why in _refine(blocks):
        changes.append(_kind_change(index, blocks[index], new, why))
        blocks[index] = new
    for index, block in enumerate(blocks):
        if block.kind is not BlockKind.PARAGRAPH or block.lead:
            continue
        lead = lead_length(block.text)
        if lead:
            blocks[index] = replace(block, lead=lead)
            changes.append(
                Change(
                    stage=STAGE,
                    reason="lead sentence opens the paragraph: set in bold",
                    before=block.text[:lead],
                    after=block.text[:lead],
                    block=index,
                    offset=0,
                    confidence=0.8,
                )
            )
    if not changes:
        return doc
    return doc.evolve(blocks=blocks, changes=changes)


def _kind_change(index: int, old: Block, new: Block, why: str) -> Change:
    return Change(
        stage=STAGE,
        reason=f"block is a {new.kind.value}: {why}",
        before=old.kind.value,
        after=new.kind.value,
        block=index,
        confidence=0.8,
    )
