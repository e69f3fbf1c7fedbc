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
from ..textutil import MAX_PARAGRAPH, is_cjk

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

# Characters that are never text a reader should see, removed with a Change
# each (by kind): control characters (which also break DOCX, since XML 1.0
# forbids them), bidirectional overrides and isolates (which can make a line
# display in an order other than the one it is stored in), zero-width
# characters and a byte-order mark inside the text, noncharacters.
_INVISIBLE: tuple[tuple[str, str], ...] = (
    ("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]", "removed a control character"),
    ("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", "removed a bidirectional control"),
    ("[\u200b-\u200d\u2060\ufeff\u00ad]", "removed a zero-width character"),
    ("[\ufffe\uffff\ud800-\udfff]", "removed a noncharacter"),
)
_SENTENCE_END = re.compile(r"[。！？!?；;…]")
_SOFT_BREAK = re.compile(r"[，,、：: ]")
_LINE_SEPARATORS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_INVISIBLE_RE = re.compile("|".join(f"({pattern})" for pattern, _ in _INVISIBLE))


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    confidence: float
    bom: bool = False
    notes: tuple[Change, ...] = ()


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
    if b"\x00" not in data and _mostly_utf8(data):
        mixed = _decode_lines(data)
        if mixed is not None:
            return mixed
    try:
        return _detect(data)
    except InputError:
        mixed = _decode_lines(data) if b"\x00" not in data else None
        if mixed is None:
            raise
        return mixed


def _mostly_utf8(data: bytes) -> bool:
    """True when most non-ASCII lines are valid UTF-8: a UTF-8 file with damaged lines."""
    good = bad = 0
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            good += len(line)
        except UnicodeDecodeError:
            bad += len(line)
    return good > 0 and good >= bad


def _decode_line(line: bytes) -> tuple[str, str]:
    """One line's text and encoding: UTF-8, else the more Chinese of GB18030 and Big5."""
    try:
        return line.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    readings: list[tuple[float, str, str]] = []
    for encoding in ("gb18030", "big5hkscs"):
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError:
            continue
        readings.append((chinese_score(text), encoding.replace("_", "-"), text))
    if readings:
        _score, encoding, text = max(readings)
        return text, encoding
    return line.decode("utf-8", errors="replace"), ""


def _decode_lines(data: bytes) -> Decoded | None:
    """Decode line by line (a file pasted together from sources in different encodings).

    Lines that are not valid UTF-8 are read as GB18030 or Big5, whichever
    reads as more plausible Chinese; bytes no encoding reads become U+FFFD.
    Each such line is logged; None if the result is mostly replacement marks.
    """
    texts: list[str] = []
    notes: list[Change] = []
    used: dict[str, int] = {}
    for number, line in enumerate(data.split(b"\n"), start=1):
        text, encoding = _decode_line(line)
        texts.append(text)
        used[encoding or "utf-8"] = used.get(encoding or "utf-8", 0) + 1
        if encoding == "utf-8":
            continue
        if encoding:
            notes.append(
                Change(STAGE, f"line {number} is not UTF-8; decoded as {encoding}", confidence=0.7)
            )
        else:
            bad = text.count("\ufffd")
            notes.append(
                Change(
                    STAGE,
                    f"line {number} holds bytes no encoding reads; replaced by U+FFFD",
                    after="\ufffd",
                    count=bad,
                    confidence=0.3,
                )
            )
    text = "\n".join(texts)
    if not text or text.count("\ufffd") > 0.1 * len(text):
        return None
    if len(_CONTROL.findall(text[:20000])) > 0.1 * min(len(text), 20000):
        return None
    name = "mixed (" + ", ".join(sorted(used, key=lambda e: -used[e])) + ")"
    return Decoded(text, name, 0.5, notes=tuple(notes))


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


def split_long_line(line: str, limit: int | None = None) -> list[str]:
    """``line`` cut into pieces of at most ``limit`` characters, at sentence ends if it can.

    Text pasted without any line break (a whole book on one line) would make one
    paragraph the PDF writer lays out again for every page it fills; pieces of a
    few pages each keep the work linear.  A cut falls after the last sentence end
    in the second half of the window, else after a comma or space, else at the limit.

    >>> split_long_line("一二三。四五六。七八", limit=5)
    ['一二三。', '四五六。', '七八']
    """
    limit = limit or MAX_PARAGRAPH
    pieces: list[str] = []
    start = 0
    while len(line) - start > limit:
        window = line[start + limit // 2 : start + limit]
        cut = 0
        for marks in (_SENTENCE_END, _SOFT_BREAK):
            found = marks.search(window[::-1])
            if found:
                cut = start + limit // 2 + len(window) - found.start()
                break
        cut = cut or start + limit
        pieces.append(line[start:cut])
        start = cut
    pieces.append(line[start:])
    return pieces


def strip_invisible(text: str) -> tuple[str, list[Change]]:
    """Remove control, bidi, zero-width and noncharacters; one Change per kind and character.

    Tabs and line ends stay (the stages deal with them).

    >>> strip_invisible("会\u200b议\u202e。\x07")[0]
    '会议。'
    """
    found: dict[tuple[str, str], int] = {}

    def note(m: re.Match[str]) -> str:
        reason = _INVISIBLE[(m.lastindex or 1) - 1][1]
        key = (reason, m.group())
        found[key] = found.get(key, 0) + 1
        return ""

    cleaned = _INVISIBLE_RE.sub(note, text)
    changes = [
        Change(STAGE, f"{reason} (U+{ord(ch):04X})", before=ch, count=n)
        for (reason, ch), n in found.items()
    ]
    return cleaned, changes


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
    changes.extend(decoded.notes)
    text = decoded.text
    if decoded.bom:
        changes.append(Change(STAGE, "removed the byte-order mark", before="\ufeff", offset=0))
    if text.startswith("\ufeff"):  # a second BOM, as editors sometimes leave
        text = text[1:]
        changes.append(Change(STAGE, "removed a byte-order mark", before="\ufeff", offset=0))
    breaks = _LINE_SEPARATORS.findall(text)
    if breaks:  # form feeds (page breaks), Unicode line and paragraph separators
        text = _LINE_SEPARATORS.sub("\n", text)
        for ch in sorted(set(breaks)):
            reason = f"a line or page separator (U+{ord(ch):04X}) became a line end"
            changes.append(Change(STAGE, reason, before=ch, after="\n", count=breaks.count(ch)))
    text, removed = strip_invisible(text)
    changes.extend(removed)
    crlf = text.count("\r\n")
    lone_cr = text.count("\r") - crlf
    if crlf or lone_cr:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        changes.append(
            Change(STAGE, "normalised line ends to LF", before="\r", after="", count=crlf + lone_cr)
        )
    lines = []
    for line in text.split("\n"):
        parts = split_long_line(line)
        if len(parts) > 1:
            changes.append(
                Change(
                    STAGE,
                    f"split a line of {len(line):,} characters into paragraphs at sentence ends "
                    f"(a paragraph is at most {MAX_PARAGRAPH:,} characters)",
                    after="\n",
                    count=len(parts) - 1,
                    confidence=0.8,
                )
            )
        lines.extend(parts)
    blocks = [Block.of_text(line) for line in lines if line.strip()]
    if not blocks:
        what = "only a byte-order mark" if decoded.bom and not text else "only blank space"
        raise InputError(f"holds no text ({what})")
    blank = sum(1 for line in lines if line and not line.strip())
    if blank:
        changes.append(Change(STAGE, "dropped lines holding only spaces", count=blank))
    warnings: tuple[str, ...] = ()
    if decoded.notes:
        warnings = (
            f"the file mixes encodings or holds invalid bytes: decoded line by line as "
            f"{decoded.encoding.removeprefix('mixed ').strip('()')}; "
            f"{len(decoded.notes)} line(s) logged in the change log",
        )
    meta = Meta(
        source=source,
        encoding=decoded.encoding,
        encoding_confidence=decoded.confidence,
        warnings=warnings,
    )
    return Document(meta=meta, blocks=tuple(blocks), changes=tuple(changes))
