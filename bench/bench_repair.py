"""Benchmark of decoding and repair quality, run by hand::

    python3 bench/bench_repair.py [--seed 1] [--mb 1] [--corpus bench/tune] [--spans-only]

On the clean corpus in ``bench/corpus/`` (see its README; ``--corpus``
names another folder, such as the tuning set ``bench/tune/``) it reports:

* **clean changes**: text changes the pipeline makes to already clean text
  (target 0);
* **mojibake spans** (``--traditional``: also of the documents converted to
  traditional, split as GBK and as Big5): each line damaged by one GBK chunk split
  (:func:`corrupt.gbk_chunk_split`, lost byte shown as ``?`` or dropped),
  repaired by the mojibake stage: exact / wrong / partly (repaired between
  the run's ends, a guessed end character kept for review) / kept for review
  / missed (target: exact >= 98 %); the punctuation folded before the split,
  and, in a second row, after it (as in the sample: marks can be lost too);
  ``--line-ends``: also every split in the last 12 bytes of a line, which
  those rows leave out (a line's final mark, lost, reads as a folded ``?``);
* **character accuracy** after the whole pipeline on documents damaged by
  every mechanism of :mod:`corrupt` at once (target >= 99.9 %); one draw of
  damage is some 11,000 characters, so ``--accuracy-seeds N`` also counts the
  draws of seeds 1 to N together;
* **time** of the repair stages on a ~1 MB document (target < 2 s) and on
  half of it (linear growth); ``--fresh`` damages every copy of the corpus
  anew, ``--cold`` repairs each document in a new process.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corrupt  # noqa: E402

from pipeline import Block, Document, Meta, Options  # noqa: E402
from pipeline.readers.text import read_text  # noqa: E402
from pipeline.stages import STAGES, plan  # noqa: E402
from pipeline.stages.mojibake import repair_mojibake  # noqa: E402

TEXT_STAGES = {"mojibake", "repair", "cleanup", "unwrap", "punctuation", "convert"}


def corpus(folder: Path = ROOT / "bench" / "corpus") -> list[tuple[str, str]]:
    files = sorted(folder.glob("*.txt"))
    if not files:
        sys.exit(f"{folder} has no .txt files")
    return [(f.name, f.read_text("utf-8")) for f in files]


def run_stages(text: str, opts: Options) -> Document:
    doc = read_text(text.encode("utf-8"), "bench.txt")
    for _name, stage in plan(opts):
        doc = stage(doc, opts)
    return doc


def clean_changes(docs: list[tuple[str, str]], stages: set[str] = TEXT_STAGES) -> int:
    opts = Options()
    total = 0
    for name, text in docs:
        doc = run_stages(text, opts)
        changed = [c for c in doc.changes if c.stage in stages and c.before != c.after]
        for c in changed:
            print(
                f"  clean text changed: {name} {c.stage}: {c.before!r} -> {c.after!r} ({c.reason})"
            )
        total += len(changed)
    return total


def mojibake_spans(
    docs: list[tuple[str, str]],
    rng: random.Random,
    codec: str = "gbk",
    traditional: bool = False,
    fold_first: bool = True,
    kinds: dict[str, Counter[str]] | None = None,
) -> dict[str, int]:
    """Damage one line at a time, repair it within its whole document.

    ``traditional``: convert the documents to traditional first (as the
    sample is; Big5 holds traditional characters only).  ``fold_first``:
    fold the line's punctuation to ASCII before the split (its commas then
    put the decoding back in phase at once, and none is lost); otherwise
    after it, as in the sample, whose full-width marks were decoded out of
    phase (``“六保”`` read ``“六?！钡``) and folded afterwards.  ``kinds``:
    also counts the outcomes by what the split lost, under ``"run"`` (the
    trail byte survives, in a run decoded out of phase) and ``"whole"`` (both
    bytes lost: :func:`corrupt.lost_whole`).
    """
    counts = {"exact": 0, "wrong": 0, "partly": 0, "review": 0, "missed": 0}
    if traditional or codec == "big5":
        docs = [(name, corrupt.to_traditional(text)) for name, text in docs]
    for _name, text in docs:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if len(line) < 24:
                continue
            for drop in (False, True):
                source = corrupt.fold_punctuation(line) if fold_first else line
                cut = corrupt.chunk_cut(source, rng, codec)
                if cut is None:
                    continue
                damaged = corrupt.fold_punctuation(corrupt.split_at(*cut, drop, codec))
                blocks = [Block.of_text(x) for x in [*lines[:i], damaged, *lines[i + 1 :]]]
                doc = Document(meta=Meta(source="x"), blocks=tuple(blocks))
                fixed = repair_mojibake(doc, Options())
                got, want = norm("".join(b.text for b in fixed.blocks)), norm("".join(lines))
                if any(f.kind == "review" for _, f in fixed.fields()):
                    if not any(c.after for c in fixed.changes):
                        outcome = "review"
                    elif _right_but_kept(got, want):  # an end kept for review as '?'
                        outcome = "partly"
                    else:
                        outcome = "wrong"
                elif not fixed.changes:
                    outcome = "missed"
                else:
                    outcome = "exact" if got == want else "wrong"
                counts[outcome] += 1
                if kinds is not None:
                    kind = "whole" if corrupt.lost_whole(*cut, codec) else "run"
                    kinds.setdefault(kind, Counter())[outcome] += 1
    return counts


def line_end_spans(docs: list[tuple[str, str]], short: bool = False) -> dict[str, int]:
    """Every split in the last 12 bytes of each line of 24 characters or more
    (the spans above leave them out), lost byte shown or dropped, in a document
    where another line is split too (as a chunked decoder splits a document in
    many places).  The outcome is that of the line's own text: dropped before a
    line's final mark, the lead byte leaves a lone ``?``, which reads as a
    folded question mark.  ``short``: of the shorter lines instead (headings,
    salutations, dates), which the spans above leave out altogether.
    """
    counts = {"exact": 0, "wrong": 0, "partly": 0, "review": 0, "missed": 0}
    for _name, text in docs:
        lines = text.splitlines()
        long = [i for i, line in enumerate(lines) if len(line) >= 24]
        for i in [i for i, line in enumerate(lines) if line and len(line) < 24] if short else long:
            data = corrupt.fold_punctuation(lines[i]).encode("gbk")
            other = next(j for j in [*long, i] if j != i or len(long) == 1)
            for cut in corrupt.line_end_leads(data):
                for drop in (False, True):
                    damaged = corrupt.fold_punctuation(corrupt.split_at(data, cut, drop))
                    texts = list(lines)
                    if other != i:
                        rng = random.Random(f"{i}-{cut}-{drop}")
                        source = corrupt.fold_punctuation(lines[other])
                        split = corrupt.gbk_chunk_split(source, rng, drop)
                        texts[other] = corrupt.fold_punctuation(split) if split else texts[other]
                    texts[i] = damaged
                    doc = Document(meta=Meta(source="x"), blocks=tuple(map(Block.of_text, texts)))
                    fixed = repair_mojibake(doc, Options()).blocks[i]
                    got, want = norm(fixed.text), norm(lines[i])
                    if any(f.kind == "review" for f in fixed.fields()):
                        counts["partly" if _right_but_kept(got, want) else "review"] += 1
                    elif fixed.text == damaged:
                        counts["missed"] += 1
                    else:
                        counts["exact" if got == want else "wrong"] += 1
    return counts


def _row(counts: dict[str, int]) -> str:
    """``counts`` as a report row: the total, then each outcome with its share."""
    total = sum(counts.values())
    return f"{total}: " + ", ".join(f"{k} {v} ({v / total:.1%})" for k, v in counts.items())


def _by_damage(kinds: dict[str, Counter[str]]) -> list[str]:
    """The rows of :func:`mojibake_spans`' ``kinds``, and what exact share the
    spans that lost both bytes would need for 98 % in all, were all the others exact."""
    outcomes = ("exact", "wrong", "partly", "review", "missed")
    run = {k: kinds.get("run", Counter())[k] for k in outcomes}
    whole = {k: kinds.get("whole", Counter())[k] for k in outcomes}
    rows = [
        f"of them, the trail byte kept (in a run decoded out of phase): {_row(run)}",
        f"of them, both bytes lost (a cloze: only the context tells): {_row(whole)}",
    ]
    total, lost = sum(run.values()) + sum(whole.values()), sum(whole.values())
    if lost:
        need = 1 - (total - 0.98 * total) / lost
        rows.append(f"98 % in all needs {need:.1%} of the second, were all the first exact")
    return rows


def _right_but_kept(got: str, want: str) -> bool:
    """Whether ``got`` is ``want`` but for characters kept for review (shown as ``?``)."""
    return len(got) == len(want) and all(a == b or a == "?" for a, b in zip(got, want, strict=True))


def norm(text: str) -> str:
    return corrupt.fold_punctuation(corrupt._fold_fullwidth(text))


def damage(text: str, rng: random.Random, split_rate: float = 0.3) -> str:
    lines = text.splitlines()
    title = lines[0]
    out = []
    for line in lines:
        if len(line) > 40 and rng.random() < split_rate:
            line = corrupt.gbk_chunk_split(line, rng) or line
        out.append(line)
    damaged = "\n".join(out)
    damaged = corrupt.to_traditional(damaged)
    damaged = corrupt.add_pinyin(damaged, rng)
    damaged = corrupt.fold_punctuation(damaged)
    damaged = corrupt.hard_wrap(damaged, 36)
    return corrupt.add_boilerplate(damaged, title)


def accuracy_over_seeds(docs: list[tuple[str, str]], seeds: int) -> tuple[int, int]:
    """Characters wrong and characters in all, over the damage of seeds 1 to
    ``seeds``, each drawn as the report draws it (after the spans)."""
    errors = length = 0
    for seed in range(1, seeds + 1):
        rng = random.Random(seed)
        mojibake_spans(docs, rng)
        wrong, total = _accuracy_counts(docs, rng)
        errors += wrong
        length += total
    return errors, length


def accuracy(docs: list[tuple[str, str]], rng: random.Random) -> float:
    errors, length = _accuracy_counts(docs, rng)
    return 1 - errors / length


def _accuracy_counts(docs: list[tuple[str, str]], rng: random.Random) -> tuple[int, int]:
    opts = Options(skip=("fields", "structure"))
    errors = length = 0
    for _name, text in docs:
        doc = run_stages(damage(text, rng), opts)
        got = "".join(b.text for b in doc.blocks)
        want = "".join(text.splitlines())
        matcher = SequenceMatcher(None, want, got, autojunk=False)
        same = sum(size for _, _, size in matcher.get_matching_blocks())
        errors += max(len(want), len(got)) - same
        length += len(want)
    return errors, length


def _time_stages(text: str) -> float:
    """Seconds the repair stages take on ``text``, read as a file would be."""
    opts = Options()
    repair_plan = [(n, s) for n, s in plan(opts) if n in TEXT_STAGES]
    doc = read_text(text.encode("utf-8"), "big.txt")
    start = time.perf_counter()
    for _name, stage in repair_plan:
        doc = stage(doc, opts)
    return time.perf_counter() - start


def _time_cold(text: str) -> float:
    """:func:`_time_stages` in a new process: nothing warm but the disk caches
    (the model's included), as when a user converts one document."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return float(pool.apply(_time_stages, (text,)))


def timing(
    docs: list[tuple[str, str]],
    megabytes: float,
    rng: random.Random,
    fresh: bool = False,
    cold: bool = False,
) -> list[str]:
    """Time the repair stages on big documents: with the sample's density of
    chunk splits (two in 2,852 characters, about 1 line in 20 here) and with
    a heavy one (3 lines in 10).

    The documents repeat the damaged corpus, so the repairs of its damaged
    spots are found again in every copy; ``fresh``: each copy of the corpus
    is damaged anew instead (no line repeats), the cost of new damage;
    ``cold``: each document is repaired in a new process.
    """
    rows = []
    for label, rate in (("sample-like damage", 0.05), ("heavy damage", 0.3)):
        text = "\n".join(damage(t, rng, rate) for _, t in docs)
        for fraction in (0.5, 1.0):
            target = int(megabytes * fraction * 1024 * 1024)
            if fresh:
                copies = [text]
                while sum(len(c.encode("utf-8")) + 1 for c in copies) < target:
                    copies.append("\n".join(damage(t, rng, rate) for _, t in docs))
                big = "\n".join(copies) + "\n"
            else:
                big = (text + "\n") * (target // len(text.encode("utf-8")) + 1)
            big = big.encode("utf-8")[:target].decode("utf-8", "ignore")
            took = _time_cold(big) if cold else _time_stages(big)
            rows.append(f"{len(big.encode('utf-8')) / 1e6:.2f} MB, {label}: {took:.2f} s")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mb", type=float, default=1.0, help="size of the timing document")
    parser.add_argument(
        "--fresh", action="store_true", help="damage each copy of the corpus anew (no repeats)"
    )
    parser.add_argument("--timing-only", action="store_true", help="only the timing rows")
    parser.add_argument(
        "--cold", action="store_true", help="time each document in a new process (nothing warm)"
    )
    parser.add_argument(
        "--accuracy-seeds",
        type=int,
        default=0,
        metavar="N",
        help="also the character accuracy over the damage of seeds 1 to N together",
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus")
    parser.add_argument(
        "--spans-only", action="store_true", help="only the mojibake spans (for tuning)"
    )
    parser.add_argument(
        "--line-ends",
        action="store_true",
        help="also every split in the last 12 bytes of a line, long lines and short ones"
        " (the spans rows leave them out)",
    )
    parser.add_argument(
        "--traditional",
        action="store_true",
        help="also the spans of GBK and Big5 chunk splits of the documents in traditional",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    docs = corpus(args.corpus)
    if args.timing_only:
        run_stages(docs[0][1], Options())  # load the model first
        for row in timing(docs, args.mb, rng, args.fresh, args.cold):
            print(f"repair stages on {row}")
        return
    chars = sum(len(t) for _, t in docs)
    print(f"corpus: {len(docs)} documents, {chars} characters; stages: {', '.join(STAGES)}")
    if not args.spans_only:
        print(f"clean changes: {clean_changes(docs)} (target 0)")
        traditional = [(name, corrupt.to_traditional(text)) for name, text in docs]
        changed = clean_changes(traditional, TEXT_STAGES - {"convert"})
        print(f"clean changes to the documents in traditional (but their conversion): {changed}")
    kinds: dict[str, Counter[str]] = {}
    spans = mojibake_spans(docs, rng, kinds=kinds)
    print(f"mojibake spans: {_row(spans)} (target exact >= 98%)")
    for line in _by_damage(kinds):
        print(f"  {line}")
    # its own draw, so that the rows after it stay comparable with earlier runs
    later = mojibake_spans(docs, random.Random(f"{args.seed}-fold-after"), fold_first=False)
    print(f"mojibake spans, split before the folding (the sample's order): {_row(later)}")
    if args.traditional:
        for codec in ("gbk", "big5"):
            found = mojibake_spans(docs, rng, codec, traditional=True)
            print(f"{codec.upper()} spans of the documents in traditional: {_row(found)}")
    if args.line_ends:
        print(f"spans split in a line's last 12 bytes, every one: {_row(line_end_spans(docs))}")
        found = line_end_spans(docs, short=True)
        print(f"the same, in lines under 24 characters (headings, dates): {_row(found)}")
    if args.spans_only:
        return
    print(f"character accuracy after repair and conversion: {accuracy(docs, rng):.4%} (>= 99.9%)")
    if args.accuracy_seeds:
        errors, length = accuracy_over_seeds(docs, args.accuracy_seeds)
        print(
            f"character accuracy, seeds 1-{args.accuracy_seeds} together: "
            f"{1 - errors / length:.4%} ({errors} of {length} characters wrong)"
        )
    for row in timing(docs, args.mb, rng, args.fresh, args.cold):
        print(f"repair stages on {row} (target: 1 MB < 2 s, linear)")


if __name__ == "__main__":
    main()
