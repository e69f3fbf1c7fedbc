"""Placeholder detection and typing measured on the labelled corpus, and the sample's fields."""

from __future__ import annotations

import pytest
from conftest import SAMPLE
from fieldscore import load, parse, score

from pipeline import Options, convert_bytes
from pipeline.stages.fields import field_positions, find_spans

PARTS = ("sentences", "held_out", "held_out_2")


@pytest.mark.parametrize("part", PARTS)
def test_corpus_precision_recall_typing(part: str) -> None:
    result = score(load(part))
    assert result.gold >= 30
    assert result.precision >= 0.95, result.misses
    assert result.recall >= 0.95, result.misses
    assert result.typing >= 0.9, result.misses


def test_corpus_negatives_stay_text() -> None:
    negatives = [s for part in PARTS for s in load(part) if "[[" not in s]
    assert len(negatives) >= 20
    for sentence in negatives:
        text, gold = parse(sentence)
        assert not gold and not find_spans(text), text


def test_sample_has_22_typed_fields_and_one_city() -> None:
    doc, _, _ = convert_bytes(SAMPLE.read_bytes(), SAMPLE.name, Options(formats=("json",)))
    assert doc is not None
    fields = [f for _, f in doc.fields()]
    assert [f.id for f in fields] == [f"f{n}" for n in range(1, 23)]
    kinds = [f.kind for f in fields]
    assert kinds == [
        "place", "percent", "number", "ordinal", "percent", "number", "percent", "percent",
        "count", "count", "place", "place", "place", "place", "text", "text", "text",
        "place", "place", "place", "place", "place",
    ]  # fmt: skip
    cities = [f for f in fields if f.kind == "place"]
    assert len(cities) == 10 and {f.group for f in cities} == {"市名"}
    assert {f.label for f in fields if f.kind == "percent"} == {"增幅（%）"}
    assert [f.label for f in fields if f.kind == "ordinal"] == ["名次"]
    positions = field_positions(doc)
    for index, f in doc.fields():
        block, offset = positions[f.id]
        assert block == index and doc.blocks[block].text[offset] == "*"


def test_deleted_figures_become_fields_and_a_warning() -> None:
    data = "全年地区生产总值亿元，三项指标分别增长、和。\n".encode()
    doc, _, result = convert_bytes(data, "deleted.txt", Options(formats=("json",)))
    assert doc is not None
    assert [(f.kind, f.label, f.raw) for _, f in doc.fields()] == [
        ("amount", "金额（亿元）", ""),
        ("percent", "增幅（%）", ""),
        ("percent", "增幅（%）", ""),
        ("percent", "增幅（%）", ""),
    ]
    assert doc.blocks[0].text == data.decode().strip(), "nothing of the source is lost"
    (warning,) = [p for p in result.warnings if "deleted" in p.message]
    assert "4 figure(s)" in warning.message and "f1 地区生产总值【】亿元" in warning.message
