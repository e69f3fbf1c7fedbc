"""The stages between reading and writing, and the order they run in.

``STAGES`` maps a name to a pure ``(Document, Options) -> Document`` function;
``plan(opts)`` lists the ones a run uses, in order.  Decoding is the reader's
job and always runs first; every stage here can be skipped with ``--skip``,
and ``--skip repair`` leaves out the whole text-repair group at once.

Order matters: bytes are repaired before anything changes characters
(mojibake, then cleanup of site noise such as pinyin glosses, then layout,
then punctuation), and all of it before the conversion to simplified
characters, so every repair sees the text as the source had it.
"""

from __future__ import annotations

from ..options import Options
from .base import Stage
from .cleanup import clean_up
from .convert import convert
from .fields import make_fields
from .fill import fill
from .mojibake import repair_mojibake
from .punctuation import restore_punctuation
from .structure import detect_structure
from .unwrap import unwrap

# The byte-level "mojibake" repair joins this registry and heads the plan.
STAGES: dict[str, Stage] = {
    "mojibake": repair_mojibake,
    "cleanup": clean_up,
    "unwrap": unwrap,
    "punctuation": restore_punctuation,
    "convert": convert,
    "fields": make_fields,
    "fill": fill,
    "structure": detect_structure,
}

# Bytes before characters: mojibake repair must see the text as damaged, with
# its folded punctuation, before anything normalises it; noise goes before
# lines are joined, and punctuation is judged on joined lines.
DEFAULT_PLAN: tuple[str, ...] = (
    "mojibake",
    "cleanup",
    "unwrap",
    "punctuation",
    "convert",
    "fields",
    "fill",
    "structure",
)

# Names that skip several stages at once.
GROUPS: dict[str, tuple[str, ...]] = {
    "repair": ("mojibake", "cleanup", "unwrap", "punctuation"),
}


def plan(opts: Options) -> list[tuple[str, Stage]]:
    """The stages to run for ``opts``, in pipeline order."""
    skipped = set(opts.skip)
    for group in opts.skip:
        skipped.update(GROUPS.get(group, ()))
    return [(name, STAGES[name]) for name in DEFAULT_PLAN if name not in skipped]


__all__ = ["DEFAULT_PLAN", "GROUPS", "STAGES", "Stage", "plan"]
