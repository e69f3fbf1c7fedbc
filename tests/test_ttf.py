"""The memory-mapped TrueType face cuts the same glyphs as reportlab's own subsetter."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont as FontToolsFont
from reportlab.pdfbase.ttfonts import TTFont

from pipeline.writers.ttf import MappedTTFont

FONTS = Path(__file__).resolve().parent.parent / "fonts"
# CJK, Latin, digits, punctuation; LXGW WenKai draws ¨ ´ − ∕ as composite glyphs
TEXT = "同志们：全市“五一”劳动模范座谈会 GB/T 9704-2012，¨´−∕ 100%"


def _outlines(data: bytes, subset: list[int], first: int = 0) -> list[tuple[object, int]]:
    """Each code's glyph (coordinates, end points, flags of each component) and advance."""
    font = FontToolsFont(io.BytesIO(data))
    glyf, hmtx = font["glyf"], font["hmtx"]
    cmap = font["cmap"].getcmap(1, 0).cmap
    shapes = []
    for code in range(first, len(subset)):
        name = cmap[code]
        coords, ends, flags = glyf[name].getCoordinates(glyf)
        shapes.append(((list(coords), list(ends), list(flags)), hmtx[name][0]))
    return shapes


@pytest.mark.parametrize("name", ["NotoSerifSC-Regular.ttf", "LXGWWenKai-Regular.ttf"])
def test_subset_draws_what_reportlab_draws(name: str) -> None:
    path = FONTS / name
    subset = list(dict.fromkeys(ord(c) for c in TEXT))
    ours = MappedTTFont("ours", path).face.makeSubset(subset)
    theirs = TTFont("theirs", str(path)).face.makeSubset(subset)
    assert _outlines(ours, subset) == _outlines(theirs, subset)


@pytest.mark.parametrize("name", ["NotoSerifSC-Regular.ttf", "LXGWWenKai-Regular.ttf"])
def test_composite_font_program_draws_what_reportlab_draws(name: str) -> None:
    """Glyph n of the two-byte-code program is the glyph reportlab's subset has for code n-1."""
    path = FONTS / name
    subset = list(dict.fromkeys(ord(c) for c in TEXT))
    ours = MappedTTFont("ours", path).face.makeCIDSubset([0, *subset])
    theirs = TTFont("theirs", str(path)).face.makeSubset(subset)
    assert _outlines(ours, [0, *subset], first=1) == _outlines(theirs, subset)


def test_same_attributes_as_reportlab() -> None:
    path = FONTS / "NotoSansSC-Medium.ttf"
    ours, theirs = MappedTTFont("a", path), TTFont("a", str(path))
    assert set(vars(ours)) == set(vars(theirs))
    assert ours.stringWidth(TEXT, 16) == theirs.stringWidth(TEXT, 16)
    assert ours.face.charWidths == theirs.face.charWidths


def test_tables_read_back_from_the_cache_equal_a_fresh_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = FONTS / "NotoSansSC-Medium.ttf"
    fresh = MappedTTFont("a", path).face.__dict__
    assert len(list(tmp_path.glob("pipeline/font-*.marshal"))) == 1
    cached = MappedTTFont("a", path).face.__dict__
    skip = {"_ttf_data", "_pdfScale", "_pos"}
    assert {k: v for k, v in cached.items() if k not in skip} == {
        k: v for k, v in fresh.items() if k not in skip
    }
    assert type(cached["name"]) is type(fresh["name"])
    assert cached["_pdfScale"](500) == fresh["_pdfScale"](500)
    (broken,) = tmp_path.glob("pipeline/font-*.marshal")
    broken.write_bytes(b"not marshal")  # an unreadable cache is parsed anew
    assert MappedTTFont("a", path).face.charWidths == fresh["charWidths"]


def test_a_newer_build_of_a_font_replaces_its_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reinstalled font (same path, new time) leaves one cache file, not one per install."""
    import os
    import shutil

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "NotoSansSC-Medium.ttf"
    shutil.copy(FONTS / "NotoSansSC-Medium.ttf", path)
    other = tmp_path / "other.ttf"
    shutil.copy(path, other)
    MappedTTFont("a", path)
    MappedTTFont("b", other)
    os.utime(path, ns=(1, 1))
    widths = MappedTTFont("a", path).face.charWidths
    assert len(list(tmp_path.glob("cache/pipeline/font-*.marshal"))) == 2  # one a font
    assert MappedTTFont("a", path).face.charWidths == widths


def test_font_program_stream_inflates_to_the_program() -> None:
    """The font program's stream, joined from per-glyph segments, inflates to the font."""
    import zlib

    from pipeline.writers.ttf import _FONT_FLATE

    face = MappedTTFont("ours", FONTS / "NotoSerifSC-Regular.ttf").face
    for text in (TEXT, TEXT[::-1] + "会议纪要"):  # the second reuses cached segments
        program = face.makeSubset(list(dict.fromkeys(ord(c) for c in text)))
        assert zlib.decompress(_FONT_FLATE.encode(program)) == bytes(program)
