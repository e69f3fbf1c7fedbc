"""A block set on the type area's character grid, from runs of text the writer already knows.

The PDF writer knows each block's text, faces and highlights from the
document model, so :class:`GridBlock` takes them as runs (no paragraph markup
to write and parse back) and breaks its lines with :mod:`.linebreak`.  Every
glyph advances by its width plus ``style.char_space`` (negative: 16 pt type
on a 15.79 pt grid gives GB/T 9704's 28 characters in a 156 mm line), and a
justified line spreads what is left over evenly between its characters with
the PDF's character spacing (``Tc``), so text extraction sees no inserted
spaces.  Platypus still paginates: it asks for a block's height, splits it
between lines at a page end (as reportlab's ``Paragraph.split`` does) and
draws it.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from reportlab.lib.colors import black
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus.flowables import Flowable

from .linebreak import break_lines
from .pdftext import draw_text_line

_FUZZ = 1e-6  # reportlab's layout fuzz (rl_config._FUZZ)
LINE_BREAK = "\ufffc"  # the text of a hard line break's run: no glyph, no width

# Where the em box sits on the baseline: CJK faces put it from -0.12 to 0.88 em.
EM_CENTRE = 0.38


class Run(NamedTuple):
    """Text in one face with one background (a colour, or ``None``).

    A run whose ``font`` is empty is a hard line break (its text is
    :data:`LINE_BREAK`).
    """

    text: str
    font: str
    back: Any = None


@dataclass(frozen=True, slots=True)
class GridStyle:
    """What :class:`GridBlock` needs of a paragraph style (points; alignment as reportlab's)."""

    size: float
    leading: float
    alignment: int
    first_indent: float = 0.0
    right_indent: float = 0.0
    space_before: float = 0.0
    space_after: float = 0.0
    char_space: float = 0.0  # extra advance per glyph, to keep the grid


Line = tuple[int, int]


def merge_runs(runs: Iterable[Run]) -> list[Run]:
    """Neighbouring runs in the same face and background as one (hard breaks stay apart)."""
    out: list[Run] = []
    for run in runs:
        if out and run.font and out[-1].font == run.font and out[-1].back == run.back:
            out[-1] = out[-1]._replace(text=out[-1].text + run.text)
        else:
            out.append(run)
    return out


# Advances on the grid by (font, size, extra space), then character: the glyph
# width and the grid's extra space, for every character of every block.
_ADVANCES: dict[tuple[str, float, float], dict[str, float]] = {}


def _advances(font: str, size: float, space: float) -> dict[str, float]:
    table = _ADVANCES.get((font, size, space))
    if table is None:
        table = _ADVANCES[(font, size, space)] = {}
    return table


def _draw_background(
    canvas: Any, color: Any, left: float, y: float, advance: float, size: float, leading: float
) -> None:
    """A highlight behind a run of ``size`` pt type on baseline ``y``: the em box, a bit taller."""
    canvas.saveState()
    canvas.setFillColor(color)
    height = min(leading, 1.3 * size)
    bottom = y + EM_CENTRE * size - height / 2
    canvas.rect(left, bottom, advance, height, stroke=0, fill=1)
    canvas.restoreState()


@dataclass(frozen=True, slots=True)
class _Layout:
    """A block's lines at one width: where each ends, how wide each is, the hard breaks."""

    width: float
    lines: list[Line]
    limits: tuple[float, float]  # the first line's room, every later line's
    used: list[float]
    forced: frozenset[int]  # indices of hard line breaks

    def head(self, count: int) -> _Layout:
        return replace(self, lines=self.lines[:count], used=self.used[:count])


class GridBlock(Flowable):  # type: ignore[misc]
    """Runs of text broken into grid lines; splits between lines at a page end.

    As reportlab's ``Paragraph`` does, the first part of a split keeps its
    lines (its last one justified unless a hard break ends it) and the rest
    is laid out afresh, without the first line's indent.
    """

    def __init__(
        self,
        runs: list[Run],
        style: GridStyle,
        outline: tuple[str, int, str] | None = None,
        layout: _Layout | None = None,
    ) -> None:
        super().__init__()
        self.runs = runs
        self.style = style
        self.outline = outline  # (text, level, key) for a PDF bookmark, read by the template
        self.starts = list(itertools.accumulate((len(r.text) for r in runs), initial=0))
        self.text = "".join(r.text for r in runs)
        self._kept = layout is not None  # the first part of a split
        self._layout = layout
        self._justify_last = layout is not None  # a page's last line (not a hard break's)

    def getSpaceBefore(self) -> float:
        return self.style.space_before

    def getSpaceAfter(self) -> float:
        return self.style.space_after

    def _widths(self) -> tuple[list[float], frozenset[int]]:
        """Each character's advance on the grid, and the hard breaks' indices."""
        style = self.style
        widths: list[float] = []
        forced = []
        for run, start in zip(self.runs, self.starts, strict=False):
            if not run.font:
                widths.append(0.0)
                forced.append(start)
                continue
            table = _advances(run.font, style.size, style.char_space)
            try:
                widths.extend(map(table.__getitem__, run.text))
            except KeyError:  # characters not measured yet
                del widths[start:]
                for ch in run.text:
                    if ch not in table:
                        table[ch] = stringWidth(ch, run.font, style.size) + style.char_space
                widths.extend(map(table.__getitem__, run.text))
        return widths, frozenset(forced)

    def _lay_out(self, width: float) -> _Layout:
        layout = self._layout
        if layout is None or (layout.width != width and not self._kept):
            style = self.style
            widths, forced = self._widths()
            limits = (width - style.first_indent - style.right_indent, width - style.right_indent)
            lines = break_lines(self.text, widths, limits, forced) if self.text else []
            used = [sum(widths[a:b]) for a, b in lines]
            layout = self._layout = _Layout(width, lines, limits, used, forced)
        return layout

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth < _FUZZ:
            return 0, 0x7FFFFFFF
        self.width = availWidth
        self.height = len(self._lay_out(availWidth).lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        if not self.runs or availWidth < _FUZZ or availHeight < _FUZZ:
            return []
        layout = self._lay_out(availWidth)
        fit = int(availHeight / self.style.leading)
        if fit == 0:
            return []
        if len(layout.lines) <= fit:
            return [self]
        head = GridBlock(self._slice(layout.lines[:fit]), self.style, layout=layout.head(fit))
        tail = GridBlock(self._slice(layout.lines[fit:]), replace(self.style, first_indent=0.0))
        return [head, tail]

    def _slice(self, lines: list[Line]) -> list[Run]:
        """The runs of ``lines``, rejoined without the spaces the breaks dropped."""
        return merge_runs(
            run._replace(text=text) for a, b in lines for run, text in self._pieces(a, b)
        )

    def _pieces(self, a: int, b: int) -> list[tuple[Run, str]]:
        """The runs overlapping characters ``a:b``, each with its text there."""
        starts = self.starts
        k = bisect.bisect_right(starts, a) - 1
        out = []
        while k < len(self.runs) and starts[k] < b:
            run = self.runs[k]
            text = run.text[max(a - starts[k], 0) : b - starts[k]]
            if text:
                out.append((run, text))
            k += 1
        return out

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        layout = self._lay_out(self.width)
        lines = layout.lines
        leading = style.leading
        size = style.size
        space = style.char_space
        for k, (a, b) in enumerate(lines):
            y = self.height - k * leading - leading / 2 - EM_CENTRE * size
            x = style.first_indent if k == 0 else 0.0
            glyphs = b - a - sum(1 for i in layout.forced if a <= i < b)
            last = k == len(lines) - 1
            broken = (b - 1) in layout.forced
            spacing = space
            slack = layout.limits[min(k, 1)] - layout.used[k] + (space if glyphs else 0.0)
            if style.alignment == TA_JUSTIFY:
                if glyphs > 1 and not broken and (not last or self._justify_last):
                    spacing = space + slack / (glyphs - 1)
            elif style.alignment == TA_CENTER:
                x += slack / 2
            elif style.alignment == TA_RIGHT:
                x += slack
            self._draw_line(canvas, a, b, x, y, spacing, leading)

    def _draw_line(
        self, canvas: Any, a: int, b: int, x: float, y: float, spacing: float, leading: float
    ) -> None:
        size = self.style.size
        runs = []
        for run, text in self._pieces(a, b):
            if not run.font:
                continue
            advance = getFont(run.font).stringWidth(text, size) + spacing * len(text)
            if run.back is not None:
                _draw_background(canvas, run.back, x, y, advance, size, leading)
            runs.append((x, y, run.font, size, black, text))
            x += advance
        if runs:
            draw_text_line(canvas, spacing, runs)
