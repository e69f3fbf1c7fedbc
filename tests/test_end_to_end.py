"""The command line on the sample, with the outputs read back as their users' tools would."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from conftest import DATA, ROOT, SAMPLE
from docx.oxml.ns import qn
from docx.shared import Mm
from pdfcheck import pdf_fonts, pdf_text
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.writers.fonts import resolve_fonts

runner = CliRunner()
# Characters of the sample whose simplified forms differ: none may survive.
TRADITIONAL = "勞動會國際節這們為與來發戰線慶歡聲樂歲經濟產總億實現開積極貢獻"


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["convert", str(ROOT / "input"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_writes_docx_pdf_json(converted: Path) -> None:
    names = sorted(p.name for p in converted.iterdir())
    stem = SAMPLE.stem
    bookkeeping = [".pipeline.lock", "_manifest.json", "_report.json"]
    assert names == sorted([*bookkeeping, f"{stem}.docx", f"{stem}.json", f"{stem}.pdf"])


def test_pdf_holds_simplified_text_in_embedded_fonts(converted: Path) -> None:
    pdf = converted / f"{SAMPLE.stem}.pdf"
    text = re.sub(r"\s", "", pdf_text(pdf))
    for phrase in (
        "各位劳模、同志们：",
        "在“五一”国际劳动节即将来临之际",
        "劳动开创未来，奋斗谱写辉煌。",
    ):
        assert phrase in text
    assert not set(TRADITIONAL) & set(text)
    assert "【市名】" in text and "【增幅（%）】" in text
    fonts = pdf_fonts(pdf)
    assert fonts, "the PDF uses no font at all?"
    assert all(fonts.values()), f"fonts left unembedded: {fonts}"
    # reportlab's standard fonts (never embedded); an installed Times New Roman subset is fine
    assert not any(name.lstrip("/").startswith(("Helvetica", "Times-")) for name in fonts)
    assert all(re.match(r"[A-Z]{6}\+", name.lstrip("/")) for name in fonts), "not subsets"


def test_docx_sets_east_asian_fonts_and_a4(converted: Path) -> None:
    document = docx.Document(str(converted / f"{SAMPLE.stem}.docx"))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    assert abs(section.top_margin - Mm(37)) < Mm(0.5)
    normal = document.styles["Normal"].element.rPr.rFonts
    # the bundled serif, or 仿宋 where this machine has it installed
    assert normal.get(qn("w:eastAsia")) == resolve_fonts({})["body"].family
    for para in document.paragraphs:  # runs inherit the East Asian font of their style
        assert para.style.element.rPr.rFonts.get(qn("w:eastAsia")), para.style.name
        for run in para.runs:
            fonts = run._r.rPr.rFonts if run._r.rPr is not None else None
            assert fonts is None or fonts.get(qn("w:eastAsia")), "a run overrides it badly"
    text = "".join(p.text for p in document.paragraphs)
    assert "各位劳模、同志们：" in text and not set(TRADITIONAL) & set(text)
    salutation = next(p for p in document.paragraphs if p.text.startswith("各位劳模"))
    assert salutation.style.name == "Salutation"
    highlighted = [
        "".join(t.text for t in sdt.iter(qn("w:t")))
        for sdt in document.element.body.iter(qn("w:sdt"))
        if next(sdt.iter(qn("w:highlight")), None) is not None
    ]
    assert highlighted.count("【市名】") == 10


def test_json_holds_model_fields_and_change_log(converted: Path) -> None:
    data = json.loads((converted / f"{SAMPLE.stem}.json").read_text("utf-8"))
    assert data["meta"]["encoding"] == "utf-8"
    assert len(data["fields"]) == 22
    assert {f["group"] for f in data["fields"] if f["kind"] == "place"} == {"市名"}
    stages = {c["stage"] for c in data["changes"]}
    assert {"decode", "cleanup", "punctuation", "convert", "fields", "structure"} <= stages
    for change in data["changes"]:
        assert set(change) >= {
            "stage",
            "block",
            "offset",
            "before",
            "after",
            "reason",
            "confidence",
        }


def test_format_option_and_subfolders(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "a" / "b").mkdir(parents=True)
    shutil.copy(SAMPLE, src / "a" / "b" / "speech.txt")
    (src / "notes.md").write_text("not an input", "utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["convert", str(src), "-o", str(out), "--format", "txt,json"])
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*/*") if p.is_file()) == [
        "a/b/speech.json",
        "a/b/speech.txt",
    ]
    assert "各位劳模、同志们：" in (out / "a/b/speech.txt").read_text("utf-8")


def test_bad_document_fails_alone(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SAMPLE, src / "good.txt")
    shutil.copy(DATA / "bad" / "pdf_renamed.txt", src / "bad.txt")
    out = tmp_path / "out"
    result = runner.invoke(app, ["convert", str(src), "-o", str(out), "--format", "pdf"])
    assert result.exit_code == 1
    assert "bad.txt" in result.output and "this is a PDF file" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.glob("*.pdf")) == ["good.pdf"]


def test_config_file_and_flags(tmp_path: Path) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text('formats = ["txt"]\nskip = ["convert"]\n', "utf-8")
    out = tmp_path / "out"
    args = ["convert", str(SAMPLE), "-o", str(out), "--config", str(config)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = (out / f"{SAMPLE.stem}.txt").read_text("utf-8")
    assert "勞動" in text, "convert was skipped, so traditional characters stay"
    result = runner.invoke(app, [*args, "--format", "json"])
    assert (out / f"{SAMPLE.stem}.json").is_file(), "a flag overrides the file"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("formats = [", "not valid TOML"),
        ("colour = 'red'", "unknown setting colour"),
        ("formats = ['docx', 'odt']", "unknown output format odt"),
        ("skip = 3", "skip must be a list of names"),
        ("profiles = 3", "profiles must be tables"),
        ("watermark = 1", "watermark must be a string"),
        ("system_fonts = 'no'", "system_fonts must be true or false"),
        ("profile = 'nope'", "unknown layout profile 'nope'"),
        ("profile = 'missing.toml'", "missing.toml: cannot read the profile"),
        ("profile = 'x'\n[profiles.x]\nlines_per_page = 0", "must be positive"),
    ],
)
def test_bad_config_is_a_usage_error(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text(content, "utf-8")
    result = runner.invoke(app, ["convert", str(SAMPLE), "--config", str(config)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_fonts_command_lists_roles() -> None:
    result = runner.invoke(app, ["fonts"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for role in ("title", "body", "heading1", "heading2", "latin"):
        assert role in result.output
    assert "NotoSerifSC-Bold.ttf" in result.output  # the bold role has no installed stand-in
    assert "bundled" in result.output


def test_explain_prints_the_change_log(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["convert", str(SAMPLE), "-o", str(tmp_path), "--format", "json", "--explain"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "OpenCC t2s" in result.output and "restored full-width punctuation" in result.output


def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "convert",
            str(SAMPLE),
            "-o",
            str(tmp_path),
            "-f",
            "txt",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / f"{SAMPLE.stem}.txt").is_file()
