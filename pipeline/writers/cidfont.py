"""A TrueType subset embedded as one composite (Type 0) font with two-byte codes.

reportlab embeds a TrueType font as 256-character simple fonts; a Chinese
handout uses 600 to 1000 characters, so its body text came in three or four
subsets, a line switched between them (a ``Tf`` operator) every few
characters, and each subset cost its own font program, widths, descriptor and
``ToUnicode`` map.  Here each face a document uses becomes one ``Type0`` font
(``Identity-H`` encoding, ``CIDFontType2`` descendant): character identifier
*n* is glyph *n* of the embedded subset program (``CIDToGIDMap /Identity``),
given to characters in the order of first use.  Glyph outlines and widths are
the ones reportlab's subsets carried, so pages render the same; the
``ToUnicode`` map keeps text extraction and search working.
"""

from __future__ import annotations

import zlib
from array import array
from itertools import repeat
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC

_CMAP_HEAD = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
"""
_CMAP_TAIL = """endcmap
CMapName currentdict /CMap defineresource pop
end
end"""


def to_unicode_cmap(points: list[int]) -> str:
    """A ``ToUnicode`` CMap: two-byte code *n* -> character ``points[n]`` (code 0 left out).

    At most 100 mappings a section, as the PDF reference asks; characters
    beyond the BMP as UTF-16 surrogate pairs.

    >>> print(to_unicode_cmap([0, 0x4E00, 0x20000]).splitlines()[9:13])
    ['2 beginbfchar', '<0001> <4E00>', '<0002> <D840DC00>', 'endbfchar']
    """
    entries = [
        f"<{cid:04X}> <{point:04X}>"
        if point < 0x10000
        else f"<{cid:04X}> <{chr(point).encode('utf-16-be').hex().upper()}>"
        for cid, point in enumerate(points)
        if cid
    ]
    sections = [
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n"
        for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
    ]
    return _CMAP_HEAD + "".join(sections) + _CMAP_TAIL


class _Preformatted(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF object written as the bytes it was given (a long number array, say)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


def subset_tag(points: list[int]) -> bytes:
    """Six capital letters naming a subset by its characters (the ``ABCDEF+`` of its name).

    A meeting packet merges handouts, and so several subsets of one face:
    each must keep a name of its own, and the same subset the same name.

    >>> subset_tag([0x4E00, 0x4E8C]) == subset_tag([0x4E00, 0x4E8C]) != subset_tag([0x4E00])
    True
    """
    number = zlib.crc32(array("I", points).tobytes())
    letters = bytearray()
    for _ in range(6):
        number, letter = divmod(number, 26)
        letters.append(ord("A") + letter)
    return bytes(letters)


_SYSTEM_INFO = _Preformatted(b"<< /Ordering (Identity) /Registry (Adobe) /Supplement 0 >>")


def add_font_objects(
    doc: Any,
    face: Any,
    internal_name: str,
    points: list[int],
    program: bytes,
    program_filter: Any,
    cmap_filter: Any,
) -> None:
    """Put the ``Type0`` font ``internal_name`` for the characters ``points`` into ``doc``.

    ``points[n]`` is the character of code *n*; ``program`` is the subset
    font program whose glyph *n* draws it, compressed by ``program_filter``;
    ``cmap_filter`` compresses the ``ToUnicode`` map.
    """
    base_name = (subset_tag(points) + b"+" + face.name + face.subfontNameX).decode("pdfdoc")
    font_file = pdfdoc.PDFStream()
    font_file.content = program
    font_file.dictionary["Length1"] = len(program)
    if doc.compression:
        font_file.filters = [program_filter]
    descriptor = pdfdoc.PDFDictionary(
        {
            "Type": "/FontDescriptor",
            "Ascent": face.ascent,
            "CapHeight": face.capHeight,
            "Descent": face.descent,
            "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
            "FontBBox": pdfdoc.PDFArray(face.bbox),
            "FontName": pdfdoc.PDFName(base_name),
            "ItalicAngle": face.italicAngle,
            "StemV": face.stemV,
            "FontFile2": doc.Reference(font_file, f"fontFile:{face.filename}({base_name})"),
            "MissingWidth": face.defaultWidth,
        }
    )
    widths = list(map(face.charWidths.get, points, repeat(face.defaultWidth)))  # getCharWidth
    cid_font = pdfdoc.PDFDictionary(
        {
            "Type": "/Font",
            "Subtype": "/CIDFontType2",
            "BaseFont": pdfdoc.PDFName(base_name),
            "CIDSystemInfo": _SYSTEM_INFO,
            "FontDescriptor": doc.Reference(descriptor, f"fontDescriptor:{base_name}"),
            "DW": face.defaultWidth,
            "W": _Preformatted(f"[0 [{fp_str(*widths)}]]".encode("ascii")),
            "CIDToGIDMap": "/Identity",
        }
    )
    cmap = pdfdoc.PDFStream()
    cmap.content = to_unicode_cmap(points)
    if doc.compression:
        cmap.filters = [cmap_filter]
    font = pdfdoc.PDFDictionary(
        {
            "Type": "/Font",
            "Subtype": "/Type0",
            "BaseFont": pdfdoc.PDFName(base_name),
            "Encoding": "/Identity-H",
            "DescendantFonts": pdfdoc.PDFArray(
                [doc.Reference(cid_font, f"cidFont:{base_name}:{internal_name}")]
            ),
            "ToUnicode": doc.Reference(cmap, f"toUnicodeCMap:{base_name}:{internal_name}"),
        }
    )
    doc.idToObject["BasicFonts"].dict[internal_name] = doc.Reference(font, internal_name)
