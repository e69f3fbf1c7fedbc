"""DOCX writer: the document model as a Word file styled after the layout profile.

Uses real Word styles (Normal, Title, Heading 1-4) so Word's navigation pane
and WPS's outline work, and sets the East Asian font (``w:eastAsia``) on every
style and run: without it Word shows Chinese in a fallback font, because
python-docx's ``Font.name`` only sets the Latin slots.
"""

from __future__ import annotations

import copy
import io
import threading
from dataclasses import dataclass
from typing import Any

from docx import Document as new_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ..model import Document, Field
from ..options import Options
from .fonts import FontFace, resolve_fonts
from .layout import BlockStyle, Profile, get_profile, style_key

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

# Word's built-in style for each block style key of the profile.
_WORD_STYLE = {
    "title": "Title",
    "subtitle": "Subtitle",
    "heading1": "Heading 1",
    "heading2": "Heading 2",
    "heading3": "Heading 3",
    "heading4": "Heading 4",
    "salutation": "Salutation",
    "closing": "Closing",
    "signature": "Signature",
}


def set_run_fonts(element: Any, latin: str, east_asian: str) -> None:
    """Set Latin and East Asian font names on a run or style's ``w:rPr``.

    The single escape hatch to raw XML for fonts: python-docx has no API for
    ``w:eastAsia``.
    """
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    # Quotation marks and dashes are shared by both scripts: take the Chinese font.
    fonts.set(qn("w:hint"), "eastAsia")
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _style_paragraphs(style: Any, spec: BlockStyle, profile: Profile) -> None:
    pf = style.paragraph_format
    pf.alignment = _ALIGN[spec.align]
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(spec.leading or profile.line_pitch)
    pf.space_before = Pt(spec.space_before)
    pf.space_after = Pt(spec.space_after)
    pf.first_line_indent = Pt(spec.first_line_chars * spec.size)
    pf.keep_with_next = style.name.startswith(("Heading", "Title"))
    ppr = style.element.get_or_add_pPr()
    # Word and WPS size the indent in characters, which survives a font change;
    # 0 must be explicit, or a style based on Normal inherits Normal's 2 characters.
    ppr.find(qn("w:ind")).set(qn("w:firstLineChars"), str(round(spec.first_line_chars * 100)))
    for border in ppr.findall(qn("w:pBdr")):  # the default Title has a rule under it
        ppr.remove(border)


def _apply_style(
    style: Any, spec: BlockStyle, fonts: dict[str, FontFace], profile: Profile
) -> None:
    font = style.font
    font.size = Pt(spec.size)
    font.bold = spec.bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    set_run_fonts(style.element, fonts["latin"].family, fonts[spec.font].family)
    _style_paragraphs(style, spec, profile)


def _setup(doc: Any, profile: Profile, fonts: dict[str, FontFace]) -> None:
    section = doc.sections[0]
    section.page_width = Mm(profile.page_width_mm)
    section.page_height = Mm(profile.page_height_mm)
    section.top_margin = Mm(profile.margin_top_mm)
    section.bottom_margin = Mm(profile.margin_bottom_mm)
    section.left_margin = Mm(profile.margin_left_mm)
    section.right_margin = Mm(profile.margin_right_mm)
    section.footer_distance = Mm(max(0.0, profile.margin_bottom_mm - 7 - 7))
    _apply_style(doc.styles["Normal"], profile.styles["paragraph"], fonts, profile)
    names = {style.name for style in doc.styles}
    for key, name in _WORD_STYLE.items():
        if key not in profile.styles:
            continue
        if name not in names:
            style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = doc.styles["Normal"]
            style.quick_style = True
        _apply_style(doc.styles[name], profile.styles[key], fonts, profile)
    _page_numbers(doc, profile, fonts)
    lang = doc.styles.element.find(qn("w:docDefaults"))
    if lang is not None:
        rpr = lang.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            el = rpr.find(qn("w:lang"))
            if el is None:
                el = OxmlElement("w:lang")
                rpr.append(el)
            el.set(qn("w:eastAsia"), "zh-CN")


def _page_numbers(doc: Any, profile: Profile, fonts: dict[str, FontFace]) -> None:
    """``— 1 —`` at the outer side: right on odd pages, left on even pages."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        para = footer.paragraphs[0]
        para.alignment = align
        para.paragraph_format.first_line_indent = None
        for text in ("— ", None, " —"):
            run = para.add_run()
            run.font.size = Pt(profile.page_number_size)
            set_run_fonts(run._r, fonts["latin"].family, fonts["body"].family)
            if text is not None:
                run.text = text
            else:
                _page_field(run._r)


def _page_field(r: Any) -> None:
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    r.append(begin)
    r.append(instr)
    r.append(end)


@dataclass
class _Template:
    """The styled, empty document of one layout, and what each handout starts from."""

    part: Any  # the main document part; its styles, settings and footers are shared
    blank: Any  # a pristine copy of the main document element (the empty body)
    style_ids: dict[str, str]  # style key -> Word style id


# Parts of python-docx's default template no handout needs: a Word 2010 copy of
# the styles (438 KB, which every save would serialise and compress again; Word
# does without it) and a thumbnail of an empty page (wrong for every handout).
_UNUSED_PARTS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
)


def _drop_unused_parts(doc: Any) -> None:
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in _UNUSED_PARTS]:
            del rels[rid]


_templates = threading.local()  # per thread: a handout's part is reused while it is written


def _template(profile_name: str, fonts: tuple[tuple[str, str], ...]) -> _Template:
    """The styled template of a layout, built once per thread and layout.

    Setting up the styles and footers, or even loading a template, costs as
    much as laying out a whole handout and is the same every time; a handout
    changes only the main document element (its body) and the core
    properties, which :func:`write_docx` replaces in full.
    """
    cache: dict[Any, _Template] = _templates.__dict__
    key = (profile_name, fonts)
    if key not in cache:
        doc = new_docx()
        _drop_unused_parts(doc)
        _setup(doc, get_profile(profile_name), resolve_fonts(dict(fonts)))
        names = {style.name for style in doc.styles}
        style_ids = {
            key: doc.styles[name].style_id for key, name in _WORD_STYLE.items() if name in names
        }
        cache[key] = _Template(doc.part, copy.deepcopy(doc.element), style_ids)
    return cache[key]


def write_docx(document: Document, opts: Options) -> bytes:
    template = _template(opts.profile, tuple(sorted(opts.fonts.items())))
    template.part._element = copy.deepcopy(template.blank)
    doc = template.part.document
    style_ids = template.style_ids
    core = doc.core_properties
    core.title = document.title or ""
    core.language = document.meta.language
    core.author = ""
    core.comments = f"converted from {document.meta.source}"
    for block in document.blocks:
        para = doc.add_paragraph()
        # The style by id: python-docx's lookup by name scans every style, per paragraph.
        style_id = style_ids.get(style_key(block))
        if style_id is not None:
            para._p.style = style_id
        for inline in block.inlines:
            # Runs inherit their fonts (East Asian included) from the paragraph style.
            # Text goes straight into one w:t: a block holds no tabs or line
            # breaks, which ``add_run(text)`` would look for character by character.
            run = para.add_run()
            if isinstance(inline, Field):
                run._r.add_t(inline.display)
                if inline.value is None:
                    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            else:
                run._r.add_t(inline.text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
