"""Read a PDF back as a reader's software would: its text and its fonts."""

from __future__ import annotations

import re
import subprocess
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


PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$")


def pdf_pages_lines(path: Path) -> list[list[str]]:
    """Each page's text lines in reading order, page numbers (``— 1 —``) left out."""
    pages = []
    for page in PdfReader(path).pages:
        lines = (page.extract_text() or "").splitlines()
        pages.append([line for line in lines if line.strip() and not PAGE_NUMBER.match(line)])
    return pages


def pdftotext_pages(path: Path) -> list[list[str]]:
    """Like :func:`pdf_pages_lines`, read by poppler's ``pdftotext`` (which must be installed)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return [
        [line for line in page.splitlines() if line.strip() and not PAGE_NUMBER.match(line)]
        for page in out.split("\f")
        if page.strip()
    ]
