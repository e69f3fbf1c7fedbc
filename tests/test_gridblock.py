"""The PDF writer's blocks (runs from the model) set exactly what the same markup would set.

:class:`GridBlock` replaces parsing :func:`inline_markup` with reportlab's
paragraph parser; these tests hold it to that parser's output (white space
included) and to :class:`GridParagraph`'s lines, page splits and drawing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas

from pipeline.model import Block, BlockKind, Field, Text
from pipeline.writers.fonts import resolve_fonts
from pipeline.writers.gridblock import LINE_BREAK, GridBlock
from pipeline.writers.gridpara import GridParagraph
from pipeline.writers.layout import GBT9704, title_lines
from pipeline.writers.pdf import _FontsOnDemand, _grid_style
from pipeline.writers.pdfruns import block_runs, inline_markup

FIELD = Field("f1", "name", "姓名", "***")
FILLED = replace(FIELD, value=" 张  三 ")
LONG = "关于做好二〇二四年度全市安全生产和防灾减灾工作的通知"
BLOCKS = {
    "lead, Latin, field": Block(
        BlockKind.PARAGRAPH, (Text("一是GDP增长5.5%，ISO 9001认证。其余照旧，"), FIELD), lead=12
    ),
    "spaces": Block(
        BlockKind.PARAGRAPH, (Text("  前导  与\n尾随 "), FILLED, Text(" 　全角  空格 "), FIELD)
    ),
    "fields only": Block(BlockKind.SIGNATURE, (FIELD, FIELD, Text(" "), FILLED)),
    "title": Block(BlockKind.TITLE, (Text(LONG),)),
    "white space only": Block(BlockKind.PARAGRAPH, (Text("  "),)),
    "heading": Block(BlockKind.HEADING, (Text("一、总体要求 "),), level=1),
    "long": Block(BlockKind.PARAGRAPH, (Text("网址 www.gov.cn 与 COVID-19，♔两字。" + LONG * 9),)),
}


@pytest.fixture(scope="module")
def fonts() -> _FontsOnDemand:
    return _FontsOnDemand(resolve_fonts({}, system=False))


def _markup(block: Block, fonts: Any, fallback: dict[str, str]) -> str:
    parts = title_lines(block, GBT9704)
    return "<br/>".join(inline_markup(p, GBT9704, fonts, True, fallback) for p in parts)


def _paragraph_style(block: Block, fonts: Any) -> ParagraphStyle:
    """The ParagraphStyle the writer set blocks in before :class:`GridBlock`."""
    spec = GBT9704.style_for(block)
    grid = _grid_style(spec, GBT9704)
    style = ParagraphStyle(
        "x",
        fontName=fonts[spec.font],
        fontSize=grid.size,
        leading=grid.leading,
        alignment=grid.alignment,
        firstLineIndent=grid.first_indent,
        rightIndent=grid.right_indent,
        wordWrap="CJK",
        allowWidows=1,
        allowOrphans=1,
    )
    style.gridCharSpace = grid.char_space
    return style


def _both(block: Block, fonts: Any) -> tuple[GridParagraph, GridBlock]:
    fallback = {"♔": fonts["heading2"]}
    style = _grid_style(GBT9704.style_for(block), GBT9704)
    runs = block_runs(block, GBT9704, fonts, True, fallback)
    paragraph = GridParagraph(_markup(block, fonts, fallback), _paragraph_style(block, fonts))
    return paragraph, GridBlock(runs, style)


@pytest.mark.parametrize("name", BLOCKS)
def test_runs_are_what_reportlab_parses_out_of_the_markup(name: str, fonts: Any) -> None:
    paragraph, block = _both(BLOCKS[name], fonts)
    parsed: list[tuple[str, str, Any]] = []
    for frag in paragraph.frags:
        back = getattr(frag, "backColor", None)
        if hasattr(frag, "lineBreak"):
            parsed.append((LINE_BREAK, "", None))
        elif parsed and parsed[-1][1:] == (frag.fontName, back) and parsed[-1][1]:
            parsed[-1] = (parsed[-1][0] + frag.text, frag.fontName, back)
        elif frag.text:
            parsed.append((frag.text, frag.fontName, back))
    assert [(r.text, r.font, r.back) for r in block.runs] == parsed


def _lines(flowable: Any) -> list[str]:
    if isinstance(flowable, GridBlock):
        lines = flowable._lay_out(flowable.width).lines
        return [flowable.text[a:b].replace(LINE_BREAK, "") for a, b in lines]
    return ["".join(getattr(w, "text", "") for w in line.words) for line in flowable.blPara.lines]


@pytest.mark.parametrize("name", BLOCKS)
def test_lines_and_page_splits_are_grid_paragraphs(name: str, fonts: Any) -> None:
    width = GBT9704.text_width_mm * 72 / 25.4
    paragraph, block = _both(BLOCKS[name], fonts)
    assert paragraph.wrap(width, 1000) == block.wrap(width, 1000)
    assert _lines(paragraph) == _lines(block)
    for room in (40.0, 95.0):
        theirs, ours = paragraph.split(width, room), block.split(width, room)
        assert len(theirs) == len(ours)
        for a, b in zip(theirs, ours, strict=True):
            assert a.wrap(width, 1000) == b.wrap(width, 1000)
            assert _lines(a) == _lines(b)


@pytest.mark.parametrize("name", BLOCKS)
def test_drawn_as_grid_paragraphs_draw(name: str, fonts: Any) -> None:
    """The same page content, whole and split at a page end (a first part is justified)."""
    width = GBT9704.text_width_mm * 72 / 25.4
    drawn = []
    for whole in _both(BLOCKS[name], fonts):
        canvas = Canvas(None)
        whole.wrap(width, 1000)
        for flowable in [whole, *whole.split(width, 95.0)]:
            flowable.wrap(width, 1000)
            flowable.drawOn(canvas, 70, 100)
        drawn.append(canvas._code)
    assert drawn[0] == drawn[1]


def test_a_documents_codes_are_freed_with_it() -> None:
    """Nothing kept per document outlives it (a batch worker writes thousands)."""
    import gc

    from pipeline import Options
    from pipeline.model import Document, Meta
    from pipeline.writers import pdftext
    from pipeline.writers.pdf import write_pdf

    document = Document(Meta("x.txt"), tuple(BLOCKS.values()))
    for _ in range(3):
        write_pdf(document, Options(system_fonts=False))
    gc.collect()
    assert not pdftext._CODES
