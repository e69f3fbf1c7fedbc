"""Writers turn a finished :class:`~pipeline.model.Document` into the bytes of one file.

``WRITERS`` maps a format name to its writer and file suffix.  Writers only
render: they never repair, convert or detect anything themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Document
from ..options import Options
from .docx import write_docx
from .pdf import write_pdf
from .simple import write_json, write_txt

Writer = Callable[[Document, Options], bytes]

WRITERS: dict[str, tuple[Writer, str]] = {
    "docx": (write_docx, ".docx"),
    "pdf": (write_pdf, ".pdf"),
    "json": (write_json, ".json"),
    "txt": (write_txt, ".txt"),
}

__all__ = ["WRITERS", "Writer"]
