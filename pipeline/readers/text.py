"""Plain-text reader: bytes of unknown encoding -> a Document of paragraph blocks.

Order of evidence, strongest first: a byte-order mark; strict UTF-8 (a wrong
encoding almost never decodes as valid UTF-8 by chance); charset-normalizer's
candidates, ranked by how plausible each decoding is as Chinese text.  Files
that are not text at all (PDF, images, archives, NUL-filled data) fail with a
message that says what they look like.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from ..errors import InputError
from ..model import Block, Change, Document, Meta
from ..textutil import is_cjk

STAGE = "decode"

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF8, "utf_8_sig"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a DOCX/XLSX file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "a program (ELF)"),
)

# Encodings Chinese text arrives in; charset-normalizer may propose others
# (shift_jis, cp949 ...) for short inputs, which the plausibility score ranks down.
_CHINESE_ENCODINGS = ("gb18030", "big5", "big5hkscs", "utf_16_le", "utf_16_be", "utf_8")

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    confidence: float
    bom: bool = False


def _common_hanzi(ch: str) -> bool:
    """True for the ~3,755 GB2312 level-1 and ~5,401 Big5 frequent characters.

    Both standards ordered their first level by frequency of use, so a decoding
    that yields mostly such characters is far more plausible than one yielding
    rare ones: a cheap Chinese-text score derived from the codecs themselves.
    """
    try:
        gb = ch.encode("gb2312")
        if len(gb) == 2 and 0xB0 <= gb[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        b5 = ch.encode("big5")
        return len(b5) == 2 and 0xA4 <= b5[0] <= 0xC6
    except UnicodeEncodeError:
        return False


def chinese_score(text: str) -> float:
    """Plausibility of ``text`` as (possibly mixed) Chinese prose, in [0, 1].

    >>> chinese_score("我们的工作") > chinese_score("鎴戜滑鐨勫伐浣")
    True
    """
    if not text:
        return 0.0
    sample = text[:20000]
    good = bad = 0
    for ch in sample:
        if is_cjk(ch):
            if _common_hanzi(ch):
                good += 1
            else:
                bad += 1
        elif ch.isascii():
            if ch.isprintable() or ch in "\n\r\t":
                good += 1
            else:
                bad += 1
        elif ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF or not ch.isprintable():
            bad += 2
        elif ch.isalpha() and not is_cjk(ch):
            bad += 1  # kana, hangul, Latin-1 letters: what wrong decodings produce
        else:
            good += 1  # punctuation and symbols
    return good / max(1, good + bad)


def _sniff_binary(data: bytes) -> str | None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def decode(data: bytes) -> Decoded:
    """Find the encoding of ``data`` and decode it, or raise :class:`InputError`."""
    if not data:
        raise InputError("the file is empty")
    what = _sniff_binary(data)
    if what:
        raise InputError(f"this is {what}, not a text document")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"the file starts with a {codec} byte-order mark but is not valid "
                    f"{codec} at byte {exc.start}"
                ) from exc
            name = {"utf_8_sig": "utf-8", "utf_16": "utf-16", "utf_32": "utf-32"}[codec]
            le = bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE)
            if name != "utf-8":
                name += "-le" if le else "-be"
            return Decoded(text, name, 1.0, bom=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if "\x00" not in text:
            return Decoded(text, "utf-8", 1.0)
    return _detect(data)


def _detect(data: bytes) -> Decoded:
    matches = list(from_bytes(data))
    candidates: list[tuple[float, str, str]] = []
    for match in matches:
        text = str(match)
        score = chinese_score(text) - match.chaos
        if match.encoding in _CHINESE_ENCODINGS:
            score += 0.05  # prefer the encodings Chinese text actually comes in
        candidates.append((score, match.encoding, text))
    # charset-normalizer drops a GB18030 or Big5 reading it finds chaotic; try them
    # ourselves so the score, not the order of proposals, decides between the two.
    tried = {c[1] for c in candidates}
    for encoding in ("gb18030", "big5hkscs"):
        if encoding in tried:
            continue
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((chinese_score(text), encoding, text))
    if not candidates:
        raise InputError("cannot be decoded in any known text encoding: binary data, not text")
    candidates.sort(key=lambda c: c[0], reverse=True)
    score, encoding, text = candidates[0]
    if "\x00" in text or len(_CONTROL.findall(text[:20000])) > 0.1 * min(len(text), 20000):
        raise InputError("holds NUL or control bytes: binary data, not text")
    runner_up = candidates[1][0] if len(candidates) > 1 else 0.0
    confidence = max(0.0, min(1.0, score)) * (1.0 if score - runner_up > 0.05 else 0.8)
    return Decoded(text, encoding.replace("_", "-"), round(confidence, 3))


def read_text(data: bytes, source: str) -> Document:
    """Decode ``data`` and split it into one paragraph block per non-empty line."""
    decoded = decode(data)
    changes: list[Change] = [
        Change(
            STAGE,
            f"decoded as {decoded.encoding}",
            confidence=decoded.confidence,
        )
    ]
    text = decoded.text
    if decoded.bom:
        changes.append(Change(STAGE, "removed the byte-order mark", before="\ufeff", offset=0))
    if text.startswith("\ufeff"):  # a second BOM, as editors sometimes leave
        text = text[1:]
        changes.append(Change(STAGE, "removed a byte-order mark", before="\ufeff", offset=0))
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    if crlf or lone_cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        changes.append(
            Change(STAGE, "normalised line ends to LF", before="\r", after="", count=crlf + lone_cr)
        )
    lines = text.split("\n")
    blocks = [Block.of_text(line) for line in lines if line.strip()]
    blank = sum(1 for line in lines if line and not line.strip())
    if blank:
        changes.append(Change(STAGE, "dropped lines holding only spaces", count=blank))
    meta = Meta(source=source, encoding=decoded.encoding, encoding_confidence=decoded.confidence)
    return Document(meta=meta, blocks=tuple(blocks), changes=tuple(changes))
