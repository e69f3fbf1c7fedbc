"""Benchmark: CPU milliseconds of each stage and writer on the sample, steady state.

Run by hand::

    python3 bench/bench_steps.py -n 20

Copies of one document meet the language model's kept scores again and
again, which flatters the mojibake stage; ``mojibake (new damage)`` is the
stage with those scores forgotten before each run: what a batch of different
documents with the same amount of damage pays.  The bare render (see
bench_convert.py) is printed alongside as the yardstick.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_convert import SAMPLE, run_bare  # noqa: E402

from pipeline import Options  # noqa: E402
from pipeline.langmodel import scorer  # noqa: E402
from pipeline.model import Document  # noqa: E402
from pipeline.readers import READERS  # noqa: E402
from pipeline.stages import plan  # noqa: E402
from pipeline.writers import WRITERS  # noqa: E402

Step = Callable[["Document", "Options"], "Document"]


def _cpu_ms(run: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20, help="runs of each step")
    args = parser.parse_args()
    opts = Options(formats=("docx", "pdf", "json"))
    data = SAMPLE.read_bytes()
    doc = READERS[".txt"](data, SAMPLE.name)
    rows: dict[str, float] = {}
    for name, stage in plan(opts):
        stage(doc, opts)  # first use: tables, dictionaries, the model
        rows[name] = _cpu_ms(partial(stage, doc, opts), args.n)
        if name == "mojibake":

            def cold(stage: Step = stage, doc: Document = doc) -> None:
                scorer().forget()
                stage(doc, opts)

            rows["mojibake (new damage)"] = _cpu_ms(cold, max(3, args.n // 4))
        doc = stage(doc, opts)
    for fmt in opts.formats:
        writer = WRITERS[fmt][0]
        writer(doc, opts)
        rows[fmt] = _cpu_ms(partial(writer, doc, opts), args.n)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "out").mkdir()
        paths = []
        for i in range(args.n + 1):
            path = folder / f"doc{i:04d}.txt"
            path.write_bytes(data)
            paths.append(path)
        bare = statistics.median(run_bare(paths, folder / "out", clock=time.process_time)[1:])
    steps = sum(v for k, v in rows.items() if k != "mojibake (new damage)")
    print(f"{SAMPLE.name}: CPU ms per document, median of {args.n}")
    for name, ms in rows.items():
        print(f"  {name:24}{ms:8.2f}")
    print(f"  {'all steps':24}{steps:8.2f}")
    print(f"  {'bare render':24}{bare * 1000:8.2f}")


if __name__ == "__main__":
    main()
