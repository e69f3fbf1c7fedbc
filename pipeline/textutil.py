"""Character classes shared by the reader and the stages."""

from __future__ import annotations

import re

# The longest paragraph a document holds, in characters: the reader splits
# longer lines and unwrap joins no further, so the PDF writer, which lays a
# paragraph out again for every page it fills, stays linear.
MAX_PARAGRAPH = 2000

CN_NUMERALS = "一二三四五六七八九十百零〇"
# How a numbered heading or a list item opens (一、 （二） 3. 第四章 ●): a line
# that opens so is no continuation of the one before, and may end in no mark.
HEADING_START = re.compile(
    rf"^(?:[{CN_NUMERALS}]+、|[（(][{CN_NUMERALS}]+[）)]|\d{{1,2}}[.．、](?!\d)|[（(]\d{{1,2}}[）)]"
    rf"|第[{CN_NUMERALS}\d]+[章节条部分篇]|[●■◆★☆▲►•·※□√])"
)

# What must never reach an output: control characters (XML 1.0 forbids them,
# so DOCX cannot hold them), bidirectional overrides and isolates, noncharacters.
_UNSHOWABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"
)


def unshowable(text: str) -> str | None:
    """Name the first control, bidi-override or noncharacter in ``text``, or None.

    >>> unshowable("张三"), unshowable("张\x07三")
    (None, 'U+0007')
    """
    found = _UNSHOWABLE.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def is_cjk(ch: str) -> bool:
    """True for a Chinese character (any CJK ideograph block).

    >>> is_cjk("中"), is_cjk("a"), is_cjk("，")
    (True, False, False)
    """
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3134F
    )


def is_chinese_context(ch: str) -> bool:
    """A hanzi or a full-width punctuation mark: evidence the text around is Chinese."""
    o = ord(ch)
    return (
        is_cjk(ch)
        or 0x3000 <= o <= 0x303F
        or 0xFF01 <= o <= 0xFF65
        or ch in "\u2014\u2026\u201c\u201d\u2018\u2019"
    )


def printable_name(name: str) -> str:
    """A file name fit for a document, a report or a terminal.

    Bytes the file system holds that are not UTF-8 (a GBK name unpacked on
    Linux) arrive as lone surrogates and become U+FFFD; control characters too.

    >>> printable_name("a\\udcffb\\x01.txt")
    'a\ufffdb\ufffd.txt'
    """
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _UNSHOWABLE.sub("\ufffd", text)


def markup_escape(text: str) -> str:
    """``text`` safe as XML character data and in reportlab's markup: ``&``, ``<``, ``>`` escaped.

    (``xml.sax.saxutils.escape`` does the same, but importing it imports
    ``urllib.request``: a fifth of a command-line run's start-up.)

    >>> markup_escape("a<b> & c")
    'a&lt;b&gt; &amp; c'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(text: str) -> str:
    """``text`` for an XML attribute in double quotes.

    >>> xml_attr('a "b" & c')
    'a &quot;b&quot; &amp; c'
    """
    return markup_escape(text).replace('"', "&quot;")
