"""TrueType faces for reportlab that map the font file and subset it without copying it.

reportlab reads a whole font file into memory (a CJK face is 10 to 15 MB)
and, for every 256-character subset a PDF embeds, copies the whole ``glyf``
table out of it before it picks the few hundred glyphs it needs.  A handout
embeds four or five subsets, so that is more copying than everything else a
PDF costs.  :class:`MappedFace` keeps reportlab's parsing, metrics and PDF
objects, and changes only where the bytes come from and how a subset is cut:

* the file is memory-mapped: pages are read when a glyph on them is used, and
  they are shared by every worker process that maps the same file;
* :meth:`MappedFace.makeSubset` slices just the chosen glyphs (and the
  components of composite glyphs) out of the mapping, and reuses the tables
  every subset copies unchanged;
* the tables reportlab parses out of the file (character map, widths, glyph
  offsets: 0.05 to 0.1 s a face) are kept in the user's cache folder
  (:mod:`..diskcache`) and read back in a few milliseconds by later runs;
* a subset's font program is deflated glyph by glyph, each glyph's segment
  kept for the next document (:func:`_deflate_around`), at level 1: glyph
  outlines hardly compress, so more effort buys a few per cent;
* a document's characters in one face make one composite font with two-byte
  codes (:mod:`.cidfont`), not reportlab's 256-character subsets, so a line
  of text never switches between subsets and a face embeds one program.
"""

from __future__ import annotations

import hashlib
import itertools
import mmap
import os
import struct
import zlib
from functools import cached_property
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.lib.rl_accel import calcChecksum
from reportlab.pdfbase.pdfdoc import PDFError
from reportlab.pdfbase.ttfonts import (
    TTEncoding,
    TTFNameBytes,
    TTFont,
    TTFontFace,
)

from .. import diskcache
from .cidfont import add_font_objects

# zlib level for embedded font programs: 1 takes about 0.6 ms for a subset
# where the default (6) takes 1.5 ms, for a stream about 5 % larger (before
# the glyph segments were cached, which makes most of it free).
FONT_COMPRESSION = 1

# Composite glyph flags (OpenType 'glyf' table).
_ARG_WORDS = 0x0001
_SCALE = 0x0008
_MORE = 0x0020
_XY_SCALE = 0x0040
_TWO_BY_TWO = 0x0080
_UNCHANGED = ("name", "OS/2", "cvt ", "fpgm", "prep")
_MAX_GLYPHS = 20_000  # outlines kept per face (a few MB)
_MAX_CODES = 32_000  # characters of one face in one document (a format 6 cmap's limit)


class _Program(bytes):
    """A font program, with its Flate-compressed form made while it was put together."""

    deflated: bytes

    def __new__(cls, raw: bytes, deflated: bytes) -> _Program:
        self = super().__new__(cls, raw)
        self.deflated = deflated
        return self


class Flate:
    """A Flate stream filter at ``level`` that takes a :class:`_Program` as compressed."""

    pdfname = "FlateDecode"

    def __init__(self, level: int) -> None:
        self.level = level

    def encode(self, data: bytes | str) -> bytes:
        if isinstance(data, _Program):
            return data.deflated
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return zlib.compress(raw, self.level)

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


_FONT_FLATE = Flate(FONT_COMPRESSION)
_CMAP_FLATE = Flate(1)  # ToUnicode maps: hex text, which level 1 packs nearly as well

# Each glyph's outline deflated on its own (a raw deflate segment ending on a
# byte boundary), kept per process: a document's glyphs are mostly glyphs the
# documents before it used, and segments can be joined into one stream.
_SEGMENTS: dict[bytes, bytes] = {}
_MAX_SEGMENTS = 30_000  # about 10 MB of outlines; then the cache starts over
_ZLIB_HEADER = bytes((0x78, 0x01))  # deflate, 32 KB window, fastest


def _segment(data: bytes, final: bool = False) -> bytes:
    packer = zlib.compressobj(FONT_COMPRESSION, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)


def _deflate_around(raw: bytes, start: int, glyphs: list[bytes]) -> bytes:
    """The zlib stream of ``raw``, a font file whose glyph table, at ``start``, is ``glyphs``.

    The parts before and after the glyph table are compressed afresh; each
    glyph's segment comes from :data:`_SEGMENTS`.  Compressing glyphs apart
    costs about a fifth in size (outlines hardly compress anyway) and saves
    nearly all of the time once the common characters have been seen.
    """
    if len(_SEGMENTS) > _MAX_SEGMENTS:
        _SEGMENTS.clear()
    segments = list(map(_SEGMENTS.get, glyphs))
    if None in segments:
        for k, glyph in enumerate(glyphs):
            if segments[k] is None:
                segments[k] = _SEGMENTS[glyph] = _segment(glyph)
    end = start + sum(map(len, glyphs))
    return b"".join(
        [
            _ZLIB_HEADER,
            _segment(raw[:start]),
            *segments,  # type: ignore[list-item]
            _segment(raw[end:], final=True),
            zlib.adler32(raw).to_bytes(4, "big"),
        ]
    )


def _components(glyph: bytes) -> list[tuple[int, int]]:
    """``(offset of the glyph index, glyph index)`` of each component of a composite glyph."""
    found = []
    pos = 10  # numberOfContours and the bounding box
    flags = _MORE
    while flags & _MORE:
        flags, index = struct.unpack_from(">HH", glyph, pos)
        found.append((pos + 2, index))
        pos += 4 + (4 if flags & _ARG_WORDS else 2)
        if flags & _SCALE:
            pos += 2
        elif flags & _XY_SCALE:
            pos += 4
        elif flags & _TWO_BY_TWO:
            pos += 8
    return found


class MappedFace(TTFontFace):  # type: ignore[misc]
    """A :class:`TTFontFace` over a memory-mapped file, with a subsetter that copies little."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            stat = os.fstat(handle.fileno())
        # named by the font's path, then by what its tables depend on: a newer
        # build of the same file (a reinstall) replaces the older one
        place = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:8]
        where = diskcache.cache_dir() / f"font-{place}-{_fingerprint(path, stat)}.marshal"
        parsed = diskcache.load(where)
        if isinstance(parsed, dict) and _thaw(parsed, self.__dict__):
            self._ttf_data = data
            return
        self._ttf_data = data
        self.filename = str(path)
        super().__init__(str(path))
        self.__dict__.pop("glyphToChar", None)  # a parsing leftover reportlab never reads again
        diskcache.store(where, _freeze(self.__dict__), supersedes=f"font-{place}-*.marshal")

    def _glyph(self, index: int) -> tuple[bytes, list[tuple[int, int]] | None]:
        """Glyph ``index``'s outline padded to 4 bytes, and its components if composite.

        Kept per face: the glyphs of common characters recur in every document.
        """
        known = self._glyphs.get(index)
        if known is None:
            start = self._glyf_start + self.glyphPos[index]
            data: bytes = self._ttf_data[start : self._glyf_start + self.glyphPos[index + 1]]
            parts = None
            if len(data) > 10 and struct.unpack_from(">h", data)[0] < 0:
                parts = _components(data)
            pad = -len(data) % 4
            known = (data + bytes(pad) if pad else data, parts)
            if len(self._glyphs) < _MAX_GLYPHS:
                self._glyphs[index] = known
        return known

    @cached_property
    def _glyphs(self) -> dict[int, tuple[bytes, list[tuple[int, int]] | None]]:
        return {}

    @cached_property
    def _glyf_start(self) -> int:
        return int(self.get_table_pos("glyf")[0])

    @cached_property
    def _unchanged_tables(self) -> dict[str, bytes]:
        """Tables every subset carries as they are, and the post table every subset shares."""
        tables = {tag: bytes(self.get_table(tag)) for tag in _UNCHANGED if tag in self.table}
        # post format 3: the header without glyph names
        tables["post"] = b"\x00\x03\x00\x00" + bytes(self.get_table("post")[4:16]) + bytes(16)
        return tables

    def makeSubset(self, subset: list[int]) -> bytes:
        """A TrueType font with the glyphs of ``subset``, character ``subset[i]`` at code ``i``.

        (reportlab's subsetter's interface: each glyph once, the codes mapped
        to them by the font's ``cmap``.)
        """
        char_to_glyph = self.charToGlyph
        order = [0]  # new glyph index -> old; glyph 0 (.notdef) stays first
        new = {0: 0}
        codes = []
        for char in subset:
            old = char_to_glyph.get(char, 0)
            if old not in new:
                new[old] = len(order)
                order.append(old)
            codes.append(new[old])
        return self._cut(order, new, codes)

    def makeCIDSubset(self, points: list[int]) -> bytes:
        """A TrueType font whose glyph ``n`` draws character ``points[n]`` (``points[0]``: none).

        The program of a :mod:`.cidfont` font, whose codes are glyph indices.
        """
        char_to_glyph = self.charToGlyph
        order = [0, *(char_to_glyph.get(point, 0) for point in points[1:])]
        new = {old: index for index, old in reversed(list(enumerate(order)))}
        return self._cut(order, new, list(range(len(order))))

    def _cut(self, order: list[int], new: dict[int, int], codes: list[int]) -> bytes:
        """The font of glyphs ``order`` (old indices; ``new``: old -> new), codes ``codes``.

        The components of composite glyphs are added after them.  (A few
        hundred glyphs a subset: each step runs over them in C where it can.)
        """
        known = self._glyphs
        entries = [known.get(g) or self._glyph(g) for g in order]
        glyphs = [data for data, _parts in entries]
        composites = [(k, parts) for k, (_data, parts) in enumerate(entries) if parts is not None]
        done = 0
        while done < len(composites):  # grows as components bring in components
            for _offset, index in composites[done][1]:
                if index not in new:
                    new[index] = len(order)
                    order.append(index)
                    data, parts = self._glyph(index)
                    glyphs.append(data)
                    if parts is not None:
                        composites.append((len(order) - 1, parts))
            done += 1
        for k, parts in composites:
            patched = bytearray(glyphs[k])
            for offset, index in parts:
                struct.pack_into(">H", patched, offset, new[index])
            glyphs[k] = bytes(patched)
        return self._assemble(order, codes, glyphs)

    @cached_property
    def _metrics(self) -> dict[int, bytes]:
        """Glyph index -> its ``hmtx`` entry (advance, left side bearing), packed."""
        return {}

    def _assemble(self, order: list[int], codes: list[int], glyphs: list[bytes]) -> bytes:
        count = len(order)
        tables = dict(self._unchanged_tables)
        metrics = self._metrics
        for old in set(order).difference(metrics):
            advance, bearing = self.hmetrics[old]
            metrics[old] = struct.pack(">HH", int(advance) & 0xFFFF, int(bearing) & 0xFFFF)
        tables["hmtx"] = b"".join(map(metrics.__getitem__, order))
        tables["hhea"] = _with_ushort(self.get_table("hhea"), 34, count)
        tables["maxp"] = _with_ushort(self.get_table("maxp"), 4, count)
        # cmap format 6 in the Macintosh (1, 0) encoding: code i -> codes[i], as reportlab's
        cmap = [0, 1, 1, 0, 0, 12, 6, 10 + 2 * len(codes), 0, 0, len(codes), *codes]
        tables["cmap"] = struct.pack(f">{len(cmap)}H", *cmap)
        offsets = list(itertools.accumulate(map(len, glyphs), initial=0))  # each padded to 4
        if offsets[-1] >> 1 > 0xFFFF:
            long_offsets = 1
            tables["loca"] = struct.pack(f">{len(offsets)}L", *offsets)
        else:
            long_offsets = 0
            tables["loca"] = struct.pack(f">{len(offsets)}H", *[o >> 1 for o in offsets])
        head = _with_ushort(self.get_table("head"), 50, long_offsets)
        tables["head"] = head[:8] + bytes(4) + head[12:]  # checkSumAdjustment: set by _sfnt
        tables["glyf"] = b"".join(glyphs)
        raw, start = _sfnt(tables)
        return _Program(raw, _deflate_around(raw, start, glyphs))


def _sfnt(tables: dict[str, bytes]) -> tuple[bytes, int]:
    """The font file of ``tables`` and where its ``glyf`` table starts.

    As reportlab's ``TTFontMaker`` writes it (tables in tag order, each
    padded to 4 bytes, the ``head`` table's checksum adjustment set), with
    the file's checksum summed from the tables' instead of read again.
    """
    tags = sorted(tables)
    count = len(tags)
    selector = count.bit_length() - 1
    search = 16 << selector
    directory = [struct.pack(">lHHHH", 0x00010000, count, search, selector, count * 16 - search)]
    body: list[bytes] = []
    starts: dict[str, int] = {}
    offset = 12 + 16 * count
    total = 0
    for tag in tags:
        data = tables[tag]
        checksum = calcChecksum(data)
        total += checksum
        directory.append(tag.encode("latin-1") + struct.pack(">LLL", checksum, offset, len(data)))
        starts[tag] = len(body)
        body.append(data)
        pad = -len(data) % 4
        if pad:
            body.append(bytes(pad))
        offset += len(data) + pad
    directory_bytes = b"".join(directory)
    total += calcChecksum(directory_bytes)
    head = body[starts["head"]]
    adjustment = (0xB1B0AFBA - total) & 0xFFFFFFFF
    body[starts["head"]] = head[:8] + struct.pack(">L", adjustment) + head[12:]
    glyf = starts["glyf"]
    start = len(directory_bytes) + sum(map(len, body[:glyf]))
    return b"".join([directory_bytes, *body]), start


_FORMAT = 1  # of the cached tables


def _fingerprint(path: Path, stat: os.stat_result) -> str:
    """What the parsed tables depend on: the file, its size and time, reportlab's version."""
    from reportlab import Version

    key = f"{_FORMAT}|{Version}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _freeze(state: dict[str, Any]) -> dict[str, Any]:
    """A face's attributes as plain data for :mod:`marshal` (names are a bytes subclass)."""
    plain = {
        k: v
        for k, v in state.items()
        if k not in ("_ttf_data", "_pdfScale") and not isinstance(v, bytes)
    }
    names = {
        k: (bytes(v), isinstance(v, TTFNameBytes)) for k, v in state.items() if isinstance(v, bytes)
    }
    return {"attributes": plain, "names": names}


def _thaw(frozen: dict[str, Any], state: dict[str, Any]) -> bool:
    """Put what :func:`_freeze` made back into ``state``; ``False`` if it is not that."""
    attributes, names = frozen.get("attributes"), frozen.get("names")
    if not isinstance(attributes, dict) or not isinstance(names, dict):
        return False
    if "charToGlyph" not in attributes or "glyphPos" not in attributes:
        return False
    state.update(attributes)
    state["_pdfScale"] = _scale(1000 / attributes.get("unitsPerEm", 1000))
    for key, (raw, named) in names.items():
        state[key] = TTFNameBytes(raw) if named else raw
    return True


def _scale(factor: float) -> Any:
    """Font units to PDF glyph space (thousandths of an em), as reportlab's parser makes it."""
    return lambda x: x * factor


def _with_ushort(table: bytes, offset: int, value: int) -> bytes:
    return bytes(table[:offset]) + struct.pack(">H", value) + bytes(table[offset + 2 :])


class MappedTTFont(TTFont):  # type: ignore[misc]
    """A reportlab :class:`TTFont` whose face is a :class:`MappedFace`, embedded by :mod:`.cidfont`.

    ``TTFont.__init__`` would parse the file into a face of its own first, so
    this sets the same attributes itself (a test compares them with
    reportlab's, in case a new reportlab adds one).
    """

    def __init__(self, name: str, path: Path) -> None:
        self.fontName = name
        self.face = MappedFace(path)
        self.encoding = TTEncoding()
        self.state: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()
        self._asciiReadable = False  # (read by reportlab's subsets only, which this replaces)
        self.shapable = False  # Chinese needs no shaping (and the face drops its glyph names)

    def splitString(self, text: str | bytes, doc: Any, encoding: str = "utf-8") -> Any:
        """``text`` in this font's two-byte codes in ``doc``, as one "subset" (reportlab's API)."""
        if isinstance(text, bytes):
            text = text.decode(encoding)
        codes = self.codes(text, doc)
        return [(0, struct.pack(f">{len(codes)}H", *codes))] if codes else []

    def codes(self, text: str, doc: Any) -> list[int]:
        """The code of each character of ``text`` in ``doc``: the next free one at first use.

        A character the font lacks is code 0 (the font's .notdef glyph); a
        no-break space is drawn as a space, as reportlab draws it.
        """
        state = self._state(doc)
        assigned = state.assignments
        have = self.face.charToGlyph
        out = []
        for ch in text:
            point = 32 if ch == "\xa0" else ord(ch)
            code = assigned.get(point)
            if code is None:
                if point not in have:
                    code = 0
                else:
                    if state.frozen or state.nextCode > _MAX_CODES:
                        raise PDFError(f"font {self.fontName}: cannot add U+{point:04X}")
                    code = assigned[point] = state.nextCode
                    state.nextCode += 1
                    state.subsets[0].append(point)
            out.append(code)
        return out

    def getSubsetInternalName(self, subset: int, doc: Any) -> str:
        """The font's resource name in ``doc`` (``subset`` is always 0)."""
        self._state(doc)
        return str(super().getSubsetInternalName(subset, doc))

    def _state(self, doc: Any) -> Any:
        """The font's codes in ``doc``: reportlab's per-document state, used for one "subset"."""
        state = self.state.get(doc)
        if state is None:
            state = self.state[doc] = TTFont.State(False, self)
            state.assignments = {}  # character -> code
            state.subsets = [[0]]  # code -> character; code 0 draws the .notdef glyph
            state.nextCode = 1
        return state

    def addObjects(self, doc: Any) -> None:
        """The :mod:`.cidfont` objects of the characters drawn in ``doc``."""
        state = self.state.get(doc)
        if state is None:
            return
        state.frozen = 1
        points = state.subsets[0]
        name = self.getSubsetInternalName(0, doc)[1:]
        program = self.face.makeCIDSubset(points)
        add_font_objects(doc, self.face, name, points, program, _FONT_FLATE, _CMAP_FLATE)
        del self.state[doc]
