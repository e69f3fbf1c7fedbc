"""Spaces inside a line: stray ones go, alignment gaps become ideographic spaces.

Chinese text puts no space between characters, nor between a character and
a number (``2025年``).  Spaces there come from PDF extraction or web layout and
are removed (by the cleanup stage), with two exceptions in a short line such
as a title, a list of names or a signature, where spacing is the author's:

* one space between two words of 2–4 characters (``市长 张三``) stays;
* a run of two or more spaces is an ideographic space (U+3000) that the copy
  folded to ASCII; the punctuation stage turns each two spaces into one U+3000
  (rounding up): the width an ideographic space has.

Spaces next to Latin text (``使用 Python 3 版本``) stay: that spacing is
ordinary in mixed text.  Indentation and trailing spaces are layout, removed
by the unwrap stage.
"""

from __future__ import annotations

import re

from ..textutil import is_chinese_context, is_cjk
from .base import Edit

STRAY_REASON = "removed a stray space inside Chinese text"
IDEOGRAPHIC_REASON = "an alignment gap in a short line: restored the ideographic space"

_RUN = re.compile(r"(?<=\S)[ \u00a0\t]+(?=\S)")
_SENTENCE_PUNCT = re.compile(r"[。！？；!?;]")
SHORT_LINE = 30
_DIGITS = "0123456789０１２３４５６７８９"


def is_short_line(text: str) -> bool:
    """A title, label, name list or signature: short and without a sentence in it."""
    return len(text.strip()) <= SHORT_LINE and not _SENTENCE_PUNCT.search(text)


def _side(text: str, i: int, step: int) -> str:
    """What stands at ``i``: 'han', 'mark' (full-width punctuation), 'digit' or 'other'.

    A number counts as 'digit' only when Latin text does not stand beyond it
    (``Python 3 版本`` keeps its spaces, ``共 21 人`` loses them).
    """
    ch = text[i]
    if is_cjk(ch):
        return "han"
    if is_chinese_context(ch):
        return "mark"
    if ch not in _DIGITS:
        return "other"
    j = i
    while 0 <= j < len(text) and (text[j] in _DIGITS or text[j] in ".,%"):
        j += step
    while 0 <= j < len(text) and text[j] in " \u00a0\t":
        j += step
    if 0 <= j < len(text) and text[j].isascii() and text[j].isalpha():
        return "other"
    return "digit"


def _hanzi_run(text: str, i: int, step: int) -> int:
    """Length of the run of hanzi from ``i`` in direction ``step`` (capped at 5)."""
    n = 0
    while 0 <= i < len(text) and n < 5 and is_cjk(text[i]):
        n += 1
        i += step
    return n


def _gaps(text: str) -> list[tuple[re.Match[str], str, str]]:
    """Space runs with Chinese on at least one side and Chinese or a number on the other."""
    found = []
    for m in _RUN.finditer(text):
        left = _side(text, m.start() - 1, -1)
        right = _side(text, m.end(), 1)
        sides = {left, right}
        if "other" in sides or not sides & {"han", "mark"}:
            continue
        found.append((m, left, right))
    return found


def find_stray_space_edits(text: str) -> list[Edit]:
    """Edits removing stray spaces between hanzi, marks and numbers.

    >>> from pipeline.stages.base import apply_edits
    >>> text = "中 国在2025 年, 共 21 人。使用 Python 3 版本"
    >>> apply_edits(text, find_stray_space_edits(text))
    '中国在2025年, 共21人。使用 Python 3 版本'
    >>> apply_edits("市长 张三", find_stray_space_edits("市长 张三"))
    '市长 张三'
    """
    edits: list[Edit] = []
    if " " not in text and "\u00a0" not in text and "\t" not in text:  # most lines
        return edits
    short = is_short_line(text)
    for m, left, right in _gaps(text):
        if short and "mark" not in (left, right):
            if len(m.group()) >= 2:
                continue  # an alignment gap: the punctuation stage restores U+3000
            if left == right == "han" and all(
                2 <= _hanzi_run(text, i, step) <= 4
                for i, step in ((m.start() - 1, -1), (m.end(), 1))
            ):
                continue  # two words or names set apart on purpose
        edits.append(Edit(m.start(), m.end(), "", STRAY_REASON, 0.9))
    return edits


def find_ideographic_space_edits(text: str) -> list[Edit]:
    """Edits turning alignment gaps of ASCII spaces in a short line into U+3000.

    >>> from pipeline.stages.base import apply_edits
    >>> apply_edits("主  持：王  明", find_ideographic_space_edits("主  持：王  明"))
    '主\\u3000持：王\\u3000明'
    """
    if not is_short_line(text):
        return []
    edits: list[Edit] = []
    for m, left, right in _gaps(text):
        size = len(m.group())
        if size >= 2 and "mark" not in (left, right):
            edits.append(Edit(m.start(), m.end(), "\u3000" * ((size + 1) // 2), IDEOGRAPHIC_REASON))
    return edits
