"""Score placeholder detection and typing against the labelled corpus.

``tests/data/fields_corpus.json`` holds sentences where ``[[RAW|kind]]``
marks a placeholder and its type (``[[|kind]]`` a deleted figure).  A found
field counts as detected when its span is exactly a marked one; typing
accuracy is over the detected ones.  Run ``python tests/fieldscore.py`` to
print the figures (``-v`` lists every miss).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.stages.fields import find_spans

CORPUS = Path(__file__).resolve().parent / "data" / "fields_corpus.json"
_MARK = re.compile(r"\[\[([^|\]]*)\|(\w+)\]\]")

Gold = tuple[int, int, str]


def parse(annotated: str) -> tuple[str, list[Gold]]:
    """Plain text and gold spans (start, end, kind) of an annotated sentence.

    >>> parse("增长[[*|percent]]%")
    ('增长*%', [(2, 3, 'percent')])
    """
    text: list[str] = []
    gold: list[Gold] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(annotated):
        plain = annotated[pos : m.start()]
        text.append(plain)
        length += len(plain)
        gold.append((length, length + len(m.group(1)), m.group(2)))
        text.append(m.group(1))
        length += len(m.group(1))
        pos = m.end()
    text.append(annotated[pos:])
    return "".join(text), gold


@dataclass
class Score:
    found: int = 0
    gold: int = 0
    detected: int = 0
    typed: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.detected / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.detected / self.gold if self.gold else 1.0

    @property
    def typing(self) -> float:
        return self.typed / self.detected if self.detected else 1.0


def score(sentences: list[str]) -> Score:
    result = Score()
    for annotated in sentences:
        text, gold = parse(annotated)
        found = {(s.start, s.end): s.kind for s in find_spans(text)}
        expected = {(start, end): kind for start, end, kind in gold}
        result.found += len(found)
        result.gold += len(expected)
        for span, kind in found.items():
            if span not in expected:
                result.misses.append(f"false hit {text[span[0] : span[1]]!r} in {text}")
                continue
            result.detected += 1
            if expected[span] == kind:
                result.typed += 1
            else:
                result.misses.append(f"typed {kind}, expected {expected[span]}: {annotated}")
        for span in expected.keys() - found.keys():
            result.misses.append(f"missed {text[span[0] : span[1]]!r} in {annotated}")
    return result


def load(part: str = "sentences") -> list[str]:
    """One part of the corpus: ``sentences`` (tuned on) or ``held_out``."""
    sentences: list[str] = json.loads(CORPUS.read_text("utf-8"))[part]
    return sentences


def main() -> None:
    for part in ("sentences", "held_out", "held_out_2"):
        sentences = load(part)
        result = score(sentences)
        print(
            f"{part}: {len(sentences)} sentences, {result.gold} placeholders, "
            f"{result.found} found; detection precision {result.precision:.3f}, "
            f"recall {result.recall:.3f}; typing accuracy {result.typing:.3f} "
            f"({result.typed}/{result.detected})"
        )
        if "-v" in sys.argv:
            print("\n".join(result.misses))


if __name__ == "__main__":
    main()
