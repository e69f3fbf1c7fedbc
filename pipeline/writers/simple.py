"""Writers that need no layout: the JSON document model and plain text."""

from __future__ import annotations

import json

from ..model import Document, document_to_dict
from ..options import Options


def write_json(document: Document, opts: Options) -> bytes:
    """The document model with its change log: what the golden tests compare.

    Compact (no indentation): only then does :mod:`json` use its C encoder,
    several times faster on a change log of hundreds of entries.
    """
    data = document_to_dict(document)
    return (json.dumps(data, ensure_ascii=False) + "\n").encode("utf-8")


def write_txt(document: Document, opts: Options) -> bytes:
    """The repaired text, one block per line, unfilled fields as 【label】."""
    return "".join(b.display_text + "\n" for b in document.blocks).encode("utf-8")
