"""Nothing lost: every character of the input is in the output or in the change log.

The check is on multisets of characters, which every stage can be held to
whatever its positions mean: a character of the decoded input missing from
the document's text must be in some change's ``before`` (times its
``count``), and a character the document gained must be in some change's
``after``.  White space is left out (line ends move as blocks are joined and
split, and runs of spaces are collapsed), so is the order of characters.  It
is a weaker check than replaying every change, but it is sound: a stage that
drops or invents text without saying so fails it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Document


@dataclass(frozen=True, slots=True)
class Accounting:
    """Characters lost or gained that no change explains (empty when all is accounted for)."""

    lost: Counter[str]
    gained: Counter[str]

    def __bool__(self) -> bool:
        return not self.lost and not self.gained

    def describe(self) -> str:
        def show(counter: Counter[str]) -> str:
            return ", ".join(f"{ch!r}×{n}" for ch, n in counter.most_common(10))

        parts = []
        if self.lost:
            parts.append(f"lost without a change: {show(self.lost)}")
        if self.gained:
            parts.append(f"added without a change: {show(self.gained)}")
        return "; ".join(parts) or "every character accounted for"


def _counts(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


def account(source: str, document: Document) -> Accounting:
    """Compare the decoded ``source`` with ``document`` and its change log.

    >>> from pipeline.model import Change, Meta, Block
    >>> doc = Document(Meta("x"), (Block.of_text("会议"),), (Change("s", "r", before="!"),))
    >>> bool(account("会议!", doc)), bool(account("会议?", doc))
    (True, False)
    """
    output = _counts("\n".join(block.text for block in document.blocks))
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    for change in document.changes:
        for ch, n in _counts(change.before).items():
            before[ch] += n * change.count
        for ch, n in _counts(change.after).items():
            after[ch] += n * change.count
    inp = _counts(source)
    lost = (inp - output) - before
    gained = (output - inp) - after
    return Accounting(lost, gained)
