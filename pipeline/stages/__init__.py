"""The stages between reading and writing, and the order they run in.

``STAGES`` maps a name to a pure ``(Document, Options) -> Document`` function;
``plan(opts)`` lists the ones a run uses, in order.  Decoding is the reader's
job and always runs first; every stage here can be skipped with ``--skip``.
"""

from __future__ import annotations

from ..options import Options
from .base import Stage
from .convert import convert
from .fields import make_fields
from .fill import fill
from .mojibake import repair_mojibake
from .repair import repair
from .structure import detect_structure

STAGES: dict[str, Stage] = {
    "mojibake": repair_mojibake,
    "repair": repair,
    "convert": convert,
    "fields": make_fields,
    "fill": fill,
    "structure": detect_structure,
}

# Bytes before characters: mojibake repair must see the text as damaged, with
# its folded punctuation, before anything normalises it.
DEFAULT_PLAN: tuple[str, ...] = ("mojibake", "repair", "convert", "fields", "fill", "structure")


def plan(opts: Options) -> list[tuple[str, Stage]]:
    """The stages to run for ``opts``, in pipeline order."""
    return [(name, STAGES[name]) for name in DEFAULT_PLAN if name not in opts.skip]


__all__ = ["DEFAULT_PLAN", "STAGES", "Stage", "plan"]
