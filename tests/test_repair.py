"""The text-repair stages (cleanup, unwrap, punctuation) on the sample and on clean text."""

from __future__ import annotations

import re
import time

import pytest
from conftest import SAMPLE

from pipeline import Block, BlockKind, Document, Meta, Options, convert_bytes
from pipeline.readers.text import read_text
from pipeline.stages import STAGES, plan

REPAIRS = ("cleanup", "unwrap", "punctuation")
ASCII_NEXT_TO_HANZI = re.compile(r"[\u4e00-\u9fff][,:;!?()]|[,:;!?()][\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def repaired() -> Document:
    doc, _, result = convert_bytes(SAMPLE.read_bytes(), SAMPLE.name, Options(formats=("json",)))
    assert doc is not None and result.status.value == "ok"
    return doc


def test_sample_loses_the_site_pitch_and_keeps_its_name(repaired: Document) -> None:
    text = repaired.text
    assert "小编" not in text and "希望大家喜欢" not in text and "供大家参考" not in text
    assert repaired.blocks[0].kind is BlockKind.TITLE
    assert repaired.title == "市长在全市“五一”劳动模范座谈会上演讲材料"
    assert repaired.blocks[1].text == "各位劳模、同志们：", "the salutation opens the body"


def test_sample_has_no_ascii_punctuation_in_chinese_context(repaired: Document) -> None:
    for block in repaired.blocks:
        assert not ASCII_NEXT_TO_HANZI.search(block.text), block.text


def test_every_change_says_what_where_why_and_how_sure(repaired: Document) -> None:
    for change in repaired.changes:
        if change.stage in REPAIRS:
            assert change.reason and 0 < change.confidence <= 1
            assert change.block is not None and change.offset is not None
            assert change.before or change.after


def test_clean_paragraphs_pass_every_stage_unchanged(repaired: Document) -> None:
    """The sample as repaired is clean text: running the stages again changes nothing.

    Blocks with leftover Latin letters (the byte-level mojibake, repaired by
    its own stage) are left out.
    """
    body = tuple(
        Block.of_text(b.text)
        for b in repaired.blocks[1:]
        if b.kind is not BlockKind.TITLE and not re.search("[A-Za-z]", b.text)
    )
    assert len(body) >= 10
    doc = Document(meta=Meta(source="clean.txt"), blocks=body)
    for name in (*REPAIRS, "convert"):
        assert STAGES[name](doc, Options()) is doc, name


def test_skip_repair_keeps_the_source_text() -> None:
    doc, _, _ = convert_bytes(
        SAMPLE.read_bytes(), SAMPLE.name, Options(formats=("json",), skip=("repair",))
    )
    assert doc is not None
    assert "小编" in doc.text
    assert not {c.stage for c in doc.changes} & set(REPAIRS)


def test_repairs_are_linear_in_text_length() -> None:
    """About 1 MB: three shapes of text (lines, one huge line, hard-wrapped lines)."""
    text = SAMPLE.read_text("utf-8", errors="replace")
    flat = text.replace("\n", "")
    wrapped = "\n".join(flat[i : i + 30] for i in range(0, len(flat), 30))
    stages = [(n, s) for n, s in plan(Options()) if n in REPAIRS]
    STAGES["cleanup"](read_text(SAMPLE.read_bytes(), "warm.txt"), Options())  # compile once
    for shape in (text, flat, wrapped):
        doc = read_text((shape * (1_000_000 // len(shape) + 1)).encode(), "big.txt")
        start = time.perf_counter()
        for _, stage in stages:
            doc = stage(doc, Options())
        assert time.perf_counter() - start < 10, "quadratic behaviour"


@pytest.mark.parametrize(
    ("lines", "titles"),
    [
        (["各位劳模、同志们：", "正文。"], ["已知标题"]),
        (["在座谈会上的讲话", "正文。"], ["在座谈会上的讲话"]),
    ],
)
def test_structure_puts_a_known_title_on_top(lines: list[str], titles: list[str]) -> None:
    doc = Document(
        meta=Meta(source="x.txt", title="已知标题"), blocks=tuple(Block.of_text(x) for x in lines)
    )
    out = STAGES["structure"](doc, Options())
    assert [b.text for b in out.blocks if b.kind is BlockKind.TITLE] == titles
    assert out.blocks[0].kind is BlockKind.TITLE


def test_truncated_source_is_reported() -> None:
    data = "正文第一段。\n此处隐藏:2150字，全部文档内容请下载后查看。喜欢就下载吧 ……\n".encode()
    doc, _, result = convert_bytes(data, "cut.txt", Options(formats=("json",)))
    assert doc is not None and result.status.value == "ok"
    assert [b.text for b in doc.blocks] == ["正文第一段。"]
    assert any("source is incomplete" in p.message for p in result.warnings)


def test_edge_spaces_are_linear_too() -> None:
    text = "正文" + " " * 200_000 + "。" + " " * 200_000
    doc = Document(meta=Meta(source="x.txt"), blocks=(Block.of_text(text),))
    start = time.perf_counter()
    out = STAGES["unwrap"](doc, Options())
    assert time.perf_counter() - start < 2
    assert out.blocks[0].text == "正文" + " " * 200_000 + "。"


def _damage(text: str, width: int) -> bytes:
    """The sample as template sites and PDF copies also deliver it: pinyin glosses,
    stray spaces, anti-copy junk, hard wraps at ``width`` and page strips."""
    lines: list[str] = []
    for k, para in enumerate(text.split("\n")):
        para = para.replace("會", "會(huì)", 1).replace("2022年", "2022 年")
        para = para.replace("勞動模范", "勞動asd****19模范", 1)
        lines.extend(para[i : i + width] for i in range(0, len(para), width))
        if k % 4 == 3:
            lines.append(f"第{k // 4 + 1}页共5页")
    return "\n".join(lines).encode()


@pytest.mark.parametrize("width", [16, 20, 23, 28, 31, 35, 47, 60])
def test_damaged_sample_repairs_to_the_clean_text(repaired: Document, width: int) -> None:
    """Paragraph breaks may differ (a wrap can fall right after a sentence end);
    the text, the title and every character of it must not."""
    data = _damage(SAMPLE.read_text("utf-8"), width)
    doc, _, _ = convert_bytes(data, "damaged.txt", Options(formats=("json",)))
    assert doc is not None
    assert doc.title == repaired.title
    assert "".join(b.display_text for b in doc.blocks) == "".join(
        b.display_text for b in repaired.blocks
    )


def test_phrase_variant_table_is_up_to_date() -> None:
    """The precomputed traditional forms of the phrase tables match OpenCC's.

    After editing pipeline/stages/phrases.py, regenerate with
    ``python -c "from pipeline.stages.phrases import write_variant_table as w; w()"``.
    """
    from pipeline.stages.phrases import _variant_table, opencc_variants, phrase_hanzi

    assert _variant_table() == {ch: opencc_variants(ch) for ch in phrase_hanzi()}


def test_phrase_patterns_need_no_converter_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hanzi a cleanup or unwrap pattern widens is in the precomputed table.

    A missing one makes the first document of each process build three OpenCC
    converters (a twentieth of a second) just to widen one pattern.
    """
    from pipeline.stages import phrases

    def refuse(ch: str) -> str:
        raise AssertionError(f"{ch} is not in data/phrase_variants.json")

    monkeypatch.setattr(phrases, "opencc_variants", refuse)
    phrases._variants.cache_clear()
    phrases.compile_both.cache_clear()
    try:
        text = SAMPLE.read_bytes() + "\n第1页共2页\n尊敬的各位领导：\n大家好！\n".encode()
        doc = read_text(text, "sample.txt")
        for name in ("cleanup", "unwrap"):
            doc = STAGES[name](doc, Options())
    finally:
        phrases._variants.cache_clear()
        phrases.compile_both.cache_clear()
