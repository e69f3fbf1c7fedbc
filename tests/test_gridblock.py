"""The PDF writer's blocks: which runs a block becomes, and how :class:`GridBlock` sets them.

Stated expectations, not a reference implementation: a block's runs (faces,
highlights, white space, the same text out as in); its lines on GB/T 9704's
grid (28 characters of 16 pt type a line, none starting with a closing mark
or ending with an opening one, no number or Latin word split, widths
measured from the font); its splits at a page end; and where every run,
background and baseline is drawn, read back from the page's content.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas

from pipeline.model import Block, BlockKind, Field, Text
from pipeline.writers.fonts import ROLES, resolve_fonts
from pipeline.writers.gridblock import LINE_BREAK, GridBlock, GridStyle, Run, merge_runs
from pipeline.writers.layout import GBT9704, MM
from pipeline.writers.linebreak import CANNOT_END, CANNOT_START, break_opportunities, violations
from pipeline.writers.pdf import _FontsOnDemand, _grid_style
from pipeline.writers.pdfruns import FILLED_TINT, block_runs
from pipeline.writers.pdftext import font_codes

FIELD = Field("f1", "name", "姓名", "***")
FILLED = replace(FIELD, value=" 张  三 ")
LONG = "关于做好二〇二四年度全市安全生产和防灾减灾工作的通知"
SPACED = Block(
    BlockKind.PARAGRAPH, (Text("  前导  与\n尾随 "), FILLED, Text(" 　全角  空格 "), FIELD)
)

WIDTH = GBT9704.text_width_mm * MM  # 156 mm
PITCH = WIDTH / 28  # GB/T 9704: 28 characters of body type a line
LEADING = GBT9704.text_height_mm * MM / 22  # and 22 lines a page


def near(value: float) -> Any:
    """``value`` as a page's content gives it (operands rounded to a few decimals)."""
    return pytest.approx(value, abs=2e-3)


BODY = _grid_style(GBT9704.styles["paragraph"], GBT9704)  # justified, indented two characters

# --- runs: fonts named by their roles, so a run's face reads as its role ---------------------

NAMES = {role: role for role in ROLES}
FALLBACK = {"♔": "fallback"}
BACKS = {"field": HexColor(GBT9704.field_color), "tint": HexColor(FILLED_TINT)}


def _back(colour: Color) -> str:
    """``colour``'s name in :data:`BACKS` (a page gives colours to a few decimals)."""
    (name,) = (
        name
        for name, known in BACKS.items()
        if all(abs(a - b) < 1e-3 for a, b in zip(known.rgb(), colour.rgb(), strict=True))
    )
    return name


Expected = list[tuple[str, str] | tuple[str, str, str]]  # text, face[, highlight]

RUNS: dict[str, tuple[Block, bool, Expected]] = {
    "lead sentence bold, digits and Latin words in the Latin face, unfilled field marked": (
        Block(
            BlockKind.PARAGRAPH, (Text("一是GDP增长5.5%，ISO 9001认证。其余照旧，"), FIELD), lead=12
        ),
        False,
        [
            ("一是", "bold"),
            ("GDP", "latin"),
            ("增长", "bold"),
            ("5.5%", "latin"),
            ("，", "bold"),
            ("ISO 9001", "latin"),
            ("认证。其余照旧，", "body"),
            ("【姓名】", "body", "field"),
        ],
    ),
    "white space one space, block stripped, kept at a highlight's edges, filled value tinted": (
        SPACED,
        True,
        [
            ("前导 与 尾随 ", "body"),
            (" 张 三 ", "body", "tint"),
            (" 全角 空格 ", "body"),
            ("【姓名】", "body", "field"),
        ],
    ),
    "a filled value without --mark-filled is plain text": (
        SPACED,
        False,
        [("前导 与 尾随 张 三 全角 空格 ", "body"), ("【姓名】", "body", "field")],
    ),
    "a highlight's spaces kept at the block's start, the text's stripped at its end": (
        Block(BlockKind.PARAGRAPH, (FILLED, Text(" 后文 "))),
        True,
        [(" 张 三 ", "body", "tint"), (" 后文", "body")],
    ),
    "neighbouring fields one run, a space between highlights kept": (
        Block(BlockKind.SIGNATURE, (FIELD, FIELD, Text(" "), FILLED)),
        True,
        [("【姓名】【姓名】", "body", "field"), (" ", "body"), (" 张 三 ", "body", "tint")],
    ),
    "a long title in balanced lines joined by a hard break": (
        Block(BlockKind.TITLE, (Text(LONG),)),
        False,
        [
            ("关于做好二〇二四年度全市安", "title"),
            (LINE_BREAK, ""),
            ("全生产和防灾减灾工作的通知", "title"),
        ],
    ),
    "white space only: nothing": (Block(BlockKind.PARAGRAPH, (Text("  "),)), False, []),
    "heading in its face, Latin too, stripped": (
        Block(BlockKind.HEADING, (Text("一、总体要求 2024 "),), level=1),
        False,
        [("一、总体要求 2024", "heading1")],
    ),
    "web address, compound and a character the fonts lack": (
        Block(BlockKind.PARAGRAPH, (Text("网址 www.gov.cn 与 COVID-19，♔两字。"),)),
        False,
        [
            ("网址 ", "body"),
            ("www.gov.cn", "latin"),
            (" 与 ", "body"),
            ("COVID-19", "latin"),
            ("，", "body"),
            ("♔", "fallback"),
            ("两字。", "body"),
        ],
    ),
}


def _named(runs: list[Run]) -> Expected:
    return [(r.text, r.font) if r.back is None else (r.text, r.font, _back(r.back)) for r in runs]


@pytest.mark.parametrize("name", RUNS)
def test_block_runs(name: str) -> None:
    block, mark_filled, expected = RUNS[name]
    assert _named(block_runs(block, GBT9704, NAMES, mark_filled, FALLBACK)) == expected


_INLINE = st.one_of(
    st.text(alphabet="国文甲 　\n\tAB12.%，。“”《》♔", max_size=10).map(Text),
    st.sampled_from([FIELD, FILLED, replace(FIELD, value="值A 1")]),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(_INLINE, max_size=6),
    st.sampled_from([BlockKind.PARAGRAPH, BlockKind.SIGNATURE, BlockKind.TITLE]),
    st.integers(0, 30),
    st.booleans(),
)
def test_runs_keep_the_text_and_mark_every_field(
    inlines: list[Text | Field], kind: BlockKind, lead: int, mark_filled: bool
) -> None:
    """Every visible character in order; each field's characters, and only they, highlighted."""
    block = Block(kind, tuple(inlines), lead=lead)
    runs = block_runs(block, GBT9704, NAMES, mark_filled, FALLBACK)

    def visible(text: str) -> str:
        return re.sub(r"\s", "", text)

    assert visible("".join(r.text for r in runs).replace(LINE_BREAK, "")) == visible(
        block.display_text
    )
    # white space as spaces (collapsed within a part: where two bold or
    # highlighted parts meet, their spaces stand side by side)
    assert all(r.text and not re.search(r"[^\S ]", r.text) for r in runs)
    for left, right in itertools.pairwise(runs):  # neighbours differ, or one is a break
        assert (left.font, left.back) != (right.font, right.back) or not left.font
    marked = "".join(r.text for r in runs if r.back is not None)
    fields = [f for f in block.fields() if f.value is None or mark_filled]
    assert visible(marked) == visible("".join(f.display for f in fields))


# --- lines, splits and drawing, in the bundled fonts -------------------------------------------


@pytest.fixture(scope="module")
def fonts() -> _FontsOnDemand:
    return _FontsOnDemand(resolve_fonts({}, system=False))


@dataclass
class Line:
    """One drawn line: its baseline, its character spacing (``Tc``), its runs (x, font, text)."""

    y: float
    spacing: float
    size: float
    runs: list[tuple[float, str, str]]

    @property
    def text(self) -> str:
        return "".join(text for _x, _font, text in self.runs)

    @property
    def left(self) -> float:
        return self.runs[0][0]

    @property
    def right(self) -> float:
        """Where the last glyph ends (the spacing after it is not part of the line)."""
        x, font, text = self.runs[-1]
        return x + stringWidth(text, font, self.size) + self.spacing * (len(text) - 1)


@dataclass
class Drawn:
    height: float
    lines: list[Line]
    backgrounds: list[tuple[str, float, float, float, float]]  # colour, x, y, width, height


_OP = re.compile(r"1 0 0 1 (\S+) (\S+) Tm|(\S+) Tc|(/\S+) (\S+) Tf|<([0-9A-F]*)> Tj")
_RECT = re.compile(r"(\S+) (\S+) (\S+) rg\nn (\S+) (\S+) (\S+) (\S+) re f\*")


def _draw(block: GridBlock, width: float = WIDTH) -> Drawn:
    """Lay ``block`` out at ``width``, draw it, and read back what the page shows."""
    canvas = Canvas(None)
    _w, height = block.wrap(width, 10_000)
    block.drawOn(canvas, 0, 0)
    doc = canvas._doc
    faces = {getFont(r.font).getSubsetInternalName(0, doc): r.font for r in block.runs if r.font}
    lines = []
    for code in canvas._code:
        if not code.startswith("BT"):
            continue
        line = Line(0.0, 0.0, 0.0, [])
        x = 0.0
        font = ""
        for m in _OP.finditer(code):
            if m.group(1) is not None:
                x, line.y = float(m.group(1)), float(m.group(2))
            elif m.group(3) is not None:
                line.spacing = float(m.group(3))
            elif m.group(4) is not None:
                font, line.size = faces[m.group(4)], float(m.group(5))
            else:
                codes = font_codes(doc, font)
                assert codes is not None
                chars = {code: chr(cp) for cp, code in codes.hex.items()}
                hexes = m.group(6)
                line.runs.append(
                    (x, font, "".join(chars[hexes[i : i + 4]] for i in range(0, len(hexes), 4)))
                )
        lines.append(line)
    backgrounds = [
        (_back(Color(*map(float, m.groups()[:3]))), *map(float, m.groups()[3:]))
        for m in _RECT.finditer("\n".join(canvas._code))
    ]
    return Drawn(height, lines, backgrounds)


def _body(text: str, fonts: Any, style: GridStyle = BODY) -> GridBlock:
    return GridBlock([Run(text, fonts["body"])], style)


def _advance(text: str, font: str, style: GridStyle = BODY) -> float:
    """``text``'s width on the grid, from the font's glyph widths."""
    return sum(stringWidth(ch, font, style.size) + style.char_space for ch in text)


def test_the_grid_is_28_characters_of_body_type(fonts: Any) -> None:
    assert stringWidth("国", fonts["body"], 16) == 16  # an em wide
    assert BODY.size + BODY.char_space == near(PITCH)
    assert (BODY.first_indent, BODY.leading) == (near(2 * PITCH), near(LEADING))


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("国" * 60, ["国" * 26, "国" * 28, "国" * 6]),  # two characters' indent, then 28
        ("国" * 26 + "。" + "国" * 4, ["国" * 25, "国。国国国国"]),  # 。 takes a character along
        ("国" * 25 + "《国》" + "国" * 4, ["国" * 25, "《国》国国国国"]),  # 《 may not end a line
        ("国" * 25 + "2024年", ["国" * 25, "2024年"]),  # a number stays whole
        ("国" * 25 + "5.5%。", ["国" * 25, "5.5%。"]),
        ("国" * 25 + "——国", ["国" * 25, "——国"]),  # so does the two-em dash
        ("国" * 24 + "ISO 9001 标准", ["国" * 24 + "ISO", "9001 标准"]),  # the space goes
        ("国" * 26 + "  国国", ["国" * 26, "国国"]),  # spaces at a break start no line
    ],
)
def test_lines_break_on_the_grid_by_the_rules(text: str, lines: list[str], fonts: Any) -> None:
    drawn = _draw(_body(text, fonts))
    assert [line.text for line in drawn.lines] == lines
    assert drawn.height == near(len(lines) * LEADING)
    assert not violations(lines)


def test_every_mark_keeps_to_its_neighbour(fonts: Any) -> None:
    """No line starts with any closing mark, or ends with any opening one, of the rule sets."""
    for mark in CANNOT_START:
        lines = [line.text for line in _draw(_body("国" * 26 + mark + "国" * 4, fonts)).lines]
        assert lines == ["国" * 25, "国" + mark + "国" * 4], mark
    for mark in CANNOT_END:
        lines = [line.text for line in _draw(_body("国" * 25 + mark + "国" * 5, fonts)).lines]
        assert lines == ["国" * 25, mark + "国" * 5], mark


def test_widths_are_the_fonts(fonts: Any) -> None:
    """A run with no break point is cut where the next glyph, as the font measures it, overflows."""
    body = fonts["body"]
    step = stringWidth("A", body, 16) + BODY.char_space
    assert step < PITCH * 0.9  # a proportional Latin glyph, narrower than the grid
    first, later = int((WIDTH - BODY.first_indent) / step), int(WIDTH / step)
    lines = [line.text for line in _draw(_body("A" * 200, fonts)).lines]
    assert [len(line) for line in lines[:2]] == [first, later]
    assert "".join(lines) == "A" * 200


# Each token may start a line, so no line lacks a legal break point; a token's
# own marks, numbers and dashes are what the rules keep together.
_TOKEN = st.sampled_from(
    [
        *("国", "文字", "国，", "国。", "国”", "“国", "《国》", "（国）"),
        *("ISO ", "9001年", "5.5%。", "——国", "国……”", " "),
    ]
)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(tokens=st.lists(_TOKEN, min_size=40, max_size=150))
def test_every_line_fits_follows_the_rules_and_is_as_full_as_they_allow(
    tokens: list[str], fonts: Any
) -> None:
    text = "".join(tokens).strip() or "国"
    body = fonts["body"]
    lines = [line.text for line in _draw(_body(text, fonts)).lines]
    allowed = [*break_opportunities(text), True]  # and the end of the text
    pos = 0
    for k, line in enumerate(lines):
        limit = WIDTH - (BODY.first_indent if k == 0 else 0.0)
        while not text.startswith(line, pos):  # only spaces where a line breaks are dropped
            assert text[pos] == " "
            pos += 1
        start, pos = pos, pos + len(line)
        assert start == 0 or allowed[start]  # a legal break: no mark, number or word split
        assert line.strip(" ") == line
        assert _advance(line, body) <= limit + 1e-6
        if k < len(lines) - 1:  # up to the next legal break point would not have fitted
            longer = next(
                j for j in range(pos + 1, len(text) + 1) if allowed[j] and text[pos:j].strip()
            )
            assert _advance(text[start:longer].rstrip(" "), body) > limit
    assert text[pos:].strip() == ""
    assert not violations(lines)


def test_justified_lines_fill_the_measure_and_the_last_keeps_the_grid(fonts: Any) -> None:
    """A line ended early by the rules is spread to the margin; the last is not."""
    drawn = _draw(_body("国" * 26 + "。" + "国" * 40, fonts))
    first, second, last = drawn.lines
    assert first.left == near(2 * PITCH) and first.right == near(WIDTH)
    assert first.spacing > BODY.char_space  # 25 characters spread over 26 places
    assert second.left == near(0) and second.right == near(WIDTH)  # full: last glyph at the margin
    assert last.text == "国" * 14 and last.spacing == near(BODY.char_space)
    assert last.right == near(14 * PITCH - BODY.char_space)
    for k, line in enumerate(drawn.lines):  # the em box (-0.12 to 0.88 em) centred in its row
        assert line.y + 0.38 * line.size == near(drawn.height - (k + 0.5) * LEADING)


def test_a_hard_break_ends_a_line_unjustified(fonts: Any) -> None:
    body = fonts["body"]
    runs = [Run("国国", body), Run(LINE_BREAK, ""), Run("国国国", body)]
    drawn = _draw(GridBlock(runs, BODY))
    assert [line.text for line in drawn.lines] == ["国国", "国国国"]
    assert drawn.height == near(2 * LEADING)
    assert [line.spacing for line in drawn.lines] == [near(BODY.char_space)] * 2
    assert [line.left for line in drawn.lines] == [near(2 * PITCH), near(0)]


def _styled(block: Block, fonts: Any, mark_filled: bool = False) -> GridBlock:
    style = _grid_style(GBT9704.style_for(block), GBT9704)
    return GridBlock(block_runs(block, GBT9704, fonts, mark_filled), style)


def test_runs_are_drawn_in_their_faces_one_after_another(fonts: Any) -> None:
    block = Block(BlockKind.PARAGRAPH, (Text("一是GDP增长，♔其余照旧。"),), lead=8)
    style = _grid_style(GBT9704.style_for(block), GBT9704)
    runs = block_runs(block, GBT9704, fonts, False, {"♔": fonts["heading2"]})
    (line,) = _draw(GridBlock(runs, style)).lines
    assert [(font, text) for _x, font, text in line.runs] == [
        (fonts["bold"], "一是GDP增长，"),
        (fonts["heading2"], "♔"),
        (fonts["body"], "其余照旧。"),
    ]
    assert line.left == near(2 * PITCH)
    for (x, font, text), (after, _font, _text) in itertools.pairwise(line.runs):
        assert after == near(x + stringWidth(text, font, 16) + line.spacing * len(text))


def test_title_lines_are_centred_22pt(fonts: Any) -> None:
    drawn = _draw(_styled(Block(BlockKind.TITLE, (Text(LONG),)), fonts))
    assert [line.text for line in drawn.lines] == [
        "关于做好二〇二四年度全市安",
        "全生产和防灾减灾工作的通知",
    ]
    for line in drawn.lines:
        assert line.size == 22 and line.spacing == near(GBT9704.char_space(22))
        assert line.left == near(WIDTH - line.right)


def test_signature_is_set_four_characters_from_the_right(fonts: Any) -> None:
    (line,) = _draw(_styled(Block(BlockKind.SIGNATURE, (Text("2024年5月1日"),)), fonts)).lines
    assert line.right == near(WIDTH - 4 * PITCH)
    assert line.spacing == near(BODY.char_space)
    long = _draw(_styled(Block(BlockKind.SIGNATURE, (Text("国" * 30),)), fonts)).lines
    assert [line.text for line in long] == ["国" * 24, "国" * 6]  # every line four short
    assert [line.right for line in long] == [near(WIDTH - 4 * PITCH)] * 2


def test_field_backgrounds_lie_behind_their_characters_on_every_line(fonts: Any) -> None:
    value = replace(FIELD, value="甲乙丙丁戊")
    block = Block(BlockKind.PARAGRAPH, (Text("国" * 23), value, Text("国国"), FIELD))
    drawn = _draw(_styled(block, fonts, mark_filled=True))
    assert [line.text for line in drawn.lines] == ["国" * 23 + "甲乙丙", "丁戊国国【姓名】"]
    colours = {"甲乙丙": "tint", "丁戊": "tint", "【姓名】": "field"}
    marked = [
        (colours[run[2]], line, run)
        for line in drawn.lines
        for run in line.runs
        if run[2] in colours
    ]
    assert len(drawn.backgrounds) == len(marked) == 3
    for (colour, x, y, width, height), (expected, line, (left, font, text)) in zip(
        drawn.backgrounds, marked, strict=True
    ):
        assert colour == expected and x == near(left)
        assert width == near(stringWidth(text, font, 16) + line.spacing * len(text))
        assert height == near(1.3 * 16)  # the em box and a little, centred on it
        assert y + height / 2 == near(line.y + 0.38 * 16)
    unmarked = _draw(_styled(block, fonts, mark_filled=False))
    assert [b[0] for b in unmarked.backgrounds] == ["field"]


def test_page_splits_keep_lines_runs_and_justification(fonts: Any) -> None:
    value = replace(FIELD, value="甲乙丙丁戊")
    text = "国" * 26 + "。" + "国" * 60
    block = _styled(Block(BlockKind.PARAGRAPH, (Text(text), value)), fonts, mark_filled=True)
    whole = [line.text for line in _draw(block).lines]
    assert whole == ["国" * 25, "国。" + "国" * 26, "国" * 28, "国" * 6 + "甲乙丙丁戊"]
    block.wrap(WIDTH, 10_000)
    assert block.split(WIDTH, 4 * LEADING) == [block]  # all of it fits
    assert block.split(WIDTH, LEADING - 0.01) == []  # not one line fits
    for room, fit in ((40.0, 1), (95.0, 3)):  # 28.99 pt lines: 40 pt hold one, 95 pt three
        assert int(room / LEADING) == fit
        head, tail = block.split(WIDTH, room)
        top, rest = _draw(head), _draw(tail)
        assert [line.text for line in top.lines] == whole[:fit]
        assert [line.text for line in rest.lines] == whole[fit:]
        assert top.height == near(fit * LEADING)
        assert rest.height == near((4 - fit) * LEADING)
        assert top.lines[-1].right == near(WIDTH)  # a page's last line stays justified
        assert rest.lines[0].left == near(0)  # the rest has no first-line indent
        assert rest.lines[-1].spacing == near(BODY.char_space)
        assert rest.backgrounds and {b[0] for b in rest.backgrounds} == {"tint"}
        assert _named(tail.runs)[-1] == ("甲乙丙丁戊", fonts["body"], "tint")


def test_a_split_after_a_hard_break_is_not_justified(fonts: Any) -> None:
    body = fonts["body"]
    block = GridBlock([Run("国" * 5, body), Run(LINE_BREAK, ""), Run("国" * 40, body)], BODY)
    block.wrap(WIDTH, 10_000)
    head, tail = block.split(WIDTH, 40.0)
    (line,) = _draw(head).lines
    assert line.text == "国" * 5 and line.spacing == near(BODY.char_space)
    assert [line.text for line in _draw(tail).lines] == ["国" * 28, "国" * 12]


def test_an_empty_block_takes_no_room(fonts: Any) -> None:
    block = _styled(Block(BlockKind.PARAGRAPH, (Text("  "),)), fonts)
    assert block.wrap(WIDTH, 1000) == (WIDTH, 0) and block.split(WIDTH, 1000) == []
    assert not _draw(block).lines


def test_neighbouring_runs_in_one_face_and_background_merge_but_hard_breaks_do_not() -> None:
    back = HexColor(GBT9704.field_color)
    runs = [Run("甲", "a"), Run("乙", "a"), Run("丙", "a", back), Run("丁", "a", back)]
    runs += [Run(LINE_BREAK, ""), Run(LINE_BREAK, ""), Run("戊", "b"), Run("己", "a")]
    assert merge_runs(runs) == [
        Run("甲乙", "a"),
        Run("丙丁", "a", back),
        Run(LINE_BREAK, ""),
        Run(LINE_BREAK, ""),
        Run("戊", "b"),
        Run("己", "a"),
    ]


def test_a_documents_codes_are_freed_with_it() -> None:
    """Nothing kept per document outlives it (a batch worker writes thousands)."""
    import gc

    from pipeline import Options
    from pipeline.model import Document, Meta
    from pipeline.writers import pdftext
    from pipeline.writers.pdf import write_pdf

    document = Document(Meta("x.txt"), tuple(block for block, _mark, _runs in RUNS.values()))
    for _ in range(3):
        write_pdf(document, Options(system_fonts=False))
    gc.collect()
    assert not pdftext._CODES
