"""Values files and the fill stage: lookup order, type checks, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import load_cases

from pipeline import Block, Document, Meta, Options
from pipeline.stages.fields import make_fields, unfilled
from pipeline.stages.fill import fill
from pipeline.values import Values, ValuesError, check_value, load_values, parse_values


@pytest.mark.parametrize("case", load_cases("values"))
def test_check_value(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(ValueError, match=case["error"]):
            check_value(case["kind"], case["value"])
    else:
        assert check_value(case["kind"], case["value"]) == case["expected"]


def fielded(*lines: str, source: str = "talks/speech.txt") -> Document:
    doc = Document(meta=Meta(source=source), blocks=tuple(Block.of_text(x) for x in lines))
    return make_fields(doc, Options())


DOC = ("为*市发展，增长*%，居全省第*位。", "*市人民欢迎你，*位代表发言。")


def test_fill_by_id_group_label_and_shared() -> None:
    values = Values(
        source="v.toml",
        shared={"市名": "泉州", "人数": "9"},
        documents={"talks/speech": {"f2": "8.5%", "名次": "三", "f5": "五"}},
    )
    doc = fill(fielded(*DOC), Options(values=values))
    assert [b.display_text for b in doc.blocks] == [
        "为泉州市发展，增长8.5%，居全省第三位。",
        "泉州市人民欢迎你，五位代表发言。",
    ]
    assert not unfilled(doc)
    log = [c for c in doc.changes if c.stage == "fill"]
    assert [(c.block, c.offset, c.before, c.after) for c in log][:2] == [
        (0, 1, "*", "泉州"),
        (0, 8, "*", "8.5"),
    ]


def test_document_named_by_stem_and_empty_value_leaves_field() -> None:
    values = Values(documents={"speech": {"市名": "厦门", "f2": ""}})
    doc = fill(fielded(*DOC), Options(values=values))
    assert [f.value for _, f in doc.fields()] == ["厦门", None, None, "厦门", None]


def test_no_values_changes_nothing() -> None:
    doc = fielded(*DOC)
    assert fill(doc, Options()) is doc


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"f2": "lots"}, "v.toml: document talks/speech: field f2 (增幅（%）, percent): 'lots'"),
        ({"f3": "1.5"}, "field f3 (名次, ordinal): '1.5' must be a whole number"),
        ({"f9": "1"}, "no field or group named f9 (its fields: f1, f2, f3, f4, f5)"),
    ],
)
def test_bad_values_name_file_document_and_field(table: dict[str, str], message: str) -> None:
    values = Values(source="v.toml", documents={"talks/speech": table})
    with pytest.raises(ValuesError) as err:
        fill(fielded(*DOC), Options(values=values))
    assert message in str(err.value)


def test_load_toml_yaml_and_csv(tmp_path: Path) -> None:
    toml = tmp_path / "v.toml"
    toml.write_text('[shared]\n"市名" = "泉州"\n[documents."a"]\nf1 = 8.5\n', "utf-8")
    yaml = tmp_path / "v.yaml"
    yaml.write_text("shared:\n  市名: 泉州\ndocuments:\n  a:\n    f1: 8.5\n", "utf-8")
    sheet = tmp_path / "v.csv"
    sheet.write_text("\ufeffdocument,field,value\na,f1,8.5\na,f2,\n", "utf-8")
    expected = {"a": {"f1": "8.5"}}
    assert load_values(toml).documents == expected and load_values(toml).shared == {"市名": "泉州"}
    assert load_values(yaml).documents == expected and load_values(yaml).shared == {"市名": "泉州"}
    assert load_values(sheet).documents == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[shared\n", "not valid TOML"),
        ("[colours]\nred = 1\n", "unknown section colours"),
        ("[shared]\nx = true\n", "a value must be text or a number"),
        ("[shared]\nx = [1, 2]\n", "a value must be text or a number"),
        ("documents = 3\n", "documents must hold one table per document"),
    ],
)
def test_malformed_values_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "v.toml"
    path.write_text(content, "utf-8")
    with pytest.raises(ValuesError, match=message):
        load_values(path)


def test_parse_values_accepts_empty_file() -> None:
    assert parse_values(None, "v.yaml") == Values(source="v.yaml")
