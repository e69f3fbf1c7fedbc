"""The DOCX writer's compiled template gives exactly what python-docx's save would."""

from __future__ import annotations

import io
import marshal
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
from conftest import SAMPLE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from pipeline import Document, Options
from pipeline.runner import process_bytes
from pipeline.writers import docx as docx_writer
from pipeline.writers.docxstyles import compile_template, styled_document
from pipeline.writers.docxzip import PackageTemplate
from pipeline.writers.fonts import resolve_fonts
from pipeline.writers.layout import profile_for

ROOT = Path(__file__).resolve().parent.parent


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def _python_docx_save(document: Document, opts: Options) -> bytes:
    """The handout as python-docx itself would save it: body parsed into the styled template."""
    profile = profile_for(opts)
    reference, style_ids = styled_document(profile, resolve_fonts(opts.fonts, opts.system_fonts))
    body = reference.element.body
    xml = docx_writer._body_xml(document, profile, opts, style_ids)
    for paragraph in list(parse_xml(f"<w:body {nsdecls('w')}>{xml}</w:body>")):
        body.sectPr.addprevious(paragraph)
    core = reference.core_properties
    core.title = document.title or ""
    core.comments = f"converted from {document.meta.source}"
    core.language = document.meta.language
    core.author = ""
    out = io.BytesIO()
    reference.save(out)
    return out.getvalue()


def test_handouts_equal_python_docx_save() -> None:
    sources = {
        "a.txt": SAMPLE.read_bytes(),
        "b & <c>.txt": "标题 {0} & <x>\n\n同志们：\n\n一、第二份“材料”\n".encode(),
    }
    for opts in (Options(), Options(profile="handout", header="会议 & 日期", watermark='"内部"')):
        for name, data in sources.items():
            document = process_bytes(data, name, opts).document
            assert document is not None
            ours = docx_writer.write_docx(document, opts)
            assert _members(ours) == _members(_python_docx_save(document, opts))
    body = docx.Document(io.BytesIO(ours)).paragraphs
    assert [p.text for p in body][-1] == "一、第二份“材料”"


def test_compiled_template_survives_the_cache() -> None:
    opts = Options()
    template = compile_template(profile_for(opts), resolve_fonts(opts.fonts, opts.system_fonts))
    assert PackageTemplate.from_data(marshal.loads(marshal.dumps(template.to_data()))) == template


def test_warm_process_writes_docx_without_python_docx(tmp_path: Path) -> None:
    """Once the template is cached, a process neither imports python-docx nor parses XML."""
    script = (
        "import sys\n"
        "from pipeline import Options\n"
        "from pipeline.runner import process_bytes\n"
        "from pipeline.writers import write_docx\n"
        "doc = process_bytes('标题\\n\\n正文。\\n'.encode(), 'x.txt', Options()).document\n"
        "data = write_docx(doc, Options())\n"
        "assert data[:2] == b'PK'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'lxml')))\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    ]
    assert runs[0] != "[]"  # the first process built the template with python-docx
    assert runs[1] == "[]"
    assert len(list((tmp_path / "pipeline").glob("docx-templates-*.marshal"))) == 1
