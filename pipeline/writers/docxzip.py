"""Saving a python-docx package with the template's parts compressed once, not per handout.

A handout's DOCX has about fifteen parts, and only two of them differ from
one handout to the next: the main document (the body) and the core
properties.  The styles, settings, theme, numbering, footers and font table
come from the writer's template unchanged, yet ``Document.save`` serialises
and Flate-compresses every one of them again for each file; that is most of
what writing a DOCX costs.  :class:`PackageSaver` writes the ZIP container
itself (the format is small: ``APPNOTE.TXT``, local headers, a central
directory) and keeps the compressed bytes of every part but the changing ones,
keyed by the part object; it is meant to live as long as the template whose
parts it caches.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Collection
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01: builds are reproducible
_VERSION = 20  # ZIP 2.0: deflate


class _Member:
    __slots__ = ("crc", "data", "name", "size")

    def __init__(self, name: str, raw: bytes) -> None:
        self.name = name.encode("utf-8")
        self.crc = zlib.crc32(raw)
        self.size = len(raw)
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate, as ZIP stores it
        self.data = packer.compress(raw) + packer.flush()


def zip_bytes(members: list[_Member]) -> bytes:
    """The ZIP archive of ``members`` (all deflated), in their order."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in members:
        header = _LOCAL.pack(
            0x04034B50, _VERSION, 0, 8, 0, _DOS_DATE, m.crc, len(m.data), m.size, len(m.name), 0
        )
        entry = _CENTRAL.pack(
            0x02014B50, _VERSION, _VERSION, 0, 8, 0, _DOS_DATE, m.crc, len(m.data),
            m.size, len(m.name), 0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central.append(entry + m.name)
        out += (header, m.name, m.data)
        offset += len(header) + len(m.name) + len(m.data)
    directory = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(out) + directory + end


class PackageSaver:
    """Writes a package, reusing the compressed parts that do not change between saves."""

    def __init__(self) -> None:
        self._kept: dict[tuple[int, bool], _Member] = {}

    def save(self, package: Any, changing: Collection[Any]) -> bytes:
        """``package`` as DOCX bytes; the parts in ``changing`` are serialised afresh."""
        parts = list(package.iter_parts())
        changing_ids = {id(part) for part in changing}
        members = [
            _Member(CONTENT_TYPES_URI.membername, _content_types(parts)),
            _Member(PACKAGE_URI.rels_uri.membername, package.rels.xml),
        ]
        for part in parts:
            fresh = id(part) in changing_ids
            members.append(self._member(part, False, fresh))
            if len(part.rels):
                members.append(self._member(part, True, fresh))
        return zip_bytes(members)

    def _member(self, part: Any, rels: bool, fresh: bool) -> _Member:
        """The part itself, or its relationships (``rels``), as a ZIP member."""
        key = (id(part), rels)
        member = None if fresh else self._kept.get(key)
        if member is None:
            if rels:
                member = _Member(part.partname.rels_uri.membername, part.rels.xml)
            else:
                member = _Member(part.partname.membername, part.blob)
            if not fresh:
                self._kept[key] = member
        return member


def _content_types(parts: list[Any]) -> bytes:
    blob: bytes = _ContentTypesItem.from_parts(parts).blob  # type: ignore[no-untyped-call]
    return blob


def core_properties_part(package: Any) -> Any:
    """The package's core properties part (python-docx makes one on first use)."""
    for rel in package.rels.values():
        if rel.reltype == RT.CORE_PROPERTIES:
            return rel.target_part
    return None
