"""Every stage's output Document on many inputs, to show two versions behave identically.

Run by hand, once in each checkout (copy this file into the other one)::

    python3 bench/stage_outputs.py base.pickle
    python3 bench/stage_outputs.py new.pickle --compare base.pickle

For the clean corpora (``bench/corpus``, ``bench/tune``, also converted to
traditional), each corpus damaged by ``bench_repair.damage`` with seeds 1-4,
the fresh 1 MB document of ``bench_stages_big.py``, the sample inputs
(``input/*.txt``) and a few documents with other conversion options, it runs
every stage of the plan and keeps the Document after each one: blocks,
fields, metadata and the change log (confidences to the last bit).
``--compare`` prints where the first difference of each input is.

``tests`` mode records the stages' outputs while the test suite runs, keyed
by each stage's input and options (see ``stage_recorder.py``).
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corrupt  # noqa: E402
from bench_repair import corpus, damage  # noqa: E402
from bench_stages_big import fresh_document  # noqa: E402

from pipeline import Document, Options  # noqa: E402
from pipeline.readers.text import read_text  # noqa: E402
from pipeline.stages import plan  # noqa: E402

CORPORA = ("corpus", "tune")
OTHER_OPTIONS = (
    {"to": "traditional"},
    {"to": "taiwan"},
    {"to": "hongkong"},
    {"source": "taiwan"},
    {"source": "hongkong"},
    {"keep": ("於", "發展")},
)


def inputs() -> Iterator[tuple[str, bytes, dict[str, object]]]:
    """(label, input bytes, option flags) of every input checked."""
    for name in CORPORA:
        docs = corpus(ROOT / "bench" / name)
        for file, text in docs:
            yield f"{name}/{file} clean", text.encode("utf-8"), {}
            traditional = corrupt.to_traditional(text)
            yield f"{name}/{file} traditional", traditional.encode("utf-8"), {}
        for seed in range(1, 5):
            rng = random.Random(seed)
            for file, text in docs:
                damaged = damage(text, rng).encode("utf-8")
                yield f"{name}/{file} seed {seed}", damaged, {}
                if seed == 1:
                    for flags in OTHER_OPTIONS:
                        yield f"{name}/{file} seed 1 {flags}", damaged, flags
    for path in sorted((ROOT / "input").glob("*.txt")):
        yield f"input/{path.name}", path.read_bytes(), {}
    yield "fresh 1 MB", fresh_document().encode("utf-8"), {}


def stage_outputs(data: bytes, flags: dict[str, object]) -> list[tuple[str, Document]]:
    opts = Options(**flags)  # type: ignore[arg-type]
    doc = read_text(data, "input.txt")
    out = [("read", doc)]
    for name, stage in plan(opts):
        doc = stage(doc, opts)
        out.append((name, doc))
    return out


def first_difference(a: Document, b: Document) -> str:
    """Where two documents first differ, for a human."""
    if a.meta != b.meta:
        return f"meta: {a.meta} != {b.meta}"
    if len(a.blocks) != len(b.blocks):
        return f"{len(a.blocks)} blocks != {len(b.blocks)}"
    for i, (x, y) in enumerate(zip(a.blocks, b.blocks, strict=True)):
        if x != y:
            return f"block {i}: {x} != {y}"
    if len(a.changes) != len(b.changes):
        return f"{len(a.changes)} changes != {len(b.changes)}"
    for i, (c, d) in enumerate(zip(a.changes, b.changes, strict=True)):
        if c != d:
            return f"change {i}: {c} != {d}"
    return "same"


def compare(new: dict[str, list[tuple[str, Document]]], old: dict[str, object]) -> int:
    """Print each input whose stage outputs differ; the number of such inputs."""
    bad = 0
    for label, stages in new.items():
        other = old.get(label)
        if other == stages:
            continue
        bad += 1
        if not isinstance(other, list):
            print(f"{label}: missing from the other dump")
            continue
        for (name, doc), (other_name, other_doc) in zip(stages, other, strict=False):
            if (name, doc) != (other_name, other_doc):
                print(f"{label}: after {name}: {first_difference(doc, other_doc)}")
                break
        else:
            print(f"{label}: stages {[n for n, _ in stages]} != {[n for n, _ in other]}")
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="where to keep this version's stage outputs")
    parser.add_argument("--compare", type=Path, help="another version's stage outputs")
    args = parser.parse_args()
    results = {}
    for label, data, flags in inputs():
        results[label] = stage_outputs(data, flags)
    args.out.write_bytes(pickle.dumps(results))
    print(f"{len(results)} inputs, {sum(len(v) for v in results.values())} stage outputs")
    if args.compare:
        old = pickle.loads(args.compare.read_bytes())
        bad = compare(results, old)
        print(f"identical stage outputs: {len(results) - bad} of {len(results)} inputs")


if __name__ == "__main__":
    main()
