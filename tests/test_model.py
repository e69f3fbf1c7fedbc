"""The document model and the stage contract."""

from __future__ import annotations

import json

from conftest import SAMPLE

from pipeline import Block, Document, Meta, Options, convert_bytes
from pipeline.model import document_from_dict, document_to_dict
from pipeline.stages import STAGES, plan


def test_json_round_trip_keeps_everything() -> None:
    doc, _, result = convert_bytes(SAMPLE.read_bytes(), SAMPLE.name, Options(formats=("json",)))
    assert doc is not None and result.status.value == "ok"
    data = json.loads(json.dumps(document_to_dict(doc), ensure_ascii=False))
    assert document_from_dict(data) == doc


def test_stages_return_the_same_object_when_nothing_changes() -> None:
    doc = Document(meta=Meta(source="x.txt"), blocks=(Block.of_text("正文。"),))
    for name, stage in STAGES.items():
        assert stage(doc, Options()) is doc, name


def test_changes_locate_what_they_changed() -> None:
    """Replaying a stage's logged edits on its input gives its output."""
    doc = Document(
        meta=Meta(source="x.txt"),
        blocks=(Block.of_text("大家好,同志們!"), Block.of_text("  會議(一)開始:")),
    )
    for name, stage in plan(Options()):
        after = stage(doc, Options())
        new = after.changes[len(doc.changes) :]
        if name in ("cleanup", "unwrap", "punctuation", "convert"):
            for index, block in enumerate(doc.blocks):
                text = block.text
                for c in sorted(
                    (c for c in new if c.block == index), key=lambda c: c.offset or 0, reverse=True
                ):
                    start = c.offset or 0
                    assert text[start : start + len(c.before)] == c.before
                    text = text[:start] + c.after + text[start + len(c.before) :]
                assert text == after.blocks[index].text, name
        doc = after
    assert [b.display_text for b in doc.blocks] == ["大家好，同志们！", "会议（一）开始："]


def test_skip_leaves_a_stage_out() -> None:
    names = [name for name, _ in plan(Options(skip=("convert",)))]
    assert names == ["mojibake", "cleanup", "unwrap", "punctuation", "fields", "fill", "structure"]


def test_skip_repair_leaves_out_the_whole_repair_group() -> None:
    names = [name for name, _ in plan(Options(skip=("repair",)))]
    assert names == ["convert", "fields", "fill", "structure"]
