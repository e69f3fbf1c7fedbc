"""CPU time of the mojibake stage alone on 1 MB documents of fresh damage, each run cold.

Run by hand, in each checkout to compare (copy this file into the other one)::

    python3 bench/bench_mojibake_fresh.py make DIR --seeds 1 2 3
    python3 bench/bench_mojibake_fresh.py time DIR --runs 3 --dump after

``make`` writes ``DIR/seed-N.txt``: the corpus (``bench/corpus``) damaged
anew for every copy (``damage(t, rng, 0.05)``, as ``bench_repair.py
--fresh`` builds its sample-like documents) until 1 MiB.  ``time`` repairs
each in a new process (nothing warm but the disk caches: the model's and
the stage's own), prints the median CPU seconds of the mojibake stage, and
with ``--dump`` pickles the stage's blocks and changes to ``DIR/NAME-N.pickle``
so two versions' outputs can be compared byte for byte (``same``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_repair import corpus, damage  # noqa: E402

TARGET = 1024 * 1024


def build(seed: int, rate: float = 0.05) -> str:
    rng = random.Random(seed)
    docs = corpus()
    copies = ["\n".join(damage(t, rng, rate) for _, t in docs)]
    while sum(len(c.encode("utf-8")) + 1 for c in copies) < TARGET:
        copies.append("\n".join(damage(t, rng, rate) for _, t in docs))
    big = "\n".join(copies) + "\n"
    return big.encode("utf-8")[:TARGET].decode("utf-8", "ignore")


def _repair(path: str, dump: str) -> float:
    """CPU seconds of the mojibake stage on the file at ``path`` (in this process)."""
    from pipeline import Options
    from pipeline.langmodel import scorer
    from pipeline.readers.text import read_text
    from pipeline.stages.mojibake import repair_mojibake

    opts = Options()
    doc = read_text(Path(path).read_bytes(), "big.txt")
    scorer()  # the model read from the disk cache, as the stage would
    start = time.process_time()
    out = repair_mojibake(doc, opts)
    took = time.process_time() - start
    if dump:
        Path(dump).write_bytes(pickle.dumps((list(out.blocks), list(out.changes))))
    return took


def _cold(path: Path, dump: str) -> float:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return float(pool.apply(_repair, (str(path), dump)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make")
    make.add_argument("dir", type=Path)
    make.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    run = sub.add_parser("time")
    run.add_argument("dir", type=Path)
    run.add_argument("--runs", type=int, default=3)
    run.add_argument("--dump", default="", help="name of the pickles of the stage's output")
    run.add_argument("--only", type=int, nargs="*", help="the seeds to time (default: all)")
    same = sub.add_parser("same")
    same.add_argument("dir", type=Path)
    same.add_argument("a")
    same.add_argument("b")
    args = parser.parse_args()
    if args.command == "make":
        args.dir.mkdir(parents=True, exist_ok=True)
        for seed in args.seeds:
            (args.dir / f"seed-{seed}.txt").write_text(build(seed), "utf-8")
    elif args.command == "time":
        for path in sorted(args.dir.glob("seed-*.txt")):
            seed = path.stem.split("-")[1]
            if args.only and int(seed) not in args.only:
                continue
            dump = str(args.dir / f"{args.dump}-{seed}.pickle") if args.dump else ""
            took = [_cold(path, dump if k == 0 else "") for k in range(args.runs)]
            row = " ".join(f"{t:.2f}" for t in took)
            print(f"{path.name}: median {statistics.median(took):.3f} s CPU ({row})")
    else:
        for path in sorted(args.dir.glob(f"{args.a}-*.pickle")):
            other = args.dir / path.name.replace(args.a, args.b, 1)
            a, b = path.read_bytes(), other.read_bytes()
            # equal objects (floats to the last bit: repr), and equal pickles
            equal = repr(pickle.loads(a)) == repr(pickle.loads(b))
            verdict = f"objects {'equal' if equal else 'DIFFERENT'}, pickles "
            verdict += "identical" if a == b else "differ"
            print(f"{path.name} vs {other.name}: {verdict}")


if __name__ == "__main__":
    main()
