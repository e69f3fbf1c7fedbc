"""The repair stages' full change logs on big documents, to compare two versions.

Run by hand, once in each checkout (copy this file into the other one)::

    python3 bench/repair_changes.py after.pickle
    python3 bench/repair_changes.py before.pickle --compare after.pickle

For ~0.5 and ~1 MB documents built from ``bench/corpus`` (the damaged corpus
repeated, as ``bench_repair.py`` times it, and damaged anew for every copy),
with sample-like and heavy damage, it keeps every stage's ``Document.changes``
and the repaired text, prints each document's CPU seconds per stage, and with
``--compare`` says whether the two versions made exactly the same changes
(confidences to the last bit).
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_repair import TEXT_STAGES, corpus, damage  # noqa: E402

from pipeline import Options  # noqa: E402
from pipeline.langmodel import scorer  # noqa: E402
from pipeline.readers.text import read_text  # noqa: E402
from pipeline.stages import plan  # noqa: E402

KINDS = [("repeated", 0.05), ("repeated", 0.3), ("fresh", 0.05), ("fresh", 0.3)]


def build(rate: float, fresh: bool, target: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    docs = corpus()
    text = "\n".join(damage(t, rng, rate) for _, t in docs)
    if fresh:
        copies = [text]
        while sum(len(c.encode("utf-8")) + 1 for c in copies) < target:
            copies.append("\n".join(damage(t, rng, rate) for _, t in docs))
        big = "\n".join(copies)
    else:
        big = (text + "\n") * (target // len(text.encode("utf-8")) + 1)
    return big.encode("utf-8")[:target].decode("utf-8", "ignore")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="where to keep this version's change logs")
    parser.add_argument("--compare", type=Path, help="another version's change logs")
    args = parser.parse_args()
    opts = Options()
    stages = [(n, s) for n, s in plan(opts) if n in TEXT_STAGES]
    doc = read_text(build(0.05, False, 50_000, seed=7).encode("utf-8"), "warm.txt")
    for _name, stage in stages:  # load the model first
        doc = stage(doc, opts)
    results = {}
    for mode, rate in KINDS:
        for megabytes in (0.5, 1.0):
            scorer().forget()
            big = build(rate, mode == "fresh", int(megabytes * 1024 * 1024))
            doc = read_text(big.encode("utf-8"), "big.txt")
            took = {}
            for name, stage in stages:
                start = time.process_time()
                doc = stage(doc, opts)
                took[name] = time.process_time() - start
            results[(mode, rate, megabytes)] = (list(doc.changes), [b.text for b in doc.blocks])
            row = " ".join(f"{k} {v:.2f}" for k, v in took.items())
            print(f"{mode} damage {rate:.0%}, {megabytes} MB: {sum(took.values()):.2f} s ({row})")
    args.out.write_bytes(pickle.dumps(results))
    if args.compare:
        other = pickle.loads(args.compare.read_bytes())
        same = [k for k in results if other.get(k) == results[k]]
        print(f"identical change logs and texts: {len(same)} of {len(results)}")


if __name__ == "__main__":
    main()
