"""Meeting packets: cover, contents with the right pages, bookmarks, continuous numbers."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLE
from pdfcheck import pdf_fonts
from pypdf import PdfReader
from typer.testing import CliRunner

from pipeline import Options
from pipeline.batch import run_batch
from pipeline.bundle import make_packet
from pipeline.cli import app

runner = CliRunner()
NOTICE = (
    "关于召开年度工作会议的通知\n各单位：\n一、会议时间\n定于五月一日上午九时召开。\n"
    "二、参会人员\n各部门主要负责人。\n"
)


@pytest.fixture(scope="module")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("in")
    (src / "a_notice.txt").write_text(NOTICE, "utf-8")
    shutil.copy(SAMPLE, src / "b_speech.txt")
    (src / "c_short.txt").write_text("各位同志：\n今天的会议到此结束。\n", "utf-8")
    out = tmp_path_factory.mktemp("out")
    report = run_batch([src], Options(output=out, formats=("pdf",)), jobs=1)
    assert report.exit_code == 0
    return out


def page_text(reader: PdfReader, index: int) -> str:
    return reader.pages[index].extract_text() or ""


def test_packet_contents(handouts: Path, tmp_path: Path) -> None:
    target = tmp_path / "packet.pdf"
    packet = make_packet(handouts, "年度工作会议材料", target, Options(), day=date(2025, 5, 1))
    reader = PdfReader(target)
    sizes = [
        len(PdfReader(handouts / f"{n}.pdf").pages) for n in ("a_notice", "b_speech", "c_short")
    ]
    assert sizes[1] > 1
    assert len(reader.pages) == packet.pages == 1 + packet.toc_pages + sum(sizes)
    assert packet.toc_pages == 1

    titles = ["关于召开年度工作会议的通知", "市长在全市“五一”劳动模范座谈会上演讲材料", "c_short"]
    starts = [3, 3 + sizes[0], 3 + sizes[0] + sizes[1]]
    assert [(d.title, d.first_page) for d in packet.documents] == list(
        zip(titles, starts, strict=True)
    )

    cover = page_text(reader, 0)
    assert "年度工作会议材料" in cover and "2025-05-01" in cover
    assert all(t in cover for t in titles)
    assert not re.search(r"—\s*\d+\s*—", cover), "the cover carries no page number"

    toc = re.sub(r"\s+", " ", page_text(reader, 1))
    assert "目 录" in toc
    for title, start in zip(titles, starts, strict=True):
        assert re.search(rf"{re.escape(title)} {start}\b", toc), (title, start, toc)

    for index in range(1, len(reader.pages)):
        numbers = re.findall(r"—\s*(\d+)\s*—", page_text(reader, index))
        assert numbers == [str(index + 1)], f"page {index + 1} shows {numbers}"

    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [str(item.title) for item in top] == ["目录", *titles]
    assert [reader.get_destination_page_number(item) + 1 for item in top] == [2, *starts]
    nested = reader.outline[2]
    assert isinstance(nested, list), "the notice's own headings sit under its bookmark"
    assert [str(item.title) for item in nested] == ["一、会议时间", "二、参会人员"]
    assert all(reader.get_destination_page_number(item) + 1 == starts[0] for item in nested)

    fonts = pdf_fonts(target)
    assert fonts and all(fonts.values()), f"fonts not embedded: {fonts}"


def test_order_file_and_command(handouts: Path, tmp_path: Path) -> None:
    order = tmp_path / "order.txt"
    order.write_text("# agenda\nc_short\n\nb_speech.txt\n", "utf-8")
    target = tmp_path / "packet.pdf"
    args = ["bundle", str(handouts), "--title", "材料", "-o", str(target), "--order", str(order)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    reader = PdfReader(target)
    top = [str(item.title) for item in reader.outline if not isinstance(item, list)]
    assert top == ["目录", "c_short", "市长在全市“五一”劳动模范座谈会上演讲材料"]
    assert f"{len(reader.pages)} pages, 2 documents" in result.output

    order.write_text("missing\n", "utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "'missing' names no PDF" in result.output


def test_empty_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bundle", str(tmp_path), "-t", "x", "-o", str(tmp_path / "p.pdf")])
    assert result.exit_code == 2 and "no handout PDFs" in result.output


def test_an_earlier_packet_in_the_folder_is_not_bundled(handouts: Path) -> None:
    first = make_packet(handouts, "一", handouts / "packet.pdf", Options())
    try:
        second = make_packet(handouts, "二", handouts / "again.pdf", Options())
        assert [d.path.name for d in second.documents] == [d.path.name for d in first.documents]
    finally:
        (handouts / "packet.pdf").unlink()
        (handouts / "again.pdf").unlink(missing_ok=True)


def test_only_text_in_the_bottom_margin_is_removed() -> None:
    from pipeline.bundle import strip_bottom_margin_text

    paragraph = [  # drawn at y = 600 through cm; its own Tm is near 0
        ([], b"q"),
        ([1, 0, 0, 1, 80, 600], b"cm"),
        ([], b"BT"),
        ([1, 0, 0, 1, 0, 2], b"Tm"),
        (["body"], b"Tj"),
        ([], b"ET"),
        ([], b"Q"),
    ]
    number = [([], b"q"), ([], b"BT"), ([1, 0, 0, 1, 460, 68], b"Tm"), (["1"], b"Tj")]
    number += [([], b"ET"), ([], b"Q")]
    kept = strip_bottom_margin_text(paragraph + number, band_top=90)
    assert kept == [*paragraph, ([], b"q"), ([], b"Q")]
