"""Fields in and out of the pipeline: the fill-in sheet, DOCX read-back, values files.

``pipeline fields input/`` writes a CSV sheet (UTF-8 with a byte-order mark,
so Excel reads the Chinese correctly) listing every field with its document,
id, label, type, group and context, and an empty ``value`` column; the
filled sheet is itself a values file.  ``pipeline fields output/NAME.docx``
reads the Word content controls back (tag = field id), so values typed in Word or WPS
become a TOML values file that ``pipeline convert --values`` accepts.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .model import Document, Field
from .stages.fields import field_positions
from .values import ValuesError

CSV_COLUMNS = ("document", "field", "label", "type", "group", "value", "context", "block", "offset")
_CONTEXT = 16
_FIELD_ID = re.compile(r"f\d+")
_PLACEHOLDER = re.compile(r"【(.+)】")


def document_name(source: str) -> str:
    """The name a values file uses for a document: its relative path without suffix.

    >>> document_name("a/speech.txt")
    'a/speech'
    """
    return str(PurePosixPath(source.replace("\\", "/")).with_suffix(""))


def _context(doc: Document, block: int, target: Field) -> str:
    """The field as 【label】 with the text a reader sees on either side."""
    before: list[str] = []
    after: list[str] = []
    side = before
    for inline in doc.blocks[block].inlines:
        if inline is target:
            side = after
            continue
        side.append(inline.text if not isinstance(inline, Field) else inline.display)
    left, right = "".join(before), "".join(after)
    return f"{left[-_CONTEXT:]}【{target.label}】{right[:_CONTEXT]}"


def fields_csv(docs: Iterable[Document]) -> bytes:
    """The fill-in sheet for ``docs``: CSV, UTF-8 with BOM, one row per field."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for doc in docs:
        positions = field_positions(doc)
        name = document_name(doc.meta.source)
        for index, f in doc.fields():
            block, offset = positions[f.id]
            writer.writerow(
                [
                    name,
                    f.id,
                    f.label,
                    f.kind,
                    f.group or "",
                    f.value or "",
                    _context(doc, index, f),
                    block,
                    offset,
                ]
            )
    return buf.getvalue().encode("utf-8-sig")


@dataclass(frozen=True, slots=True)
class ControlValue:
    """One field content control read back from a DOCX."""

    id: str
    label: str
    value: str | None  # None: still showing its placeholder


def read_docx_fields(data: bytes) -> list[ControlValue]:
    """The field content controls of a DOCX (``w:sdt`` tagged ``f1``, ``f2`` …), in order.

    python-docx parses with external entities and network access off.  A
    file whose content controls all lost their tags (LibreOffice 7.4 saves
    them without) is read by position: the writer emits ``f1``, ``f2`` … in
    reading order.
    """
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a non-DOCX file
        raise ValuesError(f"not a readable DOCX file ({exc})") from exc
    controls: list[tuple[str | None, str, str, bool]] = []
    for sdt in document.element.body.iter(qn("w:sdt")):
        props = sdt.find(qn("w:sdtPr"))
        if props is None:
            continue
        tag = props.find(qn("w:tag"))
        field_id = tag.get(qn("w:val")) if tag is not None else None
        alias = props.find(qn("w:alias"))
        label = (alias.get(qn("w:val")) if alias is not None else None) or ""
        content = sdt.find(qn("w:sdtContent"))
        text = "".join(t.text or "" for t in content.iter(qn("w:t"))) if content is not None else ""
        placeholder = props.find(qn("w:showingPlcHdr")) is not None
        controls.append((field_id, label, text.strip(), placeholder))
    tagged = [c for c in controls if c[0] and _FIELD_ID.fullmatch(c[0])]
    if not tagged:  # tags lost: number them in reading order
        tagged = [(f"f{n}", c[1], c[2], c[3]) for n, c in enumerate(controls, start=1)]
    found: list[ControlValue] = []
    for field_id, label, text, placeholder in tagged:
        assert field_id is not None
        shown_label = _PLACEHOLDER.fullmatch(text)
        if not label and shown_label:
            label = shown_label.group(1)
        unfilled = placeholder or not text or text == f"【{label}】"
        found.append(ControlValue(field_id, label, None if unfilled else text))
    return found


def _toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def values_toml(documents: dict[str, list[ControlValue]]) -> str:
    """A values file for :func:`read_docx_fields` results, unfilled fields as comments."""
    lines = ["# Field values read back from DOCX content controls.", ""]
    for name, controls in documents.items():
        lines.append(f"[documents.{_toml_string(name)}]")
        for c in controls:
            if c.value is None:
                lines.append(f'# {c.id} = ""  # {c.label}, unfilled')
            else:
                lines.append(f"{c.id} = {_toml_string(c.value)}  # {c.label}")
        lines.append("")
    return "\n".join(lines)


def docx_values(paths: Iterable[Path]) -> str:
    """The values file for the DOCX files at ``paths`` (each named by its stem)."""
    documents: dict[str, list[ControlValue]] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ValuesError(f"{path}: cannot read ({exc.strerror})") from exc
        try:
            documents[path.stem] = read_docx_fields(data)
        except ValuesError as exc:
            raise ValuesError(f"{path}: {exc}") from None
    return values_toml(documents)
