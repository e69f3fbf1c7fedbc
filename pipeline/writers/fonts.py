"""Font roles and the files they resolve to; the one place that touches font files.

Roles: ``title`` (heavy serif, for 小标宋), ``body`` (serif, for 仿宋 or
宋体), ``bold`` (the body's bold face), ``heading1`` (sans, for 黑体),
``heading2`` (Kai, for 楷体) and ``latin`` (digits and Latin letters).
A role resolves, in this order, to the file the user configured (``[fonts]``
in ``pipeline.toml``), to a font installed on the machine under the official
name GB/T 9704 documents use (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312 …), or to the font bundled with the package.  Only
TrueType-outline fonts (a ``glyf`` table) are accepted, because those are what
reportlab can embed as subsets.  Installed fonts are looked up once per
process (``fc-list`` where there is one, else the usual font folders).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
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


# role -> the family names Word and WPS know the official fonts by, best first.
OFFICIAL: dict[str, tuple[str, ...]] = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"),
    "body": ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "华文仿宋", "STFangsong"),
    "bold": (),
    "heading1": ("黑体", "SimHei", "华文黑体", "STHeiti"),
    "heading2": ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "华文楷体", "STKaiti"),
    "latin": ("Times New Roman",),
}


@dataclass(frozen=True, slots=True)
class FontFace:
    role: str
    path: Path
    family: str
    source: str  # "configured", "system" or "bundled"

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


def font_dirs() -> list[Path]:
    """Folders where fonts are installed on Linux, Windows and macOS."""
    home = Path.home()
    dirs = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".fonts",
        home / ".local/share/fonts",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
        home / "Library/Fonts",
    ]
    if sys.platform == "win32":
        dirs.insert(0, Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts")
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.insert(1, Path(local) / "Microsoft/Windows/Fonts")
    return dirs


def _fc_list() -> Iterator[tuple[str, Path]]:
    """(family, file) for every installed regular face, as fontconfig reports them."""
    exe = shutil.which("fc-list")
    if exe is None:
        return
    try:
        out = subprocess.run(
            [exe, "--format", "%{family}\t%{style}\t%{file}\n"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        _log.debug("fc-list failed: %s", exc)
        return
    for line in out.splitlines():
        families, style, file = [*line.split("\t"), "", ""][:3]
        if style and not any(s in style for s in ("Regular", "Normal", "Book", "常规")):
            continue
        for family in families.split(","):
            yield family.strip(), Path(file)


def _scan_dirs() -> Iterator[tuple[str, Path]]:
    """(family, file) for the TrueType files in :func:`font_dirs`, read with fontTools."""
    from fontTools.ttLib import TTFont, TTLibError

    for folder in font_dirs():
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.suffix.lower() != ".ttf":
                continue
            try:
                names = TTFont(path, lazy=True)["name"]
            except (TTLibError, OSError, KeyError) as exc:
                _log.debug("%s: unreadable font: %s", path, exc)
                continue
            for record in names.names:
                if record.nameID in (1, 16):
                    yield str(record.toUnicode()).strip(), path


@cache
def installed_fonts() -> dict[str, Path]:
    """Family name -> file of the installed TrueType fonts; looked up once per process."""
    found: dict[str, Path] = {}
    source = _fc_list() if shutil.which("fc-list") else _scan_dirs()
    for family, path in source:
        if path.suffix.lower() == ".ttf":
            found.setdefault(family, path)
    _log.debug("%d installed font families", len(found))
    return found


def _official(role: str) -> FontFace | None:
    """The installed font for ``role`` under an official name, if there is a usable one."""
    installed = installed_fonts()
    for name in OFFICIAL[role]:
        path = installed.get(name)
        if path is None:
            continue
        try:
            _check_truetype(path)
        except FontError as exc:
            _log.info("installed font %s not usable: %s", name, exc)
            continue
        return FontFace(role, path, name, "system")
    return None


@cache
def _resolve(configured: tuple[tuple[str, str], ...], system: bool) -> dict[str, FontFace]:
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
        face = _official(role) if system else None
        if face is not None:
            faces[role] = face
            continue
        base = base or bundled_dir()
        file, family = BUNDLED[role]
        faces[role] = FontFace(role, base / file, family, "bundled")
    return faces


def resolve_fonts(configured: Mapping[str, str], system: bool = True) -> dict[str, FontFace]:
    """Each role's font face; raises :class:`FontError` naming the bad file or role.

    ``system=False`` skips installed fonts (configured, else bundled), which
    makes the output the same on every machine.
    """
    return _resolve(tuple(sorted(configured.items())), system)


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
    from reportlab.pdfbase.ttfonts import TTFError

    from .ttf import MappedTTFont

    try:
        pdfmetrics.registerFont(MappedTTFont(pdf_name, path))
    except (TTFError, OSError) as exc:
        raise FontError(f"{path}: cannot load the font for the PDF: {exc}") from exc
    _log.debug("registered %s as %s", path, pdf_name)
    return pdf_name
