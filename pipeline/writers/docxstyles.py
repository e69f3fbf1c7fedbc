"""The styled template of a handout's DOCX, built with python-docx and compiled once.

Uses real Word styles (Normal, Title, Heading 1-4) so Word's navigation pane
and WPS's outline work, and sets the East Asian font (``w:eastAsia``) on every
style and run: without it Word shows Chinese in a fallback font, because
python-docx's ``Font.name`` only sets the Latin slots.  The section carries
the profile's line grid (``w:docGrid``, 22 lines for GB/T 9704) and the
styles condense their glyphs so 28 characters fill a line, as in the PDF; the
settings carry the PDF's line-breaking rules as Word's custom 禁则.

:func:`compile_template` turns the styled, empty document into a
:class:`~.docxzip.PackageTemplate` (bytes and strings only): the writer keeps
that, on disk too, and never needs python-docx for a handout.
"""

from __future__ import annotations

import math
from typing import Any

from docx import Document as new_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from docx.opc.pkgwriter import _ContentTypesItem
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

from ..textutil import xml_attr
from .docxzip import Member, PackageTemplate
from .fonts import FontFace
from .layout import BlockStyle, Profile
from .linebreak import CANNOT_END, CANNOT_START

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
    # whole twips, rounded down: 22 lines of 580 twips overflow a 225 mm type area
    pf.line_spacing = Twips(math.floor((spec.leading or profile.line_pitch) * 20))
    pf.space_before = Pt(spec.space_before)
    pf.space_after = Pt(spec.space_after)
    pf.first_line_indent = Pt(spec.first_line_chars * spec.size)
    pf.keep_with_next = style.name.startswith(("Heading", "Title", "Subtitle"))
    pf.widow_control = False  # every page holds the full grid of lines, as the PDF does
    ppr = style.element.get_or_add_pPr()
    # Word and WPS size the indent in characters, which survives a font change;
    # 0 must be explicit, or a style based on Normal inherits Normal's 2 characters.
    pf.right_indent = Pt(spec.right_chars * spec.size)
    ind = ppr.find(qn("w:ind"))
    ind.set(qn("w:firstLineChars"), str(round(spec.first_line_chars * 100)))
    ind.set(qn("w:rightChars"), str(round(spec.right_chars * 100)))
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
    _condense(style.element, profile.char_space(spec.size))
    _style_paragraphs(style, spec, profile)


_AFTER_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
    "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip


def _condense(element: Any, points: float) -> None:
    """Character spacing (``w:spacing``, in twentieths of a point, rounded down).

    GB/T 9704 puts 28 characters of 16 pt type in a 156 mm line, a pitch of
    15.79 pt: condensing each glyph by a quarter point makes 28 fit in Word,
    WPS and LibreOffice alike.
    """
    twips = math.floor(points * 20)
    if twips >= 0:
        return
    rpr = element.get_or_add_rPr()
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_AFTER_SPACING)
    spacing.set(qn("w:val"), str(twips))


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
    _doc_grid(section, profile)
    _line_break_rules(doc)
    if profile.header or profile.watermark:
        _headers(doc, profile, fonts)
    lang = doc.styles.element.find(qn("w:docDefaults"))
    if lang is not None:
        rpr = lang.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            el = rpr.find(qn("w:lang"))
            if el is None:
                el = OxmlElement("w:lang")
                rpr.append(el)
            el.set(qn("w:eastAsia"), "zh-CN")


def _doc_grid(section: Any, profile: Profile) -> None:
    """``w:docGrid``: the line grid (line pitch in twips); characters fit by :func:`_condense`.

    Type ``lines``, not ``linesAndChars``: LibreOffice sizes a character grid
    cell by the font size, so 16 pt type in a 15.79 pt cell takes two cells
    (14 characters a line); the condensed glyphs give 28 in Word and WPS too.
    ``charSpace`` still records the character pitch for editors that show it.
    """
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(math.floor(profile.line_pitch * 20)))
    grid.set(qn("w:charSpace"), str(round(profile.char_space(profile.body_size) * 4096)))


def _line_break_rules(doc: Any) -> None:
    """The PDF's Chinese line-breaking rules as Word's custom 禁则 for zh-CN.

    Word's built-in list for Chinese misses ``%`` and some marks.  LibreOffice
    ignores these settings and uses its own list.
    """
    settings = doc.settings.element
    anchor = settings.find(qn("w:characterSpacingControl"))
    for tag, chars in (
        ("w:noLineBreaksAfter", CANNOT_END),
        ("w:noLineBreaksBefore", CANNOT_START),
    ):
        el = OxmlElement(tag)
        el.set(qn("w:lang"), "zh-CN")
        el.set(qn("w:val"), "".join(sorted(chars)))
        if anchor is not None:
            anchor.addnext(el)
            anchor = el
        else:
            settings.append(el)


def _headers(doc: Any, profile: Profile, fonts: dict[str, FontFace]) -> None:
    """The header line (meeting name and date) and the watermark, on odd and even pages."""
    section = doc.sections[0]
    section.header_distance = Mm(max(5.0, profile.margin_top_mm - 4 - 10))
    for header in (section.header, section.even_page_header):
        para = header.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.first_line_indent = None
        if profile.header:
            run = para.add_run(profile.header)
            run.font.size = Pt(profile.header_size)
            set_run_fonts(run._r, fonts["latin"].family, fonts["body"].family)
            _bottom_rule(para._p)
        if profile.watermark:
            _watermark(para.add_run()._r, profile, fonts["body"].family)


_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _bottom_rule(p: Any) -> None:
    ppr = p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _watermark(r: Any, profile: Profile, family: str) -> None:
    """Word's own kind of text watermark: a VML WordArt shape behind the text, in the header."""
    from docx.oxml import parse_xml

    size = profile.watermark_size
    width = size * max(1, len(profile.watermark))
    xml = (
        '<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office">'
        '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
        'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
        '<v:textpath on="t" fitshape="t"/><o:lock v:ext="edit" text="t" shapetype="t"/>'
        "</v:shapetype>"
        '<v:shape id="PowerPlusWaterMarkObject" o:spid="_x0000_s2049" type="#_x0000_t136" '
        f'style="position:absolute;margin-left:0;margin-top:0;width:{width:.0f}pt;'
        f"height:{size:.0f}pt;rotation:315;z-index:-251655168;"
        "mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
        'mso-position-vertical:center;mso-position-vertical-relative:margin" '
        f'o:allowincell="f" fillcolor="{profile.watermark_color}" stroked="f">'
        '<v:fill opacity=".5"/>'
        f'<v:textpath style="font-family:&quot;{family}&quot;;font-size:1pt" '
        f'string="{xml_attr(profile.watermark)}"/>'
        "</v:shape></w:pict>"
    )
    r.append(parse_xml(xml))


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


def styled_document(profile: Profile, fonts: dict[str, FontFace]) -> tuple[Any, dict[str, str]]:
    """A new, empty python-docx document styled for ``profile``, and its style ids by style key."""
    doc = new_docx()
    _drop_unused_parts(doc)
    _setup(doc, profile, fonts)
    names = {style.name for style in doc.styles}
    style_ids = {
        key: doc.styles[name].style_id for key, name in _WORD_STYLE.items() if name in names
    }
    return doc, style_ids


# Stand-ins for what a handout fills in: private-use characters, which no
# serialiser escapes and no profile contains.
_SLOTS = {name: f"\ue000{name}\ue001" for name in ("title", "description", "language")}
_BODY = b"<w:p/>"  # the one empty paragraph that marks where the body goes


def compile_template(profile: Profile, fonts: dict[str, FontFace]) -> PackageTemplate:
    """The styled template as a :class:`PackageTemplate`: parts serialised and compressed once."""
    doc, style_ids = styled_document(profile, fonts)
    core = doc.core_properties  # python-docx adds the part on first use
    core.title = _SLOTS["title"]
    core.comments = _SLOTS["description"]
    core.language = _SLOTS["language"]
    core.author = ""
    body = doc.element.body
    marker = OxmlElement("w:p")
    if body.sectPr is not None:
        body.sectPr.addprevious(marker)
    else:
        body.append(marker)
    head, found, tail = doc.part.blob.partition(_BODY)
    if not found or _BODY in tail:
        raise RuntimeError("the DOCX template's body cannot be located")
    package = doc.part.package
    core_part = next(
        rel.target_part for rel in package.rels.values() if rel.reltype == RT.CORE_PROPERTIES
    )
    core_xml = core_part.blob.decode("utf-8").replace("{", "{{").replace("}", "}}")
    for name, slot in _SLOTS.items():
        core_xml = core_xml.replace(slot, "{" + name + "}")
    parts = list(package.iter_parts())
    members: list[Member | str] = [
        Member.deflate(CONTENT_TYPES_URI.membername, _ContentTypesItem.from_parts(parts).blob),  # type: ignore[no-untyped-call]
        Member.deflate(PACKAGE_URI.rels_uri.membername, package.rels.xml),
    ]
    for part in parts:
        name = part.partname.membername
        members.append(name if part in (doc.part, core_part) else Member.deflate(name, part.blob))
        if len(part.rels):
            members.append(Member.deflate(part.partname.rels_uri.membername, part.rels.xml))
    return PackageTemplate(
        members=tuple(members),
        document_name=doc.part.partname.membername,
        document_head=head,
        document_tail=tail,
        core_name=core_part.partname.membername,
        core=core_xml,
        style_ids=style_ids,
    )
