"""Template-site phrases, as data: what the cleanup stage recognises as not the author's.

Patterns are written in simplified characters; :func:`compile_both` widens
every hanzi to a class holding its traditional forms too (``编`` -> ``[编編]``),
because the cleanup runs before the conversion to simplified characters.
Add a phrase here, with a case in ``tests/cases/cleanup.json``; no code changes.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

# A line holding one of these was written by the website, not the author.
BOILERPLATE: tuple[str, ...] = (
    r"小编",
    r"本文由.{0,20}?(?:整理|收集|发布|提供|原创|编辑)",
    r"更多.{0,20}?(?:请|敬请|欢迎)(?:访问|关注|登录|点击|浏览)",
    r"版权声明",
    r"版权归原作者",
    r"^版权所有",
    r"转载请注明",
    r"免责声明",
    r"如有侵权.{0,4}?(?:联系|告知|删除)",
    r"原文(?:链接|地址)[:：]",
    r"^(?:相关|热门|精选|推荐|延伸|猜你喜欢)(?:推荐|阅读|文章|范文|内容)?[:：]?$",
    r"欢迎(?:阅读|下载|借鉴|收藏)",
    r"本文(?:来源于|来自|转自)",
    r"文章来源于网络",
    r"(?:word|Word|WORD)(?:版本?|格式|文档)?.{0,6}?可(?:以)?(?:任意)?编辑",
    r"可编辑(?:修改|版)",
    r"精品文档",
    r"仅供(?:个人)?学习(?:与|和)?交流",
)

# A site's pitch ("为大家整理的…"); a speaker may also "为大家提供…的服务" or
# apologise for "给大家带来的不便", so it counts only on a line that also
# names a kind of template document or closes with a weak phrase below.
PITCH = r"(?:为|给|帮|替)大家(?:精心)?(?:整理|带来|收集|搜集|分享|推荐|准备|汇总)(?:了|好)?的"

# Phrases a website closes its pitch with; also at home in a speech
# ("下面讲几点意见，供大家参考"), so alone they count only on a line that also
# names a kind of template document, at the top or the bottom of the text.
WEAK_BOILERPLATE: tuple[str, ...] = (
    r"供大家参考",
    r"仅供参考",
    r"希望(?:对)?(?:大家|你|您)(?:喜欢|有所帮助|有帮助)",
    r"希望(?:能|可以)?(?:帮助到|帮到)(?:大家|你|您)",
)
TEMPLATE_WORDS = r"范文|模板|范本|材料|讲话稿|演讲稿|发言稿|心得体会|【[^】]{0,12}】"

# The site's pitch names the document: "…整理的<title>【完整版】，供大家参考".
NAMES_DOCUMENT = r"(?:整理|带来|收集|搜集|分享|推荐|准备|汇总|提供|编辑)(?:了|好)?的"
# Site tags trailing a title: 【完整版】, (通用5篇), 范文3篇, 精选 …
TITLE_TAGS = (
    r"(?:\s*(?:[【\[(（][^】\])）]{0,12}[】\])）]"
    r"|范文(?:\d+篇)?|(?:精选|通用|优秀|最新)?\d+篇|大全|合集|汇总|模板|范本))+$"
)
TITLE_LEAD = r"^(?:\d+|[一二三四五六七八九十几]+)篇"
GENERIC_TITLES = frozenset(
    {"范文", "文章", "资料", "内容", "材料", "文档", "相关内容", "相关资料", "范本", "模板"}
)

# A notice that the copy stops or skips text: the source is incomplete.
TRUNCATION: tuple[str, ...] = (
    r"此处隐藏[:：]?\s*\d*\s*字",
    r"全文预览已结束",
    r"(?:下载|购买)(?:本?文档)?后?(?:查看|阅读)(?:全文|完整(?:内容|版|文档))",
    r"全部文档内容请下载",
    r"剩余\s*\d*\s*(?:字|页|篇)?\s*未读",
    r"还剩\s*\d+\s*页未读",
    r"点击(?:阅读|查看|展开)全文",
    r"^(?:展开|阅读|查看)全文\W*$",
    r"试读(?:已)?结束",
    r"(?:开通|成为)(?:VIP|vip|会员).{0,10}?(?:阅读|查看|下载)",
    r"(?:付费|登录)后(?:可)?(?:阅读|查看|下载)全文",
    r"本文档(?:仅|只)?(?:提供|支持)部分内容(?:预览|试读)",
)

# A page strip on a line of its own: 第1页共21页, - 1 -, 1/21, Page 3 of 9.
PAGE_STRIP_LINE: tuple[str, ...] = (
    r"^第\s*\d+\s*页\s*[,，/／]?\s*(?:共\s*\d+\s*页)?$",
    r"^共\s*\d+\s*页\s*[,，/／]?\s*第\s*\d+\s*页$",
    r"^[-—－–~]\s*\d+\s*[-—－–~]$",
    r"^\d+\s*/\s*\d+$",
    r"^(?:page|Page|PAGE)\s*\d+(?:\s*(?:of|/)\s*\d+)?$",
)
# Inside a line, only the unmistakable form is a strip.
PAGE_STRIP_INLINE = r"第\s*\d+\s*页\s*[,，/／]?\s*共\s*\d+\s*页"

_VARIANT_CONFIGS = ("s2t", "s2tw", "s2hk")
VARIANTS_FILE = Path(__file__).resolve().parent.parent / "data" / "phrase_variants.json"


def opencc_variants(ch: str) -> str:
    """``ch`` and its traditional forms (OpenCC s2t, s2tw, s2hk), without repeats."""
    from .convert import converter

    forms = dict.fromkeys([ch])
    for config in _VARIANT_CONFIGS:
        out = converter(config)(ch)
        if len(out) == 1:
            forms[out] = None
    return "".join(forms)


# Modules whose patterns go through :func:`compile_both`: their hanzi are in the table.
_PATTERN_MODULES = ("phrases.py", "cleanup.py", "unwrap.py")


def phrase_hanzi() -> list[str]:
    """Every hanzi of the modules whose patterns :func:`compile_both` widens."""
    here = Path(__file__).resolve().parent
    source = "".join((here / name).read_text("utf-8") for name in _PATTERN_MODULES)
    return sorted({ch for ch in source if "\u3400" <= ch <= "\u9fff"})


def write_variant_table() -> None:
    """Regenerate ``data/phrase_variants.json`` after editing the phrase tables."""
    table = {ch: opencc_variants(ch) for ch in phrase_hanzi()}
    VARIANTS_FILE.write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n", "utf-8")


@cache
def _variant_table() -> dict[str, str]:
    # Precomputed: building three OpenCC converters costs a fifth of a second
    # per process, for a few hundred characters that never change.
    table: dict[str, str] = json.loads(VARIANTS_FILE.read_text("utf-8"))
    return table


@cache
def _variants(ch: str) -> str:
    known = _variant_table().get(ch)
    return known if known is not None else opencc_variants(ch)


def widen(pattern: str) -> str:
    """``pattern`` with every hanzi also matching its traditional forms.

    >>> widen("小编[为]")
    '小[编編][为爲為]'
    """
    out: list[str] = []
    in_class = escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        elif "\u3400" <= ch <= "\u9fff":
            forms = _variants(ch)
            if len(forms) > 1:
                out.append(forms if in_class else f"[{forms}]")
                continue
        out.append(ch)
    return "".join(out)


@cache
def compile_both(*patterns: str) -> re.Pattern[str]:
    """One regex matching any of ``patterns``, in simplified or traditional script."""
    return re.compile("|".join(f"(?:{widen(p)})" for p in patterns))
