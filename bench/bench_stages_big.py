"""CPU time of each text stage after the mojibake repair on a fresh 1 MB document, run by hand::

    python3 bench/bench_stages_big.py [--runs 3] [--mb 1] [--profile cleanup]

The document is the one ``bench_repair.py --timing-only --fresh`` times with
sample-like damage: the corpus damaged anew for every copy (traditional
characters, pinyin glosses, hard wraps, boilerplate, folded punctuation, GBK
chunk splits in one line of twenty) up to 1 MB of UTF-8.  The mojibake stage
runs once (its output is every run's input); then the later repair stages
(cleanup, unwrap, punctuation, convert) run in plan order ``--runs`` times,
and the median CPU seconds (``time.process_time``) of each is printed.
``--profile STAGE`` prints that stage's cProfile (by own and by cumulative
time) instead.

A full garbage collection walks every object the process holds, the
mojibake stage's models included (70-90 ms here), and comes about once per
run of the four stages, in whichever stage passes the threshold (mostly
convert, which logs the most changes).  ``--gc-freeze`` moves what exists
after loading (models, the input document) out of the collector's sight
(``gc.freeze()``), to time the stages without that cost.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_repair import TEXT_STAGES, corpus, damage, run_stages  # noqa: E402

from pipeline import Document, Options  # noqa: E402
from pipeline.readers.text import read_text  # noqa: E402
from pipeline.stages import plan  # noqa: E402
from pipeline.stages.base import Stage  # noqa: E402


def fresh_document(megabytes: float = 1.0, rate: float = 0.05, seed: int = 1) -> str:
    """The corpus damaged anew for every copy, cut at ``megabytes`` of UTF-8 (as timing() does)."""
    rng = random.Random(seed)
    docs = corpus()
    copies = ["\n".join(damage(t, rng, rate) for _, t in docs)]
    target = int(megabytes * 1024 * 1024)
    while sum(len(c.encode("utf-8")) + 1 for c in copies) < target:
        copies.append("\n".join(damage(t, rng, rate) for _, t in docs))
    big = "\n".join(copies) + "\n"
    return big.encode("utf-8")[:target].decode("utf-8", "ignore")


def later_stages(opts: Options) -> list[tuple[str, Stage]]:
    """The repair stages that follow the mojibake stage, in plan order."""
    return [(n, s) for n, s in plan(opts) if n in TEXT_STAGES and n != "mojibake"]


def after_mojibake(text: str, opts: Options) -> Document:
    doc = read_text(text.encode("utf-8"), "big.txt")
    for name, stage in plan(opts):
        if name == "mojibake":
            return stage(doc, opts)
    return doc


def time_stages(doc: Document, opts: Options, runs: int) -> dict[str, float]:
    """Median CPU seconds of each later stage over ``runs`` runs of the chain."""
    times: dict[str, list[float]] = {}
    for _ in range(runs):
        current = doc
        for name, stage in later_stages(opts):
            start = time.process_time()
            current = stage(current, opts)
            times.setdefault(name, []).append(time.process_time() - start)
    return {name: statistics.median(v) for name, v in times.items()}


def profile_stage(doc: Document, opts: Options, wanted: str) -> None:
    current = doc
    for name, stage in later_stages(opts):
        if name == wanted:
            profiler = cProfile.Profile()
            profiler.runcall(stage, current, opts)
            for key in ("tottime", "cumulative"):
                pstats.Stats(profiler).sort_stats(key).print_stats(25)
            return
        current = stage(current, opts)
    sys.exit(f"no stage {wanted!r} after mojibake in the plan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--profile", metavar="STAGE", help="profile one stage instead")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after loading (see above)"
    )
    args = parser.parse_args()
    opts = Options()
    run_stages(corpus()[0][1], opts)  # load the models and converters first
    text = fresh_document(args.mb)
    doc = after_mojibake(text, opts)
    print(f"{len(text.encode('utf-8')) / 1e6:.2f} MB, {len(doc.blocks)} blocks after mojibake")
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    if args.profile:
        profile_stage(doc, opts, args.profile)
        return
    took = time_stages(doc, opts, args.runs)
    for name, seconds in took.items():
        print(f"{name:12} {seconds:6.3f} s")
    print(f"{'total':12} {sum(took.values()):6.3f} s (median CPU of {args.runs} runs each)")


if __name__ == "__main__":
    main()
