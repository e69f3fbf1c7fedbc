"""Read a PDF back as a reader's software would: its text and its fonts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader


def pdf_text(path: Path) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(path).pages)


def pdf_fonts(path: Path) -> dict[str, bool]:
    """Every font the PDF uses (base name -> is embedded), on every page."""
    fonts: dict[str, bool] = {}

    def visit(resources: Any) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            faces = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            embedded = any(
                key in (f.get("/FontDescriptor") or {}).get_object()
                for f in faces
                if "/FontDescriptor" in f
                for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts[str(font["/BaseFont"])] = embedded
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in PdfReader(path).pages:
        visit(page.get("/Resources"))
    return fonts
