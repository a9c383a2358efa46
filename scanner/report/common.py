"""Shared pieces of the report renderers: Chinese labels, note text, errors."""

from __future__ import annotations

import hashlib
from typing import Any

from scanner.errors import UnsupportedFormat
from scanner.types import Finding, LegalBasis, ScanResult

DEFAULT_AUTHOR = "招标文件公平竞争审查"
DEFAULT_INITIALS = "审查"

SEVERITY_ZH: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}
SEVERITY_ORDER: tuple[str, ...] = ("high", "medium", "low")
RISK_ZH: dict[str, str] = {"high": "高风险", "medium": "中风险", "low": "低风险", "none": "未发现问题"}
SECTION_KIND_ZH: dict[str, str] = {
    "notice": "招标公告",
    "instructions": "投标人须知",
    "qualification": "资格要求",
    "scoring": "评分标准",
    "technical": "技术要求",
    "commercial": "商务要求",
    "contract": "合同条款",
    "forms": "格式文件",
    "other": "其他",
}
SECTION_SEP = " › "
MEDIA_ZH: dict[str, str] = {
    "application/pdf": "PDF 文档",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档（.docx）",
    "application/msword": "Word 文档（.doc）",
    "text/plain": "纯文本",
}


class ReportInputError(UnsupportedFormat):
    """An annotated report was asked for a document of another type, or without its bytes."""

    code = "report_input_mismatch"


def check_source(data: bytes, result: ScanResult, media_type: str, zh_kind: str, en_kind: str) -> None:
    """An annotated copy needs the scanned bytes themselves, of the renderer's type (PDF, Word…)."""
    doc = result.document
    if doc.media_type != media_type:
        raise ReportInputError(
            f"批注版{zh_kind}报告只能基于{zh_kind}文档生成，当前文档类型为 {doc.media_type}",
            f"An annotated {en_kind} report needs a {en_kind} document; this one is {doc.media_type}",
        )
    if hashlib.sha256(data).hexdigest() != doc.sha256:
        raise ReportInputError(
            f"提供的文件内容与扫描结果不一致，无法生成批注版{zh_kind}文档",
            "The bytes given are not the document that was scanned; cannot annotate it",
        )


def basis_label(lb: LegalBasis | dict[str, Any]) -> str:
    """《法规》第X条（项）, from a LegalBasis or its JSON form."""
    law, article, item = (
        (lb.law, lb.article, lb.item)
        if isinstance(lb, LegalBasis)
        else (lb["law"], lb["article"], lb["item"])
    )
    return f"《{law}》{article}{item or ''}"


def where_label(page: int | None, table: dict[str, Any] | None) -> str:
    """第N页 · 表N 第N行“列名”列 (empty when nothing is known)."""
    parts = []
    if page is not None:
        parts.append(f"第{page}页")
    if table:
        header = f"“{table['header']}”列" if table.get("header") else ""
        parts.append(f"表{table['index'] + 1} 第{table['row'] + 1}行{header}")
    return " · ".join(parts)


def note_lines(f: Finding) -> list[str]:
    """The lines of a comment / popup note for one finding (title first)."""
    lines = [f"【{f.category_name}】风险：{SEVERITY_ZH.get(f.severity, f.severity)}（置信度 {f.score:.2f}）"]
    lines.append(f"问题说明：{f.explanation}")
    for lb in f.legal_basis:
        text = f"：{lb.text}" if lb.text else ""
        lines.append(f"法律依据：{basis_label(lb)}{text}")
    if f.suggestion:
        lines.append(f"修改建议：{f.suggestion}")
    lines.append(f"规则：{f.rule_id}（{f.category}）")
    return lines
