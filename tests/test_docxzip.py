"""The DOCX writer's own ZIP container holds exactly what python-docx's save would."""

from __future__ import annotations

import io
import zipfile

import docx
from conftest import SAMPLE

from pipeline import Options
from pipeline.runner import process_bytes
from pipeline.writers import docx as docx_writer
from pipeline.writers.fonts import resolve_fonts
from pipeline.writers.layout import profile_for


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_second_handout_equals_python_docx_save() -> None:
    opts = Options()
    first = process_bytes(SAMPLE.read_bytes(), "a.txt", opts).document
    second = process_bytes("标题\n\n同志们：\n\n一、第二份材料\n".encode(), "b.txt", opts).document
    assert first is not None and second is not None
    docx_writer.write_docx(first, opts)  # fills the template's cache of compressed parts
    ours = docx_writer.write_docx(second, opts)
    template = docx_writer._template(
        profile_for(opts), resolve_fonts(opts.fonts, opts.system_fonts)
    )
    theirs = io.BytesIO()
    template.part.document.save(theirs)
    assert _members(ours) == _members(theirs.getvalue())
    body = docx.Document(io.BytesIO(ours)).paragraphs
    assert [p.text for p in body][-1] == "一、第二份材料"
