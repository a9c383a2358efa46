"""Table-driven tests of the audit metadata extractor (scanner/audit/metadata.py)."""

from __future__ import annotations

import pytest

from scanner.audit.metadata import agency as agency_of
from scanner.audit.metadata import (
    budget_yuan,
    buyer,
    extract_metadata,
    parse_amount,
    parse_date,
    procurement_method,
    project_name,
    project_number,
    published_date,
)

CASES = [
    # (field function, text, expected)
    (
        project_name,
        "一、项目基本情况\n项目编号：0873-2401HW3L0241\n项目名称：北京大学图书馆文献资源建设项目\n",
        "北京大学图书馆文献资源建设项目",
    ),
    (
        project_name,
        "3｜项目名称｜上海师范大学附属宝山罗店中学食堂劳务派遣服务\n4｜项目主要内容",
        "上海师范大学附属宝山罗店中学食堂劳务派遣服务",
    ),
    (project_name, "项目名称：项目名称见应答人须知前附表。\n", None),
    (project_name, "项目起止年月｜项目名称｜项目甲方名称｜证明人\n", None),
    (
        project_name,
        "项目名称：国家税务总局阳江税务局 2024-2025\n年度食堂\n2.项目名称：国家税务总局阳江税务局2024-2025年度食堂配送服务采购项目\n",
        "国家税务总局阳江税务局2024-2025年度食堂配送服务采购项目",
    ),
    (
        project_number,
        "项目编号/包号：11000025210200159640-XM002采购人：北京松山",
        "11000025210200159640-XM002",
    ),
    (project_number, "(招标编号： HNZB-2021-03-1-002-01)\n", "HNZB-2021-03-1-002-01"),
    (project_number, "项目编号：0747-2660SCCZC727/01\n", "0747-2660SCCZC727/01"),
    (project_number, "项目编号：\n项目名称：\n", None),
    (project_number, "采购编号：BHZC-2025-G0318", "BHZC-2025-G0318"),
    (buyer, "1.采购人信息\n名称：北京大学\n地址：北京市海淀区颐和园路5号\n", "北京大学"),
    (buyer, "招标人：宁夏国芳百货购物广场有限公司\n日期：2026年05月26日", "宁夏国芳百货购物广场有限公司"),
    (
        buyer,
        "1｜采购人｜名称：上海师范大学附属宝山罗店中学地址：上海市宝山区罗店镇",
        "上海师范大学附属宝山罗店中学",
    ),
    (
        buyer,
        "采购人：北京松山国家级自然保护区管理处（北\n京市松山林场管理处）\n",
        "北京松山国家级自然保护区管理处（北京市松山林场管理处）",
    ),
    (
        buyer,
        "项目编号\n20250027\n采购人\n江苏常熟农村商业银行股份有限公司\n",
        "江苏常熟农村商业银行股份有限公司",
    ),
    (buyer, "采购人：（盖章）\n", None),
    (buyer, "由采购人对中标人进行年度考核", None),
    (agency_of, "采购代理机构：滨海恒信招标咨询有限公司\n二〇二五年三月", "滨海恒信招标咨询有限公司"),
    (agency_of, "2.采购代理机构信息\n名称：北京国际招标有限公司\n地址：北京市东城区", "北京国际招标有限公司"),
    (agency_of, "招标代理机构｜华能招标有限公司\n地址｜{{招标代理机构单位地址}}", "华能招标有限公司"),
    (budget_yuan, "预算金额：1331.000000 万元（人民币）", 13_310_000.0),
    (budget_yuan, "3.项目预算金额： 82.5 万元、项目最高限价（如有）： 82.5 万元", 825_000.0),
    (budget_yuan, "3.预算金额：人民币970,000.00元\n4.最高限价：人民币 970,000.00 元", 970_000.0),
    (budget_yuan, "最高限价（元）：1500000 元", 1_500_000.0),
    (budget_yuan, "2、投标最高限价2,435,216.00元/年（含税）", 2_435_216.0),
    (budget_yuan, "采购预算 14.50 万元（不含税）。", 145_000.0),
    (budget_yuan, "项目总投资 2 亿元，预算金额：1.2亿元", 120_000_000.0),
    (budget_yuan, "包号｜包名称｜预算金额（万元）｜最高限价（万元）\n", None),
    (budget_yuan, "2.2 项目预算金额和最高限价见投标人须知表 2.2 款。", None),
    (procurement_method, "3. 采购方式：公开招标\n", "公开招标"),
    (procurement_method, "采购方式：竞争性磋商\n预算金额：1500000 元", "竞争性磋商"),
    (procurement_method, "招标方式：邀约招标\n", "邀请招标"),
    (procurement_method, "第一章询比公告\n本项目为……", "询比"),
    (procurement_method, "本项目采用公开征询方式进行采购", "征询"),
    (procurement_method, "现对该项目进行国内公开招标。", "公开招标"),
    (procurement_method, "第一章 竞争性谈判公告\n……是指招标文件、竞争性磋商文件、询价文件", "竞争性谈判"),
    (procurement_method, "第一章 投标人须知", None),
    (published_date, "发布日期：2024 年 11 月 15 日\n", "2024-11-15"),
    (published_date, "公开招标公告\n2024年07月05日 14:05 来源：中国政府采购网", "2024-07-05"),
    (published_date, "采购人：滨海市第二人民医院\n二〇二五年三月\n第一章招标公告", "2025-03"),
    (published_date, "招标人：吉林亿联银行股份有限公司\n日期：2026年7月29日\n目录", "2026-07-29"),
    (published_date, "中捷通信有限公司\n2025-07-02\n第一章询比公告", "2025-07-02"),
    (published_date, "公告发布日期（含本日）：年月日至年月日", None),
    (published_date, "建设工期: 2021年4月至2022年4月，本项目已具备招标条件", None),
]


@pytest.mark.parametrize(
    ("fn", "text", "expected"), CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)]
)
def test_field(fn, text: str, expected: object) -> None:  # type: ignore[no-untyped-def]
    from scanner.normalize import normalize_for_match

    assert fn(normalize_for_match(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年07月05日", "2024-07-05"),
        ("2025 年 6 月", "2025-06"),
        ("二○二六年四月", "2026-04"),
        ("二〇二五年十二月三十一日", "2025-12-31"),
        ("2024.7.5", "2024-07-05"),
        ("2024/07/05", "2024-07-05"),
        ("2024年13月1日", None),
        ("无日期", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("number", "unit", "expected"),
    [
        ("1,331.00", "万元", 13_310_000.0),
        ("970，000.00", "元", 970_000.0),
        ("1.5", "亿元", 150_000_000.0),
        ("0", "元", None),
    ],
)
def test_parse_amount(number: str, unit: str, expected: float | None) -> None:
    assert parse_amount(number, unit) == expected


def test_extract_metadata_whole_notice() -> None:
    text = (
        "滨海市第二人民医院医疗设备采购项目\n公开招标文件\n项目编号：BHZC-2025-G0318\n采购人：滨海市第二人民医院\n"
        "采购代理机构：滨海恒信招标咨询有限公司\n二〇二五年三月\n第一章招标公告\n一、项目基本情况\n"
        "2. 项目名称：滨海市第二人民医院医疗设备采购项目\n3. 采购方式：公开招标\n4. 预算金额：人民币3860.00万元\n"
    )
    assert extract_metadata(text) == {
        "project_name": "滨海市第二人民医院医疗设备采购项目",
        "project_number": "BHZC-2025-G0318",
        "buyer": "滨海市第二人民医院",
        "agency": "滨海恒信招标咨询有限公司",
        "published_date": "2025-03",
        "budget_yuan": 38_600_000.0,
        "procurement_method": "公开招标",
    }


def test_extract_metadata_never_raises_and_returns_every_field() -> None:
    out = extract_metadata("")
    assert set(out) == {
        "project_name",
        "project_number",
        "buyer",
        "agency",
        "published_date",
        "budget_yuan",
        "procurement_method",
    }
    assert all(v is None for v in out.values())
