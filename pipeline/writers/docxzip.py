"""A handout's DOCX container, written from a template compiled once.

A handout's DOCX has about fifteen parts, and only two of them differ from
one handout to the next: the main document (its body) and the core
properties.  The styles, settings, theme, numbering, footers and font table
come from the writer's template unchanged, yet python-docx's ``save``
serialises and Flate-compresses every one of them again for each file.
:class:`PackageTemplate` holds every other part already compressed, the main
document's XML before and after its body, and the core properties with slots
for what a handout sets; :meth:`PackageTemplate.package` writes the ZIP
container itself (the format is small: ``APPNOTE.TXT``, local headers, a
central directory).  It holds only bytes and strings, so it is kept on disk
between runs and a warm process never loads python-docx or lxml.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..textutil import markup_escape

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01: builds are reproducible
_VERSION = 20  # ZIP 2.0: deflate


class Member(NamedTuple):
    """One deflated file of the archive."""

    name: bytes
    crc: int
    size: int
    data: bytes

    @classmethod
    def deflate(cls, name: str, raw: bytes) -> Member:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate, as ZIP stores it
        data = packer.compress(raw) + packer.flush()
        return cls(name.encode("utf-8"), zlib.crc32(raw), len(raw), data)


def zip_bytes(members: Iterable[Member]) -> bytes:
    """The ZIP archive of ``members`` (all deflated), in their order."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = count = 0
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
        count += 1
    directory = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, count, count, len(directory), offset, 0)
    return b"".join(out) + directory + end


@dataclass(frozen=True)
class PackageTemplate:
    """A styled, empty DOCX of one layout, ready to take a handout's body and properties.

    ``members`` lists the archive in order: a :class:`Member` for each part
    that never changes, and for the two that do, their member name
    (``document_name``, ``core_name``).  ``core`` is the core properties'
    XML as a :meth:`str.format` pattern with the fields ``title``,
    ``description`` and ``language``.
    """

    members: tuple[Member | str, ...]
    document_name: str
    document_head: bytes
    document_tail: bytes
    core_name: str
    core: str
    style_ids: dict[str, str]  # the layout's style key -> its Word style id

    def package(self, body: str, *, title: str, description: str, language: str) -> bytes:
        """The DOCX of a handout whose ``body`` is WordprocessingML paragraphs."""
        core = self.core.format(
            title=markup_escape(title),
            description=markup_escape(description),
            language=markup_escape(language),
        )
        fresh = {
            self.document_name: Member.deflate(
                self.document_name, self.document_head + body.encode("utf-8") + self.document_tail
            ),
            self.core_name: Member.deflate(self.core_name, core.encode("utf-8")),
        }
        return zip_bytes(fresh[m] if isinstance(m, str) else m for m in self.members)

    def to_data(self) -> tuple[Any, ...]:
        """Plain values (for :mod:`marshal`); :meth:`from_data` reads them back."""
        return (
            tuple(m if isinstance(m, str) else tuple(m) for m in self.members),
            self.document_name,
            self.document_head,
            self.document_tail,
            self.core_name,
            self.core,
            dict(self.style_ids),
        )

    @classmethod
    def from_data(cls, data: tuple[Any, ...]) -> PackageTemplate:
        members, document_name, head, tail, core_name, core, style_ids = data
        return cls(
            tuple(m if isinstance(m, str) else Member(*m) for m in members),
            document_name,
            head,
            tail,
            core_name,
            core,
            style_ids,
        )
