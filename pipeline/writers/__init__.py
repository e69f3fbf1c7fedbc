"""Writers turn a finished :class:`~pipeline.model.Document` into the bytes of one file.

``WRITERS`` maps a format name to its writer and file suffix.  Writers only
render: they never repair, convert or detect anything themselves.

The DOCX and PDF writers import python-docx and reportlab, which take a good
part of a second to load; they are imported on first use, so a run that has
nothing to convert (every document unchanged) and ``pipeline --help`` never
pay for them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Document
from ..options import Options
from .simple import write_json, write_txt

Writer = Callable[[Document, Options], bytes]


def write_docx(document: Document, opts: Options) -> bytes:
    """The DOCX writer (:func:`pipeline.writers.docx.write_docx`), imported on first use."""
    from .docx import write_docx as write

    return write(document, opts)


def write_pdf(document: Document, opts: Options) -> bytes:
    """The PDF writer (:func:`pipeline.writers.pdf.write_pdf`), imported on first use."""
    from .pdf import write_pdf as write

    return write(document, opts)


WRITERS: dict[str, tuple[Writer, str]] = {
    "docx": (write_docx, ".docx"),
    "pdf": (write_pdf, ".pdf"),
    "json": (write_json, ".json"),
    "txt": (write_txt, ".txt"),
}

__all__ = ["WRITERS", "Writer"]
