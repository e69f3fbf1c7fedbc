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
from operator import attrgetter

from ..model import Change, Document, Text
from ..options import Options
from .base import Edit, apply_edits, diff_edits, diff_spans, rewrite_document
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
    index: int = 0,
    offset: int = 0,
) -> tuple[str, list[Change], list[str]]:
    """``text`` converted, its changes and notes on what stayed undecided.

    The changes are logged as made in block ``index``, ``text`` standing at
    ``offset`` in the block's text.
    """
    out: list[str] = []
    changes: list[Change] = []
    notes: list[str] = []
    pos = 0
    for start, end in segments(text, keep):
        piece = text[start:end]
        result, edits, undecided = _convert_piece(piece, run, reason, rules)
        at = offset + start
        if edits is not None:
            changes += [
                Change(
                    STAGE,
                    e.reason,
                    piece[e.start : e.end],
                    e.after,
                    index,
                    at + e.start,
                    e.confidence,
                )
                for e in sorted(edits, key=_POSITION)
            ]
        elif result != piece:  # most pieces of a big document: one change per run, no Edit built
            changes += [
                Change(STAGE, reason, piece[a:b], result[a:b], index, at + a, 1.0)
                for a, b in diff_spans(piece, result)
            ]
        out += (text[pos:start], result)
        pos = end
        notes.extend(undecided)
    out.append(text[pos:])
    return "".join(out), changes, notes


_POSITION = attrgetter("start", "end")


def _shifted(edits: list[Edit], by: int) -> list[Edit]:
    """``edits`` moved ``by`` characters right (``dataclasses.replace`` costs ten times more)."""
    return [Edit(e.start + by, e.end + by, e.after, e.reason, e.confidence) for e in edits]


_CLAUSE_END = re.compile(r"(?<=[，。；！？、：,.;!?\s])")


def _convert_piece(
    piece: str, run: Callable[[str], str], reason: str, rules: Rules, split: bool = True
) -> tuple[str, list[Edit] | None, list[str]]:
    """``piece`` converted, the edits saying why, and notes on what stayed undecided.

    No edits (``None``) when the result is OpenCC's output and no rule
    touched it: each run of characters that differ from ``piece`` is then
    one change for ``reason``.
    """
    converted = run(piece)
    if len(converted) != len(piece):  # OpenCC swapped a phrase for one of another length
        edits, notes = _resized_edits(piece, converted, run, reason, rules, split)
        return apply_edits(piece, edits), edits, notes
    context = decide_context(rules, piece, converted)
    decided = apply_edits(converted, context.edits) if context.edits else converted
    fixes = corrections(rules, decided, context.decided)
    ruled = sorted(context.edits + fixes, key=lambda e: e.start)
    if not ruled:
        return converted, None, context.notes
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
    out.sort(key=lambda e: e.start)
    return apply_edits(piece, out), out, context.notes


def _resized_edits(
    piece: str, converted: str, run: Callable[[str], str], reason: str, rules: Rules, split: bool
) -> tuple[list[Edit], list[str]]:
    """Edits for a piece whose conversion changed its length, and notes."""
    clauses = [c for c in _CLAUSE_END.split(piece) if c]
    if split and len(clauses) > 1:  # phrases never cross punctuation: confine it
        edits: list[Edit] = []
        notes: list[str] = []
        offset = 0
        for clause in clauses:
            result, found, undecided = _convert_piece(clause, run, reason, rules, split=False)
            if found is None:
                found = diff_edits(clause, result, reason)
            edits.extend(_shifted(found, offset))
            notes.extend(undecided)
            offset += len(clause)
        return edits, notes
    fixes = corrections(rules, converted)
    return diff_edits(piece, apply_edits(converted, fixes), reason), []


def convert(doc: Document, opts: Options) -> Document:
    detection = source_of(doc, opts)
    configs = PLANS[(detection.source, opts.to)]
    run = chain(configs)
    label = "+".join(configs) or "no OpenCC config"
    reason = f"OpenCC {label}: converted to {opts.to} characters"
    rules = rules_for(opts.to)
    notes: list[str] = []

    def rewrite(text: str, index: int, offset: int) -> tuple[str, list[Change]]:
        converted, changes, undecided = convert_text(
            text, run, reason, rules, opts.keep, index, offset
        )
        notes.extend(undecided)
        return converted, changes

    new = rewrite_document(doc, rewrite)
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
