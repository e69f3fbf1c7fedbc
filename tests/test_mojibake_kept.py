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
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _unconverted_plain(body: str, codec: str) -> tuple[str, bool]:
    """:func:`mojibake._unconverted` as it reads each character, one at a time."""
    simple = mojibake.simplified(body)
    if codec != "gbk":
        return simple, False
    sources, changed = mojibake._s2t_sources(), mojibake._s2t_changed()
    out = []
    certain = True
    last = len(body.rstrip(mojibake._ASCII)) - 1
    for i, (ch, form) in enumerate(zip(body, simple, strict=True)):
        if not mojibake.is_cjk(ch):
            out.append(form)
            continue
        readings = "".join(c for c in sources.get(ch, "") if mojibake._gb2312(c))
        if mojibake._gb2312(ch) and ch not in changed:
            readings += ch
        if not readings and i == last:
            readings = sources.get(ch, "") + (
                ch if ch not in changed and mojibake._shifted_form(ch) else ""
            )
        if len(readings) == 1:
            out.append(readings)
        else:
            out.append(form if form in readings or not readings else readings[0])
            certain = False
    return "".join(out), certain


# hanzi s2t made (one reading or several), GB2312's and others, marks folded or not, ASCII
_RUN_CHARS = "".join(list(mojibake._s2t_sources())[:40]) + "嗣袷贗幌鉅導憂縕著中国劳模,:;!()，I7 ?"


@settings(max_examples=400)
@given(st.text(alphabet=_RUN_CHARS, max_size=10), st.sampled_from(["gbk", "big5"]))
def test_unconverted_by_table_is_read_character_by_character(body: str, codec: str) -> None:
    assert mojibake._unconverted(body, codec) == _unconverted_plain(body, codec)
