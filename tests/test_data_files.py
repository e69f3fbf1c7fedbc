"""The data files derived from other projects' data are what those projects give now."""

from __future__ import annotations

from pipeline.stages.convert import converter
from pipeline.stages.mojibake import _s2t_sources


def _gb2312_hanzi() -> list[str]:
    found = []
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                found.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def test_s2t_sources_are_opencc_s2t_of_each_gb2312_hanzi() -> None:
    hanzi = _gb2312_hanzi()
    assert len(hanzi) == 6763
    converted = converter("s2t")("\n".join(hanzi)).split("\n")
    expected: dict[str, str] = {}
    for ch, out in zip(hanzi, converted, strict=True):
        if len(out) == 1 and out != ch:
            expected[out] = expected.get(out, "") + ch
    assert _s2t_sources() == expected
    assert _s2t_sources()["鉅"] == "钜" and _s2t_sources()["餘"] == "余馀"
