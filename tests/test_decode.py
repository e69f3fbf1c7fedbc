"""The text reader: encodings found, text intact, non-text refused with a reason."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import DATA, load_cases

from pipeline.errors import InputError
from pipeline.readers.text import chinese_score, decode, read_text


@pytest.mark.parametrize("case", load_cases("decode"))
def test_decodes(case: dict[str, Any]) -> None:
    data = case["text"].encode(case["encoding"])
    decoded = decode(data)
    assert decoded.text.lstrip("\ufeff") == case["text"]
    assert decoded.encoding == case["expected"]
    assert 0 < decoded.confidence <= 1


@pytest.mark.parametrize("case", load_cases("bad_inputs"))
def test_refuses_non_text(case: dict[str, Any]) -> None:
    with pytest.raises(InputError, match=re.escape(case["message"])):
        read_text((DATA / "bad" / case["file"]).read_bytes(), case["file"])


def test_bom_and_line_ends_are_logged() -> None:
    doc = read_text("\ufeff第一行\r\n第二行\r\n".encode("utf-8"), "a.txt")
    assert [b.text for b in doc.blocks] == ["第一行", "第二行"]
    reasons = [c.reason for c in doc.changes]
    assert "removed the byte-order mark" in reasons
    assert any(c.reason.startswith("normalised line ends") and c.count == 2 for c in doc.changes)
    assert doc.meta.encoding == "utf-8"


def test_chinese_score_prefers_the_right_decoding() -> None:
    text = "劳模精神、工匠精神充分彰显了社会主义核心价值观的深刻内涵"
    wrong = text.encode("utf-8").decode("gb18030", errors="replace")
    assert chinese_score(text) > 0.9 > chinese_score(wrong)
