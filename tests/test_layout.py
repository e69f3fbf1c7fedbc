"""GB/T 9704 layout checked as a reader would: the PDF's lines, the DOCX rendered by LibreOffice.

The corpus is the sample plus tests/data/layout/*.txt: long paragraphs where
closing and opening marks fall at every column, every heading level with lead
sentences, many fields, and digits and Latin mixed into the Chinese.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import docx
import pytest
from conftest import DATA, ROOT, SAMPLE
from docx.oxml.ns import qn
from pdfcheck import pdf_fonts, pdf_pages_lines, pdftotext_pages
from pypdf import PdfReader

from pipeline import Options
from pipeline.errors import ConfigError
from pipeline.model import Block, Document, Meta, document_from_dict
from pipeline.runner import convert_all
from pipeline.writers import fonts as fontmod
from pipeline.writers.layout import GBT9704, MM, get_profile
from pipeline.writers.linebreak import CANNOT_END, CANNOT_START, violations
from pipeline.writers.pdf import write_pdf

CORPUS = [SAMPLE, *sorted((DATA / "layout").glob("*.txt"))]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it"
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed; .ci/run installs it"
)


@dataclass
class Rendered:
    name: str
    document: Document
    pdf: Path
    docx: Path


def _render(out: Path, profile: str = "gbt9704") -> list[Rendered]:
    # system_fonts=False: the bundled fonts, which LibreOffice is given below too
    opts = Options(output=out, profile=profile, system_fonts=False)
    results = convert_all([SAMPLE, DATA / "layout"], opts)
    rendered = []
    for result in results:
        assert result.document is not None, result.problems
        rendered.append(
            Rendered(
                result.source.stem,
                result.document,
                result.outputs["pdf"],
                result.outputs["docx"],
            )
        )
    assert len(rendered) == len(CORPUS)
    return rendered


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Rendered]:
    return _render(tmp_path_factory.mktemp("gbt9704"))


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A HOME with the bundled fonts in ~/.fonts, so LibreOffice renders with the intended fonts."""
    home = tmp_path_factory.mktemp("office-home")
    (home / ".fonts").mkdir()
    for font in (ROOT / "fonts").glob("*.ttf"):
        shutil.copy(font, home / ".fonts" / font.name)
    env = dict(os.environ, HOME=str(home))
    env.pop("FONTCONFIG_FILE", None)
    return home, env


def office_pdf(office: tuple[Path, dict[str, str]], source: Path, out: Path) -> Path:
    assert SOFFICE is not None
    home, env = office
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={(home / 'lo-profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(source),
        ],
        env=env,
        capture_output=True,
        check=True,
        timeout=240,
    )
    pdf = out / f"{source.stem}.pdf"
    assert pdf.is_file()
    return pdf


def _glyphs(line: str) -> float:
    """Grid characters a line takes: CJK and full-width marks 1, Latin and digits about 1/2."""
    return sum(1 if ord(ch) >= 0x2E80 or ch in "“”‘’…—·" else 0.5 for ch in line)


# -- the PDF ------------------------------------------------------------------------------


def test_no_line_breaks_the_punctuation_rules(corpus: list[Rendered]) -> None:
    checked = 0
    for item in corpus:
        lines = [line for page in pdf_pages_lines(item.pdf) for line in page]
        assert not violations(lines), (item.name, violations(lines))
        checked += len(lines)
    assert checked > 350


@needs_poppler
def test_pdftotext_agrees_and_adds_no_spaces(corpus: list[Rendered]) -> None:
    for item in corpus:
        lines = [line for page in pdftotext_pages(item.pdf) for line in page]
        assert not violations(lines), item.name
        text = "".join(lines)
        expected = "".join(b.display_text for b in item.document.blocks)
        assert text.replace(" ", "") == expected.replace(" ", ""), item.name
        # no space that the document does not have
        assert text.count(" ") <= expected.count(" "), item.name


def test_rule_sets_cover_chinese_marks() -> None:
    assert set("，。、；：？！）》」』’”…") <= CANNOT_START
    assert set("（《「『‘“") <= CANNOT_END


def test_body_lines_hold_28_characters_and_pages_22_lines(corpus: list[Rendered]) -> None:
    sample = corpus[0]
    assert sample.name == SAMPLE.stem
    pages = pdf_pages_lines(sample.pdf)
    # every full page of body text holds 22 lines (the first also carries the title)
    assert all(len(page) == 22 for page in pages[1:-1]), [len(p) for p in pages]
    assert len(pages[0]) <= 22
    widths = [_glyphs(line) for page in pages for line in page]
    assert max(widths) <= 28
    full = sum(1 for w in widths if w == 28)
    assert full / len(widths) > 0.6, f"only {full} of {len(widths)} lines are full"


def test_sample_pdf_follows_the_profile(corpus: list[Rendered]) -> None:
    reader = PdfReader(corpus[0].pdf)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    assert reader.metadata is not None and reader.metadata.get("/Creator") == "pipeline"
    assert "/Lang" in reader.trailer["/Root"]


def test_lead_sentence_is_bold_in_pdf_and_docx(corpus: list[Rendered], tmp_path: Path) -> None:
    item = next(i for i in corpus if i.name == "headings")
    lead = next(b for b in item.document.blocks if b.lead)
    assert lead.text[: lead.lead] == "一要坚持强化理论武装头脑。"
    # alone in a document (no bold title), the lead brings the bold face into the PDF
    for block, face in ((lead, "NotoSerifSC-Bold"), (replace(lead, lead=0), None)):
        pdf = tmp_path / f"lead{block.lead}.pdf"
        pdf.write_bytes(write_pdf(Document(Meta("x.txt"), (block,)), Options(system_fonts=False)))
        used = {name.split("+")[-1] for name in pdf_fonts(pdf)}
        assert (face in used) if face else ("NotoSerifSC-Bold" not in used), used
    document = docx.Document(str(item.docx))
    runs = [r for p in document.paragraphs for r in p.runs if r.bold]
    assert "一要坚持强化理论武装头脑。" in [r.text for r in runs]


def test_bookmarks_follow_headings(corpus: list[Rendered]) -> None:
    item = next(i for i in corpus if i.name == "headings")
    outline = PdfReader(item.pdf).outline
    flat: list[str] = []

    def walk(entries: list[object]) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                flat.append(str(getattr(entry, "title", "")))

    walk(outline)
    info = PdfReader(item.pdf).metadata
    assert info is not None and info.title == "在全市“五一”劳动模范座谈会上的讲话"
    assert (info.author, info.subject) == ("青山市总工会", "2022年4月28日")
    assert flat[0] == "在全市“五一”劳动模范座谈会上的讲话"
    assert "（一）劳模精神是推动发展的强大动力" in flat and "（2）加强督促检查" in flat


# -- the DOCX -----------------------------------------------------------------------------


def test_docx_has_word_styles_grid_and_east_asian_fonts(corpus: list[Rendered]) -> None:
    item = next(i for i in corpus if i.name == "headings")
    document = docx.Document(str(item.docx))
    by_style: dict[str, list[str]] = {}
    for para in document.paragraphs:
        by_style.setdefault(para.style.name, []).append(para.text)
    assert by_style["Title"] == ["在全市“五一”劳动模范座谈会上的讲话"]
    assert by_style["Subtitle"] == ["——2022年4月28日"]
    assert len(by_style["Heading 1"]) == 3 and len(by_style["Heading 2"]) == 2
    assert len(by_style["Heading 3"]) == 2 and len(by_style["Heading 4"]) == 2
    faces = fontmod.resolve_fonts({}, system=False)
    expected = {
        "Normal": "body",
        "Title": "title",
        "Heading 1": "heading1",
        "Heading 2": "heading2",
    }
    for name, role in expected.items():
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == faces[role].family, name
        assert fonts.get(qn("w:ascii")) == faces["latin"].family, name
    assert document.styles["Title"].font.size.pt == 22
    assert document.styles["Normal"].font.size.pt == 16
    sect = document.sections[0]._sectPr
    grid = sect.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    assert int(grid.get(qn("w:linePitch"))) * 22 <= round(225 * 72 / 25.4 * 20)
    spacing = document.styles["Normal"].element.rPr.find(qn("w:spacing"))
    # 28 condensed 16 pt glyphs fit the 156 mm line
    assert 28 * (16 + int(spacing.get(qn("w:val"))) / 20) <= 156 * 72 / 25.4
    rules = document.settings.element.find(qn("w:noLineBreaksBefore"))
    assert rules.get(qn("w:lang")) == "zh-CN" and set("，。”%") <= set(rules.get(qn("w:val")))
    section = document.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]


@needs_soffice
@needs_poppler
def test_docx_and_pdf_paginate_alike(
    corpus: list[Rendered],
    office: tuple[Path, dict[str, str]],
    tmp_path: Path,
) -> None:
    for item in corpus:
        rendered = office_pdf(office, item.docx, tmp_path / "office")
        ours = len(PdfReader(item.pdf).pages)
        theirs = len(PdfReader(rendered).pages)
        assert abs(ours - theirs) <= 1, (item.name, ours, theirs)
        pages = pdftotext_pages(rendered)
        box = PdfReader(rendered).pages[0].mediabox
        assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
        # LibreOffice, like Word, lets one closing mark hang past the margin
        lines = [line.replace(" ", "").rstrip("".join(CANNOT_START)) for p in pages for line in p]
        assert max(_glyphs(line) for line in lines) <= 28, item.name
        used = {name.split("+")[-1] for name in pdf_fonts(rendered)}
        assert "NotoSerifSC-Regular" in used, used  # LibreOffice found the intended fonts
        if item.name == SAMPLE.stem:  # the first page also carries the title
            assert [len(p) for p in pages[1:-1]] == [22] * (len(pages) - 2)


# -- profiles and fonts -------------------------------------------------------------------


def test_handout_profile_has_more_leading_header_and_watermark(tmp_path: Path) -> None:
    opts = Options(
        output=tmp_path,
        profile="handout",
        header="全市劳动模范座谈会　2022年4月28日",
        watermark="内部资料",
        system_fonts=False,
    )
    (result,) = convert_all([DATA / "layout" / "headings.txt"], opts)
    pages = pdf_pages_lines(result.outputs["pdf"])
    assert pages[0][0] == "内部资料" and pages[0][1] == "全市劳动模范座谈会　2022年4月28日"
    body = pdf_pages_lines(result.outputs["pdf"])[1][2:]
    assert len(body) <= 19
    handout = get_profile("handout")
    assert handout.line_pitch > GBT9704.line_pitch
    document = docx.Document(str(result.outputs["docx"]))
    header_xml = document.sections[0].header._element.xml
    assert "内部资料" in header_xml and "全市劳动模范座谈会" in header_xml


def test_user_profiles_inherit(tmp_path: Path) -> None:
    table = {
        "mine": {
            "parent": "handout",
            "margin_left_mm": 30,
            "styles": {"title": {"size": 20, "font": "heading1"}},
        }
    }
    profile = get_profile("mine", table)
    assert (profile.lines_per_page, profile.margin_left_mm) == (19, 30.0)
    assert profile.styles["title"].size == 20 and profile.styles["title"].bold
    path = tmp_path / "my.toml"
    path.write_text('lines_per_page = 20\nwatermark = "内部资料"\n', "utf-8")
    from_file = get_profile(str(path))
    assert (from_file.name, from_file.lines_per_page, from_file.margin_top_mm) == ("my", 20, 37)
    assert from_file.watermark == "内部资料"
    for bad, message in (
        ({"x": {"margins": 3}}, "unknown setting margins"),
        ({"x": {"lines_per_page": "many"}}, "lines_per_page must be"),
        ({"x": {"styles": {"footer": {}}}}, "unknown style 'footer'"),
        ({"x": {"styles": {"title": {"font": "comic"}}}}, "font must be a font role"),
        ({"x": {"parent": "x"}}, "inherits from itself"),
    ):
        with pytest.raises(ConfigError, match=message):
            get_profile("x", bad)


def test_profiles_from_pipeline_toml(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text(
        'profile = "wide"\nwatermark = "内部资料"\n[profiles.wide]\nchars_per_line = 30\n', "utf-8"
    )
    opts = Options.load(config, output=tmp_path / "out", formats="pdf")
    assert opts.profile == "wide" and opts.watermark == "内部资料"
    (result,) = convert_all([SAMPLE], opts)
    lines = [line for page in pdf_pages_lines(result.outputs["pdf"]) for line in page[1:]]
    assert max(_glyphs(line) for line in lines) == 30


def test_installed_fonts_under_official_names(monkeypatch: pytest.MonkeyPatch) -> None:
    kai = ROOT / "fonts" / "LXGWWenKai-Regular.ttf"
    monkeypatch.setattr(fontmod, "installed_fonts", lambda: {"楷体_GB2312": kai, "仿宋": kai})
    fontmod._resolve.cache_clear()
    try:
        faces = fontmod.resolve_fonts({})
        assert (faces["heading2"].family, faces["heading2"].source) == ("楷体_GB2312", "system")
        assert (faces["body"].family, faces["body"].source) == ("仿宋", "system")
        assert faces["heading1"].source == "bundled"
        configured = fontmod.resolve_fonts({"body": str(ROOT / "fonts" / "NotoSerifSC-Bold.ttf")})
        assert configured["body"].source == "configured"
        assert fontmod.resolve_fonts({}, system=False)["body"].source == "bundled"
    finally:
        fontmod._resolve.cache_clear()


def test_json_keeps_the_lead(corpus: list[Rendered]) -> None:
    item = next(i for i in corpus if i.name == "headings")
    data = (item.pdf.with_suffix(".json")).read_text("utf-8")
    import json

    assert document_from_dict(json.loads(data)).blocks == item.document.blocks


def test_digits_and_latin_take_the_latin_face_in_body_text() -> None:
    from pipeline.model import Block, BlockKind, Text
    from pipeline.writers.pdfruns import block_runs

    block = Block(BlockKind.PARAGRAPH, (Text("一是GDP增长5.5%。其余<照旧>"),), lead=12)
    names = {"body": "B", "bold": "K", "latin": "L"}
    runs = [(r.text, r.font) for r in block_runs(block, GBT9704, names)]
    assert runs == [
        ("一是", "K"),
        ("GDP", "L"),
        ("增长", "K"),
        ("5.5%", "L"),
        ("。", "K"),
        ("其余<照旧>", "B"),
    ]
    same = block_runs(block, GBT9704, {**names, "latin": "B"})  # no Latin face of its own
    assert [(r.text, r.font) for r in same] == [("一是GDP增长5.5%。", "K"), ("其余<照旧>", "B")]
    heading = Block(BlockKind.HEADING, (Text("二、2024年GDP"),), level=1)
    assert [r.font for r in block_runs(heading, GBT9704, {**names, "heading1": "H"})] == ["H"]


def test_cli_profile_flags(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    flags = ["-o", str(tmp_path), "-f", "pdf", "--profile", "handout", "--watermark", "内部资料"]
    result = CliRunner().invoke(app, ["convert", str(SAMPLE), *flags])
    assert result.exit_code == 0, result.output
    pages = pdf_pages_lines(tmp_path / f"{SAMPLE.stem}.pdf")
    assert pages[0][0] == "内部资料" and len(pages[1]) == 1 + 19
    bad = CliRunner().invoke(app, ["convert", str(SAMPLE), "--profile", "nope"])
    assert bad.exit_code == 2 and "unknown layout profile 'nope'" in bad.output


def _placed_text(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, x, y, size, text) of every text run, as a PDF reader places it."""
    runs: list[tuple[int, float, float, float, str]] = []
    for number, page in enumerate(PdfReader(pdf).pages, 1):

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if text.strip():  # text matrix, then the current transformation (a translation)
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.append((number, x, y, size, text.strip()))  # noqa: B023

        page.extract_text(visitor_text=visit)
    return runs


def test_sample_is_placed_on_the_gbt9704_type_area(corpus: list[Rendered]) -> None:
    runs = _placed_text(corpus[0].pdf)
    body = [r for r in runs if r[3] == 16]
    numbers = [r for r in runs if r[3] == 14]
    title = [r for r in runs if r[3] == 22]  # 二号, on the first page only
    assert len(body) + len(numbers) + len(title) == len(runs), {r[3] for r in runs}
    assert title and {r[0] for r in title} == {1}
    left, right = 28 * MM, (210 - 26) * MM
    pitch = (156 * MM) / 28
    assert min(r[1] for r in body) == pytest.approx(left, abs=0.01)
    starts: dict[tuple[int, float], float] = {}
    for page, x, y, _, _ in body:
        starts[page, round(y, 1)] = min(x, starts.get((page, round(y, 1)), x))
    indents = {round((x - left) / pitch, 2) for x in starts.values()}
    assert indents == {0.0, 2.0}  # flush, or indented by two grid characters
    top, bottom = (297 - 37) * MM, 35 * MM
    assert max(r[2] for r in body) < top - 16 * 0.6 and min(r[2] for r in body) > bottom
    # page numbers 7 mm under the type area, one character in from the outer edge
    pages = sorted({r[0] for r in numbers})
    assert pages == list(range(1, len(pages) + 1)) and len(pages) == 6
    for page in pages:
        mine = [r for r in numbers if r[0] == page]
        assert "".join(r[4] for r in mine).replace(" ", "") == f"—{page}—"
        x, y = min(r[1] for r in mine), max(r[2] for r in mine)
        assert y < bottom - 7 * MM + 1
        # one character (14 pt) in from the type area's outer edge
        assert (x == pytest.approx(left + 14)) if page % 2 == 0 else (x > right - 14 * 5)


def test_docx_page_numbers_at_the_outer_side(corpus: list[Rendered]) -> None:
    document = docx.Document(str(corpus[0].docx))
    section = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        para = footer.paragraphs[0]
        assert para.text == "—  —" and "PAGE" in para._p.xml
        assert para.alignment is not None and para.alignment.name.lower() == align
        assert {r.font.size.pt for r in para.runs} == {14}


def test_fonts_found_by_scanning_font_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shutil.copy(ROOT / "fonts" / "LXGWWenKai-Regular.ttf", tmp_path / "simkai.ttf")
    monkeypatch.setattr(fontmod, "font_dirs", lambda: [tmp_path])
    found = dict(fontmod._scan_dirs())
    assert found["LXGW WenKai"] == tmp_path / "simkai.ttf"


def test_heading_keeps_with_the_next_line_not_the_whole_paragraph(tmp_path: Path) -> None:
    from pipeline.stages.structure import detect_structure

    def pages_for(body_lines: int) -> list[list[str]]:
        lines = ["正文开头。" * 8] * body_lines + ["一、这是一个标题", "这是一段很长的正文，" * 40]
        source = Document(Meta("k.txt"), tuple(Block.of_text(x) for x in lines))
        doc = detect_structure(source, Options())
        pdf = tmp_path / f"k{body_lines}.pdf"
        pdf.write_bytes(write_pdf(doc, Options(system_fonts=False)))
        return pdf_pages_lines(pdf)

    # 12 lines of text, then the heading: the long paragraph starts under it on page 1
    first = pages_for(6)[0]
    assert first[12] == "一、这是一个标题" and len(first) == 22
    # 20 lines of text: heading and first line fit exactly; 21: the heading moves on
    assert pages_for(10)[0][-2:] == [
        "一、这是一个标题",
        "这是一段很长的正文，" * 2 + "这是一段很长",
    ]
    assert pages_for(10)[0][-2] == "一、这是一个标题"
    assert pages_for(11)[1][0] == "一、这是一个标题"
