"""Heading ladder, section kinds, clause splitting and the offset map."""

from __future__ import annotations

import pytest

from scanner.ingest.text import text_document
from scanner.limits import Limits
from scanner.segment import pattern_rank, section_kind, segment
from scanner.segment.clauses import sentence_spans
from scanner.types import Block, Cell, Document, Source, TableRef


@pytest.mark.parametrize(
    ("text", "rank"),
    [
        ("第一部分 招标公告", 1),
        ("第三章 评标办法", 2),
        ("附件1：投标函", 2),
        ("第二节 评审标准", 3),
        ("一、资格要求", 4),
        ("（二）商务要求", 5),
        ("(三)技术要求", 5),
        ("3. 评分标准", 6),
        ("3、评分标准", 6),
        ("2.1 技术参数", 7),
        ("2.1.3 显示器", 8),
        ("（4）售后服务", 9),
        ("4）售后服务", 9),
        ("③ 培训", 10),
        ("投标人须在本市注册", None),
        ("2024年度采购计划", None),
        ("3.5米宽的通道", None),
    ],
)
def test_heading_ladder_ranks(text: str, rank: int | None) -> None:
    assert pattern_rank(text) == rank


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (["第一章 招标公告"], "notice"),
        (["第二章 投标人须知", "投标人须知前附表"], "instructions"),
        (["第二章 供应商须知", "一、合格供应商的资格要求"], "qualification"),
        (["第三章 评标办法", "一、评分标准", "（一）商务部分"], "scoring"),
        (["第四章 采购需求", "一、技术参数"], "technical"),
        (["第四章 采购需求", "二、商务要求"], "commercial"),
        (["第五章 合同条款"], "contract"),
        (["第六章 投标文件格式", "三、资格证明文件"], "forms"),
        (["附件"], "other"),
        ([], "other"),
    ],
)
def test_section_kind_from_path(path: list[str], kind: str) -> None:
    assert section_kind(path) == kind


def test_section_paths_follow_the_ladder() -> None:
    text = "\n".join(
        [
            "第三章 评标办法",
            "一、评分标准",
            "（一）商务部分",
            "1.业绩：近三年同类项目业绩每个得2分，最高10分。",
            "（二）技术部分",
            "技术方案完整的得10分。",
            "第四章 采购需求",
            "1.1 技术参数",
            "CPU主频≥2.0GHz。",
        ]
    )
    doc = text_document(text, "t", Limits())
    by_text = {c.text: c for c in segment(doc)}
    assert by_text["1.业绩：近三年同类项目业绩每个得2分，最高10分。"].section == (
        "第三章 评标办法",
        "一、评分标准",
        "（一）商务部分",
    )
    assert by_text["技术方案完整的得10分。"].section[-1] == "（二）技术部分"
    assert by_text["技术方案完整的得10分。"].section_kind == "scoring"
    cpu = by_text["CPU主频≥2.0GHz。"]
    assert cpu.section == ("第四章 采购需求", "1.1 技术参数")
    assert cpu.section_kind == "technical"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("投标人须在本市注册。外地企业须备案！", ["投标人须在本市注册。", "外地企业须备案！"]),
        ("（1）具有独立法人资格；（2）须提供授权书。", ["（1）具有独立法人资格；", "（2）须提供授权书。"]),
        ("说明（见附件。注意）后续内容。", ["说明（见附件。注意）后续内容。"]),
        ("他说“须在本市注册。”其他要求。下一句", ["他说“须在本市注册。”其他要求。", "下一句"]),
        ("无句号的条款", ["无句号的条款"]),
    ],
)
def test_sentence_split(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


def test_inline_list_items_become_clauses() -> None:
    doc = text_document("资格要求：1、具有独立法人资格；2、须在本市注册。", "t", Limits())
    assert [c.text for c in segment(doc)] == ["资格要求：", "1、具有独立法人资格；", "2、须在本市注册。"]


def test_offsets_map_back_to_document_text_exactly() -> None:
    text = "第一章 招标公告\n  一、项目概况  \n本项目预算100万元。投标人须在本市注册；外地企业须备案。\n\n（一）其他"
    doc = text_document(text, "t", Limits())
    clauses = segment(doc)
    assert clauses
    for c in clauses:
        assert doc.text[c.start : c.end] == c.text


def test_long_sentence_is_cut_at_commas() -> None:
    text = "，".join(["投标人应当具有相应的履约能力并按要求提供证明材料"] * 20) + "。"
    doc = text_document(text, "t", Limits())
    clauses = segment(doc)
    assert len(clauses) > 1
    assert all(len(c.text) <= 300 for c in clauses)
    assert "".join(c.text for c in clauses) == text


def test_table_row_is_one_clause_with_scoring_kind_from_header() -> None:
    row = "业绩｜10分｜近三年本市同类业绩每个得2分。最高10分。"
    cells = (Cell(0, 0, 2, "评分因素"), Cell(1, 3, 6, "分值"), Cell(2, 7, len(row), "评分标准"))
    doc = Document(
        name="t",
        media_type="text/plain",
        sha256="0",
        blocks=(
            Block("第二章 投标人须知"),
            Block(row, kind="table_row", source=Source(page=3, table=TableRef(index=0, row=1, cells=cells))),
        ),
    )
    clauses = segment(doc)
    row_clause = clauses[-1]
    assert row_clause.text == row
    assert row_clause.section_kind == "scoring"
    assert row_clause.page == 3
    assert row_clause.table is not None and row_clause.table.cell_at(9).header == "评分标准"
