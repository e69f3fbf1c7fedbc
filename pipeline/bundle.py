"""``pipeline bundle``: handout PDFs merged into one meeting packet.

The packet is a cover page (title, date, the list of documents), a table of
contents giving each document's first page, then the handouts, with one
bookmark per document (each handout's own heading bookmarks nested under it)
and page numbers running through the whole packet.

Page numbers: each handout carries its own ``— n —`` in the bottom margin.
Painting a white box over it would hide it on paper but leave the old number
in the text layer (search, copy, screen readers would read both), so the
bundle *removes* it: it follows each page's content stream, tracking the
transformation matrix, drops every text object whose baseline lies in the
bottom margin (the GB/T 9704 type area keeps that band for the page number
alone), and stamps the packet's number in the same place with the same font.
Nothing here depends on how the writer draws the number, only on the layout
profile's bottom margin, which the writer shares.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .errors import InputError, PipelineError
from .options import Options
from .textutil import markup_escape as escape

_log = logging.getLogger(__name__)

PACKET_MARK = "/PipelinePacket"  # in a packet's document information


@dataclass(frozen=True, slots=True)
class PacketDocument:
    """One handout in the packet: where it came from, its title, its first page (1-based)."""

    path: Path
    title: str
    first_page: int
    pages: int


@dataclass(frozen=True, slots=True)
class Packet:
    """The written packet: its pages in all, contents pages, and the documents in order."""

    path: Path
    pages: int
    toc_pages: int
    documents: tuple[PacketDocument, ...]


def list_handouts(
    folder: Path, order: Path | None = None, exclude: Path | None = None
) -> list[Path]:
    """The PDFs to bundle: those named in ``order`` (one a line), else all under ``folder`` by name.

    Lines of the order file may name a PDF or its input (``speech``,
    ``speech.txt``, ``a/speech.pdf``), relative to ``folder``; blank lines and
    lines starting with ``#`` are ignored.
    """
    if order is not None:
        try:
            lines = order.read_text("utf-8-sig").splitlines()
        except OSError as exc:
            raise InputError(f"{order}: cannot read the order file ({exc.strerror})") from exc
        paths = []
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            path = (folder / line).with_suffix(".pdf")
            if not path.is_file():
                raise InputError(f"{order}: {line!r} names no PDF in {folder} (looked for {path})")
            paths.append(path)
        return paths
    skip = exclude.resolve() if exclude else None
    return sorted(
        (
            p
            for p in folder.rglob("*.pdf")
            if not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts)
            and (skip is None or p.resolve() != skip)
        ),
        key=lambda p: p.relative_to(folder).as_posix(),
    )


def _multiply(m: Sequence[float], n: Sequence[float]) -> list[float]:
    """The PDF matrix product ``m × n`` (apply ``m``, then ``n``)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n  # the PDF reference's names
    return [
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    ]


def strip_bottom_margin_text(
    operations: list[tuple[Any, bytes]], band_top: float
) -> list[tuple[Any, bytes]]:
    """The content stream without the text objects whose first baseline is below ``band_top``.

    Follows ``q``/``Q``/``cm`` for the current transformation matrix and
    ``Tm``/``Td``/``TD`` for the text position, which is all reportlab uses.
    """
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    kept: list[tuple[Any, bytes]] = []
    group: list[tuple[Any, bytes]] | None = None
    baseline: float | None = None
    for operands, op in operations:
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q" and stack:
            ctm = stack.pop()
        elif op == b"cm":
            ctm = _multiply([float(v) for v in operands], ctm)
        if op == b"BT":
            group, baseline = [], None
        if group is None:
            kept.append((operands, op))
            continue
        group.append((operands, op))
        if baseline is None and op in (b"Tm", b"Td", b"TD"):
            values = [float(v) for v in operands]
            x, y = (values[4], values[5]) if op == b"Tm" else (values[0], values[1])
            baseline = _multiply([1, 0, 0, 1, x, y], ctm)[5]
        if op == b"ET":
            if baseline is None or baseline >= band_top:
                kept.extend(group)
            group = None
    if group:
        kept.extend(group)
    return kept


def _front_matter(title: str, day: str, entries: Sequence[tuple[str, int]], opts: Options) -> bytes:
    """Cover and table of contents, numbered from page 2 on."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    from .writers.fonts import register_pdf_font, resolve_fonts
    from .writers.layout import MM, get_profile, page_geometry

    profile = get_profile(opts.profile)
    faces = resolve_fonts(opts.fonts)
    title_font = register_pdf_font(faces["title"])
    body_font = register_pdf_font(faces["body"])
    heading_font = register_pdf_font(faces["heading1"])
    number_font = register_pdf_font(faces["latin"])
    size = profile.styles["paragraph"].size

    def style(name: str, font: str, points: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=points, leading=points * 1.6, wordWrap="CJK", **kw
        )

    cover_title = style("cover", title_font, 26, alignment=TA_CENTER, spaceAfter=18)
    cover_line = style("line", body_font, size, alignment=TA_CENTER)
    heading = style("toc", heading_font, size + 4, alignment=TA_CENTER, spaceAfter=size)
    entry = style("entry", body_font, size)
    number = style("number", number_font, size, alignment=2)

    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        **page_geometry(profile),
        title=title,
        creator="pipeline",
        initialFontName=body_font,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")

    def numbered(canvas: Any, _doc: Any) -> None:
        stamp_number(canvas, canvas.getPageNumber(), number_font, profile)

    doc.addPageTemplates(
        [
            PageTemplate(id="cover", frames=[frame]),
            PageTemplate(id="toc", frames=[frame], onPageEnd=numbered),
        ]
    )
    rows = [
        [Paragraph(escape(name), entry), Paragraph(str(page), number)] for name, page in entries
    ]
    table = Table(rows, colWidths=[doc.width - 3 * size, 3 * size], repeatRows=0)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                # reportlab sets each cell's font (Helvetica unless told), used or not:
                # a font named in the packet must be one it embeds
                ("FONTNAME", (0, 0), (-1, -1), body_font),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, (0.6, 0.6, 0.6)),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story = [
        Spacer(1, 40 * MM),
        Paragraph(escape(title), cover_title),
        Paragraph(escape(day), cover_line),
        Spacer(1, 20 * MM),
        *(Paragraph(escape(f"{i}. {name}"), cover_line) for i, (name, _) in enumerate(entries, 1)),
        NextPageTemplate("toc"),
        PageBreak(),
        Paragraph("目　录", heading),
        table,
    ]
    doc.build(story)
    return buf.getvalue()


def stamp_number(canvas: Any, number: int, font: str, profile: Any) -> None:
    """``— n —`` where the writer puts it: outer side, 7 mm below the type area."""
    from .writers.layout import MM

    size = profile.page_number_size
    y = profile.margin_bottom_mm * MM - 7 * MM - size * 0.8
    label = f"— {number} —"
    canvas.saveState()
    canvas.setFont(font, size)
    if number % 2:
        canvas.drawRightString(
            (profile.page_width_mm - profile.margin_right_mm) * MM - size, y, label
        )
    else:
        canvas.drawString(profile.margin_left_mm * MM + size, y, label)
    canvas.restoreState()


def _number_overlay(first: int, count: int, width: float, height: float, opts: Options) -> Any:
    """A PDF of ``count`` empty pages carrying the numbers ``first`` … ``first + count - 1``."""
    from pypdf import PdfReader
    from reportlab.pdfgen.canvas import Canvas

    from .writers.fonts import register_pdf_font, resolve_fonts
    from .writers.layout import get_profile

    profile = get_profile(opts.profile)
    font = register_pdf_font(resolve_fonts(opts.fonts)["latin"])
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(width, height), initialFontName=font)
    for number in range(first, first + count):
        stamp_number(canvas, number, font, profile)
        canvas.showPage()
    canvas.save()
    return PdfReader(buf)


def _is_packet(reader: Any) -> bool:
    return bool(reader.metadata) and PACKET_MARK in reader.metadata


def _title_of(reader: Any, path: Path) -> str:
    title = (reader.metadata.title if reader.metadata else None) or ""
    if not title.strip() and reader.outline:
        first = reader.outline[0]
        title = "" if isinstance(first, list) else str(first.title)
    return title.strip() or path.stem


def _copy_outline(writer: Any, reader: Any, items: list[Any], parent: Any, offset: int) -> None:
    """Re-create a handout's bookmarks under ``parent``, pages shifted by ``offset``."""
    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                _copy_outline(writer, reader, item, last, offset)
            continue
        page = reader.get_destination_page_number(item)
        if page is None or page < 0:
            continue
        last = writer.add_outline_item(
            title=str(item.title), page_number=page + offset, parent=parent
        )


def make_packet(
    folder: Path,
    title: str,
    output: Path,
    opts: Options,
    *,
    order: Path | None = None,
    day: date | None = None,
) -> Packet:
    """Write the packet of the handouts under ``folder`` to ``output``; see the module docstring."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError
    from pypdf.generic import ContentStream

    from .runner import write_atomic
    from .writers.layout import MM, get_profile

    paths = list_handouts(folder, order, exclude=output)
    if not paths:
        raise InputError(f"no handout PDFs in {folder}")
    readers = []
    for path in paths:
        try:
            readers.append(PdfReader(path))
        except (OSError, PdfReadError) as exc:
            raise InputError(f"{path}: not a readable PDF ({exc})") from exc
    if order is None:  # a packet bundled earlier into the same folder is not a handout
        kept = [(p, r) for p, r in zip(paths, readers, strict=True) if not _is_packet(r)]
        paths, readers = [p for p, _ in kept], [r for _, r in kept]
        if not paths:
            raise InputError(f"no handout PDFs in {folder}")
    titles = [_title_of(r, p) for r, p in zip(readers, paths, strict=True)]
    profile = get_profile(opts.profile)
    band_top = profile.margin_bottom_mm * MM - 2 * MM  # below the type area, above the number

    toc_pages = 1
    for _ in range(4):  # the contents may take more pages than guessed; lay out again
        documents: list[PacketDocument] = []
        page = 1 + toc_pages + 1
        for path, reader, name in zip(paths, readers, titles, strict=True):
            documents.append(PacketDocument(path, name, page, len(reader.pages)))
            page += len(reader.pages)
        front = PdfReader(
            io.BytesIO(
                _front_matter(
                    title,
                    (day or date.today()).isoformat(),
                    [(d.title, d.first_page) for d in documents],
                    opts,
                )
            )
        )
        if len(front.pages) - 1 == toc_pages:
            break
        toc_pages = len(front.pages) - 1
    else:
        raise PipelineError("the table of contents does not settle on a page count")

    writer = PdfWriter()
    for page_obj in front.pages:
        writer.add_page(page_obj)
    writer.add_outline_item(title="目录", page_number=1)
    for doc, reader in zip(documents, readers, strict=True):
        box = reader.pages[0].mediabox
        overlay = _number_overlay(
            doc.first_page, doc.pages, float(box.width), float(box.height), opts
        )
        start = len(writer.pages)
        for index, source_page in enumerate(reader.pages):
            page_obj = writer.add_page(source_page)
            content = ContentStream(page_obj.get_contents(), writer)
            content.operations = strip_bottom_margin_text(content.operations, band_top)
            page_obj.replace_contents(content)
            page_obj.merge_page(overlay.pages[index])
        parent = writer.add_outline_item(title=doc.title, page_number=start)
        outline: list[Any] = list(reader.outline)
        # A handout's outline is its title with the headings under it: the
        # packet's bookmark stands for the title, the headings go right under.
        if (
            len(outline) in (1, 2)
            and not isinstance(outline[0], list)
            and str(outline[0].title) == doc.title
        ):
            outline = outline[1] if len(outline) == 2 else []
        _copy_outline(writer, reader, outline, parent, start)
    writer.add_metadata({"/Title": title, "/Creator": "pipeline", PACKET_MARK: "1"})
    writer.page_mode = "/UseOutlines"
    buf = io.BytesIO()
    writer.write(buf)
    write_atomic(output, buf.getvalue())
    return Packet(output, len(writer.pages), toc_pages, tuple(documents))
