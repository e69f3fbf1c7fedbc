"""The mojibake stage's kept repairs (one damaged spot met again) are the repairs worked out afresh.

Lines whose character pairs all recur elsewhere in the document share one
scorer, and the repairs found with it are kept by spot.  The same damage in
another context (after an opening quote, at a paragraph's end, in a clause
with a question word) must not reuse a repair made for the first.
"""

from __future__ import annotations

import weakref
from typing import Any

import pytest
from conftest import load_cases

from pipeline import Block, Document, Meta, Options
from pipeline.stages import mojibake
from pipeline.stages.mojibake import repair_mojibake

CASES = [case.values[0] for case in load_cases("mojibake")]


class _KeepNothing(weakref.WeakKeyDictionary[Any, Any]):
    def __setitem__(self, key: Any, value: Any) -> None:
        pass


def _document() -> Document:
    lines = []
    for case in CASES:
        text = case["input"]
        lines += [text, "“" + text, "他问：" + text + "吗", text + "，", "（" + text]
    # each line twice, so that no line has pairs of its own
    return Document(meta=Meta(source="kept.txt"), blocks=tuple(map(Block.of_text, lines * 2)))


def _repair_counting(monkeypatch: pytest.MonkeyPatch, doc: Document) -> tuple[Document, int]:
    calls = []
    fresh = mojibake._Repairer._shifted_fresh

    def counted(self: Any, *args: Any) -> Any:
        calls.append(args)
        return fresh(self, *args)

    with monkeypatch.context() as patch:
        patch.setattr(mojibake._Repairer, "_shifted_fresh", counted)
        return repair_mojibake(doc, Options()), len(calls)


def test_kept_repairs_are_the_fresh_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = _document()
    kept, worked_kept = _repair_counting(monkeypatch, doc)
    monkeypatch.setattr(mojibake, "_KEPT", _KeepNothing())
    fresh, worked_fresh = _repair_counting(monkeypatch, doc)
    assert worked_kept < worked_fresh / 2, "the copies' spots were not worked out again"
    assert kept.changes == fresh.changes
    assert kept.blocks == fresh.blocks


def test_a_line_with_pairs_of_its_own_keeps_nothing() -> None:
    """Its scorer discounts the line's own pairs, so it is not the shared one."""
    doc = Document(
        meta=Meta(source="own.txt"),
        blocks=(Block.of_text(CASES[0]["input"]), Block.of_text("别的句子")),
    )
    scorer_for = mojibake._in_document(doc)
    assert mojibake._KEPT.get(scorer_for(doc.blocks[0])()) is None
