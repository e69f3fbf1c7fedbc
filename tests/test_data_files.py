"""The data files derived from other projects' data are what those projects give now."""

from __future__ import annotations

from pipeline.stages.convert import converter
from pipeline.stages.mojibake import _s2t_sources


def _decodable(leads: range, trails: range, codec: str) -> list[str]:
    """The characters ``codec`` reads from the pairs of those bytes."""
    found = []
    for lead in leads:
        for trail in trails:
            try:
                found.append(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return found


def _shifted_hanzi() -> tuple[list[str], list[str]]:
    """The hanzi of GB2312, and GBK's characters whose second byte is ASCII:
    what a shifted pair can read as."""
    gb2312 = _decodable(range(0xB0, 0xF8), range(0xA1, 0xFF), "gb2312")
    return gb2312, _decodable(range(0x81, 0xFF), range(0x40, 0x7F), "gbk")


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
