"""Document metadata for audits: a small regex extractor over the extracted document text.

Fields (all optional, ``None`` when not found): ``project_name``, ``project_number``, ``buyer``
(采购人/招标人), ``agency`` (采购/招标代理机构), ``published_date`` (ISO ``YYYY-MM-DD``, or
``YYYY-MM`` when the document only gives a month), ``budget_yuan`` (预算金额, else 最高限价,
normalised to yuan) and ``procurement_method`` (one of ``METHODS``).

Labels are recognised at the start of a line, of a table cell (``｜``) or after list numbering,
followed by a colon or a cell separator; a label alone on its line takes the next line as its
value (two-column tables flattened by the extractor). Values are cut at the next label
(地址/联系人/…) and validated (placeholders such as ``详见…`` or ``（项目名称）`` are rejected).
Runs inside the scan worker (see ``scanner.isolation``), so it must stay cheap and never raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from scanner.normalize import normalize_for_match

METHODS = (
    "公开招标",
    "邀请招标",
    "竞争性磋商",
    "竞争性谈判",
    "询价",
    "单一来源",
    "询比",
    "征询",
    "比选",
    "框架协议",
    "竞价",
)
_METHOD_ALIASES = {
    "邀约招标": "邀请招标",
    "国内公开招标": "公开招标",
    "国际公开招标": "公开招标",
    "公开询比": "询比",
    "公开征询": "征询",
    "单一来源采购": "单一来源",
    "询价采购": "询价",
    "网上竞价": "竞价",
}
_METHOD_RE = "|".join(sorted({*METHODS, *_METHOD_ALIASES}, key=len, reverse=True))

_CN_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "两": 2,
}
_LEFT = r"(?<![^\n｜|（(\s、.．)）:：，；。])"  # label starts a line, a cell, or follows numbering
_NUMBERING = r"(?:[0-9一二三四五六七八九十]{1,3}[、.．]|[（(][0-9一二三四五六七八九十]{1,3}[）)])?"
_SEP = r"[ \t\u3000]*(?:[:：｜|][ \t\u3000]*)"
_STOP_LABELS = (
    "地址",
    "联系人",
    "联系方式",
    "联系电话",
    "电话",
    "邮编",
    "邮政编码",
    "传真",
    "网址",
    "电子邮件",
    "邮箱",
    "项目编号",
    "招标编号",
    "采购编号",
    "项目名称",
    "采购人",
    "招标人",
    "采购代理机构",
    "招标代理机构",
    "代理机构",
    "预算金额",
    "最高限价",
    "采购方式",
    "日期",
    "（以下简称",
    "(以下简称",
    "开户",
    "账号",
    "投标人",
)
_BAD_VALUE = re.compile(
    r"详见|见附件|见前附表|见.{0,6}(公告|须知|附表)|填写|\{\{|^[（(].{0,12}[）)]$|^[_＿\s]*$|名称[）)]|盖章|（章）|："
    r"|(名称|编号|所在地|地点|时间|金额)$|^(项目|招标|采购|投标)\S{0,4}$|[（(](元|万元)[）)]$"
)
_COMPLETE_NAME = re.compile(r"(项目|工程|服务|采购|标段|包|[）)]|次)$")
_BAD_START = tuple("的对应将在须有是为和及与由向按各其该如若")
_ORG_PUNCT = re.compile(r"[，。；！？,;!?]")

_DATE_CN = re.compile(
    r"(?P<y>(?:19|20)\d{2}|[〇○零一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月"
    r"(?:\s*(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*日)?"
)
_DATE_NUM = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?!\d)")


# -- values ---------------------------------------------------------------------------------------
def _cn_int(s: str) -> int | None:
    """Arabic digits, or a small Chinese numeral (一 … 三十一, or digit-by-digit years 二〇二五)."""
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGITS for c in s):
        if len(s) >= 3:  # year written digit by digit
            return int("".join(str(_CN_DIGITS[c]) for c in s))
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGITS.get(tens, 0) if tens else 1
        o = _CN_DIGITS.get(ones, 0) if ones else 0
        return t * 10 + o
    if len(s) == 1 and s in _CN_DIGITS:
        return _CN_DIGITS[s]
    return None


def _iso(y: str, m: str, d: str | None) -> str | None:
    yy, mm = _cn_int(y), _cn_int(m)
    dd = _cn_int(d) if d else None
    if yy is None or mm is None or not (1990 <= yy <= 2100 and 1 <= mm <= 12):
        return None
    if dd is None:
        return f"{yy:04d}-{mm:02d}"
    if not 1 <= dd <= 31:
        return None
    return f"{yy:04d}-{mm:02d}-{dd:02d}"


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO (``YYYY-MM-DD`` or ``YYYY-MM``), or None."""
    found = []
    for rx in (_DATE_CN, _DATE_NUM):
        m = rx.search(text)
        if m:
            iso = _iso(m["y"], m["m"], m["d"])
            if iso:
                found.append((m.start(), iso))
    return min(found)[1] if found else None


def parse_amount(number: str, unit: str) -> float | None:
    """``"1,331.00"`` + ``"万元"`` → 13,310,000.0 yuan."""
    try:
        value = float(number.replace(",", "").replace("，", ""))
    except ValueError:
        return None
    scale = 1e8 if "亿" in unit else 1e4 if "万" in unit else 1.0
    value *= scale
    return round(value, 2) if value > 0 else None


def _clean(value: str) -> str:
    value = value.strip(" \t\u3000:：｜|。.;；,，")
    for stop in _STOP_LABELS:
        i = value.find(stop, 1)
        if i > 0:
            value = value[:i]
    return value.strip(" \t\u3000:：｜|。.;；,，、")


def _valid_name(value: str, *, max_len: int = 60) -> bool:
    if not 4 <= len(value) <= max_len or _BAD_VALUE.search(value) or value.startswith(_BAD_START):
        return False
    if not re.search(r"[\u4e00-\u9fff]", value):
        return False
    return not _ORG_PUNCT.search(value)


def _line_value(text: str, start: int) -> str:
    """The rest of the line from ``start`` (up to a cell separator); an unclosed （ joins the next line."""
    end = len(text)
    for stop in ("\n", "｜", "|"):
        i = text.find(stop, start)
        if i != -1:
            end = min(end, i)
    value = text[start:end]
    if value.count("（") > value.count("）") and end < len(text) and text[end] == "\n":
        nxt = text.find("\n", end + 1)
        value += text[end + 1 : nxt if nxt != -1 else len(text)]
    return value


def _labelled(text: str, labels: str) -> Iterator[tuple[int, str]]:
    """(position, raw value) for every ``LABEL：value``, ``LABEL｜value`` or label-alone-on-its-line."""
    rx = re.compile(_LEFT + rf"(?:{labels})(?:信息)?{_SEP}(?:名称\s*[:：]\s*)?")
    for m in rx.finditer(text):
        yield m.start(), _line_value(text, m.end())
    alone = re.compile(rf"^[ \t]*{_NUMBERING}(?:{labels})(?:信息)?[ \t]*\n(?:名称\s*[:：]\s*)?", re.M)
    for m in alone.finditer(text):
        yield m.start(), _line_value(text, m.end())


def _first(
    text: str, labels: str, check: Callable[[str], Any], *, prefer: Callable[[Any], bool] | None = None
) -> Any:
    """The checked value of the earliest label occurrence that passes ``check``.

    With ``prefer``, the earliest value that also satisfies it wins (e.g. a project name that is
    not cut by a PDF line break), falling back to the earliest valid one.
    """
    fallback = None
    for _pos, raw in sorted(_labelled(text, labels)):
        value = check(_clean(raw))
        if not value:
            continue
        if prefer is None or prefer(value):
            return value
        if fallback is None:
            fallback = value
    return fallback


# -- fields ---------------------------------------------------------------------------------------
def _name_or_none(value: str) -> str | None:
    return value if _valid_name(value, max_len=120) else None


def _org_or_none(value: str) -> str | None:
    return value if _valid_name(value) else None


_NUMBER_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.（）()\[\]【】]{3,60}")


def _number_or_none(value: str) -> str | None:
    m = _NUMBER_TOKEN.match(value.replace(" ", ""))
    if not m:
        return None
    token = m.group(0).rstrip(".）)/-")
    return token if re.search(r"\d", token) and len(token) >= 4 else None


def project_name(text: str) -> str | None:
    return _first(
        text,
        r"(?:采购|招标|征询)?项目名称|工程名称",
        _name_or_none,
        prefer=lambda v: bool(_COMPLETE_NAME.search(v)),
    )


def project_number(text: str) -> str | None:
    return _first(
        text, r"项目编号(?:/包号)?|招标编号|采购编号|标书编号|采购项目编号|招标项目编号", _number_or_none
    )


def buyer(text: str) -> str | None:
    return _first(text, r"采购人(?:[｜|]采购人)?|招标人|采购单位|招标方|采购人名称|招标人名称", _org_or_none)


def agency(text: str) -> str | None:
    return _first(
        text,
        r"(?:采购|招标)?代理机构(?:名称)?(?:[｜|](?:采购|招标)?代理机构)?|集采机构|集中采购机构",
        _org_or_none,
    )


_BUDGET = re.compile(
    _LEFT
    + r"(?P<label>(?:项目|采购|采购包|项目财政)?预算(?:金额|控制(?:总)?金额)?|(?:投标)?最高(?:投标)?限价|招标控制价)"
    + r"(?:[（(](?P<hunit>[^）)\n]{0,12})[）)])?[ \t\u3000]*(?:[:：｜|为是][ \t\u3000]*)?"
    + r"(?:人民币|RMB|¥|￥)?[ \t\u3000]*(?P<num>\d[\d,，]*(?:\.\d+)?)[ \t\u3000]*(?P<unit>亿元|万元|元)?"
)


def budget_yuan(text: str) -> float | None:
    """预算金额 (first one found), else 最高限价 / 招标控制价, in yuan."""
    best: dict[bool, float] = {}
    for m in _BUDGET.finditer(text):
        unit = m["unit"] or next((u for u in ("亿元", "万元", "元") if u in (m["hunit"] or "")), None)
        if not unit:
            continue
        value = parse_amount(m["num"], unit)
        is_budget = "预算" in m["label"]
        if value and is_budget not in best:
            best[is_budget] = value
        if True in best:
            break
    return best.get(True, best.get(False))


def _canonical_method(raw: str) -> str | None:
    m = re.search(_METHOD_RE, raw)
    if not m:
        return None
    return _METHOD_ALIASES.get(m.group(0), m.group(0))


def procurement_method(text: str) -> str | None:
    """采购方式/招标方式 label, else ``采用X方式``, else the notice/document title (X公告/X文件)."""
    found = _first(text, r"采购方式|招标方式|采购类型", lambda v: _canonical_method(v[:12]))
    if found:
        return found
    head = text[:20000]
    candidates = []
    for rx in (
        rf"(?:采用|通过|进行)(?:国内|国际)?({_METHOD_RE})",
        rf"({_METHOD_RE})(?:采购)?(?:公告|文件|邀请)",
    ):
        for m in re.finditer(rx, head):
            before = head[m.start(1) - 1 : m.start(1)]
            if before != "、" and not head.startswith("、", m.end()):  # not a list of document kinds
                candidates.append((m.start(), _canonical_method(m.group(1))))
                break
    # a 招标公告 is by definition an open tender (招标投标法第十条)
    m = re.search(r"招标公告", head)
    if m:
        candidates.append((m.start(), "公开招标"))
    return min(candidates)[1] if candidates else None


def published_date(text: str) -> str | None:
    """发布日期/公告日期 label; else a date just under a …公告 title; else a cover-page date line."""
    found = _first(text, r"(?:发布|公告|发标|印发)(?:日期|时间)", lambda v: parse_date(v[:30]))
    if found:
        return found
    for m in re.finditer(r"公告[^\n]{0,20}\n", text[:20000]):
        nxt = text[m.end() : m.end() + 40].split("\n", 1)[0]
        date = parse_date(nxt) if re.match(r"\s*(?:\d{4}|[〇○零一二三四五六七八九]{4})", nxt) else None
        if date:
            return date
    cover = text[:3000]
    m = re.search(r"^[ \t]*日期[:：]\s*([^\n]{4,30})$", cover, re.M)
    if m and parse_date(m.group(1)):
        return parse_date(m.group(1))
    for line in cover.split("\n"):
        line = line.strip()
        if 6 <= len(line) <= 16:
            date = parse_date(line)
            if date and re.fullmatch(r"[\d〇○零一二三四五六七八九十年月日\s./-]+", line):
                return date
    return None


_FIELDS: dict[str, Callable[[str], Any]] = {
    "project_name": project_name,
    "project_number": project_number,
    "buyer": buyer,
    "agency": agency,
    "published_date": published_date,
    "budget_yuan": budget_yuan,
    "procurement_method": procurement_method,
}
FIELDS = tuple(_FIELDS)


def extract_metadata(text: str) -> dict[str, Any]:
    """Every field (None when absent). Never raises: a failing field is None."""
    text = normalize_for_match(text).replace("\r", "")
    out: dict[str, Any] = {}
    for key, fn in _FIELDS.items():
        try:
            out[key] = fn(text)
        except Exception:  # the extractor must never fail a scan
            out[key] = None
    return out
