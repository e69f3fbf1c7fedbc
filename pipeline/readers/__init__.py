"""Readers turn the bytes of one input file into a :class:`~pipeline.model.Document`.

``READERS`` maps a file suffix to its reader, as pandoc's reader table does.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import Document
from .text import read_text

Reader = Callable[[bytes, str], Document]

READERS: dict[str, Reader] = {".txt": read_text}

__all__ = ["READERS", "Reader", "read_text"]
