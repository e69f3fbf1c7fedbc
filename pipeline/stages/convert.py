"""Convert stage: OpenCC in every direction, then what OpenCC's tables cannot decide.

Works with any of the three packages that install a module named ``opencc``
(``opencc-py``, the official binding, ``opencc-python-reimplemented``): all
expose ``OpenCC(config).convert``.  They differ in how they name configs
(``t2s`` or ``t2s.json``), which :func:`converter` papers over.

The source variant (mainland, Taiwan, Hong Kong, plain traditional) picks the
OpenCC configs; it is given with ``--from`` or detected from the document.
After OpenCC, :mod:`.convert_rules` settles one-to-many characters by their
words (``饱含著`` → ``饱含着``, ``著作`` stays) and fixes known converter and
round-trip errors.  URLs, e-mail addresses, Latin text, `code` and the user's
``--keep`` words are never converted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import cache

from ..model import Change, Document, Text
from ..options import Options
from .base import Edit, apply_edits, diff_edits, rewrite_text
from .convert_rules import (
    Detection,
    Rules,
    corrections,
    decide_context,
    detect_source,
    load_rules,
    parse_rules,
    rules_data,
)

STAGE = "convert"

# (source, target) -> OpenCC configs applied in turn.  "mainland" source text
# may be simplified or converted to traditional characters by a website.
PLANS: dict[tuple[str, str], tuple[str, ...]] = {
    ("mainland", "simplified"): ("t2s",),
    ("traditional", "simplified"): ("t2s",),
    ("taiwan", "simplified"): ("tw2sp",),
    ("hongkong", "simplified"): ("hk2s",),
    ("mainland", "traditional"): ("s2t",),
    ("traditional", "traditional"): (),
    ("taiwan", "traditional"): ("tw2t",),
    ("hongkong", "traditional"): ("hk2t",),
    ("mainland", "taiwan"): ("s2twp",),
    ("traditional", "taiwan"): ("t2tw",),
    ("taiwan", "taiwan"): (),
    ("hongkong", "taiwan"): ("hk2t", "t2tw"),
    ("mainland", "hongkong"): ("s2hk",),
    ("traditional", "hongkong"): ("t2hk",),
    ("taiwan", "hongkong"): ("tw2t", "t2hk"),
    ("hongkong", "hongkong"): (),
}

LANGUAGE = {"simplified": "zh-CN", "traditional": "zh-Hant", "taiwan": "zh-TW", "hongkong": "zh-HK"}

# Spans no rule may touch: URLs, e-mail addresses, `code`, runs of Latin text.
_PROTECTED = (
    r"(?:https?://|ftp://|www\.)[!-~]+",
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    r"`[^`\n]+`",
    r"[A-Za-z][!-~]*",
)


@cache
def converter(config: str) -> Callable[[str], str]:
    """The ``convert`` method of an OpenCC instance for ``config``, built once per process."""
    import opencc

    try:
        cc = opencc.OpenCC(config)
    except Exception:  # the official binding wants the file name
        cc = opencc.OpenCC(f"{config}.json")
    convert: Callable[[str], str] = cc.convert
    return convert


def chain(configs: Sequence[str]) -> Callable[[str], str]:
    """One function applying the OpenCC ``configs`` in order."""
    steps = [converter(c) for c in configs]

    def run(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return run


@cache
def protected_pattern(keep: tuple[str, ...]) -> re.Pattern[str]:
    """Keep words (longest first) and the spans in ``_PROTECTED``, as one pattern.

    >>> [m.group() for m in protected_pattern(("於丹",)).finditer("於丹說 see https://a.cn/x 吧")]
    ['於丹', 'see', 'https://a.cn/x']
    """
    words = [re.escape(w) for w in sorted(keep, key=len, reverse=True)]
    return re.compile("|".join([*words, *_PROTECTED]))


def segments(text: str, keep: tuple[str, ...]) -> list[tuple[int, int]]:
    """The spans of ``text`` that may be converted."""
    spans, pos = [], 0
    for match in protected_pattern(keep).finditer(text):
        if match.start() > pos:
            spans.append((pos, match.start()))
        pos = max(pos, match.end())
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def source_of(doc: Document, opts: Options) -> Detection:
    """The source variant: ``opts.source`` unless ``auto``, else detected."""
    if opts.source != "auto":
        return Detection(opts.source, "given with --from")
    text = "\n".join(i.text for b in doc.blocks for i in b.inlines if isinstance(i, Text))
    return detect_source(text, converter("t2s"))


# How the rules' words (simplified) are written in each traditional target.
WORD_FORMS = {"traditional": ("s2t",), "taiwan": ("s2twp",), "hongkong": ("s2hk",)}


@cache
def rules_for(target: str) -> Rules:
    """The context rules and corrections for ``target``, built once per process."""
    if target == "simplified":
        return load_rules()
    return parse_rules(rules_data(), target, chain(WORD_FORMS[target]))


def convert_text(
    text: str,
    run: Callable[[str], str],
    reason: str,
    rules: Rules,
    keep: tuple[str, ...],
) -> tuple[list[Edit], list[str]]:
    """Edits turning ``text`` into its converted form, and notes on what stayed undecided."""
    edits: list[Edit] = []
    notes: list[str] = []
    for start, end in segments(text, keep):
        piece = text[start:end]
        found, undecided = _convert_piece(piece, run, reason, rules)
        edits.extend(_shifted(found, start) if start else found)
        notes.extend(undecided)
    return edits, notes


def _shifted(edits: list[Edit], by: int) -> list[Edit]:
    """``edits`` moved ``by`` characters right (``dataclasses.replace`` costs ten times more)."""
    return [Edit(e.start + by, e.end + by, e.after, e.reason, e.confidence) for e in edits]


_CLAUSE_END = re.compile(r"(?<=[，。；！？、：,.;!?\s])")


def _convert_piece(
    piece: str, run: Callable[[str], str], reason: str, rules: Rules, split: bool = True
) -> tuple[list[Edit], list[str]]:
    converted = run(piece)
    if len(converted) != len(piece):  # OpenCC swapped a phrase for one of another length
        clauses = [c for c in _CLAUSE_END.split(piece) if c]
        if split and len(clauses) > 1:  # phrases never cross punctuation: confine it
            edits: list[Edit] = []
            notes: list[str] = []
            offset = 0
            for clause in clauses:
                found, undecided = _convert_piece(clause, run, reason, rules, split=False)
                edits.extend(_shifted(found, offset))
                notes.extend(undecided)
                offset += len(clause)
            return edits, notes
        fixes = corrections(rules, converted)
        return diff_edits(piece, apply_edits(converted, fixes), reason), []
    context = decide_context(rules, piece, converted)
    decided = apply_edits(converted, context.edits) if context.edits else converted
    fixes = corrections(rules, decided, context.decided)
    ruled = sorted(context.edits + fixes, key=lambda e: e.start)
    if not ruled:
        return diff_edits(piece, converted, reason), context.notes
    # Positions are shared by piece, converted and final text (equal lengths):
    # a rule's edit says why its characters changed, OpenCC's edits the rest.
    final = apply_edits(converted, ruled)
    out: list[Edit] = []
    for edit in ruled:
        if piece[edit.start : edit.end] != edit.after:
            out.append(edit)
    taken = {i for e in ruled for i in range(e.start, e.end)}
    for edit in diff_edits(piece, final, reason):
        run_start = None
        for i in range(edit.start, edit.end + 1):
            free = i < edit.end and i not in taken
            if free and run_start is None:
                run_start = i
            elif not free and run_start is not None:
                out.append(Edit(run_start, i, final[run_start:i], reason))
                run_start = None
    return sorted(out, key=lambda e: e.start), context.notes


def convert(doc: Document, opts: Options) -> Document:
    detection = source_of(doc, opts)
    configs = PLANS[(detection.source, opts.to)]
    run = chain(configs)
    label = "+".join(configs) or "no OpenCC config"
    reason = f"OpenCC {label}: converted to {opts.to} characters"
    rules = rules_for(opts.to)
    notes: list[str] = []

    def find(text: str) -> list[Edit]:
        edits, undecided = convert_text(text, run, reason, rules, opts.keep)
        notes.extend(undecided)
        return edits

    new = rewrite_text(doc, STAGE, find)
    title = new.meta.title
    if title and run(title) != title:  # a title an earlier stage found in the text
        converted = run(title)
        change = Change(STAGE, f"{reason} (document title)", title, converted)
        new = new.evolve(meta=replace(new.meta, title=converted), changes=[change])
    if new is doc and not notes:
        return doc
    why = f"source {detection.source} ({detection.why}); OpenCC {label}"
    meta = replace(new.meta, language=LANGUAGE[opts.to])
    meta = replace(meta, warnings=(*meta.warnings, *notes))
    added = new.changes[len(doc.changes) :]
    note = Change(stage=STAGE, reason=why)
    return replace(new, meta=meta, changes=(*doc.changes, note, *added))
