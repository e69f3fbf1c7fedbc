"""Lines of text written straight into a page's content stream, in TrueType subset codes.

reportlab draws a string through a text object that, for every string, asks
the font to split it into its 256-character subsets (a Python loop over the
characters) and formats the font, size and position operators anew.  A
handout draws a few thousand characters in a handful of fonts, so this module
keeps, per document and font, each character's subset and escaped code, and
per font, subset and size the ``Tf`` operator; a line becomes one ``BT … ET``
string built mostly by :meth:`str.translate`.  The operators are the ones
reportlab's text object writes (``Tm`` for each run, ``Tc``, ``rg``, ``Tf``,
``Tj``), so the pages render the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont

# A code byte as it appears inside a PDF string, as reportlab escapes it.
_ESCAPED = [escapePDF(bytes((code,))) for code in range(256)]
_SAME = re.compile(r"(.)\1*", re.DOTALL)  # a run of characters in one subset


class FontCodes:
    """One TrueType font's subset codes in one document, as translation tables.

    Codes are reportlab's own (the font's per-document state assigns them in
    :meth:`~reportlab.pdfbase.ttfonts.TTFont.splitString`), so the subsets
    reportlab embeds hold exactly the characters drawn.
    """

    def __init__(self, font: Any, doc: Any) -> None:
        self.font = font
        self.doc = doc
        self.escaped: dict[int, str] = {}  # code point -> escaped code byte
        self.subset: dict[int, str] = {}  # code point -> its subset, as a character
        self._tf: dict[tuple[int, float], str] = {}

    def learn(self, text: str) -> None:
        """Give the characters of ``text`` that have no code yet theirs."""
        new = "".join(dict.fromkeys(ch for ch in text if ord(ch) not in self.escaped))
        if not new:
            return
        self.font.splitString(new, self.doc)
        assignments = self.font.state[self.doc].assignments
        for ch in new:
            point = ord(ch)
            code = assignments.get(32 if point == 0xA0 else point, 0)
            self.escaped[point] = _ESCAPED[code & 0xFF]
            self.subset[point] = chr(code >> 8)

    def tf(self, subset: int, size: float) -> str:
        """The operator selecting ``subset`` at ``size`` points."""
        op = self._tf.get((subset, size))
        if op is None:
            name = self.font.getSubsetInternalName(subset, self.doc)
            op = self._tf[(subset, size)] = f"{name} {fp_str(size)} Tf"
        return op

    def show(self, text: str, size: float, current: int, out: list[str]) -> int:
        """Append the operators showing ``text`` to ``out``; return the subset left selected.

        ``current`` is the subset selected before (-1: none, or another font).
        """
        self.learn(text)
        subsets = text.translate(self.subset)
        if subsets.count(subsets[0]) == len(subsets):  # the usual case: one subset
            subset = ord(subsets[0])
            if subset != current:
                out.append(self.tf(subset, size))
            out.append(f"({text.translate(self.escaped)}) Tj")
            return subset
        for m in _SAME.finditer(subsets):
            subset = ord(m.group()[0])
            if subset != current:
                out.append(self.tf(subset, size))
                current = subset
            out.append(f"({text[m.start() : m.end()].translate(self.escaped)}) Tj")
        return current


# Per document (reportlab's PDFDocument): font name -> its codes.
_CODES: WeakKeyDictionary[Any, dict[str, FontCodes]] = WeakKeyDictionary()


def font_codes(doc: Any, font_name: str) -> FontCodes:
    """The :class:`FontCodes` of ``font_name`` in ``doc``, made on first use."""
    fonts = _CODES.get(doc)
    if fonts is None:
        fonts = _CODES[doc] = {}
    codes = fonts.get(font_name)
    if codes is None:
        codes = fonts[font_name] = FontCodes(getFont(font_name), doc)
    return codes


_FILLS: dict[Any, str] = {}


def _fill(canvas: Any, color: Any) -> str:
    """The operator setting ``color`` for text, as reportlab's text object writes it."""
    op = _FILLS.get(color)
    if op is None:
        if type(color) is Color:
            op = f"{fp_str(color.red, color.green, color.blue)} rg"
        else:  # CMYK, spot colours, tuples: let reportlab format them
            text = canvas.beginText()
            text._code = []
            text.setFillColor(color)
            op = " ".join(text._code)
        _FILLS[color] = op
    return op


Run = tuple[float, float, str, float, Any, str]  # x, y, font name, size, colour, text


def draw_text_line(canvas: Any, spacing: float, runs: Iterable[Run]) -> None:
    """One line's runs in one text object: each at its own origin, with ``spacing`` (``Tc``).

    The font and colour are set only when they change, as reportlab's text
    object does; a run of a font that is not a TrueType subset font goes
    through reportlab's text object.
    """
    doc = canvas._doc
    out = ["BT"]
    font: tuple[str, float] | None = None
    color: Any = None
    subset = -1
    for index, (x, y, name, size, fill, text) in enumerate(runs):
        out.append(f"1 0 0 1 {fp_str(x, y)} Tm")
        if not index:
            out.append(f"{fp_str(spacing)} Tc")
        if color is None or color != fill:
            color = fill
            out.append(_fill(canvas, fill))
        codes = font_codes(doc, name)
        if not hasattr(codes.font, "splitString"):
            text_object = canvas.beginText()
            text_object._code = []
            text_object.setFont(name, size)
            text_object._textOut(text)
            out.extend(text_object._code)
            font, subset = None, -1
            continue
        if font != (name, size):
            font, subset = (name, size), -1
        subset = codes.show(text, size, subset, out)
    out.append("ET")
    canvas._code.append(" ".join(out))
