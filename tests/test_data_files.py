"""The data files derived from other projects' data are what those projects give now."""

from __future__ import annotations

from pipeline.stages.convert import converter
from pipeline.stages.mojibake import _s2t_sources


def _shifted_hanzi() -> tuple[list[str], list[str]]:
    """The hanzi of GB2312, and GBK's characters whose second byte is ASCII:
    what a shifted pair can read as."""
    gb2312, closed = [], []
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0x7F):
            try:
                closed.append(bytes((lead, trail)).decode("gbk"))
            except UnicodeDecodeError:
                continue
    return gb2312, closed


def test_s2t_sources_are_opencc_s2t_of_each_shifted_hanzi() -> None:
    gb2312, closed = _shifted_hanzi()
    assert len(gb2312) == 6763
    hanzi = gb2312 + closed
    converted = converter("s2t")("\n".join(hanzi)).split("\n")
    expected: dict[str, str] = {}
    for ch, out in zip(hanzi, converted, strict=True):
        if len(out) == 1 and out != ch:
            expected[out] = expected.get(out, "") + ch
    assert _s2t_sources() == expected
    assert _s2t_sources()["鉅"] == "钜" and _s2t_sources()["餘"] == "余馀"
    assert _s2t_sources()["縕"] == "緼"
