"""Benchmark: the whole pipeline against a bare python-docx + reportlab render.

Run by hand (not in CI; these machines are shared and noisy)::

    python3 bench/bench_convert.py -n 20

Each mode runs in its own process so its peak memory (max RSS) is its own.
``pipeline`` converts N copies of the sample with every stage and the DOCX,
PDF and JSON writers, reading and writing files as ``pipeline convert`` does.
``bare`` renders the same text with python-docx and reportlab, one paragraph
per line, with the same body font: the floor any renderer of ours stands on.
The first document of each run pays for imports and font loading; it is
reported apart from the steady state.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "input" / "000_9798310e6816be3e.txt"


def _copies(folder: Path, n: int) -> list[Path]:
    data = SAMPLE.read_bytes()
    paths = []
    for i in range(n):
        path = folder / f"doc{i:04d}.txt"
        path.write_bytes(data)
        paths.append(path)
    return paths


def run_pipeline(
    paths: list[Path], out: Path, clock: Callable[[], float] = time.perf_counter
) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from pipeline import Options
    from pipeline.runner import Source, convert_file

    opts = Options(output=out, formats=("docx", "pdf", "json"))
    times = []
    for path in paths:
        start = clock()
        result = convert_file(Source(path, Path(path.name)), opts)
        times.append(clock() - start)
        assert result.status.value == "ok", result.problems
    return times


def run_bare(
    paths: list[Path], out: Path, clock: Callable[[], float] = time.perf_counter
) -> list[float]:
    """Seconds per document by ``clock`` (wall time, or ``time.process_time`` for CPU)."""
    from docx import Document
    from docx.oxml.ns import qn
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    font = ROOT / "fonts" / "NotoSerifSC-Regular.ttf"
    times = []
    registered = False
    for path in paths:
        start = clock()
        text = path.read_text("utf-8")
        lines = [line for line in text.splitlines() if line.strip()]
        doc = Document()
        normal = doc.styles["Normal"]
        normal.font.name = "Noto Serif SC"
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif SC")
        for line in lines:
            doc.add_paragraph(line)
        doc.save(str(out / f"{path.stem}.docx"))
        if not registered:
            pdfmetrics.registerFont(TTFont("Body", str(font)))
            registered = True
        style = ParagraphStyle("body", fontName="Body", fontSize=16, leading=28, wordWrap="CJK")
        pdf = SimpleDocTemplate(str(out / f"{path.stem}.pdf"), pagesize=A4, initialFontName="Body")
        pdf.build([Paragraph(line, style) for line in lines])
        times.append(clock() - start)
    return times


def child(mode: str, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "out").mkdir()
        paths = _copies(folder, n)
        start = time.perf_counter()
        times = (run_pipeline if mode == "pipeline" else run_bare)(paths, folder / "out")
        total = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    steady = times[1:] or times
    print(
        json.dumps(
            {
                "mode": mode,
                "n": n,
                "first_ms": times[0] * 1000,
                "steady_ms": sum(steady) / len(steady) * 1000,
                "min_ms": min(steady) * 1000,
                "total_s": total,
                "peak_mb": peak_mb,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=20, help="copies of the sample to convert")
    parser.add_argument("--mode", choices=("pipeline", "bare"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        child(args.mode, args.n)
        return
    rows = {}
    for mode in ("bare", "pipeline"):
        proc = subprocess.run(
            [sys.executable, __file__, "--mode", mode, "-n", str(args.n)],
            capture_output=True,
            text=True,
            check=True,
        )
        rows[mode] = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{SAMPLE.name}: {len(SAMPLE.read_text('utf-8'))} characters, n = {args.n}")
    print(f"{'mode':10}{'first ms':>10}{'steady ms':>11}{'min ms':>9}{'peak MB':>9}")
    for mode, r in rows.items():
        print(
            f"{mode:10}{r['first_ms']:10.1f}{r['steady_ms']:11.1f}{r['min_ms']:9.1f}"
            f"{r['peak_mb']:9.1f}"
        )
    ratio = rows["pipeline"]["steady_ms"] / rows["bare"]["steady_ms"]
    print(f"pipeline / bare (steady state): {ratio:.2f}x")


if __name__ == "__main__":
    main()
