"""A reportlab paragraph set on the type area's character grid, justified, with Chinese 禁则.

reportlab parses the markup into styled fragments and handles page splitting;
this subclass replaces its CJK line breaking (with :mod:`.linebreak`) and its
drawing of the broken lines.  Every glyph advances by its width plus
``style.gridCharSpace`` (negative: 16 pt type on a 15.79 pt grid gives GB/T
9704's 28 characters in a 156 mm line), and a justified line spreads what is
left over evenly between its characters with the PDF's character spacing
(``Tc``), so text extraction sees no inserted spaces.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus.paragraph import (
    Paragraph,
    ParaLines,
    cjkU,
    makeCJKParaLine,
)

from .linebreak import break_lines

_OBJECT = "\ufffc"  # stands for a fragment without text (a <br/> or an anchor)

# Where the em box sits on the baseline: CJK faces put it from -0.12 to 0.88 em.
EM_CENTRE = 0.38


def _units(frags: list[Any]) -> list[Any]:
    units: list[Any] = []
    for frag in frags:
        text = frag.text if hasattr(frag, "text") else ""
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if text:
            units.extend(cjkU(ch, frag, "utf-8") for ch in text)
        else:
            units.append(cjkU("", frag, "utf-8"))
    return units


def _split_lines_without_spaces(blPara: Any, start: int, stop: int) -> list[Any]:
    """Fragments of lines ``start:stop``, rejoined as they were (reportlab's adds spaces)."""
    return [word.clone() for line in blPara.lines[start:stop] for word in line.words]


class GridParagraph(Paragraph):  # type: ignore[misc]
    """A :class:`Paragraph` (``wordWrap="CJK"``) that breaks and draws lines itself."""

    def breakLinesCJK(self, maxWidths: Any) -> Any:
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        space = getattr(self.style, "gridCharSpace", 0.0)
        units = _units(self.frags)
        if not units:
            return ParaLines(kind=1, lines=[])
        text = "".join(str(u) or _OBJECT for u in units)
        widths = [u.width + space if str(u) else u.width for u in units]
        forced = frozenset(i for i, u in enumerate(units) if hasattr(u.frag, "lineBreak"))
        lines = []
        for k, (a, b) in enumerate(break_lines(text, widths, maxWidths, forced)):
            limit = maxWidths[min(k, len(maxWidths) - 1)]
            used = sum(widths[a:b])
            line = makeCJKParaLine(units[a:b], limit, used, limit - used, (b - 1) in forced, False)
            line.glyphs = sum(1 for u in units[a:b] if str(u))
            lines.append(line)
        return ParaLines(kind=1, lines=lines)

    def _get_split_blParaFunc(self) -> Any:
        return _split_lines_without_spaces

    def drawPara(self, debug: int = 0) -> None:
        canvas = self.canv
        style = self.style
        lines = self.blPara.lines
        leading = style.leading
        space = getattr(style, "gridCharSpace", 0.0)
        justify_last = getattr(self, "_JustifyLast", False)
        for k, line in enumerate(lines):
            size = line.fontSize or style.fontSize
            y = self.height - k * leading - leading / 2 - EM_CENTRE * size
            x = style.leftIndent + (style.firstLineIndent if k == 0 else 0.0)
            glyphs = getattr(line, "glyphs", 0)
            last = k == len(lines) - 1
            spacing = space
            # the last glyph's spacing falls outside the line: leave it out when aligning
            slack = line.extraSpace + (space if glyphs else 0.0)
            if style.alignment == TA_JUSTIFY:
                if glyphs > 1 and not line.lineBreak and (not last or justify_last):
                    spacing = space + slack / (glyphs - 1)
            elif style.alignment == TA_CENTER:
                x += slack / 2
            elif style.alignment == TA_RIGHT:
                x += slack
            for word in line.words:
                x += self._draw_word(canvas, word, x, y, spacing, leading)

    @staticmethod
    def _draw_word(
        canvas: Any, word: Any, x: float, y: float, spacing: float, leading: float
    ) -> float:
        text = getattr(word, "text", "")
        size = word.fontSize
        defn = getattr(word, "cbDefn", None)
        if defn is not None:
            if getattr(defn, "kind", "") == "anchor":  # <a name="...">: a link target
                canvas.bookmarkHorizontal(defn.name, x, y + size)
            return 0.0
        if not text:
            return 0.0
        advance = stringWidth(text, word.fontName, size) + spacing * len(text)
        back = getattr(word, "backColor", None)
        if back is not None:
            canvas.saveState()
            canvas.setFillColor(back)
            height = min(leading, 1.3 * size)
            bottom = y + EM_CENTRE * size - height / 2
            canvas.rect(x, bottom, advance, height, stroke=0, fill=1)
            canvas.restoreState()
        tx = canvas.beginText(x, y + (getattr(word, "rise", 0) or 0))
        tx.setFont(word.fontName, size)
        tx.setCharSpace(spacing)
        tx.setFillColor(word.textColor)
        tx.textOut(text)
        canvas.drawText(tx)
        if getattr(word, "us_lines", None):  # <u>: one rule under the run
            canvas.saveState()
            canvas.setStrokeColor(word.textColor)
            canvas.setLineWidth(size / 18)
            canvas.line(x, y - 0.125 * size, x + advance - spacing, y - 0.125 * size)
            canvas.restoreState()
        for _kind, target in getattr(word, "link", None) or ():
            box = (x, y - 0.2 * size, x + advance, y + 0.9 * size)
            if target.startswith("#"):
                canvas.linkRect("", target[1:], box, relative=1)
            else:
                canvas.linkURL(target, box, relative=1)
        return float(advance)
