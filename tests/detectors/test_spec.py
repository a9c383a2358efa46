"""The brand/spec detector: every example in lexicons/spec_rules.yaml plus edge cases, via the real engine."""

from __future__ import annotations

import re

import pytest

from scanner.detectors.base import DocContext
from scanner.detectors.spec import SpecDetector, SpecExample, load_spec_rules, oddness
from scanner.engine import ScanEngine
from scanner.ingest.text import text_document
from scanner.normalize import normalize_for_match
from scanner.segment import segment
from scanner.types import Document, Finding
from tests.helpers.documents import KIND_HEADINGS

ENGINE = ScanEngine(model=False)
RULES = load_spec_rules()
SPEC_CATEGORIES = {"brand_tailored", "spec_tailored"}
PREAMBLE = {
    "zc": "本项目为政府采购项目，采购人、供应商按照政府采购法及其实施条例执行。",
    "zb": "本项目为依法必须进行招标的工程项目，招标人、投标人、评标委员会及中标人依照招标投标法执行。",
    "both": None,
}


def _doc(text: str, kind: str = "other", regime: str = "both") -> Document:
    lines = [x for x in (PREAMBLE[regime], KIND_HEADINGS[kind], text) if x]
    return text_document("\n".join(lines), "example", ENGINE.limits)


def scan(text: str, kind: str = "other", regime: str = "both") -> list[Finding]:
    """Brand/spec findings for one clause."""
    result = ENGINE.scan_document(_doc(text, kind, regime))
    return [f for f in result.findings if f.category in SPEC_CATEGORIES]


def _cases(kind: str) -> list[pytest.param]:
    out = []
    for rule in RULES:
        examples = rule.examples.positive if kind == "positive" else rule.examples.negative
        for i, ex in enumerate(examples):
            out.append(pytest.param(rule.id, rule.category, ex, id=f"{rule.id}-{kind[:3]}{i}"))
    return out


# ---- the examples in spec_rules.yaml -----------------------------------------------------------


@pytest.mark.parametrize(("rule_id", "category", "example"), _cases("positive"))
def test_positive_example_flags_marked_span(rule_id: str, category: str, example: SpecExample) -> None:
    findings = scan(example.plain, example.section_kind, example.regime)
    got = [(f.rule_id, f.text, f.severity) for f in findings]
    assert any(f.rule_id == rule_id and f.text == example.span for f in findings), (
        f"expected [[{example.span}]] from {rule_id}; got {got}"
    )
    for f in findings:
        assert "{" not in f.explanation and "{" not in f.suggestion, f.explanation
        assert re.search(r"[\u4e00-\u9fff]", f.explanation)


@pytest.mark.parametrize(("rule_id", "category", "example"), _cases("negative"))
def test_negative_example_is_silent(rule_id: str, category: str, example: SpecExample) -> None:
    hits = [(f.rule_id, f.text) for f in scan(example.plain, example.section_kind, example.regime)]
    hits = [h for h in hits if h[0].startswith("SPEC-")]
    assert not [h for h in hits if _category(h[0]) == category], f"lawful text flagged as {category}: {hits}"


def _category(rule_id: str) -> str:
    return next(r.category for r in RULES if r.id == rule_id)


def test_rules_are_well_formed() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert {
        "SPEC-BRAND-REQUIRED-001",
        "SPEC-BRAND-REFERENCE-001",
        "SPEC-MODEL-001",
        "SPEC-OEM-001",
        "SPEC-PLATFORM-001",
        "SPEC-PARAM-TAILORED-001",
    } <= set(ids)
    for r in RULES:
        assert len(r.examples.positive) >= 5 and len(r.examples.negative) >= 5, r.id
        for lb in r.legal_basis:
            assert lb in ENGINE.catalogue.legal_basis, (r.id, lb)
        assert r.category in ENGINE.catalogue.categories
        for text in (r.title, r.explanation, r.suggestion):
            assert re.search(r"[\u4e00-\u9fff]", text), r.id


def test_spec_detector_is_wired_into_the_engine() -> None:
    assert any(d.name == "spec" for d in ENGINE.detectors)
    assert not any(d.name == "spec" for d in ScanEngine(model=False, use_rules=False).detectors)


# ---- edge cases ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "采购代理机构：杭州海康威视数字技术股份有限公司大楼物业管理处。",
        "投标人须提供中国软件评测中心出具的软件产品测试报告。",
        "供应商：北京联想大厦物业管理有限公司（成交供应商名称）。",
    ],
)
def test_brand_in_company_or_organisation_name_is_not_a_finding(text: str) -> None:
    assert not [f for f in scan(text) if f.category == "brand_tailored"]


def test_company_named_as_required_supplier_is_a_finding() -> None:
    findings = scan("乙方所用防水材料须从东方雨虹防水技术股份有限公司采购，并保留进货凭证。")
    assert [f.rule_id for f in findings] == ["SPEC-BRAND-REQUIRED-001"]
    assert "指定" in findings[0].explanation


@pytest.mark.parametrize(
    "text",
    [
        "开标地点：合肥市蜀山区华为路某交易中心三楼。",
        "采购人：青岛市市北区海尔路小学；地址：青岛市市北区海尔路18号。",
        "送货地址：深圳市南山区腾讯大厦一楼收发室。",
    ],
)
def test_brand_in_an_address_is_not_a_finding(text: str) -> None:
    assert not scan(text)


@pytest.mark.parametrize(
    "text",
    [
        "空调能效等级须达到GB 21455-2019规定的2级及以上。",
        "设备须符合IEC 60601-1医用电气设备安全通用要求，防护等级不低于IP65。",
        "课桌椅尺寸应符合GB/T 3976-2014《学校课桌椅功能尺寸及技术要求》。",
        "救护车须符合WS/T 292-2008《救护车》行业标准要求。",
        "口罩须符合GB 19083-2010，过滤效率不低于95%，型号须为KN95型。",
    ],
)
def test_standard_numbers_are_neither_models_nor_parameters(text: str) -> None:
    assert not scan(text, "technical")


@pytest.mark.parametrize(
    "text",
    [
        "现有核心交换机为华为S12700，新购接入交换机须支持与之互联互通。",
        "采购人现有设备为戴尔PowerEdge R740服务器，本次扩容内存须与之兼容。",
        "维保对象清单：西门子数控机床2台、发那科机器人4台，维保范围包括日常保养和故障维修。",
        "医院现有影像归档和通信系统为“海图”品牌V5.2版本，新购设备须支持DICOM 3.0标准接口。",
    ],
)
def test_existing_equipment_description_is_not_a_finding(text: str) -> None:
    assert not scan(text, "technical", "zc")


def test_same_brand_as_existing_equipment_is_low_at_most() -> None:
    findings = scan("新购摄像机须与采购人现有海康威视设备保持同一品牌，便于统一管理。", regime="zc")
    assert findings and all(f.severity == "low" for f in findings)


@pytest.mark.parametrize(
    "text",
    [
        "在改革的浪潮中，学校坚持推进教学改革。",
        "学生赴长城开展研学活动，费用由采购人承担。",
        "打造环境优美的校园，提升师生满意度。",
        "公文正文字体为方正仿宋，行距固定值28磅，做到方正规范。",
        "看到这个方案，评审专家会联想到去年的项目。",
        "服务人员须仪表大方、端正，态度热情。",
    ],
)
def test_ambiguous_brand_words_in_ordinary_text_are_silent(text: str) -> None:
    assert not scan(text)


@pytest.mark.parametrize(
    "text",
    [
        "须提供Hyperconverged infrastructure解决方案说明。",
        "彩色多普勒超声诊断仪须配置至少3个探头，显示器尺寸不小于21.5英寸，型号由投标人自定。",
        "投标文件须包含Shelley项目经理的履历。",
    ],
)
def test_latin_brand_inside_another_word_does_not_fire(text: str) -> None:
    assert not [f for f in scan(text) if f.category == "brand_tailored"]


def test_latin_brand_on_word_boundary_fires() -> None:
    findings = scan("★打印耗材须使用HP原装硒鼓，不接受兼容耗材。")
    assert [(f.rule_id, f.text) for f in findings] == [("SPEC-OEM-001", "HP原装")]


def test_reference_brand_with_or_equal_in_government_procurement_is_medium() -> None:
    findings = scan("参考品牌：海康威视、大华、宇视或同等档次产品（网络摄像机）。", "technical", "zc")
    assert [(f.rule_id, f.severity) for f in findings] == [("SPEC-BRAND-REFERENCE-001", "medium")]
    assert "政府采购" in findings[0].explanation


def test_three_reference_brands_with_or_equivalent_in_works_tender_are_lawful() -> None:
    assert not scan("主要材料参考品牌：电缆选用远东、宝胜、起帆或相当于以上品牌档次的产品。", regime="zb")


def test_fewer_than_three_reference_brands_in_works_tender_are_low() -> None:
    findings = scan("主要材料参考品牌：电缆选用远东、宝胜或相当于以上品牌档次的产品。", regime="zb")
    assert [(f.rule_id, f.severity) for f in findings] == [("SPEC-BRAND-REFERENCE-001", "low")]
    assert "不少于三个" in findings[0].explanation


def test_required_brand_is_high_and_names_it() -> None:
    findings = scan("（6）投标人所投电梯须为奥的斯品牌，否则投标无效。", "technical", "zc")
    assert [(f.rule_id, f.severity, f.text) for f in findings] == [
        ("SPEC-BRAND-REQUIRED-001", "high", "奥的斯")
    ]
    assert "奥的斯" in findings[0].explanation and "奥的斯" in findings[0].suggestion


@pytest.mark.parametrize(
    "text",
    [
        "采购人不得指定华为、新华三等特定品牌。",
        "评标委员会不得因投标产品为海尔品牌而加分。",
        "本项目不限定品牌，投标人可选用格力、美的或其他任何品牌。",
        "驻场工程师须熟悉Windows及Linux操作系统。",
    ],
)
def test_negated_brand_is_silent(text: str) -> None:
    assert not [f for f in scan(text) if f.category == "brand_tailored"]


def test_parameter_explanation_lists_the_exact_values() -> None:
    findings = scan("展示柜整机重量须为12.36kg，外形尺寸须为1263×788×415mm。", "technical")
    assert [f.rule_id for f in findings] == ["SPEC-PARAM-TAILORED-001"]
    text = findings[0].explanation
    assert "“整机重量12.36kg”" in text and "“外形尺寸1263×788×415mm”" in text
    assert "≥/≤" in findings[0].suggestion or "区间" in findings[0].suggestion


@pytest.mark.parametrize(
    "text",
    [
        "处理器主频≥3.47GHz，整机重量≤12.36kg，外形尺寸不大于1263×788×415mm。",
        "冷藏箱温度控制范围2℃-8℃，有效容积368L左右。",
        "额定电压为220V，频率为50Hz，额定功率为1500W。",
        "投影仪亮度不低于5150流明，重量不超过6.3kg。",
    ],
)
def test_ranges_and_round_values_do_not_raise_tailoring(text: str) -> None:
    assert not scan(text, "technical")


def test_compatibility_with_existing_equipment_lowers_parameter_severity() -> None:
    findings = scan("新增配件须与现有设备兼容，接口板尺寸须为137.5×82.3mm，重量须为0.437kg。", "technical")
    assert findings and all(f.severity == "low" for f in findings)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12.36", 1.0), ("1263", 1.0), ("850", 0.0), ("3840", 0.0), ("7.5", 0.0), ("1200", 0.0), ("2.35", 0.5)],
)
def test_oddness(value: str, expected: float) -> None:
    assert oddness(value, "mm") == expected


def test_detect_is_pure_and_regime_aware() -> None:
    det = SpecDetector()
    doc = text_document("参考品牌：施耐德、西门子或同等产品。", "x", ENGINE.limits)
    clause = segment(doc)[0]
    norm = normalize_for_match(clause.text)
    zc = det.detect(clause, norm, DocContext(regime="zc"))
    zb = det.detect(clause, norm, DocContext(regime="zb"))
    assert det.detect(clause, norm, DocContext(regime="zc")) == zc
    assert [h.severity for h in zc] == ["high"]  # 或同等 mitigation to medium happens in the context stage
    assert [h.severity for h in zb] == ["low"]


@pytest.mark.parametrize(
    "text",
    [
        "投标文件须使用WPS或Microsoft Office编辑后转换为PDF格式上传。",
        "中标人须对采购人的华为设备进行巡检，每季度一次。",
        "投标人须提供华为认证的网络工程师证书。",
        "软件须基于国产操作系统（如统信UOS、麒麟）开发部署。",
        "供应商须提供联想（北京）有限公司出具的原厂质保承诺函的，不作为评审因素。",
        "灯具应采用节能型品牌产品，空调须选用变频品牌空调。",
    ],
)
def test_brands_outside_the_goods_bought_are_silent(text: str) -> None:
    assert not [f for f in scan(text) if f.category == "brand_tailored"]


@pytest.mark.parametrize(
    "text",
    [
        "须具备“一键报警”功能，平台须采用“B/S”架构。",
        "系统须支持“一网通办”平台对接，并接入“浙里办”平台。",
        "系统须与省“互联网+监管”系统对接。",
        "须使用“3C”认证产品。",
    ],
)
def test_quoted_generic_functions_and_public_platforms_are_not_tailoring(text: str) -> None:
    assert not scan(text, "technical")


def test_equipment_listed_in_a_site_overview_section_is_not_a_finding() -> None:
    text = "第六章 采购需求\n二、大楼概况\n4. 空调：日立 VRV 室外机组 86 台，内机 643 台；\n9. 发电机组：科勒 350KW 柴油发电机。"
    result = ENGINE.scan_document(text_document(text, "example", ENGINE.limits))
    assert not [f for f in result.findings if f.category in SPEC_CATEGORIES]


def test_required_brand_in_a_site_overview_section_still_fires() -> None:
    text = "第六章 采购需求\n二、项目概况\n本次新购空调须为日立品牌，否则投标无效。"
    result = ENGINE.scan_document(text_document(text, "example", ENGINE.limits))
    assert [f.rule_id for f in result.findings if f.category == "brand_tailored"] == [
        "SPEC-BRAND-REQUIRED-001"
    ]


def test_stray_space_inside_a_brand_name_does_not_hide_it() -> None:
    findings = scan("所投存储设备须为华 为OceanStor 5310型号。", "technical", "zc")
    assert [f.rule_id for f in findings] == ["SPEC-MODEL-001"]


def test_chinese_numeral_dimensions_are_parameters() -> None:
    findings = scan("所投餐车长宽高须分别为一千一百三十二毫米、六百零七毫米、九百八十八毫米。", "technical")
    assert [f.rule_id for f in findings] == ["SPEC-PARAM-TAILORED-001"]


def test_statute_named_in_title_sets_zb_regime() -> None:
    """A document titled under 招标投标法 with no 政府采购 wording reads as 工程 (≥3 brands + 或相当于 lawful)."""
    text = "依法必须招标的施工项目招标文件（招标投标法）\n水泵参考品牌：格兰富、威乐、凯泉或相当于以上档次。"
    result = ENGINE.scan_text(text)
    assert not [f for f in result.findings if f.category == "brand_tailored"]
    gov = "政府采购货物招标文件\n水泵参考品牌：格兰富、威乐、凯泉或同等档次。"
    assert [f for f in ENGINE.scan_text(gov).findings if f.category == "brand_tailored"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一千一百三十二", 1132),
        ("壹佰零叁", 103),
        ("一万二千六百五十", 12650),
        ("八百六十七", 867),
        ("万", None),
        ("千千", None),
    ],
)
def test_cn_number(text: str, expected: int | None) -> None:
    from scanner.detectors.spec import cn_number

    assert cn_number(text) == expected


@pytest.mark.parametrize(
    ("text", "tailored"),
    [
        ("整机功率须≥1263W且≤1271W。", True),  # 0.6% window around 1267
        ("整机重量须≤8.64kg且≥8.59kg。", True),  # bounds in either order
        ("电源频率49.5～50.5Hz。", False),  # ±1% around a round value: a tolerance
        ("输入电压198V～242V。", False),
        ("显示亮度须介于 412 与 418 cd/m² 之间。", True),
        ("工作温度须在 5 至 40℃ 之间。", False),
    ],
)
def test_narrow_windows(text: str, tailored: bool) -> None:
    assert bool([f for f in scan(text, "technical") if f.category == "spec_tailored"]) is tailored
