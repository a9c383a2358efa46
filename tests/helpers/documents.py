"""Build small documents for detection tests: a clause placed under a heading of a given section kind."""

from __future__ import annotations

KIND_HEADINGS: dict[str, str | None] = {
    "other": None,
    "notice": "第一章 招标公告",
    "instructions": "第二章 投标人须知",
    "qualification": "第二章 资格要求",
    "scoring": "第三章 评标办法",
    "technical": "第四章 技术要求",
    "commercial": "第四章 商务要求",
    "contract": "第五章 合同条款",
    "forms": "第六章 投标文件格式",
}


def under_heading(text: str, kind: str) -> str:
    """``text`` preceded by a chapter heading that the segmenter reads as ``kind``."""
    heading = KIND_HEADINGS[kind]
    return f"{heading}\n{text}" if heading else text
