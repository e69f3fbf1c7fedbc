"""Stage behaviour as data: each case file pairs inputs with expected outputs."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import load_cases

from pipeline import Block, BlockKind, Document, Field, Meta, Options, Text
from pipeline.conservation import account
from pipeline.langmodel import scorer
from pipeline.stages import mojibake
from pipeline.stages.base import apply_edits
from pipeline.stages.cleanup import clean_up
from pipeline.stages.convert import convert
from pipeline.stages.fields import make_fields
from pipeline.stages.mojibake import repair_mojibake
from pipeline.stages.punctuation import find_punctuation_edits
from pipeline.stages.spaces import find_ideographic_space_edits, find_stray_space_edits
from pipeline.stages.structure import detect_structure
from pipeline.stages.unwrap import unwrap
from pipeline.writers.layout import style_key


def doc_of(*lines: str) -> Document:
    return Document(meta=Meta(source="case.txt"), blocks=tuple(Block.of_text(x) for x in lines))


@pytest.mark.parametrize("case", load_cases("punctuation"))
def test_punctuation(case: dict[str, Any]) -> None:
    text = case["input"]
    assert apply_edits(text, find_punctuation_edits(text)) == case["expected"]


@pytest.mark.parametrize("case", load_cases("convert"))
def test_convert(case: dict[str, Any]) -> None:
    doc = convert(doc_of(case["input"]), Options())
    assert doc.blocks[0].text == case["expected"]
    if case["input"] == case["expected"]:
        assert not [c for c in doc.changes if c.stage == "convert"]


@pytest.mark.parametrize("case", load_cases("fields"))
def test_fields(case: dict[str, Any]) -> None:
    doc = make_fields(doc_of(case["input"]), Options())
    block = doc.blocks[0]
    assert block.display_text == case["expected"]
    assert [f.kind for f in block.fields()] == case["kinds"]
    assert block.text == case["input"], "a field keeps the raw placeholder it replaced"


@pytest.mark.parametrize("case", load_cases("structure"))
def test_structure(case: dict[str, Any]) -> None:
    source = doc_of(*case["lines"])
    if "meta_title" in case:
        source = Document(
            meta=Meta(source="case.txt", title=case["meta_title"]), blocks=source.blocks
        )
    doc = detect_structure(source, Options())
    assert [style_key(b) for b in doc.blocks] == case["kinds"]
    leads = [b.text[: b.lead] for b in doc.blocks]
    assert leads == case.get("leads", [""] * len(doc.blocks))


@pytest.mark.parametrize("case", load_cases("mojibake"))
def test_mojibake(case: dict[str, Any]) -> None:
    doc = repair_mojibake(doc_of(case["input"]), Options())
    assert doc.blocks[0].display_text == case["expected"]
    if case["input"] == case["expected"]:
        assert doc.changes == (), "clean text must pass through untouched"
    else:
        (change,) = doc.changes
        assert change.stage == "mojibake" and change.confidence >= 0.5


def test_unrepairable_mojibake_becomes_a_review_field() -> None:
    doc = repair_mojibake(doc_of("数据丢失锟斤拷锟斤拷了"), Options())
    (field,) = doc.blocks[0].fields()
    assert field.kind == "review" and field.raw == "锟斤拷锟斤拷"
    assert doc.blocks[0].text == "数据丢失锟斤拷锟斤拷了", "the damaged text is kept, not guessed"


@pytest.mark.parametrize("lost", ["??", "?"])
def test_a_character_lost_between_figures_is_kept_for_review(lost: str) -> None:
    # 2025—2027: the dash lost whole, with no hanzi within three characters
    text = f"关于印发《全区文化旅游融合发展规划(2025{lost}2027年)》的通知"
    doc = repair_mojibake(doc_of(text), Options())
    (field,) = doc.blocks[0].fields()
    assert field.kind == "review" and field.raw == lost
    assert doc.blocks[0].text == text, "the damaged text is kept, not guessed"


def test_a_lone_question_mark_read_as_a_lost_comma_offers_it_for_review() -> None:
    # 公里?改造: a hanzi lost there reads far worse than a mark; the comma
    # leads, but not by enough to be applied, so the reader is offered it
    doc = repair_mojibake(doc_of("去年全镇新建道路十二公里?改造危房八十户。"), Options())
    (field,) = doc.blocks[0].fields()
    assert field.kind == "review" and field.raw == "?"
    (change,) = doc.changes
    assert change.before == "?" and "best guess 「，」" in change.reason


_NOTICE = ("一、会议时间", "10月18日上午9时。", "{}、会议地点", "区行政中心三楼。", "{}、参会人员")


@pytest.mark.parametrize(
    ("lost", "expected"),
    [
        (("?", "??"), ("二", "三")),  # its lead byte dropped, or shown
        (("?", "?"), ("二", "三")),  # both lost: each counted from 一、
    ],
)
def test_a_heading_number_lost_is_read_from_the_numbering(
    lost: tuple[str, str], expected: tuple[str, str]
) -> None:
    lines = list(_NOTICE)
    lines[2], lines[4] = lines[2].format(lost[0]), lines[4].format(lost[1])
    doc = repair_mojibake(doc_of(*lines, "（一）会前准备", "（?）会后落实"), Options())
    assert [doc.blocks[k].text[0] for k in (2, 4)] == list(expected)
    assert doc.blocks[6].text == "（二）会后落实"
    assert {c.reason for c in doc.changes} == {mojibake.LOST_NUMBER}


def test_a_heading_number_stays_lost_where_the_numbering_or_the_bytes_disagree() -> None:
    # 一 (D2 BB) never shows as '?' before 、: BB A1 is a character
    doc = repair_mojibake(doc_of("?、会议时间", "二、会议地点"), Options())
    assert doc.blocks[0].text == "?、会议时间"
    # no neighbour in its numbering says what it was (三、 is of the level above)
    doc = repair_mojibake(doc_of("（?）会后落实", "三、要求"), Options())
    assert all(c.reason != mojibake.LOST_NUMBER for c in doc.changes)


def test_a_character_lost_before_a_question_mark_is_looked_for() -> None:
    # 照？ (D5 D5, then ?): both its bytes lost, then the question's own mark
    # (照 is read at about the confidence a guess needs: applied, or kept for
    # review as the best guess; either way the question's own mark stays)
    doc = repair_mojibake(doc_of("二、如何申请办理营业执???"), Options())
    (change,) = doc.changes
    assert (change.before, change.offset) == ("??", 11)
    if change.after:
        assert doc.blocks[0].text == "二、如何申请办理营业执照?"
    else:
        assert "best guess 「照」" in change.reason
        (field,) = doc.blocks[0].fields()
        assert field.kind == "review" and field.raw == "??"


# A line split by a chunked decoder (六保”等重點), in the same document.
_SPLIT_LINE = "扎實推進“六穩”“六?!钡戎攸c工作,力促一季度經濟實現開門紅。"


def test_a_full_stop_lost_at_a_line_end_is_restored_in_a_split_document() -> None:
    # 。 = A1 A3: its lead byte dropped, A3 before the line break shows as ?
    # (a sentence: a line with no pause might be a heading, see below)
    line = "各级干部要把心思用在干事创业上,用在为民造福上?"
    doc = repair_mojibake(doc_of(_SPLIT_LINE, line), Options())
    assert doc.blocks[1].text == line[:-1] + "。"
    (change,) = [c for c in doc.changes if c.block == 1]
    assert (change.before, change.after, change.offset) == ("?", "。", 23)
    assert [c.block for c in doc.changes] == [0, 1]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("二、主要措?", "二、主要措施"),
        ("三、工作要?", "三、工作要求"),
        # a title, a signature: no sentence ends in them
        ("关于做好全市冬季防汛抗旱工作的通?", "关于做好全市冬季防汛抗旱工作的通知"),
        ("青山市人民政?", "青山市人民政府"),
        ("2024年5月23?", "2024年5月23日"),  # a date
    ],
)
def test_a_heading_lost_its_last_hanzi_in_a_split_document(line: str, expected: str) -> None:
    # a heading ends in no mark: its last '?' is read among the hanzi too
    doc = repair_mojibake(doc_of(line, _SPLIT_LINE, "现将有关事项通知如下。"), Options())
    assert doc.blocks[0].text == expected
    (change,) = [c for c in doc.changes if c.block == 0]
    assert change.reason == mojibake.LOST_END_CHAR


@pytest.mark.parametrize(
    "lines",
    [
        # a question word in the sentence, also in a line before it or in a heading
        (_SPLIT_LINE, "大家想一想,我们靠什么赢得群众的信任?"),
        (_SPLIT_LINE, "我们为什么要把这件事", "放在第一位?"),
        (_SPLIT_LINE, "第一个问题:怎样理解新发展阶段?"),
        # no damage elsewhere: a question without a question word is the author's
        ("这一年来的成绩,就是我们交出的答卷?",),
    ],
)
def test_a_line_end_question_mark_stays(lines: tuple[str, ...]) -> None:
    doc = repair_mojibake(doc_of(*lines), Options())
    assert doc.blocks[-1].text == lines[-1]
    assert all(c.block == 0 for c in doc.changes)


def test_a_short_run_read_at_a_line_end_competes_with_a_lost_mark() -> None:
    # 谐? read as a run (和市场) takes the '?' for damage: 和谐。 is offered too,
    # with the same byte evidence (a second byte alone before the line break)
    text = "医院的服务更加规范,医患关系更加和谐?"
    repairer = mojibake._Repairer(text, scorer(), True)
    found = {f.after: f for _, f in mojibake._proposals(repairer, mojibake._suspects(text, None))}
    mark = found["。"]
    assert (mark.start, mark.end, mark.reason) == (18, 19, mojibake.LOST_STOP)
    assert mark.evidence > 0 and any(f.end - f.start == 2 for f in found.values())
    # a question is no damage: nothing reads its '?'
    asked = "医患关系是不是更加和谐?"
    proposals = mojibake._proposals(
        mojibake._Repairer(asked, scorer(), True), mojibake._suspects(asked, None)
    )
    assert all(f.after != "。" for _, f in proposals)


_FULL_STOPS = (
    "各单位要切实提高政治站位，把安全生产工作摆在更加突出的位置。",
    "要层层压实责任，建立健全隐患排查治理的长效工作机制。",
    "要加强值班值守，严格执行领导带班和二十四小时值班制度。",
)


def test_a_character_lost_at_a_line_end_is_read_as_the_document_ends_its_lines() -> None:
    # 。 lost whole (??) at the end: its long lines all end in a mark, so a
    # hanzi there (效能的) is less likely than the word model alone finds it
    line = "要推动有关部门的数据互通共用,切实提高工作效能??"
    doc = repair_mojibake(doc_of(*_FULL_STOPS, line), Options())
    assert doc.blocks[-1].text == "要推动有关部门的数据互通共用,切实提高工作效能。"
    # alone, the line says nothing of how its document ends lines: kept for review
    (field,) = repair_mojibake(doc_of(line), Options()).blocks[0].fields()
    assert field.kind == "review"


def test_placeholders_beside_a_review_mark_still_become_fields() -> None:
    doc = repair_mojibake(doc_of("数据丢失锟斤拷锟斤拷，地区生产总值增长*%。"), Options())
    doc = make_fields(doc, Options())
    kinds = [f.kind for f in doc.blocks[0].fields()]
    assert kinds == ["review", "percent"]
    (change,) = [c for c in doc.changes if c.stage == "fields"]
    assert doc.blocks[0].text[change.offset : change.offset + 1] == "*"


@pytest.mark.parametrize("case", load_cases("cleanup"))
def test_cleanup(case: dict[str, Any]) -> None:
    before = doc_of(*case["lines"])
    doc = clean_up(before, Options())
    assert [b.text for b in doc.blocks] == case["expected"]
    if "title" in case:
        assert doc.meta.title == case["title"]
    assert len(doc.meta.warnings) == case.get("warnings", 0)
    if case["lines"] == case["expected"]:
        assert doc is before, "clean text must pass through unchanged"


@pytest.mark.parametrize("case", load_cases("unwrap"))
def test_unwrap(case: dict[str, Any]) -> None:
    before = doc_of(*case["lines"])
    doc = unwrap(before, Options())
    assert [b.text for b in doc.blocks] == case["expected"]
    if case["lines"] == case["expected"]:
        assert doc is before, "clean text must pass through unchanged"


@pytest.mark.parametrize("case", load_cases("spaces"))
def test_spaces(case: dict[str, Any]) -> None:
    """Stray spaces go in the cleanup; alignment gaps become U+3000 in the punctuation stage."""
    text = apply_edits(case["input"], find_stray_space_edits(case["input"]))
    assert apply_edits(text, find_ideographic_space_edits(text)) == case["expected"]


def test_a_line_break_inside_a_damaged_span_is_joined_and_repaired() -> None:
    doc = repair_mojibake(doc_of("扎實推進“六穩”“六?!钡戎", "攸c工作,力促一季度"), Options())
    assert [b.text for b in doc.blocks] == ["扎實推進“六穩”“六保”等重點工作,力促一季度"]
    assert doc.changes[0].reason == "joined a line broken inside a damaged span"


def test_a_character_lost_at_the_start_of_a_wrapped_line_is_repaired_across_the_break() -> None:
    """Alone, ``??感`` could be any of many characters; after 幸 it is 福."""
    lines = ("不断增强人民群众的获得感、幸", "??感、安全感,推动共同富裕取得更为明显的实质性进展。")
    doc = repair_mojibake(doc_of(*lines), Options())
    assert [b.text for b in doc.blocks] == [
        "不断增强人民群众的获得感、幸福感、安全感,推动共同富裕取得更为明显的实质性进展。"
    ]


def test_a_line_that_starts_with_a_lost_character_it_tells_alone_is_not_joined() -> None:
    """A title and the salutation after it stay two lines: 同志们 needs no title."""
    lines = (
        "在青山市劳动模范和先进工作者表彰大会上的讲话",
        "??志们:",
        "爲便於社會各界準確理解",
        "??策內容。",
    )
    doc = repair_mojibake(doc_of(*lines), Options())
    assert [b.text for b in doc.blocks] == [lines[0], "同志们:", lines[2], "政策內容。"]


def test_a_question_on_the_line_before_does_not_make_a_lost_character_a_question_mark() -> None:
    """The previous line's question ends with its mark: 哪些 asks nothing of the next line."""
    lines = ("四、企業可以享受哪些支持?", "對新認定的省級數字??車間")
    doc = repair_mojibake(doc_of(*lines), Options())
    assert doc.blocks[0].text == "四、企業可以享受哪些支持?"
    assert [f.kind for f in doc.blocks[1].fields()] == ["review"]


def test_a_run_unsure_at_one_end_is_applied_between_its_ends() -> None:
    """The bytes between a shifted run's ends are all there: only the guessed end is kept."""
    source = "但也有部分同志的发言停留在?柑寤帷⒔哺惺艿牟忝?,对问题的剖析不够深入。"
    doc = repair_mojibake(doc_of(source), Options())
    block = doc.blocks[0]
    (field,) = block.fields()
    assert field.kind == "review" and field.raw == "?"
    # the likeliest readings, the right one (谈) among them
    assert field.label.startswith("待核对：?（疑为「") and "「谈」" in field.label, field.label
    assert block.text == "但也有部分同志的发言停留在?体会、讲感受的层面,对问题的剖析不够深入。"
    (change,) = doc.changes
    assert (change.before, change.after) == ("?柑寤帷⒔哺惺艿牟忝?", "?体会、讲感受的层面")
    assert change.confidence < 0.6 and "kept for review" in change.reason
    assert account(source, doc), account(source, doc).describe()
    (warning,) = doc.meta.warnings  # the run's report says the document needs checking
    assert warning.startswith("1 damaged spot kept for review")


def test_a_question_word_on_the_line_before_makes_the_mark_a_question(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A hard wrap may put the question word on the line before the ``?``."""
    from pipeline.stages import mojibake

    monkeypatch.setattr(mojibake, "SINGLE_LOST_MARGIN", -100.0)  # any '?' may be a lost hanzi
    line = "確定的目標任務變成美好現實?關鍵在於落實。"
    assert repair_mojibake(doc_of("任務艱鉅。", line), Options()).changes
    assert repair_mojibake(doc_of("任務艱鉅。如何把大會", line), Options()).changes == ()


def test_a_character_lost_at_a_line_end_is_not_left_as_question_marks() -> None:
    doc = repair_mojibake(
        doc_of("完成十二个村的道路硬化和污水管??", "改造。沿溪而建的风光带"), Options()
    )
    (change,) = doc.changes
    assert change.before == "??" and change.offset == len("完成十二个村的道路硬化和污水管")


def test_lines_ending_a_sentence_are_not_joined() -> None:
    doc = repair_mojibake(doc_of("这是为什么?", "我不知道。"), Options())
    assert doc.changes == ()


def test_the_document_vouches_for_pairs_it_uses_elsewhere() -> None:
    from pipeline.langmodel import InDocument, hanzi_pairs, scorer

    document = hanzi_pairs("青山区青山区青山区")
    here = InDocument(scorer(), document, hanzi_pairs("青山区"))
    alone = InDocument(scorer(), hanzi_pairs("青山区"), hanzi_pairs("青山区"))
    assert here.logprob("青山区") > alone.logprob("青山区") == scorer().logprob("青山区")


def test_a_wrapped_line_holding_a_field_is_joined_and_keeps_the_field() -> None:
    """A span kept for review (or a placeholder) no longer stops the line's paragraph."""
    review = Field(id="r1", kind="review", label="待核对：??", raw="??")
    wrapped = [
        Block(
            kind=BlockKind.PARAGRAPH,
            inlines=(Text("劳动创造价值"), review, Text("奋斗成就梦想。各级各部门要在全")),
        ),
        Block.of_text("社会营造劳动光荣、创造伟大的浓厚氛围，引导青"),
        Block.of_text("年一代树立正确的劳动观念，弘扬劳模精神和工"),
        Block.of_text("匠精神。"),
    ]
    doc = unwrap(Document(meta=Meta(source="case.txt"), blocks=tuple(wrapped)), Options())
    (block,) = doc.blocks
    assert block.inlines[1] == review
    assert block.text == (
        "劳动创造价值??奋斗成就梦想。各级各部门要在全社会营造劳动光荣、创造伟大的浓厚氛围，"
        "引导青年一代树立正确的劳动观念，弘扬劳模精神和工匠精神。"
    )
    assert [c.reason for c in doc.changes].count("joined a hard-wrapped line to its paragraph") == 3
