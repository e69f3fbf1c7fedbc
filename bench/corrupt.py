"""A corruption generator modelling how template websites damage Chinese text.

Each function takes clean text and a ``random.Random`` and returns the damaged
text; :func:`chunk_cut` and :func:`split_at` do a chunk split in two steps, so
that a benchmark knows where the damage is and what it lost
(:func:`lost_whole`).  Mechanisms:

* ``gbk_chunk_split``: GBK bytes decoded in chunks that split a double-byte
  character: the lone lead byte shows as ``?`` (or is dropped), the next chunk
  decodes one byte out of phase until an ASCII byte or an invalid pair (shown
  as ``?``) re-aligns it; full-width forms are folded to ASCII.
* ``fold_punctuation``: ``，：；！？（）`` -> ``,:;!?()``.
* ``to_traditional``: OpenCC s2t, as sites that serve both scripts do.
* ``add_pinyin``: ``會(huì)`` annotations after some characters.
* ``hard_wrap``: line breaks every N characters inside paragraphs.
* ``add_boilerplate``: the site's lead-in and sign-off lines.
"""

from __future__ import annotations

import random

FOLD = {"，": ",", "：": ":", "；": ";", "！": "!", "？": "?", "（": "(", "）": ")"}

PINYIN = {
    "会": "huì",
    "议": "yì",
    "发": "fā",
    "展": "zhǎn",
    "工": "gōng",
    "作": "zuò",
    "学": "xué",
    "习": "xí",
    "经": "jīng",
    "济": "jì",
    "社": "shè",
    "建": "jiàn",
    "设": "shè",
    "重": "zhòng",
    "要": "yào",
    "推": "tuī",
    "进": "jìn",
    "创": "chuàng",
    "新": "xīn",
    "人": "rén",
    "民": "mín",
    "服": "fú",
    "务": "wù",
    "质": "zhì",
}

BOILERPLATE_HEAD = "下面是小编为大家整理的{title}，供大家参考。"
BOILERPLATE_TAIL = "以上就是小编为大家整理的{title}，希望大家喜欢。"


def fold_punctuation(text: str) -> str:
    return "".join(FOLD.get(ch, ch) for ch in text)


def _fold_fullwidth(text: str) -> str:
    """Full-width ASCII forms back to ASCII (what the site's normaliser did)."""
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def gbk_chunk_split(
    line: str, rng: random.Random, drop_lost: bool = False, codec: str = "gbk"
) -> str | None:
    """Split one line's GBK (or Big5) bytes inside a double-byte character, as a
    chunked decoder did.

    Returns the damaged line (one damaged span), or None if the line has no
    double-byte character far enough from its ends (or cannot be encoded).
    Folds punctuation first, as the sites did before the text reached the
    chunked decoder.
    """
    found = chunk_cut(line, rng, codec)
    return None if found is None else split_at(*found, drop_lost, codec)


def chunk_cut(line: str, rng: random.Random, codec: str = "gbk") -> tuple[bytes, int] | None:
    """``line``'s bytes and the lead byte, drawn by ``rng``, that :func:`gbk_chunk_split`
    cuts after; None as there."""
    try:
        data = line.encode(codec)
    except UnicodeEncodeError:
        return None
    leads = []
    i = 0
    while i < len(data):
        if data[i] >= 0x81:
            if 4 <= i < len(data) - 12:
                leads.append(i)
            i += 2
        else:
            i += 1
    if not leads:
        return None
    return data, rng.choice(leads)


def lost_whole(data: bytes, cut: int, codec: str = "gbk") -> bool:
    """Whether the split at ``cut`` loses both bytes of its character: the trail
    byte pairs with nothing after it and shows as ``?`` too (always before an
    ASCII mark: ``深入;`` reads ``深?;``).  Nothing then but the context tells
    the character; otherwise the trail byte survives in the run decoded out of
    phase, and narrows it to some hundred characters.
    """
    return data[cut + 1 :].decode(codec, errors="replace").startswith("\ufffd")


def split_at(data: bytes, cut: int, drop_lost: bool = False, codec: str = "gbk") -> str:
    """``data`` (a line's bytes) decoded by chunks, the second starting at the
    trail byte of the character whose lead byte is at ``cut``."""
    # The next chunk starts at the trail byte; a decoder (errors="replace")
    # pairs bytes out of phase until an ASCII byte or an invalid pair, whose
    # first byte it replaces, puts it back in phase.
    shifted = data[cut + 1 :].decode(codec, errors="replace").replace("\ufffd", "?")
    lost = "" if drop_lost else "?"
    return data[:cut].decode(codec) + lost + _fold_fullwidth(shifted)


def line_end_leads(data: bytes, tail: int = 12) -> list[int]:
    """Offsets of the lead bytes in the last ``tail`` bytes of a line's GBK bytes
    (where :func:`gbk_chunk_split` does not cut)."""
    leads = []
    i = 0
    while i < len(data):
        if data[i] >= 0x81:
            if i >= len(data) - tail:
                leads.append(i)
            i += 2
        else:
            i += 1
    return leads


def to_traditional(text: str) -> str:
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


def add_pinyin(text: str, rng: random.Random, rate: float = 0.02) -> str:
    out = []
    for ch in text:
        out.append(ch)
        if ch in PINYIN and rng.random() < rate * 5:
            out.append(f"({PINYIN[ch]})")
    return "".join(out)


def hard_wrap(text: str, width: int = 30) -> str:
    lines = []
    for para in text.split("\n"):
        lines.extend(para[i : i + width] for i in range(0, max(1, len(para)), width))
    return "\n".join(lines)


def add_boilerplate(text: str, title: str) -> str:
    return "\n".join(
        [BOILERPLATE_HEAD.format(title=title), text, BOILERPLATE_TAIL.format(title=title)]
    )
