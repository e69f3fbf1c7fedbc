"""What happened to one document: the runner's answer, one per input file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .model import Document


class Status(StrEnum):
    OK = "ok"
    PARTIAL = "partial"  # outputs were written, but a stage or a writer failed
    FAILED = "failed"  # nothing usable was written
    SKIPPED = "skipped"  # not a usable input (e.g. a link leading out of the folder)
    UNCHANGED = "unchanged"  # input, options and version as last time: outputs kept


@dataclass(frozen=True, slots=True)
class Problem:
    """An error or warning tied to the step that raised it."""

    step: str
    message: str
    severity: str = "error"  # or "warning"


def strict_problem(doc: Document) -> Problem | None:
    """Why ``--strict`` fails ``doc``: the fields it still has unfilled, or None."""
    empty = [f for _, f in doc.fields() if f.value is None]
    if not empty:
        return None
    shown = ", ".join(f"{f.id} 【{f.label}】" for f in empty[:8])
    more = f" and {len(empty) - 8} more" if len(empty) > 8 else ""
    return Problem(
        "fields",
        f"--strict: {len(empty)} unfilled field(s): {shown}{more}; give them values "
        "with --values FILE (pipeline fields lists them)",
    )


@dataclass
class DocumentResult:
    """Status, problems, timings (seconds per step) and outputs of one document."""

    source: Path
    status: Status = Status.OK
    document: Document | None = None
    outputs: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    digest: str = ""  # sha256 of the input bytes that were converted
    facts: dict[str, Any] = field(default_factory=dict)  # see :meth:`document_facts`

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def document_facts(self) -> dict[str, Any]:
        """What the report says about the document itself: changes, repairs, unfilled fields.

        Taken from the document when there is one, else from :attr:`facts`
        (kept by :meth:`detach`, or carried over from the manifest).
        """
        doc = self.document
        if doc is None:
            return self.facts or {"changes": 0, "repairs": {}, "unfilled_fields": []}
        repairs: dict[str, int] = {}
        for change in doc.changes:
            repairs[change.stage] = repairs.get(change.stage, 0) + change.count
        return {
            "changes": len(doc.changes),
            "repairs": repairs,
            "unfilled_fields": [f.label for _, f in doc.fields() if f.value is None],
        }

    def detach(self) -> DocumentResult:
        """Keep the document's facts and drop the document: cheap to send between processes."""
        if self.document is not None:
            self.facts = self.document_facts()
            self.document = None
        return self

    def to_dict(self) -> dict[str, Any]:
        facts = self.document_facts()
        return {
            "source": str(self.source),
            "status": self.status.value,
            "outputs": {k: str(v) for k, v in self.outputs.items()},
            "errors": [f"{p.step}: {p.message}" for p in self.errors],
            "warnings": [f"{p.step}: {p.message}" for p in self.warnings],
            "changes": facts["changes"],
            "repairs": facts["repairs"],
            "unfilled_fields": facts["unfilled_fields"],
            "timings_ms": {k: round(v * 1000, 2) for k, v in self.timings.items()},
        }
