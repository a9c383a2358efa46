"""Section kind from headings (and table headers)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from scanner.types import SectionKind

# Priority order: the first kind whose pattern matches a heading wins for that heading.
_KIND_PATTERNS: tuple[tuple[SectionKind, re.Pattern[str]], ...] = (
    ("notice", re.compile(r"公告|邀请书|投标邀请|采购邀请|磋商邀请|谈判邀请|询价通知")),
    ("instructions", re.compile(r"须知|总则|前附表|投标说明|响应文件的编制|投标文件的编制|开标|评标程序")),
    ("scoring", re.compile(r"评标|评分|评审|打分|评定|磋商办法|谈判办法|详细评审|综合评估")),
    ("qualification", re.compile(r"资格|资质|合格投标人|合格供应商|合格的供应商|投标人条件|供应商条件")),
    ("contract", re.compile(r"合同")),
    ("forms", re.compile(r"格式|声明函|承诺函|授权书|投标函|响应函|报价表|一览表|偏离表|划型标准|划分标准")),
    ("commercial", re.compile(r"商务")),
    ("technical", re.compile(r"技术|参数|规格|采购需求|需求|服务要求|服务内容|服务标准|采购内容|配置|清单")),
)
_SCORING_HEADER = re.compile(r"评分|分值|得分|权重|评审因素|评分因素|评分标准|评审标准|分数")
_TECH_HEADER = re.compile(r"参数|技术要求|规格|配置|性能")
_QUAL_HEADER = re.compile(r"资格")


def kind_of_title(title: str) -> SectionKind | None:
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(title):
            return kind
    return None


def section_kind(path: Sequence[str]) -> SectionKind:
    """Kind of a section from its heading path.

    The innermost recognised heading decides, except that a forms chapter (投标文件格式)
    and a scoring chapter (评标办法) keep their kind for everything under them: "（一）商务部分"
    inside 评分标准 is scoring criteria, "资格证明文件" inside 投标文件格式 is a form.
    """
    kinds = [k for k in (kind_of_title(t) for t in path) if k]
    if not kinds:
        return "other"
    for sticky in ("forms", "scoring"):
        if sticky in kinds:
            return sticky
    return kinds[-1]


def table_kind(headers: Sequence[str], inherited: SectionKind) -> SectionKind:
    """A scoring-table or parameter-table header overrides the section's kind."""
    joined = "".join(h for h in headers if h)
    if _SCORING_HEADER.search(joined):
        return "scoring"
    if inherited in ("forms", "contract"):
        return inherited
    if _QUAL_HEADER.search(joined):
        return "qualification"
    if _TECH_HEADER.search(joined):
        return "technical"
    return inherited
