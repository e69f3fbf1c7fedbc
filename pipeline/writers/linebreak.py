"""Chinese line breaking on a character grid: where a line may end, and how wide it is.

GB/T 9704 sets body text on a grid of 28 characters a line; GB/T 15834 and
the usual Chinese typesetting rules (禁则) forbid a line to start with a
closing mark (``，。、；：？！）》」』’”…``) or to end with an opening one
(``（《「『‘“``), and forbid splitting ``——``, ``……``, a number or a Latin
word.  reportlab's CJK wrap knows only part of these marks and lets a
forbidden mark hang into the margin, so the PDF writer breaks lines here.

A too-long line is broken *before* the last legal break point ("push out"):
the characters that may not start a line take the previous character with
them, and the justified line is spread by the space they leave.  This keeps
every character inside the type area.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

CANNOT_START = frozenset("，。、；：？！）》」』’”…】〕〉］｝〗％‰℃" + ",.;:?!)]}%")
CANNOT_END = frozenset("（《「『‘“【〔〈［｛〖" + "([{")

# Runs that are never split: Latin words, numbers with their decimal point,
# thousands separator and percent sign ("1,286", "3.5%"), and the two-em dash
# and ellipsis.  A web address or compound may break *after* its . / or -.
_CLUSTER = re.compile(r"[A-Za-z0-9]+(?:[.,:][0-9]+)*%?|—{2,}|…{2,}|·{2,}")
# Where a break is forbidden, found by expressions (most text has no rule to
# apply): before a mark that cannot start a line, after one that cannot end
# it, and around a connector glued to its word ("COVID-19", "2022/23").
_NO_BREAK_BEFORE = re.compile("[" + re.escape("".join(sorted(CANNOT_START))) + "]")
_NO_BREAK_AFTER = re.compile("[" + re.escape("".join(sorted(CANNOT_END))) + "]")
_GLUED = re.compile(r"(?<=[A-Za-z0-9])[./\-]|(?<=[./\-])[0-9]")

_FUZZ = 1e-6


def break_opportunities(text: str) -> list[bool]:
    """``allowed[i]``: may a line break fall just before ``text[i]``?

    >>> "".join("|" if ok else "." for ok in break_opportunities("说：“好。”2022年"))
    '..|...|...|'
    >>> "".join("|" if ok else "." for ok in break_opportunities("www.gov.cn 1,286"))
    '....|...|.||....'
    """
    allowed = [True] * len(text)
    if text:
        allowed[0] = False
    for m in _NO_BREAK_BEFORE.finditer(text):
        allowed[m.start()] = False
    for m in _NO_BREAK_AFTER.finditer(text, 0, len(text) - 1):
        allowed[m.start() + 1] = False
    for m in _CLUSTER.finditer(text):
        for i in range(m.start() + 1, m.end()):
            allowed[i] = False
    for m in _GLUED.finditer(text):
        allowed[m.start()] = False
    return allowed


def break_lines(
    text: str,
    widths: Sequence[float],
    max_widths: Sequence[float],
    forced: frozenset[int] = frozenset(),
) -> list[tuple[int, int]]:
    """Split ``text`` into lines as ``(start, end)`` index pairs.

    ``widths[i]`` is the advance of ``text[i]``; line ``k`` is at most
    ``max_widths[k]`` wide (the last entry serves for all later lines).
    ``forced`` holds indices a line must end *after* (hard line breaks).
    A line is cut at the last legal break point that fits; only a run with
    no legal break point at all is cut where it overflows.  Spaces where a
    line is cut belong to neither line (Latin text breaks at its spaces).

    >>> break_lines("甲乙丙丁。", [1.0] * 5, [4.0])
    [(0, 3), (3, 5)]
    >>> break_lines("“甲乙丙", [1.0] * 4, [2.0])
    [(0, 2), (2, 4)]
    >>> break_lines("ISO 9001", [1.0] * 8, [5.0])
    [(0, 3), (4, 8)]
    """
    allowed = break_opportunities(text)
    # Each line's overflow point by bisection on the running widths rather
    # than character by character: a paragraph is broken again for every
    # page it is split across.
    ends = list(itertools.accumulate(widths, initial=0.0))
    hard = sorted(forced)
    lines: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    while start < n:
        limit = max_widths[min(len(lines), len(max_widths) - 1)]
        # the first i whose character no longer fits (the line holds start..i-1)
        i = bisect.bisect_right(ends, ends[start] + limit + _FUZZ, start + 1) - 1
        i = max(i, start + 1)  # a line holds at least one character
        k = bisect.bisect_left(hard, start)
        if k < len(hard) and hard[k] < i:  # a hard break comes first
            lines.append((start, hard[k] + 1))
            start = hard[k] + 1
            continue
        if i >= n:
            lines.append((start, n))
            break
        cut = i
        while cut > start and not allowed[cut]:
            cut -= 1
        if cut == start:  # nothing legal fits: cut where it overflows
            cut = i
        end = cut
        while end > start and text[end - 1] == " ":
            end -= 1
        while cut < n and text[cut] == " ":
            cut += 1
        lines.append((start, end))
        start = cut
    if not lines:
        lines.append((0, n))
    return lines


def violations(lines: Sequence[str]) -> list[str]:
    """The laid-out lines that break a rule: start with a closing mark, or end with an opening one.

    >>> violations(["大家好", "。谢谢“", "好"])
    ['。谢谢“']
    """
    bad = []
    for line in lines:
        text = line.strip()
        if text and (text[0] in CANNOT_START or text[-1] in CANNOT_END):
            bad.append(line)
    return bad


# A title line reads best ending after one of these (GB/T 9704 asks for
# balanced, sensibly broken title lines, not a lone character on the last).
_TITLE_BREAK_AFTER = frozenset("的在上于和与及对、，”》）：")


def balanced_lines(text: str, per_line: int) -> list[str]:
    """Lines of nearly equal length for a centred title, broken where the phrase allows.

    >>> balanced_lines("市长在全市“五一”劳动模范座谈会上演讲材料", 20)
    ['市长在全市“五一”', '劳动模范座谈会上演讲材料']
    >>> balanced_lines("关于做好安全生产工作的通知", 20)
    ['关于做好安全生产工作的通知']
    """
    if per_line <= 0 or len(text) <= per_line:
        return [text]
    allowed = break_opportunities(text)
    lines: list[str] = []
    start = 0
    count = -(-len(text) // per_line)
    for remaining in range(count, 1, -1):
        left = len(text) - start
        ideal = start + -(-left // remaining)
        best, best_score = None, float("inf")
        for cut in range(start + 1, min(len(text), start + per_line + 1)):
            if not allowed[cut] or len(text) - cut > per_line * (remaining - 1):
                continue
            score = abs(cut - ideal) - (2.5 if text[cut - 1] in _TITLE_BREAK_AFTER else 0)
            if score < best_score:
                best, best_score = cut, score
        if best is None:
            break
        lines.append(text[start:best])
        start = best
    lines.append(text[start:])
    return lines
