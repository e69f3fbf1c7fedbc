"""Characters the handout fonts cannot draw: found, drawn in a fallback font, reported.

A character missing from a TrueType font renders as an empty box (or as
nothing) without any error from reportlab.  Before that can happen silently,
the characters of a document that the body font lacks are looked up in the
other resolved fonts and then in a few installed fonts with wide coverage
(DejaVu, Noto symbols, Unifont ...); the PDF writer sets each in the first font
that has it, and the runner reports them all as a warning, naming the
characters no font has at all.  The fonts' own character maps are read from
the faces reportlab loads anyway, so a document without such characters costs
one set difference.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..model import Document
from ..options import Options
from .fonts import installed_fonts, resolve_fonts

# Installed families with wide coverage, tried in order after the handout's own fonts.
FALLBACK_FAMILIES: tuple[str, ...] = (
    "DejaVu Sans",
    "DejaVu Serif",
    "Noto Sans Symbols",
    "Noto Sans Symbols2",
    "Noto Sans CJK SC",
    "Symbola",
    "FreeSerif",
    "Unifont",
    "OpenSymbol",
)


@dataclass(frozen=True, slots=True)
class GlyphPlan:
    """``fallback``: character -> (PDF font name, family); ``missing``: no font has them."""

    fallback: dict[str, tuple[str, str]]
    missing: tuple[str, ...]

    def warnings(self) -> list[str]:
        notes = []
        if self.fallback:
            families = sorted({family for _name, family in self.fallback.values()})
            notes.append(
                f"characters the handout fonts lack, drawn in {', '.join(families)}: "
                f"{_named(self.fallback)}"
            )
        if self.missing:
            notes.append(
                f"characters no available font has, shown as empty boxes in the PDF: "
                f"{_named(self.missing)}"
            )
        return notes


def _named(chars: Iterable[str]) -> str:
    """``𠀀 (U+20000), ᚠ (U+16A0)``, at most 12 named.

    >>> _named(["ᚠ"])
    'ᚠ (U+16A0)'
    """
    listed = sorted(chars)
    shown = ", ".join(f"{ch} (U+{ord(ch):04X})" for ch in listed[:12])
    return shown + (f" and {len(listed) - 12} more" if len(listed) > 12 else "")


def _cmap(path: Path, pdf_name: str) -> Collection[int]:
    """The code points the font at ``path`` maps, from reportlab's loaded face."""
    from reportlab.pdfbase import pdfmetrics

    from .fonts import _register_file

    name = _register_file(path, pdf_name)
    return pdfmetrics.getFont(name).face.charToGlyph  # type: ignore[no-any-return]


@cache
def _fallback_fonts() -> tuple[tuple[Path, str], ...]:
    installed = installed_fonts()
    return tuple((installed[f], f) for f in FALLBACK_FAMILIES if f in installed)


def _needs_glyph(ch: str) -> bool:
    return not ch.isspace() and ch.isprintable()


def glyph_plan(document: Document, opts: Options) -> GlyphPlan:
    """Which characters of ``document`` need a fallback font, and which have none."""
    chars = {ch for block in document.blocks for ch in block.display_text}
    if document.title:
        chars.update(document.title)
    chars.update(opts.header, opts.watermark)
    faces = resolve_fonts(opts.fonts, opts.system_fonts)
    body = faces["body"]
    covered = _cmap(body.path, body.pdf_name)
    lacking = sorted(ch for ch in chars if ord(ch) not in covered and _needs_glyph(ch))
    if not lacking:
        return GlyphPlan({}, ())
    return _plan(tuple(lacking), tuple((f.path, f.pdf_name, f.family) for f in faces.values()))


@cache
def _plan(lacking: tuple[str, ...], faces: tuple[tuple[Path, str, str], ...]) -> GlyphPlan:
    from .fonts import FontFace

    candidates = [*faces]
    for path, family in _fallback_fonts():
        face = FontFace("fallback", path, family, "system")
        candidates.append((path, face.pdf_name, family))
    fallback: dict[str, tuple[str, str]] = {}
    missing: list[str] = []
    for ch in lacking:
        for path, pdf_name, family in candidates:
            try:
                covered = _cmap(path, pdf_name)
            except Exception:  # an unusable installed font is simply not a candidate
                continue
            if ord(ch) in covered:
                fallback[ch] = (pdf_name, family)
                break
        else:
            missing.append(ch)
    return GlyphPlan(fallback, tuple(missing))
