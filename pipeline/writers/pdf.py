"""PDF writer: reportlab platypus, CJK line breaking, embedded font subsets.

Every font in the file is a TrueType subset registered from :mod:`.fonts`;
even the canvas's initial font is set to the body face, so reportlab's
default Helvetica (never embedded) is not referenced at all.  All text is
escaped before it reaches reportlab's paragraph markup parser.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

from ..model import Block, BlockKind, Document, Field
from ..options import Options
from .fonts import FontFace, register_pdf_font, resolve_fonts
from .layout import MM, BlockStyle, Profile, get_profile, style_key

# Streams Flate-compressed only, not ASCII85-encoded on top: a PDF is binary
# anyway, the file gets smaller, and reportlab skips a pure-Python encoding
# pass over every page and font stream.
rl_config.useA85 = 0

_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}


def _paragraph_style(key: str, spec: BlockStyle, font: str, profile: Profile) -> ParagraphStyle:
    leading = spec.leading or profile.line_pitch
    return ParagraphStyle(
        key,
        fontName=font,
        fontSize=spec.size,
        leading=max(leading, spec.size * 1.2),
        alignment=_ALIGN[spec.align],
        firstLineIndent=spec.first_line_chars * spec.size,
        spaceBefore=spec.space_before,
        spaceAfter=spec.space_after,
        wordWrap="CJK",
        allowWidows=0,
        allowOrphans=0,
    )


def inline_markup(block: Block, profile: Profile) -> str:
    """reportlab paragraph markup for a block: escaped text, highlighted unfilled fields."""
    parts: list[str] = []
    for inline in block.inlines:
        if isinstance(inline, Field):
            shown = escape(inline.display)
            if inline.value is None:
                shown = f'<font backColor="{profile.field_color}">{shown}</font>'
            parts.append(shown)
        else:
            parts.append(escape(inline.text))
    return "".join(parts)


class _HandoutTemplate(BaseDocTemplate):  # type: ignore[misc]
    """Adds PDF bookmarks for the title and headings as they are laid out."""

    def afterFlowable(self, flowable: Any) -> None:
        outline = getattr(flowable, "outline", None)
        if outline is None:
            return
        text, level, key = outline
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(text, key, level=level, closed=False)


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


def write_pdf(document: Document, opts: Options) -> bytes:
    profile = get_profile(opts.profile)
    names = _FontsOnDemand(resolve_fonts(opts.fonts))
    buf = io.BytesIO()
    template = _HandoutTemplate(
        buf,
        pagesize=(profile.page_width_mm * MM, profile.page_height_mm * MM),
        leftMargin=profile.margin_left_mm * MM,
        rightMargin=profile.margin_right_mm * MM,
        topMargin=profile.margin_top_mm * MM,
        bottomMargin=profile.margin_bottom_mm * MM,
        title=document.title or "",
        subject=f"converted from {document.meta.source}",
        author="",
        creator="pipeline",
        lang=document.meta.language,
        initialFontName=names["body"],
        initialFontSize=profile.styles["paragraph"].size,
    )
    frame = Frame(
        template.leftMargin,
        template.bottomMargin,
        template.width,
        template.height,
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
                # drawn after the body, so text extraction reads the number last
                onPageEnd=_page_decorator(profile, names["latin"]),
            )
        ]
    )
    styles: dict[str, ParagraphStyle] = {}
    story = []
    last_level = -1  # PDF outlines may go down only one level at a time
    for index, block in enumerate(document.blocks):
        key = style_key(block)
        if key not in styles:
            spec = profile.style_for(block)
            styles[key] = _paragraph_style(key, spec, names[spec.font], profile)
        para = Paragraph(inline_markup(block, profile), styles[key])
        if block.kind in (BlockKind.TITLE, BlockKind.HEADING):
            level = min(0 if block.kind is BlockKind.TITLE else block.level, last_level + 1)
            last_level = level
            para.outline = (block.display_text, level, f"b{index}")
        story.append(para)
    template.build(story)
    return buf.getvalue()
