"""Find redacted placeholders in a line of Chinese text and say what each one stands for.

Template sites redact names, places and figures in many ways: runs of ``*``,
``X``/``x``/``×``, ``某``/``某某``, digit-level masks (``20**年``, ``202x年``,
``xx0.9%``), and sometimes by deleting the number outright
(``地区生产总值亿元``).  The same characters also occur honestly (``X光``,
pinyin ``(xí)``, English words, ``3*4``, ``asd****19``), so a candidate only
counts in Chinese or numeric context.  Typing reads the words around a
placeholder (``增长*%`` is a growth rate, ``第*位`` a rank, ``*市`` a city);
a placeholder inside a list (``*、*、*等产业项目``) is typed by the list's
context.  This module is pure string work; :mod:`.fields` builds the fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER_CHARS = "*＊xXｘＸ×"
_P = re.escape(PLACEHOLDER_CHARS)
# Maximal runs of placeholder characters mixed with digits, a decimal point or a dash.
_CANDIDATE = re.compile(rf"[0-9{_P}.\-]*[{_P}][0-9{_P}.\-]*")
_MOU = re.compile(r"某{2,3}|某")
_NUMBER_SHAPE = re.compile(rf"[0-9{_P}]+(?:\.[0-9{_P}]+|(?:-[0-9{_P}]+){{1,2}})?")
_FULL_DATE = re.compile(rf"(?:19|20)[0-9{_P}]{{2}}-[0-9{_P}]{{1,2}}-[0-9{_P}]{{1,2}}")
_DIVIDER = re.compile(r"[*＊\s·.\-—=]*")
# How much text either side of a placeholder its type is read from.
_BEFORE, _AFTER = 40, 24
_ARITHMETIC = re.compile(rf"\d+(?:\.\d+)?[{_P}]\d+(?:\.\d+)?")
_YEAR_SHAPE = re.compile(rf"(?:19|20)[0-9{_P}]{{2}}|[{_P}]{{4}}")
# What may follow a number that has only some digits masked (``xx0.9%``, ``202x年``).
_NUMERIC_NEXT = re.compile(r"[%％年月日号亿万千百元个人位名次项家倍岁吨亩平公届]")
# ``X光`` (X-ray), ``X射线``, ``X轴`` ... are words, not placeholders.
_X_WORDS = re.compile(r"[光线轴型形]|射线|染色体|战警|因素")
_OPERATORS = set("+=<>/^÷")
_MAX_RUN = {"*": 8, "＊": 8, "X": 7, "Ｘ": 7, "x": 5, "ｘ": 5, "×": 3}
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)
# ``某`` alone is ordinary Chinese (某些, 某种, 某一) unless it names a place, a body or a person.
_MOU_PLACE = re.compile(r"(?:市(?!场)|县|区|镇|乡|村|省|州|街道|社区)")
_MOU_BODY = re.compile(r"(?:同志|公司|集团|单位|企业|局|委|部门|学校|医院|银行|协会)")
_MOU_ORDINARY = re.compile(r"[些种类个项一方次位人样处件天日时段年月]")


@dataclass(frozen=True, slots=True)
class Span:
    """A placeholder at ``text[start:end]`` (``start == end``: a deleted number)."""

    start: int
    end: int
    kind: str
    label: str
    grouped: bool = False
    confidence: float = 0.9
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """``after``/``before`` match the text right after/before the placeholder.

    ``label`` may name the unit the ``after`` pattern captured as ``{u}``.
    ``clause`` rules look for ``before`` anywhere earlier in the same clause.
    """

    kind: str
    label: str
    after: re.Pattern[str] | None = None
    before: re.Pattern[str] | None = None
    grouped: bool = False
    clause: bool = False


def _rule(
    kind: str,
    label: str,
    after: str | None = None,
    before: str | None = None,
    *,
    grouped: bool = False,
    clause: bool = False,
) -> Rule:
    tail = r"[^，。；！？]*$" if clause else r"$"
    return Rule(
        kind,
        label,
        re.compile(after) if after else None,
        re.compile(f"(?:{before}){tail}") if before else None,
        grouped,
        clause,
    )


_UP = r"增长|增加|提高|上升|增速|增幅|同比|环比|翻|攀升"
_DOWN = r"下降|减少|回落|降低|下滑|收窄"
_SHARE = r"占|比重|比例|占比|率|覆盖|达到|达"
_TITLES = (
    r"同志|书记|副书记|市长|副市长|县长|副县长|区长|副区长|镇长|乡长|省长|副省长|主任|副主任|"
    r"局长|副局长|部长|厅长|处长|科长|主席|副主席|委员|先生|女士|教授|老师|总经理|董事长|校长|院长|"
    r"同学|代表|劳模"
)
_CONGRESS = r"大(?!力|会|家|小|型|量|批|幅)"
_STUDY = r"学习贯彻|贯彻落实|深入学习|学习宣传"
_MEASURES = r"吨|千瓦时|千瓦|平方米|平方公里|亩|公里|公顷|辆|户|个|人"
_UNITS = r"个|项|家|所|批|件|户|座|条|支|场|台|辆|套|处|种|部|篇|期|轮|次|只|头|棵|间|栋|张|本"

# First match wins; the most specific contexts come first.
RULES: tuple[Rule, ...] = (
    _rule("phrase", "指导思想", after=r"为指导|为引领", before=r"以", grouped=True),
    _rule("phrase", "党代会届次", after=_CONGRESS, before=r"党的", grouped=True),
    _rule(
        "phrase",
        "会议精神",
        after=r"精神",
        before=_STUDY,
        grouped=True,
    ),
    _rule("sitting", "届次", after=r"届"),
    _rule("sitting", "会次", after=r"次(?:全会|全体会议|会议|党代会|代表大会|常委会)"),
    _rule("sitting", "全会次序", after=r"中全会"),
    _rule("percent", "增幅（%）", after=r"[%％]", before=_UP, clause=True),
    _rule("percent", "降幅（%）", after=r"[%％]", before=_DOWN, clause=True),
    _rule("percent", "比重（%）", after=r"[%％]", before=_SHARE, clause=True),
    _rule("percent", "百分比（%）", after=r"[%％]"),
    _rule("number", "百分点", after=r"个百分点"),
    _rule("number", "倍数", after=r"倍"),
    _rule("ordinal", "名次", before=r"第", after=r"[位名]"),
    _rule("ordinal", "序号", before=r"第"),
    _rule("count", "年数", after=r"年", before=r"近|前|后|连续|多|已|了|用|经过|这|那|每|满"),
    (YEAR := _rule("year", "年份", after=r"年")),
    _rule("date", "月份", after=r"月"),
    _rule("date", "日期", after=r"[日号]"),
    _rule("person", "姓名", after=rf"(?:{_TITLES})(?!会)"),
    _rule("person", "姓名", after=r"[：:（(]\s*[男女]"),
    _rule("place", "市名", after=r"市(?!场|值)", grouped=True),
    _rule("place", "县名", after=r"县", grouped=True),
    _rule("place", "区名", after=r"区(?!域|别|分|间)", grouped=True),
    _rule("place", "镇名", after=r"镇", grouped=True),
    _rule("place", "乡名", after=r"乡(?!村)", grouped=True),
    _rule("place", "村名", after=r"村", grouped=True),
    _rule("place", "省名", after=r"省(?!份|级)", grouped=True),
    _rule("place", "州名", after=r"州", grouped=True),
    _rule("place", "街道名", after=r"街道|社区", grouped=True),
    _rule(
        "place",
        "地名",
        after=r"发展|经济|高质量|振兴|人民|大地",
        before=r"推动|推进|促进|助力|服务|建设|支持|围绕|为|新时代|全",
        grouped=True,
    ),
    _rule(
        "organisation",
        "单位名称",
        after=r"公司|集团|企业|有限|银行|医院|学校|大学|学院|中学|小学|协会|学会|研究院|研究所|中心|合作社|厂|局|委员会",
    ),
    _rule("count", "人次", after=r"万?人次"),
    _rule("count", "人数（万人）", after=r"万人"),
    _rule("count", "人数", after=r"[人名位](?!民|员|才|士|置|于)"),
    _rule("count", "数量（{u}）", after=rf"(?P<u>{_UNITS})"),
    _rule("person", "姓名", before=rf"(?:{_TITLES}|人员|出席|列席|主持人?)[：:]?"),
    _rule("amount", "金额（{u}）", after=r"(?P<u>(?:万|亿|千)?(?:美)?元)"),
    _rule(
        "number",
        "数量（{u}）",
        after=rf"(?P<u>(?:万|亿)?(?:{_MEASURES}))",
    ),
    _rule("amount", "金额（{u}）", after=r"(?P<u>万|亿)"),
    _rule("number", "数量（{u}）", after=r"(?P<u>岁|米|千米|度)"),
)
# Typed by what follows a whole list: ``*、*、*等产业项目``.
LIST_RULES: tuple[Rule, ...] = (
    _rule("text", "项目名称", after=r"等[^，。；]{0,8}?项目"),
    _rule("organisation", "单位名称", after=r"等[^，。；]{0,8}?(?:企业|公司|单位|部门)"),
    _rule("place", "地名", after=r"等[^，。；]{0,4}?(?:[县市区镇乡村省]|地)"),
    _rule("person", "姓名", after=r"等[^，。；]{0,4}?(?:同志|人|位)"),
)
DEFAULT = Rule("text", "待填")
FULL_DATE = Rule("date", "日期")
SURNAME_PERSON = Rule("person", "名字")
NUMBER_DEFAULT = Rule("number", "数值")


def _apply(rule: Rule, before: str, after: str) -> str | None:
    """The rule's label if it matches this context, else None."""
    m = rule.after.match(after) if rule.after else None
    if rule.after and not m:
        return None
    if rule.before and not rule.before.search(before):
        return None
    unit = m.groupdict().get("u") if m else None
    return rule.label.format(u=unit) if unit else rule.label


def classify(before: str, after: str, rules: tuple[Rule, ...] = RULES) -> tuple[Rule, str]:
    """The rule and label for a placeholder between ``before`` and ``after`` text.

    >>> classify("地区生产总值增长", "%，")[1]
    '增幅（%）'
    >>> classify("为", "市经济社会")[0].kind
    'place'
    >>> classify("总投资", "亿元")[1]
    '金额（亿元）'
    """
    for rule in rules:
        label = _apply(rule, before, after)
        if label is not None:
            return rule, label
    return DEFAULT, DEFAULT.label


def _is_latin_letter(ch: str) -> bool:
    return ch.isalpha() and ord(ch) < 0x2E80


def _neighbour(text: str, index: int, step: int) -> str:
    """The nearest character from ``index`` in direction ``step``, skipping ASCII spaces."""
    while 0 <= index < len(text) and text[index] == " ":
        index += step
    return text[index] if 0 <= index < len(text) else ""


def _placeholder_candidates(text: str) -> list[tuple[int, int]]:
    """Spans of ``*``/``X``/``x``/``×`` runs (with masked digits) that are placeholders."""
    spans: list[tuple[int, int]] = []
    for m in _CANDIDATE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start] in ".-":
            start += 1
        while end > start and text[end - 1] in ".-":
            end -= 1
        raw = text[start:end]
        if not raw or not any(c in PLACEHOLDER_CHARS for c in raw):
            continue
        left, right = _neighbour(text, start - 1, -1), _neighbour(text, end, 1)
        if right in ".-" and end + 1 < len(text):
            right = text[end + 1]  # X-ray, x.com
        if _is_latin_letter(left) or _is_latin_letter(right):
            continue  # English words, pinyin, codes such as asd****19
        if left in _OPERATORS or right in _OPERATORS:
            continue  # formulas: x+2=5, 3*4=12
        if not _NUMBER_SHAPE.fullmatch(raw):
            continue
        after = text[end:]
        if any(c.isdigit() for c in raw):
            if _ARITHMETIC.fullmatch(raw):
                continue  # 3*4, 2×3
            if not (
                _NUMERIC_NEXT.match(after)
                or _YEAR_SHAPE.fullmatch(raw)
                or _FULL_DATE.fullmatch(raw)
            ):
                continue
        else:
            marks = raw.replace(".", "").replace("-", "")
            if len(set(marks)) == 1 and len(marks) > _MAX_RUN.get(marks[0], 8):
                continue  # a rule of stars, not a placeholder
            if set(marks) <= set("xXｘＸ") and _X_WORDS.match(after):
                continue  # X光, X射线
            if set(marks) <= set("*＊") and re.match(r"注[：:]", after):
                continue  # a footnote mark: *注：
        spans.append((start, end))
    return spans


def _mou_candidates(text: str) -> list[tuple[int, int]]:
    """``某某`` always; ``某`` alone only before a place or body, or after a surname."""
    spans: list[tuple[int, int]] = []
    for m in _MOU.finditer(text):
        start, end = m.span()
        if end - start == 2:
            spans.append((start, end))
            continue
        after = text[end:]
        left = text[start - 1] if start else ""
        names_one = _MOU_PLACE.match(after) or _MOU_BODY.match(after)
        if names_one or (left in _SURNAMES and not _MOU_ORDINARY.match(after)):
            spans.append((start, end))
    return spans


_SEPARATOR = "、和及与"


def _list_context(text: str, spans: list[tuple[int, int]], index: int) -> tuple[str, str]:
    """Text before the first and after the last placeholder of the list holding ``index``."""
    first = last = index
    while first > 0:
        prev_end, start = spans[first - 1][1], spans[first][0]
        if start - prev_end == 1 and text[prev_end] in _SEPARATOR:
            first -= 1
        else:
            break
    while last + 1 < len(spans):
        end, next_start = spans[last][1], spans[last + 1][0]
        if next_start - end == 1 and text[end] in _SEPARATOR:
            last += 1
        else:
            break
    return text[: spans[first][0]], text[spans[last][1] :]


def _in_list(text: str, spans: list[tuple[int, int]], index: int) -> bool:
    start, end = spans[index]
    before, after = _list_context(text, spans, index)
    return len(before) != start or len(text) - len(after) != end


def find_placeholders(text: str) -> list[Span]:
    """Every redacted placeholder in ``text``, typed, in order (deleted numbers excluded).

    >>> [(s.start, s.end, s.kind) for s in find_placeholders("增长*%，居全省第XX位")]
    [(2, 3, 'percent'), (9, 11, 'ordinal')]
    >>> find_placeholders("X光检查和3*4=12")
    []
    """
    if text.count("*") + text.count("＊") >= 3 and _DIVIDER.fullmatch(text):
        return []  # a divider line: * * * or ******
    raw_spans = sorted(_placeholder_candidates(text) + _mou_candidates(text))
    found: list[Span] = []
    for i, (start, end) in enumerate(raw_spans):
        before, after = text[max(0, start - _BEFORE) : start], text[end : end + _AFTER]
        if _YEAR_SHAPE.fullmatch(text[start:end]) and after.startswith("年"):
            rule, label = YEAR, YEAR.label
        elif _FULL_DATE.fullmatch(text[start:end]):
            rule, label = FULL_DATE, FULL_DATE.label
        else:
            rule, label = classify(before, after)
        in_list = _in_list(text, raw_spans, i)
        if rule is DEFAULT and in_list:
            list_before, list_after = _list_context(text, raw_spans, i)
            rule, label = classify(list_before[-_BEFORE:], list_after[:_AFTER], LIST_RULES + RULES)
        if rule is DEFAULT and text[start:end].startswith("某") and before[-1:] in _SURNAMES:
            rule, label = SURNAME_PERSON, SURNAME_PERSON.label
        if rule is DEFAULT and any(c.isdigit() for c in text[start:end]):
            rule, label = NUMBER_DEFAULT, NUMBER_DEFAULT.label
        found.append(
            Span(
                start,
                end,
                rule.kind,
                label,
                grouped=rule.grouped and not in_list,
                confidence=0.5 if rule in (DEFAULT, NUMBER_DEFAULT) else 0.9,
            )
        )
    return found


# Deleted numbers: the unit or the list punctuation stayed, the figure went.
_NUMERAL = "零〇一二三四五六七八九十百千万亿两几多余数每超逾上过破近约单"
_CJK = r"[\u4e00-\u9fff]"
_GAP = rf"(?<={_CJK})(?<![{_NUMERAL}])"  # after a Chinese character that is no numeral
_DELETED: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(rf"{_GAP}(?=(?P<u>[万亿](?:美)?元))"), "amount", "金额（{u}）"),
    (re.compile(rf"{_GAP}(?=[%％])"), "percent", "百分比（%）"),
    (re.compile(rf"{_GAP}(?=个百分点)"), "number", "百分点"),
    (re.compile(r"(?<=[省市县区国]第)(?=[位名])"), "ordinal", "名次"),
)
_DELETED_LIST = re.compile(rf"分别(?:{_UP}|{_DOWN}|为|达到?)(?P<seps>[、和]+)(?=[，。；）)])")


def find_deleted_numbers(text: str, taken: list[Span]) -> list[Span]:
    """Places where a figure was deleted and only its unit or list commas remain.

    >>> [(s.start, s.label) for s in find_deleted_numbers("地区生产总值亿元，分别增长、和。", [])]
    [(6, '金额（亿元）'), (13, '增幅（%）'), (14, '增幅（%）'), (15, '增幅（%）')]
    """
    found: list[Span] = []

    def free(pos: int) -> bool:
        return not any(s.start <= pos <= s.end for s in taken)

    for pattern, kind, label in _DELETED:
        for m in pattern.finditer(text):
            if free(m.start()):
                at = m.start()
                rule, shown = classify(text[max(0, at - _BEFORE) : at], text[at : at + _AFTER])
                typed = kind if rule is DEFAULT else rule.kind
                if rule is DEFAULT:
                    unit = m.groupdict().get("u")
                    shown = label.format(u=unit) if unit else label
                found.append(Span(m.start(), m.start(), typed, shown, confidence=0.6, deleted=True))
    for m in _DELETED_LIST.finditer(text):
        label = "降幅（%）" if re.search(_DOWN, m.group(0)) else "增幅（%）"
        if not re.search(_UP + "|" + _DOWN, m.group(0)):
            label = "数值"
        kind = "percent" if label != "数值" else "number"
        points = [m.start("seps")] + [m.start("seps") + i + 1 for i in range(len(m["seps"]))]
        found.extend(
            Span(p, p, kind, label, confidence=0.6, deleted=True) for p in points if free(p)
        )
    return sorted(found, key=lambda s: s.start)
