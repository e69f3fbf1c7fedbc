"""Benchmark: batch runs against the targets of the batch issue, all in one run.

Run by hand (not in CI; these machines are shared and noisy)::

    python3 bench/bench_batch.py            # add --big 1000 for the memory check

Every figure comes from its own process, on copies of the sample:

* ``bare``: python-docx + reportlab render of the same text, per document
  (steady state, median), the yardstick (see bench_convert.py);
* ``single``: the whole pipeline (every stage; DOCX, PDF, JSON; files
  written) with one job, per document, steady state;
* ``batch``: ``run_batch`` on 100 documents with 2 jobs, wall time per
  document, pool start-up included;
* ``cli``: ``python -m pipeline convert ONE.txt -j 1``, wall time with
  start-up (median of 5, a fresh output folder each time);
* ``rerun``: the same 100-document batch run again, nothing changed, wall
  time per document (in-process call, and the whole command);
* ``memory``: the peak RSS of the largest worker for 100 and ``--big``
  documents with 2 jobs: flat means no per-document leak;
* ``varied`` (with ``--varied N``): N *different* documents, each four texts
  of ``bench/corpus`` damaged anew (:func:`bench_repair.damage`, the sample's
  density of chunk splits), with 2 jobs against their own bare render: the
  copies above meet the sample's two damaged spans again and again, these
  documents pay for new damage every time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "input" / "000_9798310e6816be3e.txt"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _copies(folder: Path, n: int) -> list[Path]:
    from bench_convert import _copies as copies

    folder.mkdir(parents=True, exist_ok=True)
    return copies(folder, n)


def _per_document(run: Any, tmp: Path, n: int) -> dict[str, float]:
    """Median wall and CPU milliseconds per document of ``run`` (the first left out)."""
    (tmp / "out").mkdir()
    paths = _copies(tmp / "in", n)
    wall = run(paths, tmp / "out")[1:]
    cpu = run(paths, tmp / "out", clock=time.process_time)[1:]
    return {"per_doc_ms": statistics.median(wall) * 1000, "cpu_ms": statistics.median(cpu) * 1000}


def mode_bare(tmp: Path, n: int) -> dict[str, float]:
    from bench_convert import run_bare

    return _per_document(run_bare, tmp, n)


def mode_single(tmp: Path, n: int) -> dict[str, float]:
    from bench_convert import run_pipeline

    return _per_document(run_pipeline, tmp, n)


def _cpu_seconds() -> float:
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def mode_batch(tmp: Path, n: int, jobs: int) -> dict[str, float]:
    from pipeline import Options
    from pipeline.batch import run_batch

    _copies(tmp / "in", n)
    opts = Options(output=tmp / "out")
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    report = run_batch([tmp / "in"], opts, jobs=jobs)
    wall = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_start  # the workers' too: they have ended with the pool
    assert report.counts() == {"ok": n}, report.counts()
    worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    start = time.perf_counter()
    again = run_batch([tmp / "in"], opts, jobs=jobs)
    rerun = time.perf_counter() - start
    assert again.counts() == {"unchanged": n}, again.counts()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "convert", str(tmp / "in"), "-o", str(opts.output)],
        capture_output=True,
        cwd=ROOT,
    )
    rerun_cli = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    return {
        "per_doc_ms": wall / n * 1000,
        "cpu_ms": cpu / n * 1000,
        "worker_peak_mb": worker_mb,
        "rerun_per_doc_ms": rerun / n * 1000,
        "rerun_cli_per_doc_ms": rerun_cli / n * 1000,
    }


def mode_cli(tmp: Path) -> dict[str, float]:
    """The command as a user runs it after ``pip install``: with compiled bytecode.

    pip compiles an installed package's modules; a checkout gets its
    ``__pycache__`` on the first run, unless PYTHONDONTWRITEBYTECODE (set on
    some machines) forbids it, and then every run compiles some 40 modules
    again.  So bytecode writing is allowed, and one untimed run goes first.
    """
    one = _copies(tmp / "in", 1)[0]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls = []
    for i in range(6):
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", "convert", str(one), "-o", str(tmp / f"o{i}")],
            capture_output=True,
            cwd=ROOT,
            env=env,
        )
        walls.append(time.perf_counter() - start)
        assert proc.returncode == 0, proc.stderr
    return {"wall_s": statistics.median(walls[1:])}


def _varied(folder: Path, n: int) -> list[Path]:
    """``n`` different documents of about 4,400 characters with new damage (seeded)."""
    import random

    import bench_repair

    rng = random.Random(7)
    texts = bench_repair.corpus()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        parts = rng.sample(texts, 4)
        path = folder / f"doc{i:04d}.txt"
        path.write_text("\n".join(bench_repair.damage(t, rng, 0.05) for _, t in parts), "utf-8")
        paths.append(path)
    return paths


def mode_varied(tmp: Path, n: int, jobs: int) -> dict[str, float]:
    from bench_convert import run_bare

    from pipeline import Options
    from pipeline.batch import run_batch

    paths = _varied(tmp / "in", n)
    (tmp / "bare").mkdir()
    bare = run_bare(paths, tmp / "bare", clock=time.process_time)[1:]
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    report = run_batch([tmp / "in"], Options(output=tmp / "out"), jobs=jobs)
    wall = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_start
    assert report.counts() == {"ok": n}, report.counts()
    return {
        "chars": statistics.mean(len(p.read_text("utf-8")) for p in paths),
        "bare_cpu_ms": statistics.median(bare) * 1000,
        "per_doc_ms": wall / n * 1000,
        "cpu_ms": cpu / n * 1000,
    }


def child(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.mode == "bare":
            row = mode_bare(tmp, args.n)
        elif args.mode == "single":
            row = mode_single(tmp, args.n)
        elif args.mode == "batch":
            row = mode_batch(tmp, args.n, args.jobs)
        elif args.mode == "varied":
            row = mode_varied(tmp, args.n, args.jobs)
        else:
            row = mode_cli(tmp)
    print(json.dumps(row))


def _run(*argv: str) -> dict[str, float]:
    # Compiled bytecode, as an installed package has (see mode_cli).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.run(
        [sys.executable, __file__, *argv], capture_output=True, text=True, check=True, env=env
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20, help="documents for bare and single")
    parser.add_argument("--batch", type=int, default=100, help="documents in the batch")
    parser.add_argument("--big", type=int, default=0, help="also a batch this big (memory)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--varied", type=int, default=0, help="also N different documents")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each figure (median)")
    parser.add_argument(
        "--mode", choices=("bare", "single", "batch", "cli", "varied"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.mode:
        child(args)
        return
    # Shared machines are noisy: bare and single alternate, each three times,
    # and each figure is the median of its runs (medians per document inside).
    bares, singles, batches = [], [], []
    for _ in range(args.repeat):
        bares.append(_run("--mode", "bare", "-n", str(args.n)))
        singles.append(_run("--mode", "single", "-n", str(args.n)))
        batches.append(_run("--mode", "batch", "-n", str(args.batch), "--jobs", str(args.jobs)))

    def median(rows: list[dict[str, float]]) -> dict[str, float]:
        return {k: statistics.median(r[k] for r in rows) for k in rows[0]}

    bare, single, batch = median(bares), median(singles), median(batches)
    cli = _run("--mode", "cli")["wall_s"]
    big = (
        _run("--mode", "batch", "-n", str(args.big), "--jobs", str(args.jobs)) if args.big else None
    )
    varied = (
        _run("--mode", "varied", "-n", str(args.varied), "--jobs", str(args.jobs))
        if args.varied
        else None
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{SAMPLE.name}: {len(SAMPLE.read_text('utf-8'))} characters; {os.cpu_count()} CPUs")
    print(f"load average at the end: {load:.2f} (wall times suffer from other work; CPU less)")
    for name, rows in (("bare", bares), ("single", singles), (f"batch x{args.jobs}", batches)):
        shown = ", ".join(f"{r['per_doc_ms']:.1f}/{r['cpu_ms']:.1f}" for r in rows)
        print(f"  runs, {name:9} ms per document (wall/CPU): {shown}")
    print(
        f"bare python-docx + reportlab render: {bare['per_doc_ms']:.1f} ms per document "
        f"(CPU {bare['cpu_ms']:.1f} ms)"
    )

    def line(what: str, value: str, target: str, ok: bool | None) -> None:
        verdict = "" if ok is None else "met" if ok else "MISSED"
        print(f"{what:44}{value:>26}   {target:18}{verdict}")

    def ratio(row: dict[str, float], limit: float, divide_cpu_by: int = 1) -> tuple[str, bool]:
        wall = row["per_doc_ms"] / bare["per_doc_ms"]
        cpu = row["cpu_ms"] / divide_cpu_by / bare["cpu_ms"]
        return f"{wall:.2f}x wall {cpu:.2f}x CPU", wall <= limit

    text, ok = ratio(single, 1.2)
    line("pipeline, 1 job, per document", text, "<= 1.20x bare", ok)
    text, ok = ratio(batch, 0.45, divide_cpu_by=args.jobs)
    line(f"{args.batch} documents, {args.jobs} jobs, per document", text, "<= 0.45x bare", ok)
    print("  (batch CPU is divided by the jobs: what the wall time would be on idle cores)")
    line("one document from the command line", f"{cli:.2f} s", "<= 0.6 s", cli <= 0.6)
    rerun = batch["rerun_per_doc_ms"]
    line("unchanged re-run, per document", f"{rerun:.2f} ms", "<= 2 ms", rerun <= 2)
    rerun_cli = batch["rerun_cli_per_doc_ms"]
    line("  the same through the command (start-up)", f"{rerun_cli:.2f} ms", "", None)
    mb = batch["worker_peak_mb"]
    line(f"peak RSS per worker, {args.batch} documents", f"{mb:.0f} MB", "<= 150 MB", mb <= 150)
    if big:
        mb = big["worker_peak_mb"]
        line(
            f"peak RSS per worker, {args.big} documents",
            f"{mb:.0f} MB",
            "<= 150 MB, flat",
            mb <= 150,
        )
        text = f"{big['per_doc_ms']:.1f} ms wall {big['cpu_ms']:.1f} ms CPU"
        line(f"{args.big} documents, {args.jobs} jobs, per document", text, "", None)
        rerun = big["rerun_per_doc_ms"]
        line(
            f"unchanged re-run of {args.big}, per document",
            f"{rerun:.2f} ms",
            "<= 2 ms",
            rerun <= 2,
        )

    if varied:
        bare_ms = varied["bare_cpu_ms"]
        wall = varied["per_doc_ms"] / bare_ms
        cpu = varied["cpu_ms"] / args.jobs / bare_ms
        text = f"{wall:.2f}x wall {cpu:.2f}x CPU"
        line(f"{args.varied} different documents, {args.jobs} jobs", text, "(no target)", None)
        print(
            f"  ({varied['chars']:.0f} characters a document, new damage in each; their bare "
            f"render {varied['bare_cpu_ms']:.1f} ms CPU a document)"
        )


if __name__ == "__main__":
    main()
