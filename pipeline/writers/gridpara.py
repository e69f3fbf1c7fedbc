"""A reportlab paragraph set on the type area's character grid, justified, with Chinese 禁则.

:class:`GridParagraph` takes reportlab paragraph markup (links, anchors and
underlines included); reportlab parses it into styled fragments and handles
page splitting, and this subclass replaces its CJK line breaking (with
:mod:`.linebreak`) and its drawing of the broken lines.  The PDF writer sets
its blocks as :class:`.gridblock.GridBlock`, the same layout from runs of
text without markup (tests hold the two to the same lines and drawing).
Every glyph advances by its width plus ``style.gridCharSpace`` (negative:
16 pt type on a 15.79 pt grid gives GB/T 9704's 28 characters in a 156 mm
line), and a justified line spreads what is left over evenly between its
characters with the PDF's character spacing (``Tc``), so text extraction
sees no inserted spaces.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.rl_accel import sameFrag
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus.paragraph import FragLine, Paragraph, ParaLines

from .linebreak import break_lines
from .pdftext import draw_text_line

_OBJECT = "\ufffc"  # stands for a fragment without text (a <br/> or an anchor)

# Where the em box sits on the baseline: CJK faces put it from -0.12 to 0.88 em.
EM_CENTRE = 0.38


def draw_background(
    canvas: Any, color: Any, left: float, y: float, advance: float, size: float, leading: float
) -> None:
    """A highlight behind a run of ``size`` pt type on baseline ``y``: the em box, a bit taller."""
    canvas.saveState()
    canvas.setFillColor(color)
    height = min(leading, 1.3 * size)
    bottom = y + EM_CENTRE * size - height / 2
    canvas.rect(left, bottom, advance, height, stroke=0, fill=1)
    canvas.restoreState()


# Glyph widths by (font, size), then character: a paragraph measures each of
# its characters, and the same few thousand recur in every document.
_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def glyph_widths(font: str, size: float) -> dict[str, float]:
    """The cache of ``font``'s glyph widths at ``size`` (character -> points)."""
    widths = _WIDTHS.get((font, size))
    if widths is None:
        widths = _WIDTHS[(font, size)] = {}
    return widths


def _units(frags: list[Any]) -> tuple[list[str], list[float], list[int]]:
    """Characters (``""`` for a fragment without text), their widths, their fragments.

    The same units reportlab's ``cjkU`` makes, without an object per character.
    """
    chars: list[str] = []
    widths: list[float] = []
    owners: list[int] = []
    for index, frag in enumerate(frags):
        text = frag.text if hasattr(frag, "text") else ""
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        defn = getattr(frag, "cbDefn", None)
        if not text or defn is not None:
            width = getattr(defn, "width", 0) if defn is not None else 0.0
            units = list(text) or [""]
            chars.extend(units)
            widths.extend(
                width if defn is not None else stringWidth(u, frag.fontName, frag.fontSize)
                for u in units
            )
            owners.extend(index for _ in units)
            continue
        known = glyph_widths(frag.fontName, frag.fontSize)
        for ch in text:
            width = known.get(ch)
            if width is None:
                width = known[ch] = stringWidth(ch, frag.fontName, frag.fontSize)
            widths.append(width)
        chars.extend(text)
        owners.extend(index for _ in text)
    return chars, widths, owners


def _line(
    frags: list[Any], chars: list[str], owners: list[int], a: int, b: int
) -> tuple[list[Any], float, float, float]:
    """Words of units ``a:b`` merged as ``makeCJKParaLine`` merges them; size, ascent, descent.

    A fragment with a line break or a callback (``cbDefn``) never merges,
    not even with itself: each of its units is a word of its own.
    """
    words: list[Any] = []
    max_size = max_ascent = min_descent = 0.0
    current: Any = None
    run: list[str] = []
    k = a
    while k < b:
        owner = owners[k]
        stop = k + 1
        while stop < b and owners[stop] == owner:
            stop += 1
        frag = frags[owner]
        ascent, descent = getAscentDescent(frag.fontName, frag.fontSize)
        max_size = max(max_size, frag.fontSize)
        max_ascent = max(max_ascent, ascent)
        min_descent = min(min_descent, descent)
        if "cbDefn" in frag.__dict__ or "lineBreak" in frag.__dict__:
            for j in range(k, stop):
                if current is not None:
                    words.append(current.clone(text="".join(run)))
                current, run = frag, [chars[j]]
        else:
            if current is None or not sameFrag(current, frag):
                if current is not None:
                    words.append(current.clone(text="".join(run)))
                current, run = frag, []
            run.extend(chars[k:stop])
        k = stop
    if current is not None:
        words.append(current.clone(text="".join(run)))
    return words, max_size, max_ascent, min_descent


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
        frags = self.frags
        chars, base, owners = _units(frags)
        if not chars:
            return ParaLines(kind=1, lines=[])
        if "" in chars:
            text = "".join(ch or _OBJECT for ch in chars)
            widths = [w + space if ch else w for ch, w in zip(chars, base, strict=True)]
        else:  # only characters (no <br/> or anchor): the usual paragraph
            text = "".join(chars)
            widths = [w + space for w in base]
        breaking = {k for k, frag in enumerate(frags) if hasattr(frag, "lineBreak")}
        forced = (
            frozenset(i for i, owner in enumerate(owners) if owner in breaking)
            if breaking
            else frozenset()
        )
        lines = []
        for k, (a, b) in enumerate(break_lines(text, widths, maxWidths, forced)):
            limit = maxWidths[min(k, len(maxWidths) - 1)]
            used = sum(widths[a:b])
            words, size, ascent, descent = _line(frags, chars, owners, a, b)
            line = FragLine(
                kind=1,
                extraSpace=limit - used,
                wordCount=1,
                words=words,
                fontSize=size,
                ascent=ascent,
                descent=descent,
                maxWidth=limit,
                currentWidth=used,
                lineBreak=(b - 1) in forced,
            )
            line.glyphs = b - a - chars[a:b].count("")
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
            self._draw_line(canvas, line.words, x, y, spacing, leading)

    @staticmethod
    def _draw_line(
        canvas: Any, words: list[Any], x: float, y: float, spacing: float, leading: float
    ) -> None:
        """One line's runs: backgrounds, then the text in one text object, then rules and links.

        Each run starts at its own origin, so nothing depends on the PDF
        viewer's glyph advances (:func:`.pdftext.draw_text_line`).
        """
        runs: list[tuple[Any, str, float, float]] = []  # word, text, x, advance
        for word in words:
            text = getattr(word, "text", "")
            defn = getattr(word, "cbDefn", None)
            if defn is not None:
                if getattr(defn, "kind", "") == "anchor":  # <a name="...">: a link target
                    canvas.bookmarkHorizontal(defn.name, x, y + word.fontSize)
                continue
            if not text:
                continue
            advance = stringWidth(text, word.fontName, word.fontSize) + spacing * len(text)
            runs.append((word, text, x, advance))
            x += advance
        for word, _text, left, advance in runs:
            back = getattr(word, "backColor", None)
            if back is not None:
                draw_background(canvas, back, left, y, advance, word.fontSize, leading)
        if not runs:
            return
        draw_text_line(
            canvas,
            spacing,
            (
                (
                    left,
                    y + (getattr(word, "rise", 0) or 0),
                    word.fontName,
                    word.fontSize,
                    word.textColor,
                    text,
                )
                for word, text, left, _advance in runs
            ),
        )
        for word, _text, left, advance in runs:
            size = word.fontSize
            if getattr(word, "us_lines", None):  # <u>: one rule under the run
                canvas.saveState()
                canvas.setStrokeColor(word.textColor)
                canvas.setLineWidth(size / 18)
                canvas.line(left, y - 0.125 * size, left + advance - spacing, y - 0.125 * size)
                canvas.restoreState()
            for _kind, target in getattr(word, "link", None) or ():
                box = (left, y - 0.2 * size, left + advance, y + 0.9 * size)
                if target.startswith("#"):
                    canvas.linkRect("", target[1:], box, relative=1)
                else:
                    canvas.linkURL(target, box, relative=1)
