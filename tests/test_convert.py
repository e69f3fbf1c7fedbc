"""The convert stage: rules beyond OpenCC, the sample, source detection, options, CLI."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE, load_cases
from typer.testing import CliRunner

from pipeline import Block, Document, Meta, Options
from pipeline.cli import app
from pipeline.errors import ConfigError
from pipeline.runner import convert_bytes
from pipeline.stages.convert import convert, converter
from pipeline.stages.convert_rules import (
    detect_source,
    is_han,
    load_rules,
    simplified_only,
    simplified_only_table,
)


def doc_of(*lines: str) -> Document:
    return Document(meta=Meta(source="case.txt"), blocks=tuple(Block.of_text(x) for x in lines))


@pytest.mark.parametrize("case", load_cases("convert_context"))
def test_context(case: dict[str, Any]) -> None:
    opts = Options(
        to=case.get("to", "simplified"),
        source=case.get("from", "auto"),
        keep=tuple(case.get("keep", ())),
    )
    doc = convert(doc_of(case["input"]), opts)
    assert doc.blocks[0].text == case["expected"]
    assert len(doc.meta.warnings) == case.get("warnings", 0)
    edits = [c for c in doc.changes if c.block is not None]
    if case["input"] == case["expected"]:
        assert not edits
    for change in edits:
        assert case["input"][change.offset : change.offset + len(change.before)] == change.before


def test_each_rule_decision_is_logged_with_its_reason() -> None:
    doc = convert(doc_of("要執著專注，飽含著情感，他的著作"), Options())
    rules = [c for c in doc.changes if "著" in c.before]
    assert [(c.offset, c.after) for c in rules] == [(2, "着"), (8, "着")]
    assert "执着" in rules[0].reason and "饱含" in rules[1].reason
    assert rules[1].confidence < rules[0].confidence <= 1
    note = doc.changes[0]
    assert note.block is None and "source" in note.reason and "t2s" in note.reason


def test_fields_are_never_converted() -> None:
    from pipeline.model import Field, Text

    field = Field(id="f1", kind="city", label="市名", raw="*", value="臺北著")
    block = Block(kind=Block.of_text("x").kind, inlines=(Text("飽含著"), field))
    doc = convert(Document(meta=Meta(source="x"), blocks=(block,)), Options())
    assert doc.blocks[0].inlines == (Text("饱含着"), field)


def sample_after_repair_and_convert() -> str:
    opts = Options(formats=("json",), skip=("fields", "structure"))
    doc, _, result = convert_bytes(SAMPLE.read_bytes(), SAMPLE.name, opts)
    assert doc is not None, result.problems
    return doc.text


def test_sample_holds_no_traditional_character_and_no_particle_zhu() -> None:
    text = sample_after_repair_and_convert()
    to_simplified = converter("t2s")
    traditional = sorted({ch for ch in text if is_han(ch) and to_simplified(ch) != ch})
    assert not traditional
    zhu_words = [w for s in load_rules().groups["著"].senses if s.to == "著" for w in s.words]
    for match in re.finditer("著", text):
        around = text[max(0, match.start() - 3) : match.end() + 3]
        assert any(w in around for w in zhu_words), around
    for word in ("饱含着", "肩负着", "怀着", "执着", "高扬着", "诠释着"):
        assert word in text


def test_detects_mainland_text_converted_to_traditional() -> None:
    text = SAMPLE.read_text("utf-8", errors="replace")
    found = detect_source(text, converter("t2s"), converter("s2t"))
    assert found.source == "mainland" and "習近平" in found.why


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("劳动开创未来，奋斗谱写辉煌。", "mainland"),
        ("我們在臺北的捷運站用手機上網路，下載軟體和影片。", "taiwan"),
        ("佢哋喺香港返工，今日好忙，冇時間食飯。", "hongkong"),
        ("春眠不覺曉，處處聞啼鳥。", "traditional"),
    ],
)
def test_detects_source(text: str, source: str) -> None:
    assert detect_source(text, converter("t2s"), converter("s2t")).source == source
    assert detect_source(text, converter("t2s")).source == source  # the precomputed table


def test_simplified_only_table_is_up_to_date() -> None:
    """``pipeline/data/simplified_only.txt`` is what OpenCC gives today.

    Regenerate with ``python -c "from pipeline.stages.convert_rules import *;
    from pipeline.stages.convert import converter as c;
    open('pipeline/data/simplified_only.txt', 'w').write(
    simplified_only_table(c('t2s'), c('s2t')) + '\\n')"``.
    """
    table = simplified_only_table(converter("t2s"), converter("s2t"))
    assert simplified_only() == frozenset(table)
    assert "们" in table and "們" not in table and "的" not in table


def test_options_validate_and_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="target script"):
        Options(to="pinyin")
    with pytest.raises(ConfigError, match="source variant"):
        Options(source="macau")
    words = tmp_path / "keep.txt"
    words.write_text("乾隆\n\n於丹\n", "utf-8")
    monkeypatch.chdir(tmp_path)  # no ./pipeline.toml here
    opts = Options.load(None, keep="王著, 乾隆，鲁迅", keep_file=words, to="taiwan")
    assert opts.keep == ("王著", "乾隆", "鲁迅", "於丹") and opts.to == "taiwan"
    prints = {
        Options().fingerprint(),
        Options(to="taiwan").fingerprint(),
        Options(source="taiwan").fingerprint(),
        Options(keep=("於丹",)).fingerprint(),
    }
    assert len(prints) == 4


def test_settings_file_conversion_keys(tmp_path: Path) -> None:
    (tmp_path / "names.txt").write_text("王著\n", "utf-8")
    config = tmp_path / "pipeline.toml"
    config.write_text(
        'to = "hongkong"\nsource = "taiwan"\nkeep = ["於丹"]\nkeep_file = "names.txt"\n', "utf-8"
    )
    opts = Options.load(config)
    assert (opts.to, opts.source, opts.keep) == ("hongkong", "taiwan", ("於丹", "王著"))
    config.write_text('keep = "於丹"\nsource = 1\n', "utf-8")
    with pytest.raises(ConfigError, match="source must be a string"):
        Options.load(config)


def test_cli_to_from_keep(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("於丹說：软件和网络\n", "utf-8")
    out = tmp_path / "out"
    args = ["convert", str(src), "-o", str(out), "-f", "txt", "--to", "taiwan"]
    result = CliRunner().invoke(app, [*args, "--from", "mainland", "--keep", "於丹"])
    assert result.exit_code == 0, result.output
    assert "於丹說：軟體和網路" in (out / "a.txt").read_text("utf-8")
    bad = CliRunner().invoke(app, [*args, "--from", "mars"])
    assert bad.exit_code == 2 and "source variant" in bad.output
