"""pipeline: damaged Chinese text in, clean DOCX and PDF handouts out.

Library use::

    from pathlib import Path
    from pipeline import Options, convert_all

    results = convert_all([Path("input")], Options(output=Path("output")))
    report = run_batch([Path("input")], Options(output=Path("output")), jobs=2)  # as the CLI

The flow is ``bytes -> reader -> Document -> stages -> writers -> files``;
see :mod:`pipeline.model` for the document and :mod:`pipeline.stages` for
the stages.
"""

from __future__ import annotations

# The one place the version is written (pyproject.toml reads it from here):
# a literal, because importlib.metadata alone costs ~40 ms of start-up.
__version__ = "0.1.0"

from .batch import BatchReport, run_batch
from .model import Block, BlockKind, Change, Document, Field, Meta, Text
from .options import Options
from .result import DocumentResult, Status
from .runner import convert_all, convert_bytes, convert_file

__all__ = [
    "BatchReport",
    "Block",
    "BlockKind",
    "Change",
    "Document",
    "DocumentResult",
    "Field",
    "Meta",
    "Options",
    "Status",
    "Text",
    "__version__",
    "convert_all",
    "convert_bytes",
    "convert_file",
    "run_batch",
]
