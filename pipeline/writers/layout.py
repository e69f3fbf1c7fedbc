"""Layout profiles: page, margins and one style per block kind, as data.

Both the DOCX and the PDF writer read the same profile, so the two outputs
agree on paper, margins, sizes and fonts.  Fonts are named by *role*
(``title``, ``body``, ``heading1``, ``heading2``, ``latin``); :mod:`.fonts`
resolves a role to a file.  The default profile follows GB/T 9704-2012
(党政机关公文格式): A4, a 156 x 225 mm type area of 22 lines x 28 characters
in 16 pt (三号) body type, a 22 pt (二号) title.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ConfigError
from ..model import Block, BlockKind

MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True, slots=True)
class BlockStyle:
    """How one kind of block is set.  Sizes in points, indents in characters."""

    font: str = "body"
    size: float = 16.0
    bold: bool = False  # tells Word to take the bold face; the PDF uses the role's file
    align: str = "justify"  # left | center | right | justify
    first_line_chars: float = 2.0
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

    def style_for(self, block: Block) -> BlockStyle:
        return self.styles.get(style_key(block)) or self.styles["paragraph"]


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
        "heading3": BlockStyle(font="bold", bold=True),
        "heading4": _BODY,
        "paragraph": _BODY,
        "closing": _BODY,
        "signature": BlockStyle(align="right", first_line_chars=0),
    },
)

PROFILES: dict[str, Profile] = {GBT9704.name: GBT9704}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ConfigError(
            f"unknown layout profile {name!r}; choose from {', '.join(PROFILES)}"
        ) from None
