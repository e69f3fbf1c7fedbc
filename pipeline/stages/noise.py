"""Anti-copy junk: what a website scatters into the text to spoil copying.

Random Latin runs mixing letters and ``*`` between Chinese characters
(``劳动asd****19模范``) and invisible characters (zero-width spaces, word
joiners, soft hyphens).  Conservative on purpose: ``第*位`` (a redacted
placeholder), ``A380`` or ``win10`` (real words) stay.
"""

from __future__ import annotations

import re

from .base import Edit

JUNK_REASON = "removed anti-copy junk (random Latin text)"
INVISIBLE_REASON = "removed an invisible character"

_JUNK = re.compile(
    r"(?<=[\u3400-\u9fff，。、；：！？“”])[A-Za-z0-9*]{4,32}(?=[\u3400-\u9fff，。、；：！？“”])"
)
_INVISIBLE = re.compile(
    r"[\u200b\u2060\ufeff\u00ad]|(?<=[\u3400-\u9fff])[\u200c\u200d]|[\u200c\u200d](?=[\u3400-\u9fff])"
)


# What either pattern needs somewhere in the text: one cheap scan rules most lines out.
_MAY_HOLD_JUNK = re.compile(r"[A-Za-z0-9*]{4}|[\u200b\u2060\ufeff\u00ad\u200c\u200d]")


def find_junk_edits(text: str) -> list[Edit]:
    """Latin runs mixing letters and ``*`` dropped between Chinese characters.

    >>> from pipeline.stages.base import apply_edits
    >>> apply_edits("劳动asd****19模范\\u200b", find_junk_edits("劳动asd****19模范\\u200b"))
    '劳动模范'
    """
    if not _MAY_HOLD_JUNK.search(text):
        return []
    edits = [
        Edit(m.start(), m.end(), "", JUNK_REASON, 0.85)
        for m in _JUNK.finditer(text)
        if "*" in m.group() and any(c.isalpha() for c in m.group())
    ]
    edits += [Edit(m.start(), m.end(), "", INVISIBLE_REASON) for m in _INVISIBLE.finditer(text)]
    return edits
