"""Find pinyin annotations that template sites put after a character: ``會(huì)``.

Sites gloss the reading of a character in parentheses; the author never wrote
them.  An annotation is removed only when the parenthesised text is pinyin:
tone-marked syllables (``huì``, ``yùn cáng``), syllables with tone digits
(``hui4``), or plain lowercase syllables, one per character before it
(``会(hui)``).  ``(一)``, ``(GDP)``, ``(市)``, ``(2022)`` and English words
that do not split into syllables (``(china)``, ``(data center)``) stay.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from ..textutil import is_cjk
from .base import Edit

REASON = "removed a pinyin annotation after a character"

_INITIAL = r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])"
_FINAL = (
    r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|"
    r"ai|ei|ao|ou|an|en|er|ia|ie|in|iu|ua|uo|ui|un|ve|vn|ue|a|o|e|i|u|v)"
)
_SYLLABLE = rf"{_INITIAL}?{_FINAL}[1-5]?"
_ONE = re.compile(_SYLLABLE)
_MANY = re.compile(rf"(?:{_SYLLABLE})+")

_TONED = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü")
# A hanzi, then the annotation in ASCII or full-width parentheses (bounded: linear).
_CANDIDATE = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff]) ?[(（]([^()（）]{1,40})[)）]")
_TOKEN_SPLIT = re.compile(r"[\s'’-]+")


def _plain(syllables: str) -> str:
    """``huì`` -> ``hui``, ``lǜ`` -> ``lv``: the ASCII spelling the patterns know."""
    out = []
    for ch in syllables:
        if ch in "üǖǘǚǜ":
            out.append("v")
        else:
            out.append("".join(c for c in unicodedata.normalize("NFD", ch) if c.isascii()))
    return "".join(out)


def _hanzi_before(text: str, end: int) -> int:
    count = 0
    while end - count > 0 and count < 8 and is_cjk(text[end - count - 1]):
        count += 1
    return count


@functools.lru_cache(maxsize=4096)  # a site glosses the same few readings again and again
def pinyin_confidence(inner: str, hanzi_before: int) -> float:
    """How sure we are that ``inner`` is a pinyin gloss (0 when it is not one).

    >>> pinyin_confidence("huì", 1), pinyin_confidence("GDP", 3), pinyin_confidence("一", 1)
    (0.95, 0.0, 0.0)
    >>> pinyin_confidence("hui", 1), pinyin_confidence("china", 2)
    (0.8, 0.0)
    """
    inner = inner.strip()
    if not inner or inner != inner.lower():
        return 0.0
    tokens = [t for t in _TOKEN_SPLIT.split(inner) if t]
    if not tokens or not all(t.isalpha() or t[:-1].isalpha() for t in tokens):
        return 0.0
    plain = [_plain(t) for t in tokens]
    if not all(p.isascii() and p for p in plain):
        return 0.0
    marked = any(ch in _TONED for ch in inner) or any(t[-1].isdigit() for t in tokens)
    if marked:
        return 0.95 if all(_MANY.fullmatch(p) for p in plain) else 0.0
    # Plain letters: each token must be exactly one syllable, one per character glossed.
    if len(tokens) <= min(4, hanzi_before) and all(_ONE.fullmatch(p) for p in plain):
        return 0.8
    return 0.0


def find_pinyin_edits(text: str) -> list[Edit]:
    """Edits removing pinyin annotations from ``text``.

    >>> from pipeline.stages.base import apply_edits
    >>> text = "召開會(huì)議(一)地區(GDP)市(shì)"
    >>> apply_edits(text, find_pinyin_edits(text))
    '召開會議(一)地區(GDP)市'
    """
    edits: list[Edit] = []
    if "(" not in text and "（" not in text:  # most lines: no gloss can start
        return edits
    for m in _CANDIDATE.finditer(text):
        confidence = pinyin_confidence(m.group(1), _hanzi_before(text, m.start()))
        if confidence:
            edits.append(Edit(m.start(), m.end(), "", REASON, confidence))
    return edits
