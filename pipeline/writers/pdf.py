"""PDF writer: reportlab platypus on the GB/T 9704 grid, Chinese line breaking, font subsets.

Every font in the file is a TrueType subset registered from :mod:`.fonts`
(one composite font per face, :mod:`.cidfont`); even the canvas's initial
font is set to the body face, so reportlab's default Helvetica (never
embedded) is not referenced at all.  Each block becomes a
:class:`.gridblock.GridBlock` built from the model's inlines directly
(:func:`.pdfruns.block_runs`: runs of text with their faces and highlights),
which breaks its lines with :mod:`.linebreak` (28 characters a line,
justified, no line starting with ``，。”`` or ending with ``“（《``) and
writes them straight into the page (:mod:`.pdftext`); platypus paginates.
"""

from __future__ import annotations

import io
import re
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Frame, PageTemplate

from ..model import Block, BlockKind, Document
from ..options import Options
from .fonts import FontFace, register_pdf_font, resolve_fonts
from .glyphs import glyph_plan
from .gridblock import GridBlock, GridStyle
from .layout import (
    MM,
    BlockStyle,
    Profile,
    page_geometry,
    profile_for,
    style_key,
)
from .pdfruns import block_runs
from .pdftext import PageCanvas, font_codes

__all__ = ["write_pdf"]

# Streams Flate-compressed only, not ASCII85-encoded on top: a PDF is binary
# anyway, the file gets smaller, and reportlab skips a pure-Python encoding
# pass over every page and font stream.
rl_config.useA85 = 0

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}


def _grid_style(spec: BlockStyle, profile: Profile) -> GridStyle:
    leading = spec.leading or profile.line_pitch
    pitch = spec.size + profile.char_space(spec.size)
    return GridStyle(
        size=spec.size,
        leading=max(leading, spec.size * 1.2),
        alignment=_ALIGN[spec.align],
        # indents in grid characters, so indented lines stay on the grid
        first_indent=spec.first_line_chars * pitch,
        right_indent=spec.right_chars * pitch,
        space_before=spec.space_before,
        space_after=spec.space_after,
        char_space=profile.char_space(spec.size),
    )


class _HandoutTemplate(BaseDocTemplate):  # type: ignore[misc]
    """Adds PDF bookmarks for the title and headings as they are laid out.

    ``texts`` (font name -> the text the body sets in it) gives every
    character its code before the first page, in one pass per font rather
    than a few at a time as lines are drawn.
    """

    texts: dict[str, str] | None = None

    def beforeDocument(self) -> None:
        for font, text in (self.texts or {}).items():
            codes = font_codes(self.canv._doc, font)
            if codes is not None:
                codes.learn(text)

    def afterFlowable(self, flowable: Any) -> None:
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        text, level, key = outline
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=False)


def _page_background(profile: Profile, font: str) -> Any:
    """Watermark and header, drawn before the body so text extraction reads them first."""
    width, height = profile.page_width_mm * MM, profile.page_height_mm * MM

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        if profile.watermark:
            canvas.setFillColor(HexColor(profile.watermark_color))
            canvas.setFont(font, profile.watermark_size)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -profile.watermark_size * 0.38, profile.watermark)
            canvas.rotate(-45)
            canvas.translate(-width / 2, -height / 2)
        if profile.header:
            size = profile.header_size
            y = height - profile.margin_top_mm * MM + 4 * MM
            left = profile.margin_left_mm * MM
            right = width - profile.margin_right_mm * MM
            canvas.setFillColor(HexColor("#000000"))
            canvas.setFont(font, size)
            canvas.drawCentredString((left + right) / 2, y + 2, profile.header)
            canvas.setLineWidth(0.5)
            canvas.line(left, y - 2, right, y - 2)
        canvas.restoreState()

    return draw


def _page_decorator(profile: Profile, font: str) -> Any:
    size = profile.page_number_size
    # GB/T 9704 7.5: the em dashes sit 7 mm below the type area; one character
    # in from the outer edge: right on odd pages, left on even ones.
    y = profile.margin_bottom_mm * MM - 7 * MM - size * 0.8
    left = profile.margin_left_mm * MM + size
    right = (profile.page_width_mm - profile.margin_right_mm) * MM - size

    def draw(canvas: Any, doc: Any) -> None:
        number = canvas.getPageNumber()
        label = f"— {number} —"
        canvas.saveState()
        canvas.setFont(font, size)
        if number % 2:
            canvas.drawRightString(right, y, label)
        else:
            canvas.drawString(left, y, label)
        canvas.restoreState()

    return draw


_KEPT = (BlockKind.TITLE, BlockKind.SUBTITLE, BlockKind.HEADING)


def _kept_height(blocks: tuple[Block, ...], start: int, profile: Profile) -> float:
    """Room a run of title and headings needs with the first line of what follows.

    Word's "keep with next" (no widow control) moves headings to the next page
    only if that line does not fit; reportlab's keepWithNext would move the
    whole following paragraph.
    """
    height = profile.line_pitch
    for block in blocks[start:]:
        if block.kind not in _KEPT:
            break
        spec = profile.style_for(block)
        height += (spec.leading or profile.line_pitch) + spec.space_before + spec.space_after
    return height - 0.01


def _subject(document: Document) -> str:
    """The subtitle or date line under the title, else where the text came from."""
    for block in document.blocks:
        if block.kind is BlockKind.SUBTITLE:
            return block.display_text.strip().lstrip("—").strip()
    return f"converted from {document.meta.source}"


def _author(document: Document) -> str:
    """The sender named in the signature (not its date line), if any."""
    for block in document.blocks:
        if block.kind is BlockKind.SIGNATURE and not re.search(r"\d|年.*月.*日", block.text):
            return block.display_text.strip()
    return ""


class _FontsOnDemand(dict[str, str]):
    """Role -> PDF font name, registering a role's font the first time a document uses it.

    Most documents use two or three of the six roles; each font left unloaded
    saves a tenth of a second and tens of megabytes per process.
    """

    def __init__(self, faces: dict[str, FontFace]) -> None:
        super().__init__()
        self.faces = faces

    def __missing__(self, role: str) -> str:
        name = self[role] = register_pdf_font(self.faces[role])
        return name

    def get(self, role: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self[role] if role in self.faces else default


def write_pdf(document: Document, opts: Options) -> bytes:
    profile = profile_for(opts)
    names = _FontsOnDemand(resolve_fonts(opts.fonts, opts.system_fonts))
    buf = io.BytesIO()
    template = _HandoutTemplate(
        buf,
        **page_geometry(profile),
        title=document.title or "",
        subject=_subject(document),
        author=_author(document),
        creator="pipeline",
        lang=document.meta.language,
        initialFontName=names["body"],
        initialFontSize=profile.styles["paragraph"].size,
    )
    frame = Frame(
        template.leftMargin,
        template.bottomMargin - 0.5,  # rounding must not cost the last line of the grid
        template.width,
        template.height + 0.5,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template.addPageTemplates(
        [
            PageTemplate(
                id="page",
                frames=[frame],
                onPage=_page_background(profile, names["body"]),
                # drawn after the body, so text extraction reads the number last
                onPageEnd=_page_decorator(profile, names["latin"]),
            )
        ]
    )
    fallback = {ch: name for ch, (name, _family) in glyph_plan(document, opts).fallback.items()}
    styles: dict[str, GridStyle] = {}
    texts: dict[str, str] = {}
    story: list[Any] = []
    last_level = -1  # PDF outlines may go down only one level at a time
    blocks = document.blocks
    for index, block in enumerate(blocks):
        if block.kind in _KEPT and (index == 0 or blocks[index - 1].kind not in _KEPT):
            story.append(CondPageBreak(_kept_height(blocks, index, profile)))
        key = style_key(block)
        if key not in styles:
            styles[key] = _grid_style(profile.style_for(block), profile)
        outline = None
        if block.kind in (BlockKind.TITLE, BlockKind.HEADING):
            level = min(0 if block.kind is BlockKind.TITLE else block.level, last_level + 1)
            last_level = level
            outline = (block.display_text, level, f"b{index}")
        runs = block_runs(block, profile, names, opts.mark_filled, fallback)
        story.append(GridBlock(runs, styles[key], outline))
        for run in runs:
            texts[run.font] = texts.get(run.font, "") + run.text
    texts.pop("", None)  # hard line breaks
    template.texts = texts
    template.build(story, canvasmaker=PageCanvas)
    return buf.getvalue()
