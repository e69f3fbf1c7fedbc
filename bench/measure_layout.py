"""Measure the layout as a reader would: pages, lines, characters and line-breaking faults.

Converts the sample and the layout test corpus (tests/data/layout) with the
bundled fonts, renders each DOCX with LibreOffice (headless, given the bundled
fonts in a temporary HOME) and reads both PDFs back with ``pdftotext``.
Prints, per document and profile: pages of our PDF and of the DOCX, lines on
full pages, the longest line in grid characters, the share of full lines, and
the lines that break the punctuation rules.  Run by hand:

    python3 bench/measure_layout.py [--profile gbt9704 handout]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import Options  # noqa: E402
from pipeline.runner import convert_all  # noqa: E402
from pipeline.writers.linebreak import CANNOT_START, violations  # noqa: E402

PAGE_NUMBER = re.compile(r"^\s*—\s*\d+\s*—\s*$")


def pages_of(pdf: Path) -> list[list[str]]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in out.split("\f"):
        lines = [x for x in page.splitlines() if x.strip() and not PAGE_NUMBER.match(x)]
        if lines:
            pages.append(lines)
    return pages


def glyphs(line: str) -> float:
    return sum(1 if ord(ch) >= 0x2E80 or ch in "“”‘’…—·" else 0.5 for ch in line.replace(" ", ""))


def office(docx: Path, out: Path, home: Path) -> Path:
    soffice = shutil.which("soffice") or "soffice"
    env = dict(os.environ, HOME=str(home))
    profile = f"-env:UserInstallation={(home / 'lo').as_uri()}"
    subprocess.run(
        [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        env=env,
        capture_output=True,
        check=True,
    )
    return out / f"{docx.stem}.pdf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", nargs="+", default=["gbt9704", "handout"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        (home / ".fonts").mkdir(parents=True)
        for font in (ROOT / "fonts").glob("*.ttf"):
            shutil.copy(font, home / ".fonts")
        total_lines = total_bad = total_office_bad = documents = 0
        print("profile  document               pdf docx  lines/page  max-chars  full  faults")
        for profile in args.profile:
            out = Path(tmp) / profile
            opts = Options(output=out, profile=profile, system_fonts=False)
            for result in convert_all([ROOT / "input", ROOT / "tests/data/layout"], opts):
                pdf, docx = result.outputs["pdf"], result.outputs["docx"]
                ours = pages_of(pdf)
                theirs = pages_of(office(docx, out / "office", home))
                lines = [x for p in ours for x in p]
                widths = [glyphs(x) for x in lines]
                full = sum(1 for w in widths if w >= 27.5) / len(widths)
                per_page = sorted({len(p) for p in ours[:-1]}) or [len(ours[0])]
                bad = violations(lines)
                office_lines = [x.replace(" ", "") for p in theirs for x in p]
                office_bad = violations(office_lines)
                total_lines += len(lines)
                total_bad += len(bad)
                total_office_bad += len(office_bad)
                documents += 1
                hang = max(glyphs(x.rstrip("".join(CANNOT_START))) for x in office_lines)
                print(
                    f"{profile:8} {result.source.stem:22} {len(ours):3} {len(theirs):4}  "
                    f"{','.join(map(str, per_page)):10}  {max(widths):4.1f}/{hang:4.1f}  "
                    f"{full:4.0%}  {len(bad)}/{len(office_bad)}"
                )
        print(
            f"{documents} renders, {total_lines} PDF lines: {total_bad} PDF lines and "
            f"{total_office_bad} LibreOffice lines break the punctuation rules"
        )


if __name__ == "__main__":
    main()
