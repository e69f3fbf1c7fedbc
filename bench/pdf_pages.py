"""Check that the PDF writer's pages stay the same: render a set of documents, compare.

Run by hand, once with the writer as it was and once after a change::

    python3 bench/pdf_pages.py save BEFORE_DIR
    python3 bench/pdf_pages.py compare BEFORE_DIR

Each case (the sample in several settings, every corpus document, one
document with every block kind, lead sentences, Latin, fields and characters
the fonts lack) is written as a PDF and rendered with ``pdftoppm -r 100``;
``compare`` reports every page whose pixels differ and every difference in
the text pypdf and pdftotext extract, the outline, the metadata (dates left
out) and the fonts (embedded or not).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pdfcheck import pdf_fonts  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from pipeline.model import Block, BlockKind, Document, Field, Meta, Text  # noqa: E402
from pipeline.options import Options  # noqa: E402
from pipeline.runner import process_bytes  # noqa: E402
from pipeline.writers.pdf import write_pdf  # noqa: E402

SAMPLE = ROOT / "input" / "000_9798310e6816be3e.txt"
CORPUS = ROOT / "bench" / "corpus"


def _processed(path: Path, opts: Options) -> Document:
    return process_bytes(path.read_bytes(), path.name, opts).document


def _half_filled(document: Document) -> Document:
    """Every other field given a value, so filled and unfilled fields both show."""
    count = 0
    blocks = []
    for block in document.blocks:
        inlines = []
        for inline in block.inlines:
            if isinstance(inline, Field):
                count += 1
                if count % 2:
                    inline = replace(inline, value=f"值{count}")
            inlines.append(inline)
        blocks.append(replace(block, inlines=tuple(inlines)))
    return document.evolve(blocks=tuple(blocks))


_LONG = "全文照录。" * 60


def _every_kind() -> Document:
    """A document with every block kind, lead sentences, Latin, spaces and rare characters."""
    field = Field("f1", "name", "姓名", "***")
    blocks = (
        Block(BlockKind.TITLE, (Text("关于做好二〇二四年度全市安全生产和防灾减灾工作的通知"),)),
        Block(BlockKind.SUBTITLE, (Text("——在全市工作会议上的讲话"),)),
        Block(BlockKind.SALUTATION, (Text("各位代表、同志们："),)),
        Block(BlockKind.HEADING, (Text("一、总体要求"),), level=1, number="一、"),
        Block(
            BlockKind.PARAGRAPH,
            (Text("一是GDP增长5.5%，ISO 9001认证。其余照旧，"), field, Text("同志负责。")),
            lead=16,
        ),
        Block(BlockKind.HEADING, (Text("（一）工作目标"),), level=2, number="（一）"),
        Block(BlockKind.HEADING, (Text("1.具体任务"),), level=3, number="1."),
        Block(BlockKind.HEADING, (Text("（1）分工"),), level=4, number="（1）"),
        Block(
            BlockKind.PARAGRAPH,
            (Text("网址 www.gov.cn  与  COVID-19，ᚠ 与 ☃、♔⌘两个字符，　全角空格，" + _LONG),),
        ),
        Block(BlockKind.PARAGRAPH, (field, Text(" 首尾有空格 "), field)),
        Block(BlockKind.CLOSING, (Text("特此通知。"),)),
        Block(BlockKind.SIGNATURE, (Text("某某市人民政府办公室"),)),
        Block(BlockKind.SIGNATURE, (Text("2024年5月1日"),)),
    )
    return Document(Meta("kinds.txt"), blocks)


def cases() -> dict[str, tuple[Document, Options]]:
    plain = Options()
    sample = _processed(SAMPLE, plain)
    found: dict[str, tuple[Document, Options]] = {
        "sample": (sample, plain),
        "sample-handout": (
            sample,
            Options(profile="handout", header="全市劳动模范座谈会 2024年4月", watermark="内部资料"),
        ),
        "sample-marked": (_half_filled(sample), Options(mark_filled=True)),
        "sample-bundled": (sample, Options(system_fonts=False)),
        "kinds": (_every_kind(), plain),
        "kinds-handout": (_every_kind(), Options(profile="handout", watermark="草稿")),
    }
    for path in sorted(CORPUS.glob("*.txt")):
        found[path.stem] = (_processed(path, plain), plain)
    return found


def _outline(items: list[Any], depth: int = 0) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if isinstance(item, list):
            out.append(_outline(item, depth + 1))
        else:
            out.append(str(item.title))
    return out


def render(folder: Path) -> None:
    """Every case's PDF, its pages as PNG and what a reader extracts, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (document, opts) in cases().items():
        pdf = folder / f"{name}.pdf"
        pdf.write_bytes(write_pdf(document, opts))
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(folder / name)], check=True)
        reader = PdfReader(pdf)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
        meta = {k: str(v) for k, v in (reader.metadata or {}).items() if "Date" not in k}
        info = {
            "pages": len(reader.pages),
            "pypdf": [page.extract_text() for page in reader.pages],
            "pdftotext": text,
            "outline": _outline(reader.outline),
            "metadata": meta,
            "fonts": sorted(
                {(name.split("+")[-1], embedded) for name, embedded in pdf_fonts(pdf).items()}
            ),
        }
        (folder / f"{name}.json").write_text(json.dumps(info, ensure_ascii=False, indent=1))


def compare(before: Path) -> int:
    """Render the current writer's pages and report how they differ from ``before``."""
    problems = 0
    with tempfile.TemporaryDirectory() as name:
        now = Path(name)
        render(now)
        pngs = sorted(p.name for p in before.glob("*.png"))
        if pngs != sorted(p.name for p in now.glob("*.png")):
            print("different pages:", sorted(set(pngs) ^ {p.name for p in now.glob("*.png")}))
            problems += 1
        for png in pngs:
            if (now / png).is_file() and (now / png).read_bytes() != (before / png).read_bytes():
                print("pixels differ:", png)
                problems += 1
        for info in sorted(before.glob("*.json")):
            old = json.loads(info.read_text())
            new = json.loads((now / info.name).read_text())
            for key in old:
                if old[key] != new.get(key):
                    print(f"{info.stem}: {key} differs")
                    problems += 1
        print(f"{len(pngs)} pages compared, {problems} differences")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    if args.action == "save":
        render(args.folder)
    else:
        sys.exit(compare(args.folder))


if __name__ == "__main__":
    main()
