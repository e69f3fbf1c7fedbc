"""Repair stage: give back the text as its author wrote it.

Runs byte-level and layout repairs first, then character-level ones, so later
fixes see text that earlier ones already made sane.  Each helper module owns
one kind of damage; this module only orders them.
"""

from __future__ import annotations

import re

from ..model import Document
from ..options import Options
from .base import Edit, rewrite_text
from .punctuation import find_punctuation_edits

STAGE = "repair"

_EDGE_SPACE = re.compile(r"^[\s\u3000]+|[\s\u3000]+$")


def _edge_space_edits(text: str) -> list[Edit]:
    """Indentation and trailing spaces are layout, which the writers own."""
    return [
        Edit(m.start(), m.end(), "", "removed indentation or trailing spaces")
        for m in _EDGE_SPACE.finditer(text)
    ]


def repair(doc: Document, opts: Options) -> Document:
    return rewrite_text(doc, STAGE, _edge_space_edits, find_punctuation_edits)
