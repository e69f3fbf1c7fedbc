"""Benchmark: the convert stage's throughput and its share of the time per document.

Run by hand (not in CI; these machines are shared and noisy)::

    python3 bench/bench_convert_stage.py -n 20

``sample`` converts the sample as ``pipeline convert`` does (every stage,
DOCX + PDF + JSON writers) and reads the runner's per-step timings.
``1 MB`` converts one document made of copies of the sample up to 1 MB of
UTF-8 (stages and the JSON writer only: the point is the stage, not PDF
layout of 400 pages).  ``opencc t2s`` is the bare OpenCC call on the same
text, the floor the stage stands on.  Throughput counts the characters of the
document's text; the first run, which loads OpenCC's dictionaries, is
reported apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "input" / "000_9798310e6816be3e.txt"
sys.path.insert(0, str(ROOT))

from pipeline import Options  # noqa: E402
from pipeline.runner import convert_bytes  # noqa: E402
from pipeline.stages.convert import converter  # noqa: E402


def measure(data: bytes, opts: Options, n: int) -> dict[str, float]:
    runs = []
    chars = 0
    for _ in range(n + 1):
        doc, _rendered, result = convert_bytes(data, "bench.txt", opts)
        assert doc is not None and result.status.value == "ok", result.problems
        chars = len(doc.text)
        runs.append(result.timings)
    first, steady = runs[0], runs[1:]
    convert_s = statistics.median(t["convert"] for t in steady)
    total_s = statistics.median(sum(t.values()) for t in steady)
    return {
        "chars": chars,
        "first_convert_ms": first["convert"] * 1000,
        "convert_ms": convert_s * 1000,
        "total_ms": total_s * 1000,
        "chars_per_s": chars / convert_s,
        "share": convert_s / total_s,
    }


def bare_opencc(text: str, n: int) -> float:
    to_simplified = converter("t2s")
    to_simplified(text)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        to_simplified(text)
        times.append(time.perf_counter() - start)
    return len(text) / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20, help="timed runs of the sample")
    args = parser.parse_args()
    sample = SAMPLE.read_bytes()
    big = sample * (1_000_000 // len(sample) + 1)
    rows = {
        "sample": measure(sample, Options(formats=("docx", "pdf", "json")), args.n),
        "1 MB": measure(big, Options(formats=("json",)), max(1, args.n // 10)),
    }
    print(
        f"{'document':10}{'chars':>9}{'first ms':>10}{'convert ms':>12}{'chars/s':>11}"
        f"{'doc ms':>9}{'share':>8}"
    )
    for name, r in rows.items():
        print(
            f"{name:10}{r['chars']:9.0f}{r['first_convert_ms']:10.1f}{r['convert_ms']:12.1f}"
            f"{r['chars_per_s']:11.0f}{r['total_ms']:9.1f}{r['share']:8.1%}"
        )
    text = big.decode("utf-8", errors="replace")
    print(f"opencc t2s alone on the 1 MB text: {bare_opencc(text, 3):.0f} chars/s")


if __name__ == "__main__":
    main()
