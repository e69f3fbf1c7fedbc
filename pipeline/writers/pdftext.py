"""Lines of text written straight into a page's content stream, in the fonts' two-byte codes.

reportlab draws a string through a text object that, for every string, asks
the font to encode it (a Python loop over the characters) and formats the
font, size and position operators anew.  A handout draws a few thousand
characters in a handful of fonts, so this module keeps, per document and
font, each character's code in hexadecimal, and per font and size the ``Tf``
operator; a line becomes one ``BT … ET`` string built mostly by
:meth:`str.translate`.  The operators are the ones reportlab's text object
writes (``Tm`` for each run, ``Tc``, ``rg``, ``Tf``, ``Tj``), so the pages
render the same.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.lib.colors import Color, black
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFStream
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfgen.canvas import Canvas

from .ttf import Flate


class FontCodes:
    """One font's two-byte codes in one document (:mod:`.cidfont`), as a translation table.

    The codes are the font's own (:meth:`.ttf.MappedTTFont.codes` gives them
    at first use), so the embedded subset holds exactly the characters drawn.
    """

    def __init__(self, font: Any, doc: Any) -> None:
        self.font = font
        # weakly: this object is a value of _CODES, whose key the document is
        self._doc = weakref.ref(doc)
        self.hex: dict[int, str] = {}  # code point -> its code in hexadecimal
        self.known: set[str] = set()
        self._tf: dict[float, str] = {}

    def learn(self, text: str) -> None:
        """Give the characters of ``text`` that have no code yet theirs, in order of use."""
        if self.known.issuperset(text):
            return
        new = "".join([ch for ch in dict.fromkeys(text) if ch not in self.known])
        codes = self.font.codes(new, self._doc())
        self.hex.update({ord(ch): f"{code:04X}" for ch, code in zip(new, codes, strict=True)})
        self.known.update(new)

    def tf(self, size: float) -> str:
        """The operator selecting this font at ``size`` points."""
        op = self._tf.get(size)
        if op is None:
            name = self.font.getSubsetInternalName(0, self._doc())
            op = self._tf[size] = f"{name} {fp_str(size)} Tf"
        return op

    def show(self, text: str) -> str:
        """The operator showing ``text``."""
        self.learn(text)
        return f"<{text.translate(self.hex)}> Tj"


class _DocumentCodes(dict[str, "FontCodes | None"]):
    """Font name -> its :class:`FontCodes` in one document, made on first use."""

    def __init__(self, doc: Any) -> None:
        super().__init__()
        self._doc = weakref.ref(doc)

    def __missing__(self, font_name: str) -> FontCodes | None:
        font = getFont(font_name)
        codes = self[font_name] = FontCodes(font, self._doc()) if hasattr(font, "codes") else None
        return codes


# Per document (reportlab's PDFDocument): font name -> its codes (None: not ours).
_CODES: WeakKeyDictionary[Any, _DocumentCodes] = WeakKeyDictionary()


def _document_codes(doc: Any) -> _DocumentCodes:
    fonts = _CODES.get(doc)
    if fonts is None:
        fonts = _DocumentCodes(doc)
        _CODES[doc] = fonts
    return fonts


def font_codes(doc: Any, font_name: str) -> FontCodes | None:
    """The :class:`FontCodes` of ``font_name`` in ``doc`` (``None``: not a font of ours)."""
    return _document_codes(doc)[font_name]


_FILLS: dict[Any, str] = {}


def _fill(canvas: Any, color: Any) -> str:
    """The operator setting ``color`` for text, as reportlab's text object writes it."""
    if color is black:
        return "0 0 0 rg"
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
    object does; a run in a font that is not a :class:`.ttf.MappedTTFont`
    goes through reportlab's text object.
    """
    fonts = _document_codes(canvas._doc)
    out = ["BT"]
    font: tuple[str, float] | None = None
    color: Any = None
    for index, (x, y, name, size, fill, text) in enumerate(runs):
        out.append(f"1 0 0 1 {fp_str(x, y)} Tm")
        if not index:
            out.append(f"{fp_str(spacing)} Tc")
        if color is None or (color is not fill and color != fill):
            color = fill
            out.append(_fill(canvas, fill))
        codes = fonts[name]
        if codes is None:
            text_object = canvas.beginText()
            text_object._code = []
            text_object.setFont(name, size)
            text_object._textOut(text)
            out.extend(text_object._code)
            font = None
            continue
        if font != (name, size):
            font = (name, size)
            out.append(codes.tf(size))
        out.append(codes.show(text))
    out.append("ET")
    canvas._code.append(" ".join(out))


# Page content is text operators, which compress nearly as well at zlib level 1
# as at reportlab's 6 (a tenth larger) in less than half the time.
PAGE_FLATE = Flate(1)


class PageCanvas(Canvas):  # type: ignore[misc]
    """A canvas whose page streams are compressed by :data:`PAGE_FLATE`."""

    def showPage(self) -> None:
        pages = self._doc.Pages.pages
        done = len(pages)
        super().showPage()
        for page in pages[done:]:
            if page.compression and page.stream and not page.Contents:
                page.Contents = PDFStream(content=page.stream, filters=[PAGE_FLATE])
