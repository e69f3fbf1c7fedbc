"""Fields end to end: the fill-in sheet, --values, --strict, --mark-filled, DOCX read-back."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import SAMPLE
from docx.oxml.ns import qn
from pdfcheck import pdf_text
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.fieldsheet import read_docx_fields

runner = CliRunner()
NAME = SAMPLE.stem
VALUES = f"""
[shared]
"市名" = "泉州"

[documents."{NAME}"]
f2 = 8.5
f3 = "1.2"
"名次" = 3
f5 = "10.1%"
f6 = 0.8
f7 = 7.5
f8 = 6.9
f9 = 12
f10 = "五"
f15 = "新材料产业园"
f16 = "服装城"
f17 = "光电产业基地"
"""


@pytest.fixture(scope="module")
def values_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("values") / "values.toml"
    path.write_text(VALUES, "utf-8")
    return path


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, values_file: Path) -> Path:
    out = tmp_path_factory.mktemp("filled")
    args = ["convert", str(SAMPLE), "-o", str(out), "--values", str(values_file), "--strict"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def controls(path: Path) -> list[tuple[str, str, bool]]:
    """(tag, text, showing placeholder) of every content control in a DOCX."""
    body = docx.Document(str(path)).element.body
    return [
        (
            sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}").get(qn("w:val")),
            "".join(t.text for t in sdt.iter(qn("w:t"))),
            sdt.find(f"{qn('w:sdtPr')}/{qn('w:showingPlcHdr')}") is not None,
        )
        for sdt in body.iter(qn("w:sdt"))
    ]


def test_fields_sheet_is_excel_csv() -> None:
    result = runner.invoke(app, ["fields", str(SAMPLE.parent)])
    assert result.exit_code == 0, result.output
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 22
    assert set(rows[0]) >= {"document", "field", "label", "type", "context"}
    first = rows[0]
    assert (first["document"], first["field"], first["label"], first["type"]) == (
        NAME,
        "f1",
        "市名",
        "place",
    )
    assert "为【市名】市经济社会" in first["context"]
    assert sum(r["group"] == "市名" for r in rows) == 10


def test_unfilled_fields_are_content_controls(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(SAMPLE), "-o", str(tmp_path), "-f", "docx"])
    assert result.exit_code == 0, result.output
    found = controls(tmp_path / f"{NAME}.docx")
    assert [tag for tag, _, _ in found] == [f"f{n}" for n in range(1, 23)]
    assert all(placeholder for _, _, placeholder in found)
    assert found[0][1] == "【市名】" and found[1][1] == "【增幅（%）】"


def test_values_fill_docx_pdf_json(filled: Path) -> None:
    found = controls(filled / f"{NAME}.docx")
    assert not any(placeholder for _, _, placeholder in found)
    assert [text for _, text, _ in found][:4] == ["泉州", "8.5", "1.2", "3"]
    text = re.sub(r"\s", "", pdf_text(filled / f"{NAME}.pdf"))
    assert "为泉州市经济社会" in text and "地区生产总值增长8.5%" in text
    assert "居全省第3位" in text and "【" not in text.replace("【完整版】", "")
    data = json.loads((filled / f"{NAME}.json").read_text("utf-8"))
    assert len(data["fields"]) == 22
    f4 = data["fields"][3]
    assert {k: f4[k] for k in ("id", "type", "label", "value")} == {
        "id": "f4",
        "type": "ordinal",
        "label": "名次",
        "value": "3",
    }
    assert data["blocks"][f4["block"]]["inlines"], "position names a real block"
    assert sum(c["stage"] == "fill" for c in data["changes"]) == 22


def test_docx_round_trip(filled: Path, tmp_path: Path) -> None:
    values = tmp_path / "back.toml"
    result = runner.invoke(app, ["fields", str(filled / f"{NAME}.docx"), "-o", str(values)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "again"
    args = ["convert", str(SAMPLE), "-o", str(out), "--values", str(values), "--strict"]
    assert runner.invoke(app, args).exit_code == 0
    assert controls(out / f"{NAME}.docx") == controls(filled / f"{NAME}.docx")


def test_value_typed_in_word_is_read_back(tmp_path: Path) -> None:
    """Word replaces the placeholder run and drops w:showingPlcHdr when the user types."""
    runner.invoke(app, ["convert", str(SAMPLE), "-o", str(tmp_path), "-f", "docx"])
    path = tmp_path / f"{NAME}.docx"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    typed = re.sub(
        r'(<w:tag w:val="f4"/>.*?)<w:showingPlcHdr/>(.*?)【名次】',
        r"\g<1>\g<2>2",
        xml,
        count=1,
        flags=re.S,
    )
    assert typed != xml
    parts["word/document.xml"] = typed.encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    found = {c.id: c.value for c in read_docx_fields(path.read_bytes())}
    assert found["f4"] == "2" and found["f1"] is None
    result = runner.invoke(app, ["fields", str(path)])
    assert 'f4 = "2"  # 名次' in result.output and '# f1 = ""  # 市名, unfilled' in result.output


def test_bad_value_is_a_usage_error(tmp_path: Path) -> None:
    values = tmp_path / "v.toml"
    values.write_text(f'[documents."{NAME}"]\nf2 = "about eight"\n', "utf-8")
    result = runner.invoke(
        app, ["convert", str(SAMPLE), "-o", str(tmp_path), "--values", str(values)]
    )
    assert result.exit_code == 2
    assert f"document {NAME}: field f2 (增幅（%）, percent)" in result.output
    assert "must be a number" in result.output and "Traceback" not in result.output


def test_strict_fails_documents_with_unfilled_fields(tmp_path: Path) -> None:
    result = runner.invoke(app, ["convert", str(SAMPLE), "-o", str(tmp_path), "--strict"])
    assert result.exit_code == 1
    assert "22 unfilled field(s): f1 【市名】" in result.output
    written = [p.name for p in tmp_path.iterdir() if not p.name.startswith(("_", "."))]
    assert not written, "a failed document writes nothing (the run's own report aside)"


def test_mark_filled(values_file: Path, tmp_path: Path) -> None:
    args = ["convert", str(SAMPLE), "-o", str(tmp_path), "--values", str(values_file)]
    assert runner.invoke(app, [*args, "--mark-filled", "-f", "docx"]).exit_code == 0
    body = docx.Document(str(tmp_path / f"{NAME}.docx")).element.body
    marks = [u.get(qn("w:val")) for sdt in body.iter(qn("w:sdt")) for u in sdt.iter(qn("w:u"))]
    assert marks == ["dotted"] * 22
    assert not list(body.iter(qn("w:highlight")))


def test_sheet_filled_in_is_a_values_file(tmp_path: Path) -> None:
    sheet = tmp_path / "fields.csv"
    assert runner.invoke(app, ["fields", str(SAMPLE), "-o", str(sheet)]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text("utf-8-sig"))))
    for row in rows:
        row["value"] = {"place": "泉州", "text": "园区"}.get(row["type"], "5")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    sheet.write_text(buf.getvalue(), "utf-8-sig")
    args = ["convert", str(SAMPLE), "-o", str(tmp_path / "o"), "--values", str(sheet), "--strict"]
    result = runner.invoke(app, [*args, "-f", "txt"])
    assert result.exit_code == 0, result.output
    assert "居全省第5位" in (tmp_path / "o" / f"{NAME}.txt").read_text("utf-8")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_the_fields(filled: Path, tmp_path: Path) -> None:
    unfilled = tmp_path / "unfilled"
    runner.invoke(app, ["convert", str(SAMPLE), "-o", str(unfilled), "-f", "docx"])
    for folder, expect in ((unfilled, "为【市名】市经济社会"), (filled, "为泉州市经济社会")):
        out = tmp_path / f"lo-{folder.name}"
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
             "--convert-to", "pdf", "--outdir", str(out), str(folder / f"{NAME}.docx")],
            capture_output=True, timeout=240, check=True,
        )  # fmt: skip
        text = re.sub(r"\s", "", pdf_text(out / f"{NAME}.pdf"))
        assert expect in text
        assert text.count("【市名】") == (10 if folder is unfilled else 0)


def test_values_strict_and_marks_from_pipeline_toml(values_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "pipeline.toml"
    config.write_text(
        f"values = {json.dumps(str(values_file))}\nstrict = true\nmark_filled = true\n", "utf-8"
    )
    args = ["convert", str(SAMPLE), "-o", str(tmp_path / "o"), "-c", str(config), "-f", "docx"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(controls(tmp_path / "o" / f"{NAME}.docx")) == 22
    config.write_text("strict = 1\n", "utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "strict must be true or false" in result.output


def test_fields_wants_text_or_docx_not_both(filled: Path) -> None:
    result = runner.invoke(app, ["fields", str(SAMPLE), str(filled / f"{NAME}.docx")])
    assert result.exit_code == 2 and "not both" in result.output


def test_a_review_mark_is_listed_and_filled_like_a_field(tmp_path: Path) -> None:
    """A character kept for review is in the fill-in sheet and takes a value."""
    src = tmp_path / "in"
    src.mkdir()
    text = "但也有部分同志的发言停留在?柑寤帷⒔哺惺艿牟忝?,对问题的剖析不够深入。\n"
    (src / "note.txt").write_text(text, "utf-8")
    sheet = tmp_path / "fields.csv"
    result = runner.invoke(app, ["fields", str(src), "-o", str(sheet)])
    assert result.exit_code == 0, result.output
    (row,) = list(csv.DictReader(io.StringIO(sheet.read_text("utf-8-sig"))))
    assert row["type"] == "review" and "「谈」" in row["label"]
    values = tmp_path / "values.toml"
    values.write_text(f'[documents."note"]\n"{row["field"]}" = "谈"\n', "utf-8")
    out = tmp_path / "out"
    args = ["convert", str(src), "-o", str(out), "--values", str(values), "--format", "txt"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "停留在谈体会、讲感受的层面" in (out / "note.txt").read_text("utf-8")
