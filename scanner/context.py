"""Context stage: exceptions, negation, 或同等 mitigation, boilerplate filters, boost cues.

Every adjustment is a small named step recorded in the hit's trace. Filters that remove
false positives are ``is_*`` predicates registered by name (a rule lists the ones it
wants in ``filters``); some apply to every rule (``GLOBAL_FILTERS``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from scanner.detectors.base import Hit
from scanner.rules.loader import CompiledRule

SEVERITY_DOWN = {"high": "medium", "medium": "low", "low": "low"}

# A negation word in the same comma-segment before the match: the clause forbids the practice.
_NEGATION = re.compile(
    r"不得|严禁|禁止|不应|不能|不可|不以|不将|不把|无需|无须|不需|不要求|不作要求|不作为|不设|不设置|"
    r"不限|不限制|取消|杜绝|不存在|未要求|不含|不属于|不视为|不再|避免|不允许以|不指定|不限定|"
    r"不因|不论|无论|不受|不审查|未设置|不接受以|不包括"
)
_NEGATION_AFTER = re.compile(
    r"^[^，。；]{0,12}?(?:不作要求|不作特别要求|不作限制|不得作为|不作为(?:[^，。；]{0,4}(?:资格|评审|评分|加分|条件|排序|依据))|不限|均可|不予考虑)"
)
_SEGMENT_BREAK = "，。；！？;!?"
# 或同等 / 或相当于: lawful in some regimes, a mitigation everywhere.
_MITIGATION = re.compile(
    r"或同等|或相当于|相当于或优于|同档次及以上|同档次或以上|或等同|或等效|或同等档次|或性能相当|及以上品牌|等同或优于|或同类"
)
_BOOST = re.compile(
    r"须|必须|应当|应具有|应具备|方可|否则|无效|不予通过|不通过|视为不合格|得\d|得分|加\d|加分|计\d|扣\d|最高|满分"
)


def _segment_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in _SEGMENT_BREAK:
        i -= 1
    return i


def negated(norm: str, start: int, end: int) -> str | None:
    """The negation word governing [start, end) in its comma-segment, if any."""
    seg = norm[_segment_start(norm, start) : start]
    words = _NEGATION.findall(seg)
    if words:
        return words[-1]  # the negation nearest the match
    after = _NEGATION_AFTER.search(norm[end:])
    return after.group(0) if after else None


# ---- named predicates (is_*) -------------------------------------------------------------

_SME_BOILERPLATE = re.compile(
    r"划型标准|划分标准|中小企业划型|中小微企业|中小企业声明函|小型、微型企业|小微企业|中型企业|微型企业|"
    r"为小型企业|为大型企业|规模类型|"
    r"以下的为中小微型企业|中小企业促进法|工信部联企业|声明函|价格扣除"
)
_FORM_FIELD = re.compile(r"_{2,}|＿{2,}|：\s*$|（\s*盖章\s*）|（填写|\s{3,}|…{2,}|XX|××")
_AFTER_AWARD = re.compile(
    r"中标后|成交后|中标人应|成交供应商应|合同签订后|签订合同后|履约期间|服务期内|承诺在.{0,10}内(?:设立|设置|建立)|中标(?:单位|人)承诺"
)
_TEMPLATE = re.compile(r"见投标人须知前附表|前附表规定|按.{0,8}前附表|【.{0,10}】")


def is_sme_boilerplate(hit: Hit, norm: str) -> bool:
    """SME 划型标准 / 中小企业声明函 / 价格扣除 text: thresholds that define small firms."""
    return bool(_SME_BOILERPLATE.search(norm))


def is_form_field(hit: Hit, norm: str) -> bool:
    """A fill-in field of a form ("注册资本：______")."""
    return bool(_FORM_FIELD.search(norm[hit.end : hit.end + 12])) or norm.rstrip().endswith("：")


def is_after_award(hit: Hit, norm: str) -> bool:
    """An obligation of the winner after award (service capacity, on-site staff)."""
    return bool(_AFTER_AWARD.search(norm))


def is_template_reference(hit: Hit, norm: str) -> bool:
    """Template text pointing elsewhere ("见投标人须知前附表") rather than setting a value."""
    return bool(_TEMPLATE.search(norm))


FILTERS: dict[str, Callable[[Hit, str], bool]] = {
    "is_sme_boilerplate": is_sme_boilerplate,
    "is_form_field": is_form_field,
    "is_after_award": is_after_award,
    "is_template_reference": is_template_reference,
}


# Clause-level wording that forbids or waives (for model-only hits; "不得分"/"不得超过" are not it).
_FORBIDS = re.compile(
    r"不得(?:以|将|把|要求|设置|设定|限制|排斥|指定|作为|因|对|歧视)|严禁|禁止|不以|不将|不把|无需|无须|不要求|不作要求|不作为|"
    r"不因|不论|无论|不受|不限(?!于)|取消|杜绝|不影响|亦可|均可|不视为|不属于|不予考虑"
)


def forbids_or_blank(norm: str) -> bool:
    """Clause-level check for model-only hits: wording that forbids/waives, a fill-in form field,
    or a URL / e-mail address (platform instructions, not requirements)."""
    return bool(_FORBIDS.search(norm) or re.search(r"_{2,}|＿{2,}|…{2,}|□|https?[:：]//|www\.|@", norm))


_REQUIREMENT = re.compile(
    r"须|应|需|必须|仅|只|方可|方能|不予|不被|不接受|拒|无效|不具备|不合格|不通过|不得|得\S{0,2}分|加\S{0,2}分|"
    r"计\S{0,2}分|扣\S{0,2}分|\d分|优先|免|要求|条件|为准|限于|限定|指定|排名|前\S名"
)


def states_requirement(norm: str) -> bool:
    """A clause that demands, scores or excludes something, not a heading, a name or an address."""
    return len(norm) >= 12 and bool(_REQUIREMENT.search(norm))


def apply_context(hit: Hit, crule: CompiledRule | None, norm: str) -> Hit | None:
    """Adjust one hit for its clause context; None when the context shows it is lawful."""
    if crule is not None:
        for rx in crule.exceptions:
            m = rx.search(norm)
            if m:
                return None
        for name in crule.rule.filters:
            if FILTERS[name](hit, norm):
                return None
        if crule.rule.context.negation:
            word = negated(norm, hit.start, hit.end)
            if word:
                return None
    hit = _mitigate(hit, crule, norm)
    return _boost(hit, crule, norm)


def _mitigate(hit: Hit, crule: CompiledRule | None, norm: str) -> Hit:
    patterns = [_MITIGATION, *(crule.mitigation if crule else ())]
    for rx in patterns:
        m = rx.search(norm)
        if m:
            return hit.adjusted(
                "context",
                f"含“{m.group(0)}”等允许同等产品的措辞，严重程度由{hit.severity}降一级",
                -0.1,
                severity=SEVERITY_DOWN[hit.severity],
            )
    return hit


def _boost(hit: Hit, crule: CompiledRule | None, norm: str) -> Hit:
    window = crule.rule.context.window if crule else 40
    lo, hi = max(0, hit.start - window), min(len(norm), hit.end + window)
    near = norm[lo:hi]
    cues = [m.group(0) for m in _BOOST.finditer(near)]
    if crule:
        cues += [m.group(0) for rx in crule.boost for m in rx.finditer(near)]
    cues = list(dict.fromkeys(cues))
    if not cues:
        return hit
    delta = min(0.1, 0.05 * len(cues))
    return hit.adjusted("context", f"附近有强制或计分措辞“{'、'.join(cues[:3])}”，提高置信度", delta)
