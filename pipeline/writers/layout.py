"""Layout profiles: page, margins and one style per block kind, as data.

Both the DOCX and the PDF writer read the same profile, so the two outputs
agree on paper, margins, sizes and fonts.  Fonts are named by *role*
(``title``, ``body``, ``heading1``, ``heading2``, ``latin``); :mod:`.fonts`
resolves a role to a file.  The default profile follows GB/T 9704-2012
(党政机关公文格式): A4, a 156 x 225 mm type area of 22 lines x 28 characters
in 16 pt (三号) body type, a 22 pt (二号) title.  ``handout`` is a variant
for printed meeting material: more leading, room for a header (meeting name
and date) and a watermark.  User profiles come from ``[profiles.NAME]`` in
``pipeline.toml`` or from a TOML file named by ``profile``; each names a
``parent`` (default ``gbt9704``) and overrides any of its settings, the way
rst2pdf's styles inherit from a parent style.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import Block, BlockKind, Text
from ..options import Options
from .fonts import ROLES
from .linebreak import balanced_lines

MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True, slots=True)
class BlockStyle:
    """How one kind of block is set.  Sizes in points, indents in characters."""

    font: str = "body"
    size: float = 16.0
    bold: bool = False  # tells Word to take the bold face; the PDF uses the role's file
    align: str = "justify"  # left | center | right | justify
    first_line_chars: float = 2.0
    right_chars: float = 0.0  # right indent: GB/T 9704 puts the date four characters in
    space_before: float = 0.0
    space_after: float = 0.0
    leading: float | None = None  # line pitch; None: the profile's


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    page_width_mm: float
    page_height_mm: float
    margin_top_mm: float
    margin_bottom_mm: float
    margin_left_mm: float
    margin_right_mm: float
    lines_per_page: int
    chars_per_line: int
    styles: dict[str, BlockStyle] = field(default_factory=dict)
    page_number_size: float = 14.0
    field_color: str = "#FFE58F"  # highlight behind an unfilled field
    header: str = ""  # text at the top of every page (meeting name and date)
    header_size: float = 10.5
    watermark: str = ""  # e.g. 内部资料, drawn diagonally across every page
    watermark_size: float = 54.0
    watermark_color: str = "#C8C8C8"

    @property
    def text_height_mm(self) -> float:
        return self.page_height_mm - self.margin_top_mm - self.margin_bottom_mm

    @property
    def text_width_mm(self) -> float:
        return self.page_width_mm - self.margin_left_mm - self.margin_right_mm

    @property
    def line_pitch(self) -> float:
        """Points from one baseline to the next so ``lines_per_page`` fill the type area."""
        return self.text_height_mm * MM / self.lines_per_page

    @property
    def body_size(self) -> float:
        return self.styles["paragraph"].size

    @property
    def char_pitch(self) -> float:
        """Points from one body character to the next so ``chars_per_line`` fill a line."""
        return self.text_width_mm * MM / self.chars_per_line

    def char_space(self, size: float) -> float:
        """Extra advance (negative: tighter) per glyph of ``size`` pt to keep the grid.

        >>> round(GBT9704.char_space(16), 3)
        -0.207
        """
        return (self.char_pitch - self.body_size) * size / self.body_size

    def style_for(self, block: Block) -> BlockStyle:
        return self.styles.get(style_key(block)) or self.styles["paragraph"]


def page_geometry(profile: Profile) -> dict[str, Any]:
    """Page size and margins in points, as reportlab's document templates take them."""
    return {
        "pagesize": (profile.page_width_mm * MM, profile.page_height_mm * MM),
        "leftMargin": profile.margin_left_mm * MM,
        "rightMargin": profile.margin_right_mm * MM,
        "topMargin": profile.margin_top_mm * MM,
        "bottomMargin": profile.margin_bottom_mm * MM,
    }


def style_key(block: Block) -> str:
    """The style name of ``block``: ``heading1`` .. ``heading4`` for headings, else its kind."""
    return f"heading{block.level}" if block.kind is BlockKind.HEADING else block.kind.value


_BODY = BlockStyle()

GBT9704 = Profile(
    name="gbt9704",
    page_width_mm=210,
    page_height_mm=297,
    margin_top_mm=37,
    margin_bottom_mm=35,
    margin_left_mm=28,
    margin_right_mm=26,
    lines_per_page=22,
    chars_per_line=28,
    styles={
        "title": BlockStyle(
            font="title",
            size=22,
            bold=True,
            align="center",
            first_line_chars=0,
            space_after=28.95,
        ),
        "subtitle": BlockStyle(font="heading2", align="center", first_line_chars=0),
        "salutation": BlockStyle(align="left", first_line_chars=0),
        "heading1": BlockStyle(font="heading1"),
        "heading2": BlockStyle(font="heading2"),
        "heading3": _BODY,  # levels 3 and 4 in the body face (GB/T 9704 7.3.3)
        "heading4": _BODY,
        "paragraph": _BODY,
        "closing": _BODY,
        "signature": BlockStyle(align="right", first_line_chars=0, right_chars=4),
    },
)

HANDOUT = replace(
    GBT9704,
    name="handout",
    lines_per_page=19,
    margin_top_mm=32,
    margin_bottom_mm=30,
    styles={
        **GBT9704.styles,
        "heading1": BlockStyle(font="heading1", space_before=8),
        "title": replace(GBT9704.styles["title"], space_after=36),
    },
)

PROFILES: dict[str, Profile] = {p.name: p for p in (GBT9704, HANDOUT)}

_ALIGNS = ("left", "center", "right", "justify")
_STYLE_KEYS = (
    "title",
    "subtitle",
    "salutation",
    "heading1",
    "heading2",
    "heading3",
    "heading4",
    "paragraph",
    "closing",
    "signature",
)


def profile_for(opts: Options) -> Profile:
    """The run's profile, with the header and watermark the options give put on it."""
    profile = get_profile(opts.profile, opts.profiles)
    extra = {key: getattr(opts, key) for key in ("header", "watermark") if getattr(opts, key)}
    return replace(profile, **extra) if extra else profile


def get_profile(name: str, custom: Mapping[str, Mapping[str, Any]] | None = None) -> Profile:
    """The profile called ``name``: a user table in ``custom``, a built-in, or a ``.toml`` file.

    >>> get_profile("mine", {"mine": {"parent": "handout", "watermark": "内部资料"}}).lines_per_page
    19
    """
    custom = custom or {}
    return _lookup(name, custom, ())


def _lookup(name: str, custom: Mapping[str, Mapping[str, Any]], seen: tuple[str, ...]) -> Profile:
    if name in seen:
        raise ConfigError(f"layout profile {name!r} inherits from itself ({' -> '.join(seen)})")
    if name in custom:
        return _build(name, custom[name], custom, (*seen, name))
    if name in PROFILES:
        return PROFILES[name]
    if name.endswith(".toml"):
        path = Path(name).expanduser()
        try:
            data = tomllib.loads(path.read_text("utf-8-sig"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read the profile ({exc.strerror})") from exc
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        return _build(str(data.get("name", path.stem)), data, custom, (*seen, name))
    choices = [*PROFILES, *custom]
    raise ConfigError(
        f"unknown layout profile {name!r}; choose from {', '.join(choices)} or give a .toml file"
    )


def _build(
    name: str,
    data: Mapping[str, Any],
    custom: Mapping[str, Mapping[str, Any]],
    seen: tuple[str, ...],
) -> Profile:
    """A profile from a TOML table: its parent with the table's settings on top."""
    where = f"layout profile {name!r}"
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: must be a table of settings")
    settings = dict(data)
    parent = _lookup(str(settings.pop("parent", GBT9704.name)), custom, seen)
    settings.pop("name", None)
    style_tables = settings.pop("styles", {})
    simple = {f.name: f.type for f in fields(Profile)} | {"name": "str"}
    unknown = sorted(set(settings) - set(simple) - {"styles"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting {', '.join(unknown)}; known settings are parent, styles, "
            + ", ".join(sorted(k for k in simple if k not in ("name", "styles")))
        )
    values: dict[str, Any] = {}
    for key, value in settings.items():
        values[key] = _typed(where, key, value, getattr(parent, key))
    styles = dict(parent.styles)
    if not isinstance(style_tables, Mapping):
        raise ConfigError(f"{where}: styles must be tables, e.g. [profiles.x.styles.title]")
    for key, table in style_tables.items():
        if key not in _STYLE_KEYS or not isinstance(table, Mapping):
            raise ConfigError(
                f"{where}: unknown style {key!r}; styles are {', '.join(_STYLE_KEYS)}"
            )
        base = styles.get(key, styles["paragraph"])
        known = {f.name for f in fields(BlockStyle)}
        bad = sorted(set(table) - known)
        if bad:
            raise ConfigError(
                f"{where}: style {key}: unknown setting {', '.join(bad)}; "
                f"known: {', '.join(sorted(known))}"
            )
        styles[key] = replace(
            base,
            **{
                k: _typed(f"{where}: style {key}", k, v, getattr(base, k)) for k, v in table.items()
            },
        )
    profile = replace(parent, name=name, styles=styles, **values)
    if profile.lines_per_page < 1 or profile.chars_per_line < 1:
        raise ConfigError(f"{where}: lines_per_page and chars_per_line must be positive")
    if profile.text_width_mm <= 0 or profile.text_height_mm <= 0:
        raise ConfigError(f"{where}: the margins leave no room for text")
    return profile


def _typed(where: str, key: str, value: Any, like: Any) -> Any:
    """``value`` as the type of the parent's ``like``, or a :class:`ConfigError`."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(like, bool):
        ok = isinstance(value, bool)
    elif isinstance(like, int):
        ok = number and float(value).is_integer()
        value = int(value) if ok else value
    elif isinstance(like, float) or (like is None and number):
        ok = number
        value = float(value) if ok else value
    else:
        ok = isinstance(value, str)
    if not ok:
        raise ConfigError(f"{where}: {key} must be like {like!r}, not {value!r}")
    if key == "align" and value not in _ALIGNS:
        raise ConfigError(f"{where}: align must be one of {', '.join(_ALIGNS)}")
    if key == "font" and value not in ROLES:
        raise ConfigError(f"{where}: font must be a font role: {', '.join(ROLES)}")
    return value


def title_lines(block: Block, profile: Profile) -> list[Block]:
    """A title as balanced lines (one block each); any other block as it is.

    GB/T 9704 sets a long title on lines of similar length broken between
    phrases; both writers break titles here so they agree.
    """
    if block.kind is not BlockKind.TITLE or not all(isinstance(i, Text) for i in block.inlines):
        return [block]
    per_line = int(profile.text_width_mm * MM // profile.style_for(block).size)
    return [replace(block, inlines=(Text(line),)) for line in balanced_lines(block.text, per_line)]
