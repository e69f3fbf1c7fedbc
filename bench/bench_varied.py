"""Benchmark: CPU milliseconds of each step on a batch of different documents.

Run by hand::

    python3 bench/bench_varied.py

Each document joins four texts of the corpus, damaged anew (the sample's
density of chunk splits, about two per document), so no damaged spot is met
twice: what the mojibake stage costs for damage never seen before, against
the other stages and the writers on the same documents.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_repair  # noqa: E402

from pipeline import Options  # noqa: E402
from pipeline.readers import READERS  # noqa: E402
from pipeline.stages import plan  # noqa: E402
from pipeline.writers import WRITERS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=40, help="documents (the first warms up)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=0.05, help="share of lines split")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    docs = bench_repair.corpus()
    texts = [
        "\n".join(bench_repair.damage(t, rng, args.rate) for _, t in rng.sample(docs, 4))
        for _ in range(args.n)
    ]
    opts = Options(formats=("docx", "pdf", "json"))
    read = READERS[".txt"]
    rows: dict[str, list[float]] = {}
    repairs = []
    for k, text in enumerate(texts):
        start = time.process_time()
        doc = read(text.encode("utf-8"), "varied.txt")
        took = {"read": time.process_time() - start}
        for name, stage in plan(opts):
            start = time.process_time()
            doc = stage(doc, opts)
            took[name] = time.process_time() - start
        for fmt in opts.formats:
            start = time.process_time()
            WRITERS[fmt][0](doc, opts)
            took[fmt] = time.process_time() - start
        if k == 0:
            continue  # the model's loading and first tables
        repairs.append(sum(1 for c in doc.changes if c.stage == "mojibake"))
        for name, seconds in took.items():
            rows.setdefault(name, []).append(seconds)
    print(f"{len(repairs)} documents, {statistics.mean(repairs):.2f} mojibake changes each")
    for name, times in rows.items():
        mean, median = statistics.mean(times) * 1000, statistics.median(times) * 1000
        print(f"{name:12} {mean:7.2f} ms mean {median:7.2f} ms median")


if __name__ == "__main__":
    main()
