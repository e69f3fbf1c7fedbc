"""Undo punctuation that a website or editor folded to ASCII inside Chinese text.

``,:;!?()`` become ``，：；！？（）`` when a Chinese character or full-width
mark stands next to them; ASCII stays inside numbers (``1,000``, ``10:30``),
URLs, e-mail addresses and runs of Latin text.  Parentheses are converted as
a pair, and a pair that holds only Latin letters right after a hanzi is left
alone: it is likely a pinyin annotation, which the cleanup removes whole.
In a paragraph whose marks were folded, ``+`` between two hanzi becomes
``＋`` too.

As a stage it runs after the mojibake repair (which must see the folded
punctuation as the bytes had it) and the cleanup; it also restores the
ideographic space where a short line's alignment gap was folded to ASCII
spaces (see :mod:`.spaces`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

from ..model import Document
from ..options import Options
from ..textutil import is_chinese_context
from .base import Edit, rewrite_text
from .spaces import find_ideographic_space_edits

STAGE = "punctuation"

REASON = "restored full-width punctuation in Chinese context"

PLUS_REASON = "restored a full-width plus sign folded with the line's punctuation"

_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_QUOTES = {"〞": "”", "〝": "“"}

# A web address is ASCII (a hanzi right after one is the sentence going on),
# and marks at its end before Chinese text are the sentence's: "见https://a.cn/x,谢谢".
_URL_END = r"""(?=[,.;:!?)\]]*(?:[\s"'<>]|[^\x00-\x7f]|$))"""
_PROTECTED = re.compile(
    rf"""(?:https?|ftp)://[!-~]+?{_URL_END}"""
    rf"""|www\.[A-Za-z0-9.-]+[!-~]*?{_URL_END}"""
    r"|[\w.+-]+@[\w-]+\.[\w.-]+",
    re.ASCII,
)
_MARKS = re.compile(r"[,:;!?〞〝]")
_PARENS = re.compile(r"[()]")
_ANY_MARK = re.compile(r"[,:;!?〞〝()]")  # a line without one has nothing to restore
_PLUS = re.compile(r"(?<=[\u3400-\u9fff])\+(?=[\u3400-\u9fff])")
_PINYIN_LIKE = re.compile(r"[a-zü\u00e0-\u01dc\s'-]+")


_NOTHING: Mapping[int, str] = MappingProxyType({})


def _neighbour(text: str, i: int, step: int, restored: Mapping[int, str] = _NOTHING) -> str:
    """The nearest non-space character from ``i`` in direction ``step`` ('' if none).

    ``restored`` maps positions to the full-width marks put there so far: the
    text is judged as already restored (a copy of it as a list would cost more
    than all the rest of the work on a line).
    """
    j = i + step
    while 0 <= j < len(text) and restored.get(j, text[j]) in " \t":
        j += step
    return restored.get(j, text[j]) if 0 <= j < len(text) else ""


def _is_chinese_side(ch: str) -> bool:
    return bool(ch) and is_chinese_context(ch)


def find_punctuation_edits(text: str) -> list[Edit]:
    """Edits restoring full-width punctuation in ``text``.

    >>> from pipeline.stages.base import apply_edits
    >>> text = "大家好!共1,000人(含代表):"
    >>> apply_edits(text, find_punctuation_edits(text))
    '大家好！共1,000人（含代表）：'
    """
    if not _ANY_MARK.search(text):
        return []
    spans = [m.span() for m in _PROTECTED.finditer(text)]
    starts = [a for a, _ in spans]

    def is_protected(i: int) -> bool:
        k = bisect.bisect_right(starts, i) - 1
        return k >= 0 and i < spans[k][1]

    edits: list[Edit] = []
    taken: set[int] = set()
    _pair_parentheses(text, is_protected, edits, taken)
    # Judge each mark by the text as already restored to its left (and by the
    # converted parentheses), so "吗?!" and "(含代表):" come out whole.
    view = {e.start: e.after for e in edits}
    for m in _MARKS.finditer(text):
        i, ch = m.start(), m.group()
        if ch in _QUOTES:
            edits.append(Edit(i, i + 1, _QUOTES[ch], "replaced a vertical quotation mark"))
            view[i] = _QUOTES[ch]
            continue
        if ch not in ",:;!?" or i in taken or is_protected(i):
            continue
        left, right = _neighbour(text, i, -1, view), _neighbour(text, i, 1, view)
        if ch in ",:" and left.isdigit() and right.isdigit() and left.isascii():
            continue  # 1,000 and 10:30
        if not (_is_chinese_side(left) or (_is_chinese_side(right) and ch not in "!?")):
            continue
        end = i + 1
        while end < len(text) and text[end] in " \t":
            end += 1  # a full-width mark carries its own spacing
        if end == len(text):
            end = i + 1
        edits.append(Edit(i, end, _FULL[ch], REASON))
        view[i] = _FULL[ch]
    if any(e.reason == REASON for e in edits):
        edits.extend(_plus_edits(text, is_protected))
    return edits


def _plus_edits(text: str, is_protected: Callable[[int], bool]) -> list[Edit]:
    """``+`` between two hanzi (企业+合作社+农户) as ``＋``, in a line whose marks
    were folded: the normaliser that folded them folds every full-width form.
    In a line with its marks intact an ASCII ``+`` is the author's (互联网+).

    >>> from pipeline.stages.base import apply_edits
    >>> text = "推广“企业+合作社”模式,成效明显"
    >>> apply_edits(text, find_punctuation_edits(text))
    '推广“企业＋合作社”模式，成效明显'
    >>> find_punctuation_edits("推广“企业+合作社”模式。")
    []
    """
    return [
        Edit(m.start(), m.end(), "＋", PLUS_REASON)
        for m in _PLUS.finditer(text)
        if not is_protected(m.start())
    ]


def _pair_parentheses(
    text: str, is_protected: Callable[[int], bool], edits: list[Edit], taken: set[int]
) -> None:
    """Convert matching ``(...)`` pairs whose content or surroundings are Chinese."""
    stack: list[int] = []
    for m in _PARENS.finditer(text):
        i, ch = m.start(), m.group()
        if ch == "(" and not is_protected(i):
            stack.append(i)
        elif ch == ")" and stack and not is_protected(i):
            start = stack.pop()
            inner = text[start + 1 : i]
            before = _neighbour(text, start, -1)
            after = _neighbour(text, i, 1)
            chinese_inside = any(is_chinese_context(c) for c in inner)
            if not chinese_inside:
                if _is_chinese_side(before) and _PINYIN_LIKE.fullmatch(inner):
                    continue  # 會(huì): a pinyin annotation, not a parenthesis
                if not (_is_chinese_side(before) or _is_chinese_side(after)):
                    continue
            edits.append(Edit(start, start + 1, "（", REASON))
            edits.append(Edit(i, i + 1, "）", REASON))
            taken.update((start, i))
        elif ch == ")" and not is_protected(i):
            _lone(text, i, edits, taken)
    for start in stack:
        _lone(text, start, edits, taken)


def _lone(text: str, i: int, edits: list[Edit], taken: set[int]) -> None:
    """A parenthesis whose partner a paragraph break cut off: converted when the
    text on its inner side (a few characters) is Chinese."""
    inner = text[i + 1 : i + 4] if text[i] == "(" else text[max(0, i - 3) : i]
    if any(is_chinese_context(c) for c in inner):
        edits.append(Edit(i, i + 1, _FULL[text[i]], f"{REASON} (unpaired)", 0.8))
        taken.add(i)


def restore_punctuation(doc: Document, opts: Options) -> Document:
    return rewrite_text(doc, STAGE, find_punctuation_edits, find_ideographic_space_edits)
