"""Font roles and the files they resolve to; the one place that touches font files.

Roles: ``title`` (heavy serif, for 小标宋), ``body`` (serif, for 仿宋 or
宋体), ``bold`` (the body's bold face), ``heading1`` (sans, for 黑体),
``heading2`` (Kai, for 楷体) and ``latin`` (digits and Latin letters).
A role resolves to the file the user configured (``[fonts]`` in
``pipeline.toml``) or else to the font bundled with the package.  Only
TrueType-outline fonts (a ``glyf`` table) are accepted, because those are what
reportlab can embed as subsets.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import FontError

_log = logging.getLogger(__name__)

ROLES: tuple[str, ...] = ("title", "body", "bold", "heading1", "heading2", "latin")

# role -> (file in fonts/, family name as Word and WPS know it)
BUNDLED: dict[str, tuple[str, str]] = {
    "title": ("NotoSerifSC-Bold.ttf", "Noto Serif SC"),
    "body": ("NotoSerifSC-Regular.ttf", "Noto Serif SC"),
    "bold": ("NotoSerifSC-Bold.ttf", "Noto Serif SC"),
    "heading1": ("NotoSansSC-Medium.ttf", "Noto Sans SC Medium"),
    "heading2": ("LXGWWenKai-Regular.ttf", "LXGW WenKai"),
    "latin": ("NotoSerifSC-Regular.ttf", "Noto Serif SC"),
}


@dataclass(frozen=True, slots=True)
class FontFace:
    role: str
    path: Path
    family: str
    source: str  # "bundled" or "configured"

    @property
    def pdf_name(self) -> str:
        """The name reportlab registers the face under (unique per file)."""
        digest = hashlib.sha1(str(self.path).encode()).hexdigest()[:6]
        return f"{self.path.stem}-{digest}"


def bundled_dir() -> Path:
    """Where the bundled fonts are: inside the installed package, or fonts/ in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "fonts", here.parent / "fonts"):
        if (candidate / BUNDLED["body"][0]).is_file():
            return candidate
    raise FontError(
        f"the bundled fonts are missing (looked in {here / 'fonts'} and {here.parent / 'fonts'}); "
        "reinstall the package"
    )


def _check_truetype(path: Path) -> str:
    """Return the family name of a TrueType-outline font, or raise :class:`FontError`."""
    try:
        with path.open("rb") as fh:
            head = fh.read(12)
            if head[:4] == b"OTTO":
                raise FontError(
                    f"{path}: this is a CFF (PostScript-outline) font; the PDF writer can "
                    "embed only TrueType-outline fonts (.ttf with a glyf table)"
                )
            if head[:4] not in (b"\x00\x01\x00\x00", b"true"):
                raise FontError(f"{path}: not a TrueType font file")
    except OSError as exc:
        raise FontError(f"{path}: cannot read the font file ({exc.strerror})") from exc
    from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

    try:
        face = TTFontFile(str(path), validate=False)
    except TTFError as exc:
        raise FontError(f"{path}: unusable font: {exc}") from exc
    family = face.familyName
    return family.decode("utf-8", "replace") if isinstance(family, bytes) else str(family)


@cache
def _resolve(configured: tuple[tuple[str, str], ...]) -> dict[str, FontFace]:
    user = dict(configured)
    unknown = sorted(set(user) - set(ROLES))
    if unknown:
        raise FontError(f"unknown font role {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    faces: dict[str, FontFace] = {}
    base: Path | None = None
    for role in ROLES:
        if role in user:
            path = Path(user[role]).expanduser()
            faces[role] = FontFace(role, path, _check_truetype(path), "configured")
            continue
        base = base or bundled_dir()
        file, family = BUNDLED[role]
        faces[role] = FontFace(role, base / file, family, "bundled")
    return faces


def resolve_fonts(configured: Mapping[str, str]) -> dict[str, FontFace]:
    """Each role's font face; raises :class:`FontError` naming the bad file or role."""
    return _resolve(tuple(sorted(configured.items())))


def register_pdf_font(face: FontFace) -> str:
    """Register ``face`` with reportlab once per process; return its PDF font name.

    Once per *file*: roles sharing a file (body and latin, title and bold)
    share one registration, because loading a CJK font costs about 0.1 s and
    tens of megabytes.
    """
    return _register_file(face.path, face.pdf_name)


@cache
def _register_file(path: Path, pdf_name: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        pdfmetrics.registerFont(TTFont(pdf_name, str(path)))
    except (TTFError, OSError) as exc:
        raise FontError(f"{path}: cannot load the font for the PDF: {exc}") from exc
    _log.debug("registered %s as %s", path, pdf_name)
    return pdf_name
