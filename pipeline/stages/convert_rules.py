"""What OpenCC cannot know from its tables: context rules, corrections, source detection.

OpenCC converts with phrase tables and falls back to one character at a time,
so a character with several readings is left as its table says: ``t2s`` keeps
every ``著`` (``饱含著``, ``执著``), ``tw2sp`` turns every one into ``着``
(``原着``, ``卓着``).  The decisions here are data (``pipeline/data/
convert_rules.json``); this module only loads and applies them, to OpenCC's
output, knowing what the source character was.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from .base import Edit

RULES_FILE = "convert_rules.json"


@dataclass(frozen=True, slots=True)
class Sense:
    """One way to write an ambiguous character, and the words that ask for it."""

    to: str
    reason: str
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """A source character whose simplified form depends on the words around it."""

    char: str
    forms: tuple[str, ...]
    senses: tuple[Sense, ...]
    default_to: str | None = None
    default_reason: str = ""
    default_confidence: float = 0.0
    undecided: str | None = None
    # (normalised word, index of char in it, sense), longest word first.
    index: tuple[tuple[str, int, Sense], ...] = ()


@dataclass(frozen=True, slots=True)
class Correction:
    """A known converter error: ``find`` becomes ``replace`` unless the guards say no."""

    find: str
    replace: str
    reason: str
    confidence: float
    not_before: re.Pattern[str] | None
    not_after: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules for one target script."""

    target: str
    groups: Mapping[str, Group]
    fold: Mapping[int, str]
    corrections: Mapping[str, Correction]
    correction_pattern: re.Pattern[str] | None
    detect: Mapping[str, Any]


def _sense(data: Mapping[str, Any]) -> Sense:
    return Sense(data["to"], data["reason"], tuple(data["words"]))


def _correction(data: Mapping[str, Any]) -> Correction:
    find, replace = data["find"], data["replace"]
    if len(find) != len(replace):
        raise ValueError(f"{RULES_FILE}: correction {find} → {replace} changes the length")
    before, after = data.get("not_before"), data.get("not_after")
    return Correction(
        find,
        replace,
        data["reason"],
        float(data.get("confidence", 0.9)),
        re.compile(f"(?:{before})$") if before else None,
        re.compile(after) if after else None,
    )


def parse_rules(
    data: Mapping[str, Any],
    target: str = "simplified",
    word_form: Callable[[str], str] | None = None,
) -> Rules:
    """The rules of ``convert_rules.json`` (parsed JSON) that apply to ``target``.

    The words are written in simplified characters; ``word_form`` converts
    them for a traditional target.
    """
    fold: dict[int, str] = {}
    for g in data["context"]:
        for form in g["forms"]:
            fold[ord(form)] = g["char"]
    groups: dict[str, Group] = {}
    for g in data["context"]:
        if target not in g.get("targets", ["simplified"]):
            continue
        senses = tuple(_sense(s) for s in g["senses"])
        entries = []
        for order, sense in enumerate(senses):
            for word in sense.words:
                folded = (word_form(word) if word_form else word).translate(fold)
                for k, ch in enumerate(folded):
                    if ch == g["char"]:
                        entries.append((-len(folded), order, folded, k, sense))
        entries.sort(key=lambda e: (e[0], e[1]))
        default = g.get("default") or {}
        groups[g["char"]] = Group(
            char=g["char"],
            forms=tuple(g["forms"]),
            senses=senses,
            default_to=default.get("to"),
            default_reason=default.get("reason", ""),
            default_confidence=float(default.get("confidence", 0.0)),
            undecided=g.get("undecided"),
            index=tuple((w, k, s) for _, _, w, k, s in entries),
        )
    family = "simplified" if target == "simplified" else "traditional"
    fixes = {c.find: c for c in map(_correction, data["corrections"].get(family, []))}
    finds = sorted(fixes, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, finds))) if finds else None
    return Rules(target, groups, fold, fixes, pattern, data["detect"])


@cache
def rules_data() -> Mapping[str, Any]:
    """``convert_rules.json`` as shipped with the package, read once per process."""
    text = resources.files("pipeline").joinpath("data", RULES_FILE).read_text("utf-8")
    data: Mapping[str, Any] = json.loads(text)
    return data


@cache
def load_rules() -> Rules:
    """The rules for simplified output, parsed once per process."""
    return parse_rules(rules_data())


_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")  # what is_han accepts, for whole texts


def is_han(ch: str) -> bool:
    """A CJK ideograph (basic block or extension A).

    >>> is_han("著"), is_han("a"), is_han("，")
    (True, False, False)
    """
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@dataclass(frozen=True, slots=True)
class Decision:
    """An edit on OpenCC's output (``None``: its choice stands), or why none was made."""

    edit: Edit | None
    decided: bool = True
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ContextResult:
    edits: list[Edit]
    decided: set[int]
    notes: list[str]


def decide_context(rules: Rules, source: str, converted: str) -> ContextResult:
    """Context edits on ``converted`` (OpenCC's output for ``source``, same length).

    Only characters that were an ambiguous character *in the source* are
    decided: a ``着`` the author wrote is theirs.  Returns the edits, the
    positions decided (changed or not) and a note per character no rule could
    decide.

    >>> result = decide_context(load_rules(), "饱含著，著名", "饱含著，著名")
    >>> [(e.start, e.after) for e in result.edits], sorted(result.decided), result.notes
    ([(2, '着')], [2, 4], [])
    """
    result = ContextResult([], set(), [])
    if not rules.groups or len(source) != len(converted):
        return result
    folded: str | None = None
    for char, group in rules.groups.items():
        start = source.find(char)
        while start >= 0:
            if folded is None:
                folded = converted.translate(rules.fold)
            decision = _decide(group, folded, converted, start)
            if decision.edit is not None:
                result.edits.append(decision.edit)
            if decision.decided:
                result.decided.add(start)
            if decision.note is not None:
                result.notes.append(decision.note)
            start = source.find(char, start + 1)
    return result


def _decide(group: Group, folded: str, converted: str, at: int) -> Decision:
    for word, k, sense in group.index:
        begin = at - k
        if begin >= 0 and folded.startswith(word, begin):
            if converted[at] == sense.to:
                return Decision(None)
            shown = converted[begin : begin + len(word)]
            reason = f"{sense.reason} {shown[:k]}{sense.to}{shown[k + 1 :]}"
            return Decision(Edit(at, at + 1, sense.to, reason, 0.95))
    if group.default_to is not None and at > 0 and is_han(converted[at - 1]):
        if converted[at] == group.default_to:
            return Decision(None)
        before = converted[max(0, at - 2) : at]
        reason = f"{group.default_reason} {before}"
        return Decision(Edit(at, at + 1, group.default_to, reason, group.default_confidence))
    if group.undecided and converted[at] in group.forms:
        context = converted[max(0, at - 4) : at + 5]
        return Decision(None, False, f"{group.undecided}: …{context}…")
    return Decision(None, False)


def corrections(
    rules: Rules, text: str, decided: frozenset[int] | set[int] = frozenset()
) -> list[Edit]:
    """Edits for the known converter errors of the rules' target found in ``text``.

    A correction never touches a position in ``decided`` (a context rule's).

    >>> [(e.start, e.after) for e in corrections(load_rules(), "效果显着。")]
    [(3, '著')]
    >>> corrections(load_rules(), "他显着很累")
    []
    """
    if rules.correction_pattern is None:
        return []
    edits: list[Edit] = []
    for match in rules.correction_pattern.finditer(text):
        fix = rules.corrections[match.group()]
        start, end = match.span()
        if fix.not_before and fix.not_before.search(text[max(0, start - 8) : start]):
            continue
        if fix.not_after and fix.not_after.match(text, end):
            continue
        if decided and any(i in decided for i in range(start, end)):
            continue
        for i, (a, b) in enumerate(zip(fix.find, fix.replace, strict=True)):
            if a != b:
                edits.append(Edit(start + i, start + i + 1, b, fix.reason, fix.confidence))
    return edits


@dataclass(frozen=True, slots=True)
class Detection:
    """Where the source text comes from, and the evidence."""

    source: str
    why: str


DETECT_WINDOW = 20_000

# Characters converted one by one, per converter: the same few thousand come
# back in every document.
_CHAR_FORMS: dict[Any, dict[str, str]] = {}


def _each_char(convert: Any, chars: list[str]) -> list[str]:
    """``chars`` converted each on its own (OpenCC's character tables, no phrase context)."""
    known = _CHAR_FORMS.setdefault(convert, {})
    new = [c for c in chars if c not in known]
    if new:
        # One character a line: phrases never cross a line break.
        forms = convert("\n".join(new)).split("\n")
        if len(forms) != len(new):
            raise ValueError("OpenCC changed the number of lines")
        known.update(zip(new, forms, strict=True))
    return [known[c] for c in chars]


SIMPLIFIED_ONLY_FILE = "simplified_only.txt"
_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))


def simplified_only_table(to_simplified: Any, to_traditional: Any) -> str:
    """The hanzi OpenCC writes differently in traditional script and keeps in simplified."""
    chars = [chr(c) for a, b in _HAN_RANGES for c in range(a, b + 1)]
    as_simplified = _each_char(to_simplified, chars)
    as_traditional = _each_char(to_traditional, chars)
    return "".join(
        c for c, s, t in zip(chars, as_simplified, as_traditional, strict=True) if t != c and s == c
    )


@cache
def simplified_only() -> frozenset[str]:
    """:func:`simplified_only_table`, precomputed in ``data/`` (the test suite checks it).

    Reading it spares a process building the s2t converter (a fortieth of a
    second) just to tell simplified text from traditional.
    """
    path = resources.files("pipeline").joinpath("data", SIMPLIFIED_ONLY_FILE)
    return frozenset(path.read_text("utf-8").strip())


def detect_source(
    text: str, to_simplified: Any, to_traditional: Any = None, rules: Rules | None = None
) -> Detection:
    """Guess the source variant of ``text`` from its first characters.

    ``mainland`` covers simplified text and mainland text that a website
    converted to traditional characters (its vocabulary gives it away);
    ``taiwan`` and ``hongkong`` need regional words or forms; traditional
    text with no such evidence is ``traditional``.  Without ``to_traditional``
    the precomputed :func:`simplified_only` set says which characters are
    simplified forms.
    """
    rules = rules or load_rules()
    window = text[:DETECT_WINDOW]
    counts = Counter(_HAN.findall(window))
    chars = list(counts)
    if not chars:
        return Detection("mainland", "no Chinese characters to tell by")
    as_simplified = _each_char(to_simplified, chars)
    trad = sum(counts[c] for c, s in zip(chars, as_simplified, strict=True) if s != c)
    if to_traditional is None:
        only = simplified_only()
        simp = sum(counts[c] for c in chars if c in only)
    else:
        as_traditional = _each_char(to_traditional, chars)
        simp = sum(
            counts[c]
            for c, s, t in zip(chars, as_simplified, as_traditional, strict=True)
            if t != c and s == c
        )
    if trad <= simp:
        script = f"simplified characters ({simp} simplified, {trad} traditional)"
        return Detection("mainland", script)
    detect = rules.detect
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    for region in ("hongkong", "taiwan", "mainland"):
        hits = [(w, window.count(w)) for w in detect[region]]
        forms = [(f, window.count(f)) for f in detect.get(f"{region}_forms", "")]
        scores[region] = 3 * sum(n for _, n in hits) + sum(n for _, n in forms)
        evidence[region] = [f"{w}×{n}" for w, n in hits + forms if n]
    best = max(scores, key=lambda r: scores[r])
    script = f"traditional characters ({trad} traditional, {simp} simplified)"
    if scores[best] < 3:
        return Detection("traditional", f"{script}; no regional words")
    shown = ", ".join(evidence[best][:6])
    return Detection(best, f"{script}; {best} words: {shown}")
