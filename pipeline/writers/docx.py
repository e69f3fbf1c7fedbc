"""DOCX writer: the document model as a Word file styled after the layout profile.

The styles, page set-up and footers live in a template built once per layout
(:mod:`.docxstyles`, with python-docx) and kept compiled
(:class:`~.docxzip.PackageTemplate`), in memory and in the user's cache; a
handout adds only its body, written here as WordprocessingML text, and its
core properties.  A warm process so writes a DOCX without python-docx or an
XML parser: the parts that never change are not serialised or compressed again.
"""

from __future__ import annotations

import hashlib
import zlib
from importlib.util import find_spec
from pathlib import Path

from .. import diskcache
from ..model import BlockKind, Document, Field
from ..options import Options
from ..textutil import markup_escape, xml_attr
from .docxzip import PackageTemplate
from .fonts import FontFace, resolve_fonts
from .layout import Profile, profile_for, style_key, title_lines


def _field_xml(field: Field, opts: Options) -> str:
    """A field as a content control (``w:sdt``) tagged with its id, labelled by its label.

    Word and WPS let the reader click it and type the value; ``pipeline fields
    NAME.docx`` reads it back by its tag.  An unfilled field shows its
    highlighted 【label】 as placeholder text; a filled one reads as normal
    text, with a dotted underline under ``--mark-filled``.  A rich-text control
    (no ``w:text``): LibreOffice drops run formatting inside plain-text ones.
    """
    number = zlib.crc32(field.id.encode()) & 0x7FFFFFFF
    props = (
        f'<w:alias w:val="{xml_attr(field.label)}"/><w:tag w:val="{xml_attr(field.id)}"/>'
        f'<w:id w:val="{number}"/>'
    )
    mark = ""
    if field.value is None:
        props += "<w:showingPlcHdr/>"
        mark = '<w:rPr><w:highlight w:val="yellow"/></w:rPr>'
    elif opts.mark_filled:
        mark = '<w:rPr><w:u w:val="dotted"/></w:rPr>'
    text = f'<w:t xml:space="preserve">{markup_escape(field.display)}</w:t>'
    content = f"<w:sdtContent><w:r>{mark}{text}</w:r></w:sdtContent>"
    return f"<w:sdt><w:sdtPr>{props}</w:sdtPr>{content}</w:sdt>"


def _run_xml(text: str, bold: bool = False, br: bool = False) -> str:
    """A run of ``text`` (spaces at its ends kept), bold or not, a line break after it or not."""
    space = ' xml:space="preserve"' if text.strip() != text else ""
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f"<w:r>{props}<w:t{space}>{markup_escape(text)}</w:t>{'<w:br/>' if br else ''}</w:r>"


def _body_xml(
    document: Document, profile: Profile, opts: Options, style_ids: dict[str, str]
) -> str:
    """The handout's paragraphs as WordprocessingML, written as text and parsed once.

    (Built element by element through python-docx, the body cost more than
    the rest of the DOCX together.)
    """
    out: list[str] = []
    for block in document.blocks:
        style_id = style_ids.get(style_key(block))
        out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{xml_attr(style_id)}"/></w:pPr>' if style_id else "<w:p>"
        )
        lines = title_lines(block, profile) if block.kind is BlockKind.TITLE else [block]
        if len(lines) > 1:  # balanced title lines, broken where the PDF breaks them
            last = len(lines) - 1
            out.extend(_run_xml(line.text, br=k < last) for k, line in enumerate(lines))
        else:
            for inline, strong in block.marked_inlines():
                if isinstance(inline, Field):
                    out.append(_field_xml(inline, opts))
                else:  # runs inherit their fonts (East Asian included) from the style
                    out.append(_run_xml(inline.text, bold=strong))
        out.append("</w:p>")
    return "".join(out)


# What a compiled template is made from besides the layout: the builder's code
# and python-docx's own template, which comes with its installed version.
_BUILT_FROM = ("docxstyles.py", "docxzip.py", "linebreak.py")

_compiled: dict[str, PackageTemplate] = {}  # per process, by layout


def _template_key(profile: Profile, fonts: dict[str, FontFace]) -> str:
    families = sorted((role, face.family) for role, face in fonts.items())
    return repr((profile, families))


def _code_digest() -> str:
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in _BUILT_FROM:
        digest.update((here / name).read_bytes())
    spec = find_spec("docx")
    if spec is not None and spec.origin:
        stat = Path(spec.origin).stat()
        digest.update(f"{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def package_template(profile: Profile, fonts: dict[str, FontFace]) -> PackageTemplate:
    """The compiled template of a layout: from memory, else the user's cache, else built.

    The cache file holds every layout built by this version of the code; a
    file that is missing, unreadable or from other code only costs the build.
    """
    key = _template_key(profile, fonts)
    template = _compiled.get(key)
    if template is not None:
        return template
    path = diskcache.cache_dir() / f"docx-templates-{_code_digest()}.marshal"
    stored = diskcache.load(path)
    known: dict[str, tuple[object, ...]] = stored if isinstance(stored, dict) else {}
    try:
        template = PackageTemplate.from_data(known[key])
    except (KeyError, TypeError, ValueError):
        from .docxstyles import compile_template

        template = compile_template(profile, fonts)
        known[key] = template.to_data()
        diskcache.store(path, known, supersedes="docx-templates-*.marshal")
    _compiled[key] = template
    return template


def write_docx(document: Document, opts: Options) -> bytes:
    profile = profile_for(opts)
    template = package_template(profile, resolve_fonts(opts.fonts, opts.system_fonts))
    return template.package(
        _body_xml(document, profile, opts, template.style_ids),
        title=document.title or "",
        description=f"converted from {document.meta.source}",
        language=document.meta.language,
    )
