"""A block's inlines as the PDF sets them: runs of text, each with its face and highlight.

The faces: the block style's, the bold face for a lead sentence, the Latin
face for digits and Latin words in body text, a fallback font for characters
the fonts lack; the highlight: behind an unfilled field (and a filled one
under ``--mark-filled``).  :func:`block_runs` gives the runs
:class:`.gridblock.GridBlock` sets, white space cleaned as reportlab's
paragraph cleans it (the PDFs stay as they were when blocks were paragraphs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib.colors import HexColor

from ..model import Block, Field
from .gridblock import LINE_BREAK, Run, merge_runs
from .layout import Profile, title_lines

_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:%/\- ]*[A-Za-z0-9%]|[A-Za-z0-9]")
_SPACE = re.compile(r"\s+")
_BODY_ROLES = ("body", "bold")  # styles whose digits and Latin take the Latin face


# A light tint behind filled values under --mark-filled, for proof-reading.
FILLED_TINT = "#E3ECF7"


Piece = tuple[str, "str | None"]  # text, and the face it needs if not the block's


@dataclass(frozen=True, slots=True)
class _Part:
    """One inline as the writer sets it: its pieces, the colour behind it, bold or not."""

    pieces: tuple[Piece, ...]
    back: str | None
    strong: bool


def _pieces(text: str, latin: str | None, fallback: Mapping[str, str] | None) -> list[Piece]:
    """``text`` cut where the face changes.

    Runs of digits and Latin letters take the Latin face (if there is one),
    each character the fonts lack the font ``fallback`` names for it.
    """
    out: list[Piece] = []
    pos = 0
    if latin is not None:
        for m in _LATIN.finditer(text):
            out.extend(_fallback_pieces(text[pos : m.start()], fallback))
            out.append((m.group(), latin))
            pos = m.end()
    out.extend(_fallback_pieces(text[pos:], fallback))
    return out


def _fallback_pieces(text: str, fallback: Mapping[str, str] | None) -> list[Piece]:
    """``text`` cut around the characters set in a fallback font, one piece each."""
    if not fallback or not any(ch in fallback for ch in text):
        return [(text, None)] if text else []
    out: list[Piece] = []
    for ch in text:
        if ch in fallback:
            out.append((ch, fallback[ch]))
        elif out and out[-1][1] is None:
            out[-1] = (out[-1][0] + ch, None)
        else:
            out.append((ch, None))
    return out


def _parts(
    block: Block,
    profile: Profile,
    fonts: Mapping[str, str],
    mark_filled: bool,
    fallback: Mapping[str, str] | None,
) -> list[_Part]:
    """The block's inlines as the writer sets them.

    ``fonts`` (role -> PDF font name) enables the bold lead sentence and the
    Latin face for digits and Latin letters in body text; ``mark_filled``
    tints filled values for proof-reading; ``fallback`` (character -> PDF font
    name) sets characters the fonts lack in one that has them.
    """
    spec = profile.style_for(block)
    latin = fonts.get("latin")
    if latin is None or spec.font not in _BODY_ROLES or latin == fonts.get(spec.font):
        latin = None
    bold = fonts.get("bold") is not None
    parts = []
    for inline, strong in block.marked_inlines():
        back = None
        if isinstance(inline, Field):
            pieces = _fallback_pieces(inline.display, fallback)
            if inline.value is None:
                back = profile.field_color
            elif mark_filled:
                back = FILLED_TINT
        else:
            pieces = _pieces(inline.text, latin, fallback)
        parts.append(_Part(tuple(pieces), back, strong and bold))
    return parts


_TAG = None  # a face or highlight starts or ends here: white space either side stays apart


def block_runs(
    block: Block,
    profile: Profile,
    fonts: Mapping[str, str],
    mark_filled: bool = False,
    fallback: Mapping[str, str] | None = None,
) -> list[Run]:
    """The runs of text :class:`.GridBlock` sets for ``block``.

    A title's balanced lines are joined by hard breaks.  As reportlab's
    paragraph does, each run of white space (full-width spaces and line
    feeds included) becomes one space, and the block's text is stripped at
    either end; but white space is neither joined nor stripped across the
    start or end of a highlight, the bold lead or a piece in another face.
    """
    spec = profile.style_for(block)
    base = fonts[spec.font]
    bold = fonts.get("bold")
    stream: list[Run | None] = []
    for index, part_block in enumerate(title_lines(block, profile)):
        if index:
            stream += [_TAG, Run(LINE_BREAK, ""), _TAG]
        for part in _parts(part_block, profile, fonts, mark_filled, fallback):
            face = bold if part.strong and bold else base
            back = None if part.back is None else _colour(part.back)
            wrapped = part.back is not None or part.strong
            if wrapped:
                stream.append(_TAG)
            for text, font in part.pieces:
                if font is None:
                    stream.append(Run(text, face, back))
                else:
                    stream += [_TAG, Run(text, font, back), _TAG]
            if wrapped:
                stream.append(_TAG)
    return merge_runs(_spaced(stream))


def _spaced(stream: list[Run | None]) -> list[Run]:
    """The runs, with white space cleaned (``_TAG`` marks where a face or highlight changes)."""
    if not any(run is not None and _SPACE.search(run.text) for run in stream):
        return [run for run in stream if run is not None and run.text]
    spans: list[Run] = []
    joined = True  # the next text continues the span before it (no boundary between)
    for run in stream:
        if run is None:
            joined = False
        elif spans and joined and run.font:
            spans[-1] = spans[-1]._replace(text=spans[-1].text + run.text)
        else:
            spans.append(run)
            joined = bool(run.font)
    if stream and stream[0] is not None:
        spans[0] = spans[0]._replace(text=spans[0].text.lstrip())
    if stream and stream[-1] is not None:
        spans[-1] = spans[-1]._replace(text=spans[-1].text.rstrip())
    return [s._replace(text=_SPACE.sub(" ", s.text)) for s in spans if s.text]


@cache
def _colour(spec: str) -> Any:
    return HexColor(spec)
