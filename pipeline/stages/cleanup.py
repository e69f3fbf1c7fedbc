"""Cleanup stage: remove what the website added to the author's text.

Template sites wrap a document in their own pitch (``下面是小编为大家整理的…，
供大家参考``), stamp page strips (``第1页共21页``), gloss readings in pinyin
(``會(huì)``), repeat the title, scatter anti-copy junk (``asd****19``,
invisible characters) and stray spaces, and cut the text short behind a
paywall notice.  This stage removes each of them, logs every removal, warns
when the source is incomplete, and keeps the document's name when the pitch
gives it (``…整理的<title>【完整版】``) as :attr:`Meta.title`.

It runs after the byte-level mojibake repair and before the characters are
converted, so every pattern (see :mod:`.phrases`) matches both scripts.  All
matching is by linear regular expressions over one line at a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..model import Block, Change, Document, Text
from ..options import Options
from .base import Edit, Finder, apply_edits, merge_edits, rewrite_block
from .noise import find_junk_edits
from .phrases import (
    BOILERPLATE,
    GENERIC_TITLES,
    NAMES_DOCUMENT,
    PAGE_STRIP_INLINE,
    PAGE_STRIP_LINE,
    PITCH,
    TEMPLATE_WORDS,
    TITLE_LEAD,
    TITLE_TAGS,
    TRUNCATION,
    WEAK_BOILERPLATE,
    compile_both,
)
from .pinyin import find_pinyin_edits
from .punctuation import find_punctuation_edits
from .spaces import find_stray_space_edits
from .unwrap import Layout, joins, layout_of

STAGE = "cleanup"

# A line longer than this is (part of) a run-together paragraph: a phrase in it
# costs only its sentence, never the whole line.
LONG_LINE = 200
EDGE_LINES = 3  # weak site phrases count only this near the top or bottom
TOP_LINES = 10  # a pitch this near the top goes with its line and a wrapped teaser
MAX_HEAD_LINES = 3  # how many wrapped teaser lines may precede a pitch
MAX_DUPLICATE = 40
_SPAN_REACH = 300  # how far a removed sentence may extend around its phrase

BOILERPLATE_REASON = "removed website boilerplate"
TRUNCATION_REASON = "removed a truncation notice: the source is incomplete here"
PAGE_REASON = "removed a page strip"
DUPLICATE_REASON = "removed a repeated title line (or a page's running header)"
HEAD_REASON = "removed the start of a boilerplate paragraph wrapped onto the line before"
TAIL_REASON = "removed the end of a boilerplate sentence wrapped onto this line"
TITLE_REASON = "the site's boilerplate names the document: kept as the title candidate"

_SENTENCE_END = "。！？!?"
_TITLE_END = re.compile(r"[，,。！!？?；;]")
_BRACKETS = {"【": "】", "（": "）", "(": ")", "[": "]"}
_NOT_A_TITLE_END = re.compile(r"[。！？!?：:]$")


def _boilerplate() -> re.Pattern[str]:
    return compile_both(*BOILERPLATE)


def _weak() -> re.Pattern[str]:
    return compile_both(*WEAK_BOILERPLATE)


def _truncation() -> re.Pattern[str]:
    return compile_both(*TRUNCATION)


def find_inline_page_strip_edits(text: str) -> list[Edit]:
    """``第1页共21页`` glued into the text; nobody writes that in prose."""
    pattern = compile_both(PAGE_STRIP_INLINE)
    return [Edit(m.start(), m.end(), "", PAGE_REASON, 0.9) for m in pattern.finditer(text)]


def _enclosing(text: str, start: int, end: int) -> tuple[int, int]:
    """The bracket pair or else the sentence around ``text[start:end]`` (bounded reach)."""
    lo = max(0, start - 60)
    for i in range(start - 1, lo - 1, -1):
        ch = text[i]
        if ch in _BRACKETS.values():
            break
        if ch in _BRACKETS:
            j = text.find(_BRACKETS[ch], end, end + 60)
            if j >= 0:
                return i, j + 1
            break
    a = start
    while a > 0 and start - a < _SPAN_REACH and text[a - 1] not in _SENTENCE_END:
        a -= 1
    if a > 0 and text[a - 1] not in _SENTENCE_END:
        a = start
    b = end
    while b < len(text) and b - end < _SPAN_REACH and text[b] not in _SENTENCE_END:
        b += 1
    if b < len(text) and text[b] in _SENTENCE_END:
        b += 1
    elif b < len(text):
        b = end
    return a, b


def _span_finder(pattern: re.Pattern[str], reason: str) -> Finder:
    """Edits removing each match's sentence (or bracket), for long lines only."""

    def find(text: str) -> list[Edit]:
        edits: list[Edit] = []
        last = 0
        for m in pattern.finditer(text):
            if m.start() < last or m.start() == m.end():
                continue
            a, b = _enclosing(text, m.start(), m.end())
            a = max(a, last)
            edits.append(Edit(a, b, "", reason, 0.8))
            last = b
        return edits

    return find


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str
    confidence: float
    boilerplate: bool = False
    truncation: bool = False
    start: int = 0  # where the site's words begin in the line


def _line_verdict(
    line: str, index: int, count: int, previous: str | None, first: str | None = None
) -> Verdict | None:
    """Why the whole line goes, or None when it stays.

    ``previous`` and ``first`` are the last and the first line kept so far: a
    title line repeated right away, or as a page's running header, goes.
    """
    if not line:
        return None
    if compile_both(*PAGE_STRIP_LINE).search(line):
        return Verdict(PAGE_REASON, 0.95)
    if len(line) > LONG_LINE:
        return None
    if _truncation().search(line):
        return Verdict(TRUNCATION_REASON, 0.95, truncation=True)
    strong = _boilerplate().search(line)
    if strong:
        return Verdict(BOILERPLATE_REASON, 0.95, True, start=strong.start())
    pitch = compile_both(PITCH).search(line)
    near_edge = index < EDGE_LINES or index >= count - EDGE_LINES
    if pitch or near_edge:  # weak phrases and template words count only with one of these
        weak = _weak().search(line)
        template = compile_both(TEMPLATE_WORDS).search(line)
        if pitch and (weak or template):
            return Verdict(BOILERPLATE_REASON, 0.9, True, start=pitch.start())
        if near_edge and weak and template:
            start = min(weak.start(), template.start())
            return Verdict(BOILERPLATE_REASON, 0.85, True, start=start)
    if (
        line in (previous, first)
        and len(line) <= MAX_DUPLICATE
        and not _NOT_A_TITLE_END.search(line)
        and any("\u3400" <= c <= "\u9fff" for c in line)
    ):
        return Verdict(DUPLICATE_REASON, 0.9)
    return None


def title_from_boilerplate(text: str) -> str | None:
    """The document's name when the site's pitch gives it, without the site's tags.

    >>> title_from_boilerplate("下面是小編為大家整理的市長講話材料【完整版】,供大家參考。")
    '市長講話材料'
    >>> title_from_boilerplate("以下是小编整理的范文，供大家参考") is None
    True
    """
    m = compile_both(NAMES_DOCUMENT).search(text)
    if not m:
        return None
    rest = text[m.end() :]
    cut = _TITLE_END.search(rest)
    end = cut.start() if cut else len(rest)
    weak = _weak().search(rest, 0, end)
    if weak:
        end = weak.start()
    candidate = rest[:end].strip()
    noise = merge_edits(candidate, (find_pinyin_edits, find_junk_edits, find_stray_space_edits))
    candidate = apply_edits(candidate, noise)
    candidate = compile_both(TITLE_TAGS).sub("", candidate)
    candidate = compile_both(TITLE_LEAD).sub("", candidate).strip()
    if not 4 <= len(candidate) <= 60 or compile_both("|".join(GENERIC_TITLES)).fullmatch(candidate):
        return None
    return apply_edits(candidate, find_punctuation_edits(candidate))


_PROSE_MARKS = re.compile(r"[，、；,]")
_ENDS_SENTENCE = re.compile(r"[。！？!?][”’」』)）]*$")
_CLOSED = re.compile(r"(?:[。！？!?]|[）)】])[”’」』)）]*$")  # a closing quote may run on
_SENTENCE_END_AT = re.compile(r"[。！？!?][”’」』)）]*")
MAX_TAIL = 160  # how far a wrapped pitch may run on past the line that names the site


def _tail_finder(cut: int) -> Finder:
    """Removes ``text[:cut]``: the end of a pitch whose start was on the lines before."""

    def find(text: str) -> list[Edit]:
        return [Edit(0, cut, "", TAIL_REASON, 0.8)]

    return find


def _author_prefix(line: str, verdict: Verdict | None, index: int) -> int:
    """How much of a pitch line below the top is the author's (0: none).

    A pitch that starts after a sentence end, far from the top, follows the
    author's last sentence on a wrapped line: that sentence stays.
    """
    if verdict is None or not verdict.boilerplate or index < TOP_LINES:
        return 0
    ends = [m.end() for m in _SENTENCE_END_AT.finditer(line, 0, verdict.start)]
    return ends[-1] if ends else 0


def _cut_from(start: int, verdict: Verdict) -> Finder:
    def find(text: str) -> list[Edit]:
        return [Edit(start, len(text), "", verdict.reason, verdict.confidence)]

    return find


def _text_only(block: Block) -> bool:
    return all(isinstance(i, Text) for i in block.inlines)


_SHORT_FINDERS: tuple[Finder, ...] = (
    find_inline_page_strip_edits,
    find_pinyin_edits,
    find_junk_edits,
    find_stray_space_edits,
)


@dataclass
class _Run:
    """What the stage has decided so far: kept blocks (with their input index) and changes."""

    doc: Document
    title: str | None
    layout: Layout
    blocks: list[tuple[int, Block]] = field(default_factory=list)
    # The kept blocks' stripped texts (in step with ``blocks``): every line is
    # compared with the first and the last kept one.
    lines: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def name_document(self, text: str, index: int, offset: int) -> None:
        if self.title is None:
            self.title = title_from_boilerplate(text)
            if self.title:
                self.changes.append(Change(STAGE, TITLE_REASON, "", self.title, index, offset, 0.7))

    def drop(self, index: int, verdict: Verdict) -> dict[int, int]:
        """Drop block ``index``; for a pitch cut by a hard wrap, where its sentence ends.

        Returns ``{block index: characters to remove}`` for the lines the
        pitch runs on to (a whole line's length: drop that line).
        """
        text = self.doc.blocks[index].text
        line = text.strip()
        self.changes.append(Change(STAGE, verdict.reason, text, "", index, 0, verdict.confidence))
        if verdict.truncation:
            self.warnings.append(f"the source is incomplete: block {index} reads {line!r}")
        if not verdict.boilerplate:
            return {}
        if index < TOP_LINES:
            self._drop_wrapped_start(index)
        return self.pitch_tail(index, line)

    def pitch_tail(self, index: int, pitch: str) -> dict[int, int]:
        """Name the document from ``pitch`` and find where it ends if wrapped on."""
        tail, rest = self._pitch_tail(index) if not _CLOSED.search(pitch) else ({}, "")
        self.name_document(pitch + rest, index, 0)
        return tail

    def _pitch_tail(self, index: int) -> tuple[dict[int, int], str]:
        """The lines after a pitch cut mid-sentence, up to its sentence end, and their text.

        Only when that text is itself site talk (``…，希望大家喜欢。``, a
        ``【完整版】`` tag): a pitch left unfinished before the author's text
        must not cost the author a sentence.
        """
        plan: dict[int, int] = {}
        collected = ""
        for j in range(index + 1, len(self.doc.blocks)):
            block = self.doc.blocks[j]
            if not _text_only(block):
                return {}, ""
            text = block.text
            if compile_both(*PAGE_STRIP_LINE).search(text.strip()):
                continue
            m = _SENTENCE_END_AT.search(text)
            if m:
                plan[j] = m.end()
                collected += text[: m.end()].strip()
                break
            plan[j] = len(text)
            collected += text.strip()
            if len(collected) > MAX_TAIL:
                return {}, ""
        else:
            return {}, ""
        talk = _weak().search(collected) or _boilerplate().search(collected)
        if not (talk or compile_both(TEMPLATE_WORDS).search(collected)):
            return {}, ""
        return plan, collected

    def _drop_wrapped_start(self, index: int) -> None:
        """Kept lines right before a pitch that run on into it belong to the pitch.

        Near the top, where sites put a teaser before the pitch, a full-width
        line ending a sentence may run on too: wrapping hid the paragraph end.
        """
        layout = self.layout
        for _ in range(MAX_HEAD_LINES):
            if not self.blocks:
                return
            source = self.blocks[-1][0]
            line = self.lines[-1]
            if source != index - 1:
                return
            if _ENDS_SENTENCE.search(line):
                width = layout.width
                if not (width and width - 4 <= layout.measure(line) <= width + 1):
                    return
            elif not (
                joins(line, self.doc.blocks[index].text, source, layout)
                or _PROSE_MARKS.search(line)
            ):
                return
            self.blocks.pop()
            self.lines.pop()
            # The line goes whole: edits made inside it are moot.
            self.changes = [c for c in self.changes if c.block != source]
            text = self.doc.blocks[source].text
            self.changes.append(Change(STAGE, HEAD_REASON, text, "", source, 0, 0.8))
            index = source

    def keep(self, index: int, finders: Sequence[Finder], line: str) -> None:
        """Keep block ``index`` (its stripped text ``line``) with the finders' edits."""
        block = self.doc.blocks[index]
        new, found = rewrite_block(block, index, STAGE, finders)
        for change in found:
            if change.reason == TRUNCATION_REASON:
                self.warnings.append(
                    f"the source is incomplete: block {index} reads {change.before.strip()!r}"
                )
            elif change.reason == BOILERPLATE_REASON:
                self.name_document(change.before, index, change.offset or 0)
        self.changes.extend(found)
        if new.inlines:
            self.blocks.append((index, new))
            self.lines.append(line if new is block else new.text.strip())
        elif found:
            self.changes.append(Change(STAGE, "dropped a block left empty", "", "", index, 0))


def clean_up(doc: Document, opts: Options) -> Document:
    # A title already known (from the file's metadata) wins over the site's pitch.
    texts = [b.text for b in doc.blocks]
    text_only = [_text_only(b) for b in doc.blocks]
    run = _Run(
        doc, doc.meta.title, layout_of([t for t, p in zip(texts, text_only, strict=True) if p])
    )
    long_finders: tuple[Finder, ...] = (
        _span_finder(_truncation(), TRUNCATION_REASON),
        _span_finder(_boilerplate(), BOILERPLATE_REASON),
        *_SHORT_FINDERS,
    )
    count = len(doc.blocks)
    tail: dict[int, int] = {}  # lines a wrapped pitch runs on to, and how far
    for index, text in enumerate(texts):
        line = text.strip()
        cut = tail.pop(index, None)
        if cut is not None and cut >= len(text):
            run.drop(index, Verdict(TAIL_REASON, 0.8))
            continue
        previous = run.lines[-1] if run.lines else None
        first = run.lines[0] if run.lines else None
        verdict = _line_verdict(line, index, count, previous, first) if text_only[index] else None
        keep = _author_prefix(line, verdict, index)
        if verdict is not None and not keep:
            tail.update(run.drop(index, verdict))
            continue
        if verdict is not None:  # a pitch after the author's last sentence on the line
            lead = len(text) - len(text.lstrip())
            run.keep(index, (_cut_from(lead + keep, verdict), *_SHORT_FINDERS), line)
            tail.update(run.pitch_tail(index, line[keep:]))
            continue
        finders = long_finders if len(line) > LONG_LINE else _SHORT_FINDERS
        if cut is not None:
            finders = (_tail_finder(cut), *finders)
        run.keep(index, finders, line)
    if not run.changes:
        return doc
    title = run.title
    meta = doc.meta if title == doc.meta.title else replace(doc.meta, title=title)
    out = doc.evolve(blocks=[b for _, b in run.blocks], meta=meta, changes=run.changes)
    for warning in run.warnings:
        out = out.warn(warning)
    return out
