"""The brand/spec detector: named brands, model codes, 原厂 ties, private platforms, tailored parameters.

Data comes from ``lexicons/terms/brands.tsv`` (brand forms, sector, ambiguous flag) and
``lexicons/spec_rules.yaml`` (rule ids, titles, explanation/suggestion templates, legal basis,
cue word lists, examples). Matching runs on the normalised clause, on characters: one
Aho–Corasick automaton for every brand form and a few compiled regexes. A detector instance
is built once; :meth:`SpecDetector.detect` is pure.

Hits produced (category → rule id):

- brand_tailored: SPEC-BRAND-REQUIRED-001 (须采用/指定/限定/以品牌计分/指定供应商),
  SPEC-BRAND-REFERENCE-001 (参考/推荐/优先品牌), SPEC-MODEL-001 (a product model code),
  SPEC-OEM-001 (××原厂/原装/官方渠道);
- spec_tailored: SPEC-PLATFORM-001 (a vendor's private platform, protocol or interface),
  SPEC-PARAM-TAILORED-001 (non-round exact values, proprietary feature names, combinations).

These hits do not go through a YAML rule, so the context stage only applies the generic
或同等 mitigation and boost cues to them; negation, company names, addresses and existing
equipment are handled here.

Regime choice for reference brands with 或同等/或相当于 (TAXONOMY §3): in 政府采购 (or when the
regime is unclear) a reference brand is a finding and the mitigation makes it medium; in an
工程 tender under 招标投标法 three or more brands with 或相当于 are lawful (no finding) and
fewer than three are reported as low.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import ahocorasick
import yaml
from pydantic import BaseModel, ConfigDict, Field

from scanner.detectors.base import DocContext, Hit
from scanner.normalize import normalize_for_match
from scanner.resources import lexicons_dir
from scanner.rules.schema import Example, Examples
from scanner.types import Clause, TraceStep

REQUIRED = "SPEC-BRAND-REQUIRED-001"
REFERENCE = "SPEC-BRAND-REFERENCE-001"
MODEL = "SPEC-MODEL-001"
OEM = "SPEC-OEM-001"
PLATFORM = "SPEC-PLATFORM-001"
PARAM = "SPEC-PARAM-TAILORED-001"

_BREAK = "，。；！？\n"
_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


# ---- data: rules and examples -----------------------------------------------------------------


class SpecExample(Example):
    """A rule example (``[[span]]`` marks the expected evidence) with the regime it is read under."""

    regime: Literal["zc", "zb", "both"] = "both"


class SpecExamples(Examples):
    """Positive and negative examples; validation (spans present/absent) is the YAML rules' own."""

    positive: list[SpecExample]
    negative: list[SpecExample]


class SpecRule(BaseModel):
    """A rule of the spec detector: metadata and templates; the logic is in this module."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^SPEC(?:-[A-Z0-9]+)+-\d{3}$")
    category: Literal["brand_tailored", "spec_tailored"]
    severity: Literal["high", "medium", "low"]
    title: str
    explanation: str
    suggestion: str
    legal_basis: tuple[str, ...]
    examples: SpecExamples

    def fill(self, template: str, values: dict[str, str]) -> str:
        """The template with ``values`` filled in; unknown placeholders ({evidence}) stay."""
        return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


@dataclass(frozen=True)
class SpecData:
    rules: dict[str, SpecRule]
    cues: dict[str, object]


def load_spec_data(root: Path | None = None) -> SpecData:
    """Read and validate ``lexicons/spec_rules.yaml``."""
    root = root or lexicons_dir()
    raw = yaml.safe_load((root / "spec_rules.yaml").read_text(encoding="utf-8"))
    rules = [SpecRule.model_validate(r) for r in raw["rules"]]
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate SPEC rule ids in spec_rules.yaml")
    return SpecData(rules={r.id: r for r in rules}, cues=dict(raw["cues"]))


def load_spec_rules(root: Path | None = None) -> tuple[SpecRule, ...]:
    """The SPEC rules in file order (for ``tenderscan rules`` and the API's rule list)."""
    return tuple(load_spec_data(root).rules.values())


# ---- data: brands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    id: str
    name: str  # display name: Chinese if any, else Latin
    sector: str
    ambiguous: bool


@dataclass(frozen=True)
class Mention:
    """A brand form found in a clause; ``ambiguous`` is decided per form, not per row."""

    brand: Brand
    start: int
    end: int
    ambiguous: bool
    model_end: int = -1  # end of an adjacent model code, -1 when none

    @property
    def tail(self) -> int:
        return self.model_end if self.model_end > 0 else self.end


def fold(text: str) -> str:
    """Lower-casing that keeps the length (so offsets stay valid); ASCII-only when needed."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_FOLD)


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _form_ambiguous(form: str, row_ambiguous: bool) -> bool:
    """A long form of an ambiguous row (美的中央空调, Palo Alto Networks) is itself unambiguous."""
    if not row_ambiguous:
        return False
    if form.isascii():
        return not (" " in form.strip() and len(form) >= 8)
    return len(form) < 4


def read_brands(path: Path) -> list[tuple[Brand, list[str]]]:
    """Rows of brands.tsv as (Brand, its surface forms)."""
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            forms = [row["zh"], row["latin"], *(row["aliases"] or "").split("|")]
            forms = [f.strip() for f in forms if f and f.strip()]
            name = row["zh"] or row["latin"]
            out.append((Brand(row["id"], name, row["sector"], row["ambiguous"] == "1"), forms))
    return out


class BrandIndex:
    """Aho–Corasick over every brand form; leftmost-longest, Latin word boundaries."""

    def __init__(self, rows: Iterable[tuple[Brand, Sequence[str]]]) -> None:
        self._ac = ahocorasick.Automaton()
        for brand, forms in rows:
            for form in forms:
                key = fold(normalize_for_match(form))
                if len(key) < 2:
                    continue
                self._ac.add_word(key, (len(key), brand, _form_ambiguous(form, brand.ambiguous)))
        self._ac.make_automaton()

    def find(self, folded: str) -> list[Mention]:
        cands = []
        n = len(folded)
        for end_idx, (length, brand, amb) in self._ac.iter(folded):
            start, end = end_idx - length + 1, end_idx + 1
            if _is_word(folded[start]) and start > 0 and _is_word(folded[start - 1]):
                continue
            if (
                _is_word(folded[start])
                and start > 1
                and folded[start - 1] == " "
                and _is_word(folded[start - 2])
            ):
                continue  # a later word of a Latin phrase ("RM-8600 Elite"), not a brand
            if _is_word(folded[end - 1]) and end < n and _is_word(folded[end]):
                continue
            cands.append(Mention(brand, start, end, amb))
        cands.sort(key=lambda m: (m.start, -(m.end - m.start)))
        out: list[Mention] = []
        for m in cands:
            if out and m.start < out[-1].end:
                continue
            if out and out[-1].brand.id == m.brand.id and _only_glue(folded[out[-1].end : m.start]):
                prev = out.pop()
                m = Mention(m.brand, prev.start, m.end, prev.ambiguous and m.ambiguous)
            out.append(m)
        return out


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _only_glue(text: str) -> bool:
    return len(text) <= 2 and all(c in " （）()" for c in text)


# ---- cue matching -----------------------------------------------------------------------------


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class Cues:
    """Compiled cue patterns from spec_rules.yaml."""

    before: re.Pattern[str]  # named groups: neg, exist, ref, req
    after_req: re.Pattern[str]
    neg_after: re.Pattern[str]
    same_brand: re.Pattern[str]
    equivalence: re.Pattern[str]
    company: re.Pattern[str]
    org: re.Pattern[str]
    supply_after: re.Pattern[str]
    address: re.Pattern[str]
    brand_context: re.Pattern[str]
    zb: re.Pattern[str]
    zc: re.Pattern[str]
    oem_tie: re.Pattern[str]
    standard: re.Pattern[str]
    not_model: re.Pattern[str]
    camel_stop: frozenset[str]
    param_meta: re.Pattern[str]
    exact_words: re.Pattern[str]
    feature_nouns: re.Pattern[str]
    feature_verbs: re.Pattern[str]
    open_interface: re.Pattern[str]
    existing: re.Pattern[str]
    negation: re.Pattern[str]
    clause_negation: re.Pattern[str]
    credential: re.Pattern[str]
    process: re.Pattern[str]
    descriptive: re.Pattern[str]
    feature_generic: re.Pattern[str]
    public_platform: re.Pattern[str]
    descriptive_section: re.Pattern[str]
    service_object: re.Pattern[str]
    param_name_stop: re.Pattern[str]
    benchmark: re.Pattern[str]
    design: re.Pattern[str]
    feature_plain: re.Pattern[str]

    @classmethod
    def compile(cls, c: dict[str, object]) -> Cues:
        def words(key: str) -> list[str]:
            value = c[key]
            assert isinstance(value, list), key
            return [str(v) for v in value]

        def rx(key: str) -> re.Pattern[str]:
            return re.compile(_alt(words(key)))

        before = (
            f"(?P<neg>{_alt(words('negation') + words('not_product'))})|(?P<exist>{_alt(words('existing'))})|"
            f"(?P<ref>{_alt(words('reference'))})|(?P<req>{_alt(words('required'))})"
        )
        return cls(
            before=re.compile(before),
            after_req=re.compile(str(c["required_after_re"])),
            neg_after=rx("negation_after"),
            same_brand=re.compile(str(c["same_brand_re"])),
            equivalence=rx("equivalence"),
            company=re.compile(rf"[^，。；：、｜\s]{{0,14}}?(?:{_alt(words('company'))})"),
            org=re.compile(rf"[^，。；：、｜\s]{{0,14}}?(?:{_alt(words('organisation'))})"),
            supply_after=re.compile(rf"[^，。；]{{0,8}}?(?:{_alt(words('supply_after'))})"),
            address=re.compile(rf"(?:{_alt(words('address'))})"),
            brand_context=rx("brand_context"),
            zb=rx("zb_words"),
            zc=rx("zc_words"),
            oem_tie=re.compile(str(c["oem_tie_re"])),
            standard=re.compile(str(c["standard_re"])),
            not_model=re.compile(str(c["not_model_re"]), re.IGNORECASE),
            camel_stop=frozenset(w.lower() for w in words("camel_stop")),
            param_meta=rx("param_meta"),
            exact_words=rx("exact_words"),
            feature_nouns=rx("feature_nouns"),
            feature_verbs=rx("feature_verbs"),
            open_interface=re.compile(str(c["open_interface_re"])),
            existing=rx("existing"),
            negation=re.compile(_alt(words("negation") + words("not_product"))),
            clause_negation=rx("clause_negation"),
            credential=re.compile(str(c["credential_re"])),
            process=re.compile(str(c["process_re"])),
            descriptive=re.compile(str(c["descriptive_brand_re"])),
            feature_generic=re.compile(str(c["feature_generic_re"])),
            public_platform=re.compile(str(c["public_platform_re"])),
            descriptive_section=re.compile(str(c["descriptive_section_re"])),
            service_object=re.compile(str(c["service_object_re"])),
            param_name_stop=re.compile(str(c["param_name_stop_re"])),
            benchmark=re.compile(str(c["benchmark_re"])),
            design=re.compile(str(c["design_terms_re"])),
            feature_plain=re.compile(rf"^(?:{_alt(words('feature_plain'))})+$"),
        )


def segment_start(text: str, pos: int, limit: int = 40) -> int:
    """Start of the comma-segment holding ``pos`` (at most ``limit`` characters back)."""
    lo = max(0, pos - limit)
    for i in range(pos - 1, lo - 1, -1):
        if text[i] in _BREAK:
            return i + 1
    return lo


def segment_end(text: str, pos: int, limit: int = 40) -> int:
    hi = min(len(text), pos + limit)
    for i in range(pos, hi):
        if text[i] in _BREAK:
            return i
    return hi


@dataclass(frozen=True)
class Cue:
    kind: str  # neg | exist | ref | req | colon | none
    word: str
    pos: int = -1


_LIST_SEP = re.compile(r"[、/／]")
_LIST_ITEM = re.compile(r"[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9 .&\-]{1,11}")
_CELL_START = re.compile(r"[：｜:]\s*$")


def cue_before(cues: Cues, norm: str, start: int) -> Cue:
    """The nearest cue before ``start`` in its comma-segment (a colon/cell start as fallback)."""
    lo = segment_start(norm, start)
    before = norm[lo:start]
    last = None
    for m in cues.before.finditer(before):
        if m.group(0) == "如" and m.end() < len(before) - 2:
            continue  # 如 only when it directly introduces the brand (如西门子、…)
        last = m
    if last is not None:
        return Cue(str(last.lastgroup), last.group(0), lo + last.start())
    if _CELL_START.search(before) or start == 0:
        return Cue("colon", before[-1:] or "：", start - 1)
    return Cue("none", "")


def local_regime(cues: Cues, norm: str, doc_regime: str) -> str:
    """The clause's own regime words win over the document's (施工项目 … or 政府采购 …)."""
    zb, zc = bool(cues.zb.search(norm)), bool(cues.zc.search(norm))
    if zb and not zc:
        return "zb"
    if zc and not zb:
        return "zc"
    return doc_regime


# ---- model codes ------------------------------------------------------------------------------

_TOKEN = r"[A-Za-z0-9][A-Za-z0-9+\-_./]*"
_MODEL_AFTER = re.compile(rf"[ \-]?({_TOKEN}(?: {_TOKEN}){{0,2}})((?:系列|型号|型(?![钢材])|款)?)")
_UNIT_TOKEN = re.compile(
    r"^\d+(?:\.\d+)?(?:mm|cm|m|kg|g|t|GHz|MHz|kHz|Hz|kVA|kW|W|V|A|mAh|dB|L|ml|TB|GB|MB|G|T|K|寸|"
    r"英寸|核|线程|P|p|dpi|lm|nit|bit|W/h|Mbps|Gbps|万|%)?$",
    re.IGNORECASE,
)
_GENERIC_TECH = frozenset(
    "it pc ai ups led lcd cpu gpu ssd hdd pacs lis his oa erp api sdk app vr ar os pdf saas iot "
    "wifi usb ip ipc nvr dvr poe cad bim gis crm rfid nfc ukey ca sim tv ktv ic id".split()
)
_CODE_AFTER_CUE = re.compile(
    r"(?:规格型号|参考型号|型号规格|型号)(?:须为|必须为|应为|须是|限定为|指定为|要求为|为|：|:)\s*"
    rf"(?P<maker>[\u4e00-\u9fff]{{2,6}}(?=[A-Za-z0-9]))?(?P<code>{_TOKEN}(?: {_TOKEN}){{0,2}})"
)
_CODE_BEFORE_CUE = re.compile(rf"(?<![A-Za-z0-9\-])(?P<code>{_TOKEN})(?P<suffix>型号|型(?![钢材号]))")


def _looks_like_code(code: str, cues: Cues) -> bool:
    """A product model code: letters and digits, not a unit, standard, IP code, year or paper size."""
    if len(code) < 3 or cues.not_model.match(code) or _UNIT_TOKEN.match(code):
        return False
    if cues.standard.fullmatch(code):
        return False
    has_alpha = any(c.isalpha() for c in code)
    has_digit = any(c.isdigit() for c in code)
    return has_alpha and has_digit


def model_after(norm: str, pos: int, cues: Cues) -> int:
    """End of a model code (CloudEngine S12700E系列, AF-1000-B1500) right after ``pos``, else -1."""
    m = _MODEL_AFTER.match(norm, pos)
    if m is None:
        return -1
    tokens = m.group(1).split(" ")
    hyphen_digits = norm[pos : pos + 1] == "-" and norm[pos - 1 : pos].isascii() and tokens[0][:1].isdigit()
    kept = []
    for tok in tokens:
        t = tok.rstrip(".-_/")
        if hyphen_digits and not kept and t.replace("-", "").isalnum():
            kept.append(tok)  # GST-5000: the brand's Latin form, a hyphen, a number
            continue
        if kept and t.isdigit():
            kept.append(tok)  # HyLED 9700
            continue
        if not t or _UNIT_TOKEN.match(t) or t.lower() in _GENERIC_TECH or cues.not_model.match(t):
            break
        kept.append(tok)
    if not kept:
        return -1
    text = " ".join(kept)
    codeish = (
        hyphen_digits
        or _looks_like_code(text.replace(" ", ""), cues)
        or bool(re.search(r"[a-z][A-Z]|[A-Z]{3,}", text))
    )
    if not codeish:
        return -1
    end = m.start(1) + len(text)
    if len(kept) == len(tokens) and m.group(2):
        end = m.end(2)
    return end


# ---- parameters -------------------------------------------------------------------------------

_UNITS = (
    r"m³/h|m³/min|m³/d|m³|m/s|L/d|L/h|t/h|kg/h|㎡|mm|cm|km|m(?![A-Za-z³²])|kg|g(?![A-Za-z])|吨|GHz|MHz|kHz|Hz(?![A-Za-z])|kVA|"
    r"kWh|kW|W(?![A-Za-z])|mAh|V(?![A-Za-z])|dB|L/min|ml/min|mL/min|ml|mL|μL|μl|μm|nm|L(?![A-Za-z])|bar|"
    r"MPa|kPa|MHU|lm/W|lm|流明|nit|cd/㎡|cd/m²|cd/m2|K(?![A-Za-z])|A(?![A-Za-z级])|℃|°|AW|r/min|rpm|转/分|页/分钟|英寸|寸|毫米|厘米|千克|公斤|"
    r"升|毫升|千瓦|分贝|毫秒|ms|克|lux|Pa|%|分钟|小时|秒|排|个|件|根|节|层|门|通道|页"
)
_TIME_COUNT = frozenset("分钟 小时 秒 排 个 件 根 节 层 门 通道 页 %".split())
_NUM = r"\d+(?:\.\d+)?"
_QTY = re.compile(
    rf"(?<![\d.A-Za-z/\-])(?P<dims>{_NUM}\s*(?:mm|cm|m)?\s*[×xX*]\s*{_NUM}\s*(?:mm|cm|m)?"
    rf"(?:\s*[×xX*]\s*{_NUM})?\s*(?:mm|cm|m|毫米))"
    rf"|(?<![\d.A-Za-z/\-])(?P<num>{_NUM})\s*(?P<unit>{_UNITS})"
    rf"|(?<=[\u4e00-\u9fff：])(?P<bare>\d+\.\d{{2,}})(?![\d.]|\s*(?:万|元|亿|年|月|日|号|版|倍|[A-Za-z%:：]))"
)
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_QTY = re.compile(
    r"(?P<cn>[零〇一二两三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾佰仟]{2,})\s*"
    r"(?P<cnunit>毫米|厘米|公斤|千克|千瓦|毫升|升|千帕|帕|瓦|伏|安培|分贝|转|流明|立方米|克|米|毫秒)"
)


def cn_number(text: str) -> int | None:
    """一千一百三十二 → 1132, 壹佰零叁 → 103, 一万二千六百五十 → 12650; None when not well-formed."""
    if "万" in text:
        high, _, low = text.partition("万")
        h = cn_number(high)
        lo_value = cn_number(low) if low else 0
        return None if h is None or lo_value is None else h * 10000 + lo_value
    total, digit, last_unit = 0, None, 10**9
    for ch in text:
        if ch in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            if _CN_UNITS[ch] >= last_unit:
                return None  # 千千, 十百: units must fall
            last_unit = _CN_UNITS[ch]
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0) if total or digit else None


_QUALIFIER_BEFORE = re.compile(
    r"(?:≥|≤|>|<|＞|＜|≧|≦|不低于|不小于|不少于|不超过|不高于|不大于|不多于|不短于|不长于|不得低于|不得小于|"
    r"不得超过|至少|最少|至多|大于|小于|高于|低于|优于|约|大约|范围|介于|可调|可选|之间|上限|下限|误差|偏差|"
    r"容差|公差|±|以内|达到|以上)[^，。；]{0,6}$"
)
_RANGE_BEFORE = re.compile(r"(?:-|－|~|～|至|到|—|/)\s*$")
_QUALIFIER_AFTER = re.compile(
    r"^\s*(?:（[^）]{0,8}）)?\s*(?:以上|以下|以内|及以上|及以下|或以上|或以下|（含）|左右|\+|-|－|~|～|至|到|—|"
    r"或更|范围|可调|起|内|之内|上下|起步|/|以外)"
)
_TOLERANCE = re.compile(rf"^\s*±\s*(?P<tol>{_NUM})")
_EXACT_BEFORE = re.compile(r"(?:须为|必须为|应为|须是|为|是|等于)\s*$")
_EXACT_SEGMENT = re.compile(r"须为|必须为|应为|须是|为|：|等于")
_DESIGN_LEAD = "采用使选为须应设呈是及和与、"
DESIGN_TERMS = 3  # construction details under 须/应 in one item that make it one maker's design
_REQUIRE = re.compile(r"须|必须|应|要求|采用|为")
_ANY_QUALIFIER = re.compile(
    r"≥|≤|>|<|＞|＜|不低于|不小于|不少于|不超过|不高于|不大于|不多于|至少|以上|以下|以内|约|±|范围|可调|优于|大于|小于|不得低于"
)
_LOWER = r"≥|不低于|不小于|大于等于"
_UPPER = r"≤|不高于|不大于|小于等于"
_WINDOW = re.compile(
    rf"(?:{_LOWER}|{_UPPER}|介于|在)?\s*(?P<a>{_NUM})\s*(?P<ua>{_UNITS})?\s*"
    rf"(?:-|－|–|~|～|至|到|—|(?:且|，|、)\s*(?:{_UPPER}|{_LOWER}))\s*"
    rf"(?P<b>{_NUM})\s*(?P<ub>{_UNITS})"
    rf"|(?:介于|在)\s*(?P<a2>{_NUM})\s*(?P<ua2>{_UNITS})?\s*(?:与|和|至|到|-|–|~|～)\s*(?P<b2>{_NUM})\s*"
    rf"(?P<ub2>{_UNITS})?\s*(?:之间|范围内|以内)"
)
_COMMON_VALUES = frozenset(
    {
        8,
        12,
        16,
        24,
        32,
        48,
        64,
        96,
        128,
        256,
        512,
        1024,
        2048,
        4096,
        110,
        220,
        230,
        380,
        400,
        360,
        720,
        768,
        1080,
        1200,
        1366,
        1440,
        1920,
        2160,
        2560,
        3840,
        7680,
        60,
        50,
        120,
        144,
        240,
        100,
        1000,
    }
)
_ITEM_SPLIT = re.compile(r"[；;。]|(?:（\d{1,2}）|\(\d{1,2}\)|(?<![\d.])\d{1,2}[、.](?!\d))")
_QUOTED = re.compile(r"[“\"「『《](?P<q>[^”\"」』》]{1,20})[”\"」』》]")
# 灵犀音频引擎3.0 / 云端热管理2.0系统 / 恒信SDK v5.2: a versioned technology name or a vendor's kit
_VERSIONED = re.compile(
    r"(?P<v>[\u4e00-\u9fffA-Za-z]{2,10}(?:技术|引擎|算法|架构|系统|模式)\s?[Vv]?\d+\.\d+(?:版本?)?"
    r"|[\u4e00-\u9fff]{2,8}\s?[Vv]?\d+\.\d+(?:版)?(?:技术|引擎|算法|架构|系统|功能)"
    r"|[\u4e00-\u9fff]{2,6}\s?SDK(?:\s?[Vv]?\d+(?:\.\d+)*)?)"
)
_PATENT_AFTER = re.compile(r"^[^，。；]{0,4}?(?:发明专利|实用新型|外观设计专利|专利|專利)")
_NAME_LEAD = re.compile(r"须|应|必须|内置|采用|搭载|具备|具有|支持|配备|配置|集成|基于|使用|的|及|和|与|并")
_VERSIONED_STOP = re.compile(
    r"等保|等级保护|蓝牙|国密|标准|规范|操作系统|Windows|Android|鸿蒙|麒麟|统信|USB|HDMI|PCIe"
)
_CAMEL = re.compile(r"(?<![A-Za-z])(?P<c>(?:[A-Z][a-z]+|[a-z]+)[A-Z][a-z]+[A-Za-z]*|[A-Za-z0-9]+(?:™|®))")
_FEATURE_GLUE = re.compile(r"^(?:和|及|、|与|以及|并|，|并具备|且)?$")
_DOC_TERMS = re.compile(r"实质性|或相当于|或同等|★|▲|投标|采购|招标|响应|偏离|合格|满足|^(?:是|否|有|无)$")


def oddness(value: str, unit: str) -> float:
    """How "non-round" a value is: 1 clearly odd (12.36, 1263), 0.5 somewhat, 0 round."""
    if unit in ("英寸", "寸", "核"):
        return 0.0
    if "." in value:
        whole, dec = value.split(".", 1)
        dec = dec.rstrip("0")
        if not dec:
            return oddness(whole, unit)
        if len(dec) >= 2:
            return 0.5 if dec.endswith("5") else 1.0
        if dec == "5":
            return 0.0
        return 0.5 if float(value) >= 10 else 0.3
    n = int(value)
    if n in _COMMON_VALUES:
        return 0.0
    if n < 100:
        return 0.5 if n > 20 and n % 5 else 0.0
    if n % 10:
        return 0.5 if n % 25 == 0 else 1.0
    if n >= 1000 and n % 100 and n % 250:
        return 0.5
    return 0.0


def _dims_oddness(text: str) -> float:
    """The oddest dimension, plus a bonus for each further clearly non-round one (117.6×79.8×13.7)."""
    nums = re.findall(_NUM, text)
    odds = sorted(((oddness(n, "mm"), n) for n in nums), reverse=True)
    if not odds:
        return 0.0
    extra = sum(0.25 for o, n in odds[1:] if o >= 0.5 and n[-1] not in "05")
    return min(1.0, odds[0][0] + extra)


@dataclass(frozen=True)
class Param:
    """One exact, unqualified value in a technical item."""

    name: str
    text: str
    start: int
    end: int
    odd: float
    explicit: bool = False  # "须为/为/：" right before: stated as an exact value
    physical: bool = True  # a measured quantity with a unit (not a count, a bare number or a coefficient)


@dataclass
class ItemSignals:
    params: list[Param] = field(default_factory=list)  # exact values (odd or not)
    features: list[tuple[str, int, int]] = field(default_factory=list)  # (name, start, end)
    benchmark: tuple[str, int, int] | None = None  # "以某型号产品为基准"
    exact_word: str = ""
    datasheet: bool = False  # six or more exact values and not one range in the clause
    design: list[tuple[str, int, int]] = field(default_factory=list)  # construction details under 须/应

    @property
    def odd_params(self) -> list[Param]:
        return [p for p in self.params if p.odd > 0]

    def weight(self) -> float:
        """Combined tailoring weight; 0 unless a value is non-round or a proprietary name occurs."""
        core = sum(p.odd for p in self.params) + len(self.features) + (1.0 if self.benchmark else 0.0)
        if self.exact_word and any(p.explicit for p in self.params):
            core += 0.5  # 须为57.5℃，偏高或偏低均视为不满足
        if self.datasheet:
            core += 0.6
        if len(self.design) >= DESIGN_TERMS:
            core += 1.0
        if not core:
            return 0.0
        # an exact value stated as the requirement (须为52.6dB) counts more than one merely listed
        w = core + sum((0.5 if p.odd >= 0.5 and p.physical else 0.25) for p in self.params if p.explicit)
        if len(self.params) >= 3:
            w += 0.3
        elif len(self.params) == 2:
            w += 0.2
        if self.exact_word:
            w += 0.3
        return w


_NAME_CUT = re.compile(r".*(?:的|须|应|其|、|及|和|与|且|为|：|:|｜|，)")


def param_name(norm: str, pos: int) -> str:
    """The parameter's name (整机重量, 外形尺寸) just before a value."""
    lo = max(0, pos - 12)
    run = ""
    for ch in reversed(norm[lo:pos]):
        if ch in _BREAK or ch.isdigit() or (ch.isascii() and ch.isalpha()) or ch in "、）)":
            break
        run = ch + run
    run = re.sub(r"(?:须为|必须为|应为|须是|为|是|：|:)$", "", run)
    run = _NAME_CUT.sub("", run)
    return run[-4:] if len(run) > 6 else run


# ---- the detector -----------------------------------------------------------------------------

_SCORING = re.compile(
    r"得\s*\d+(?:\.\d+)?\s*分|\d+(?:\.\d+)?\s*分\s*[｜|）)]|加\s*\d+\s*分|扣\s*\d+\s*分|得分"
)
_BRAND_LIBRARY = re.compile(
    r"(?P<span>品牌库|品牌清单|品牌名录|入围品牌|品牌范围表)(?=[^。]{0,30}?(?:选择|选用|范围内|以外|外的|外产品|不予|不接受|无效))"
)
_UNKNOWN_BRAND = re.compile(
    r"(?:须为|必须为|应为|须采用|必须采用|应采用|指定采用|指定为|指定|限定为|限定|统一采用|须使用|必须使用|须选用|采用|"
    r"选用|使用)(?P<span>“[^”]{2,10}”|[\u4e00-\u9fffA-Za-z]{2,8}?)(?:品牌|牌(?![照子号])|商标)"
    r"|(?:品牌|商标)(?:须为|必须为|应为|须是|限定为|指定为|要求为)(?P<span2>“[^”]{2,10}”|[\u4e00-\u9fffA-Za-z]{2,8})"
    r"(?=[，。；（(或]|$)"
)
_SUPPLIER = re.compile(
    r"(?P<cue>指定由|指定|须从|必须从|须向|须由|必须由|限定由|只能从|仅从|须购自|必须购自|仅接受|只接受)"
    r"(?P<span>[^，。；“”]{2,24}?(?:有限公司|股份公司|公司|集团|商行|经营部))"
    r"(?=[^，。；]{0,8}?(?:采购|购买|购置|供货|供应|提供|承保|承担|生产|配送|作为|独家))"
)
_MAKER_PRODUCED = re.compile(
    r"(?P<cue>须采用|必须采用|指定采用|须选用|须使用|统一采用)"
    r"(?P<span>[^，。；“”]{2,16}?)(?=(?:生产|制造|出品|供应)的)"
)
_SUPPLIER_GENERIC = re.compile(
    r"具有|具备|中标|成交|供应商|投标人|合格|资质|专业|第三方|其他|任意|任何|依法|正规|相应|有关|保险公司|物流公司|"
    r"快递公司|运输公司|银行|评估|审计|会计师|律师"
)
_PRIVATE = re.compile(
    r"(?P<span>(?:私有|专有|独家|(?<=厂商|公司|厂家)自有)(?:的)?[^，。；]{0,14}?(?:协议|接口|平台|格式|系统|中台|总线|云桌面))"
    r"|(?P<span2>专用(?:协议|接口))"
)
_DEVELOPER = re.compile(
    r"(?:某|××|XX|本市|本省)?[^，。；（(]{0,12}?(?:公司|厂商|厂家|研究院|研究所)(?:独家)?"
    r"(?:开发|建设|运营|研发|提供|出品|所有|自主研发)的?(?P<span>“[^”]{2,24}”[^，。；]{0,8}?)"
    r"|（由(?:某|××|XX)?[^，。；）]{0,14}?(?:公司|厂商|研究院)(?:独家)?(?:开发|建设|运营|研发)"
)
_CONSENT = re.compile(
    r"(?P<span>该(?:平台|系统|软件)?(?:开发|建设|运营|承建)?(?:公司|厂商|厂家|研究院|单位)(?:盖章|出具)?的?[^，。；]{0,6}?(?:对接许可|对接确认函|确认函|许可|授权|同意函))"
)
_CONSENT_NAMED = re.compile(
    r"(?:提供|附|附上|须附|取得)(?P<span>[\u4e00-\u9fffA-Za-z]{2,14}?(?:公司|厂商|厂家)(?:盖章|出具)的?[^，。；]{0,8}?"
    r"(?:接口开放证明|开放证明|接口开放承诺|对接许可|对接确认函))"
)
# 须接入星能科技充电运营云平台 / 上传至绿源环境公司E-Monitor云平台 / 基于恒信SDK开发: a named firm's platform or kit
_VENDOR_PLATFORM = re.compile(
    r"(?:接入|对接|上传至|上传到|基于|调用|兼容|连接至|连入|与)(?P<span>[\u4e00-\u9fff]{2,4}(?:科技|信息|软件|电子|智能|网络|环境|数据|数码)"
    r"(?:股份|有限)?(?:公司)?(?:的|自主研发的|开发的)?[A-Za-z\u4e00-\u9fff\-]{0,10}?(?:云平台|平台|系统|SDK|中台)"
    r"|[\u4e00-\u9fff]{2,12}(?:有限公司|公司)\s?(?:的|自主研发的|开发的)?\s?[“]?[A-Za-z0-9\u4e00-\u9fff\-+ ]{1,16}?[”]?\s?"
    r"(?:综合管理平台|管理平台|云平台|平台|SDK|中台|HIS|系统))"
)
# 须输出 .dcmx 加密格式: a file format of one maker (open formats are listed)
_FILE_FORMAT = re.compile(r"(?P<span>\.\s?(?P<ext>[A-Za-z][A-Za-z0-9]{1,5})\s?(?:加密|专用|私有)?格式)")
_OPEN_FORMATS = frozenset(
    "pdf ofd doc docx xls xlsx csv txt xml json html htm jpg jpeg png gif bmp tif tiff mp4 avi mov mkv wav mp3 "
    "zip rar 7z dcm dicom dwg dxf shp kml kmz gml geojson sql ppt pptx wps et rtf md svg webm flac ogg hl7".split()
)
_VENDOR_NAMED = re.compile(
    r"(?:公司|厂商|厂家|企业)的?(?P<span>“[^”]{2,20}”[^，。；]{0,8}?(?:协议|接口|平台|系统))"
)
_PROCUREMENT_WORDS = re.compile(r"采购|招标|投标|交易|招采|电子化|监管|政务")
_GENERIC_FIRM = re.compile(
    r"(?:主流|国产|通用|常用|各类|多种|各种|全省|全市|全国|省级|市级|县级|本地|现有|原有|相关|第三方|其他|任意|同类|行业|"
    r"政务|公共|采购人|招标人|甲方|业主)"
)
_QUOTED_PLATFORM = re.compile(
    r"(?P<span>“[^”]{2,24}”[^，。；“]{0,6}?(?:平台|系统|中台|协议|云平台|云桌面协议|接口))"
)
_SECURITY = re.compile(r"保函|保证金|担保")
_CONNECT = re.compile(
    r"对接|兼容|调用|接入|上传至|上传到|互联|互通|单点登录|数据同步|即插即用|联动|集成|底座|基于"
)
_PLATFORM_PREFILTER = re.compile(
    r"对接|兼容|调用|接入|协议|接口|平台|中台|私有|专有|独家|自有|单点登录|格式|SDK"
)
_BRAND_PLATFORM_AFTER = re.compile(r"[^，。；]{0,10}?(?:平台|系统|云|协议|接口|中台|管理软件)")
_CONNECT_BEFORE = re.compile(r"(?:与|兼容|接入|对接|调用|支持)[^，。；]{0,6}$")
_DESIGNATED = re.compile(r"须|必须|应|指定|限定|仅|只")
_BRAND_GLUE = re.compile(r"^[\s、/／和及与或]{0,3}$")
_SKIP_KINDS = frozenset({"forms"})
_CONSEQUENCE = re.compile(
    r"的[^。]{0,12}?(?:不被接受|不予接受|投标无效|响应无效|无效|未实质性响应|不予通过|不得分|零分|得0分)"
)
_DESIGNATION_CUES = frozenset(
    "须从 必须从 须向 指定由 指定 须由 必须由 限定由 限定 须为 必须为 应为 仅接受 只接受 购自 须采用 必须采用 须选用 "
    "须使用 统一采用 指定采用 限于 仅限".split()
)
# 麒麟、统信等国产操作系统: brands given as examples of an open class after 支持/兼容, not required goods.
_CLASS_AFTER = re.compile(r"等(?:多种|多个|各类|各种|主流|常见|通用|常用|国产|自主可控|信创)")
_COMPAT_BEFORE = re.compile(r"支持|兼容|适配|运行于|基于")
_ILLUSTRATIVE = re.compile(r"(?:国产|主流|常见|通用|常用|知名|自主可控|信创)[^，。；]{0,10}[（(]?$")
_COMPONENT = re.compile(
    r"芯片|模块|模组|机组|主板|压缩机|电机|组件|部件|配件|处理器|控制器|传感器|盘管|主控|板卡"
)
_WHOLE_GOODS = re.compile(r"所投|投标产品|整机|品牌")
_PARAM_SKIP_KINDS = frozenset({"forms", "qualification", "contract", "instructions", "notice"})


@dataclass(frozen=True)
class _Group:
    mentions: tuple[Mention, ...]

    @property
    def start(self) -> int:
        return self.mentions[0].start

    @property
    def end(self) -> int:
        return self.mentions[-1].tail

    def names(self) -> list[str]:
        return list(dict.fromkeys(m.brand.name for m in self.mentions))


class SpecDetector:
    """Brand, model, 原厂, private-platform and tailored-parameter hits for one clause at a time."""

    name = "spec"

    def __init__(self, root: Path | None = None) -> None:
        root = root or lexicons_dir()
        data = load_spec_data(root)
        self.rules = data.rules
        self.cues = Cues.compile(data.cues)
        self.brands = BrandIndex(read_brands(root / "terms" / "brands.tsv"))

    # -- entry point ------------------------------------------------------------------------
    def detect(self, clause: Clause, norm: str, doc: DocContext) -> list[Hit]:
        """Every SPEC hit in one clause (the merge stage keeps the best per category)."""
        if clause.section_kind in _SKIP_KINDS or len(norm) < 4:
            return []
        regime = local_regime(self.cues, norm, doc.regime)
        hits: list[Hit] = []
        mentions = self._mentions(norm)
        hits += self._brand_hits(clause, norm, mentions, regime)
        if not any(h.rule_id in (REQUIRED, REFERENCE, MODEL) for h in hits):
            hits += self._unknown_brand_hits(clause, norm, regime)
        hits += self._model_code_hits(clause, norm, hits)
        if _PLATFORM_PREFILTER.search(norm):
            hits += self._platform_hits(clause, norm, mentions)
        if clause.section_kind not in _PARAM_SKIP_KINDS and not self.cues.descriptive_section.search(
            " ".join(clause.section)
        ):
            hits += self._param_hits(clause, norm)
            hits = [self._component_model(clause, norm, h, mentions) for h in hits]
        return hits

    def _component_model(self, clause: Clause, norm: str, hit: Hit, mentions: list[Mention]) -> Hit:
        """A model code that pins a component (编码芯片须为…, 制冷机组须为…) or one of several exact
        values of a technical item is parameter tailoring, not the choice of the goods' brand."""
        if hit.rule_id != MODEL:
            return hit
        lo = segment_start(norm, hit.start)
        seg = norm[lo : hit.start]
        # in the clause's first segment the 控制器/机组 named is the item bought (门禁控制器型号须为…)
        component = lo > 0 and _COMPONENT.search(seg) and not _WHOLE_GOODS.search(seg)
        code_only = not any(m.start < hit.end and hit.start < m.tail for m in mentions)
        if not component:
            if not code_only:
                return hit
            sig = self._item_signals(norm, 0, len(norm))
            if len(sig.params) + len(sig.features) < 2:
                return hit
        model = norm[hit.start : hit.end]
        return self._hit(
            clause,
            norm,
            PARAM,
            hit.start,
            hit.end,
            0.8,
            "medium",
            signals=f"以部件或整机型号“{model}”连同其他精确参数限定技术规格",
            summary="型号对应的是特定厂商的特定产品，其参数组合通常只有该型号能满足",
            tailoring="0.80",
            params=f"“{model}”",
        )

    # -- brands -----------------------------------------------------------------------------
    def _mentions(self, norm: str) -> list[Mention]:
        out = []
        for m in self._find_brands(norm):
            end = model_after(norm, m.end, self.cues)
            out.append(Mention(m.brand, m.start, m.end, m.ambiguous, end) if end > 0 else m)
        return out

    def _find_brands(self, norm: str) -> list[Mention]:
        """Brand mentions; a stray space between two CJK characters (华 为) does not hide a brand."""
        folded = fold(norm)
        if " " not in folded:
            return self.brands.find(folded)
        keep = [
            i
            for i, ch in enumerate(folded)
            if not (
                ch == " " and 0 < i < len(folded) - 1 and _is_cjk(folded[i - 1]) and _is_cjk(folded[i + 1])
            )
        ]
        if len(keep) == len(folded):
            return self.brands.find(folded)
        squeezed = "".join(folded[i] for i in keep)
        return [
            Mention(m.brand, keep[m.start], keep[m.end - 1] + 1, m.ambiguous)
            for m in self.brands.find(squeezed)
        ]

    def _described(self, clause: Clause, norm: str) -> bool:
        """Clause describes the site or equipment to be serviced (物业/维保 inventory), not goods bought."""
        return bool(
            self.cues.descriptive_section.search(" ".join(clause.section))
            or self.cues.service_object.search(norm)
        )

    def _groups(self, norm: str, mentions: list[Mention]) -> list[_Group]:
        groups: list[list[Mention]] = []
        for m in mentions:
            if groups and _BRAND_GLUE.match(norm[groups[-1][-1].tail : m.start]):
                groups[-1].append(m)
            else:
                groups.append([m])
        return [_Group(tuple(g)) for g in groups]

    def _mention_role(self, norm: str, m: Mention) -> str:
        """'ok', or why the mention is not a named product: company, address, existing, negated."""
        after = norm[m.end : m.end + 20]
        if self.cues.address.match(after) and m.model_end < 0:
            return "address"
        if "地址" in norm[max(0, m.start - 20) : m.start]:
            return "address"
        if self.cues.org.match(after):
            return "org"
        if after[:1] == "级" and not m.brand.name.isascii():
            return "ordinary"  # 三星级, 五星级
        if self.cues.credential.match(norm, m.tail):
            return "credential"
        if self.cues.company.match(after) and m.model_end < 0:
            return "company"
        return "ok"

    def _ambiguous_ok(self, norm: str, group: _Group) -> bool:
        if not all(m.ambiguous for m in group.mentions):
            return True
        if any(m.model_end > 0 for m in group.mentions):
            return True
        lo, hi = max(0, group.start - 6), min(len(norm), group.end + 4)
        window = norm[lo : group.start] + norm[group.end : hi]
        if self.cues.brand_context.search(window):
            return True
        return len(group.mentions) >= 2 and "品牌" in norm

    def _brand_hits(self, clause: Clause, norm: str, mentions: list[Mention], regime: str) -> list[Hit]:
        if not mentions or self.cues.process.search(norm):
            return []  # brands of the bidding process (投标文件须使用WPS…), not of the goods
        hits = []
        valid = []
        for group in self._groups(norm, mentions):
            roles = [self._mention_role(norm, m) for m in group.mentions]
            kept = tuple(m for m, r in zip(group.mentions, roles, strict=True) if r == "ok")
            if "company" in roles:
                hit = self._supplier_hit(clause, norm, group, roles)
                if hit is not None:
                    hits.append(hit)
            if not kept:
                continue
            g = _Group(kept)
            if self._ambiguous_ok(norm, g):
                valid.append(g)
        n_brands = len({m.brand.id for g in valid for m in g.mentions})
        for g in valid:
            hit = self._group_hit(clause, norm, g, regime, n_brands)
            if hit is not None:
                hits.append(hit)
        return hits

    def _listed_names(self, norm: str, g: _Group) -> int:
        """Names enumerated with the group (东方雨虹、科顺、北新或相当于): brands missing from the
        lexicon still count towards the three reference brands an 工程 tender may list."""
        lo, hi = segment_start(norm, g.start), segment_end(norm, g.end)
        seg, rel = norm[lo:hi], g.start - lo
        colon = max(seg.rfind("：", 0, rel), seg.rfind(":", 0, rel))
        body = seg[colon + 1 :]
        eq = self.cues.equivalence.search(body)
        if eq is not None:
            body = body[: eq.start()]
        body = body.rstrip("或及等 ")
        items = [x.strip() for x in _LIST_SEP.split(body)]
        return sum(1 for x in items if _LIST_ITEM.fullmatch(x))

    def _group_hit(self, clause: Clause, norm: str, g: _Group, regime: str, n_brands: int) -> Hit | None:
        cue = cue_before(self.cues, norm, g.start)
        seg_end = segment_end(norm, g.end)
        after = norm[g.end : min(len(norm), seg_end + 30)]
        if self.cues.neg_after.search(norm[g.end : seg_end + 1]):
            return None
        neg = self.cues.negation.search(norm[segment_start(norm, g.start) : g.start])
        if neg or cue.kind == "neg":
            if not _CONSEQUENCE.search(norm, g.end):
                return None
            cue = Cue("req", neg.group(0) if neg else cue.word)  # 不属于X品牌的…不被接受: conditional form
        if self.cues.clause_negation.search(norm):
            return None
        if self._is_platform_mention(norm, g):
            return None
        oem = self.cues.oem_tie.match(norm, g.mentions[-1].end)
        if cue.kind == "exist":
            if self.cues.same_brand.search(norm):
                return self._hit(
                    clause,
                    norm,
                    REQUIRED,
                    g.start,
                    g.end,
                    0.62,
                    "low",
                    cue=cue.word,
                    detail=f"要求新购产品与现有{'、'.join(g.names())}设备保持同一品牌或系列（与现有设备兼容可以作为理由，"
                    "但应改为兼容性要求，属需人工判断的灰色情形）",
                    brands="、".join(g.names()),
                )
            return None
        if oem is not None:
            return self._oem_hit(clause, norm, g, oem)
        scored = bool(_SCORING.search(norm))
        exclusive = bool(self.cues.after_req.search(after))
        if (
            _CLASS_AFTER.match(norm, g.end)
            and not scored
            and not exclusive
            and (cue.kind == "ref" or _COMPAT_BEFORE.search(norm[segment_start(norm, g.start) : g.start]))
        ):
            return None  # 须支持麒麟、统信等国产操作系统: examples of an open class
        if cue.kind in ("colon", "none") and not scored and not exclusive and self._described(clause, norm):
            return None  # 空调：日立 VRV 室外机组 86 台 in 大楼概况 / a 维保 table row: existing equipment
        models = [norm[m.end : m.model_end].strip() for m in g.mentions if m.model_end > 0]
        if cue.kind in ("req", "colon") or scored or exclusive:
            kind = "req"
        elif cue.kind == "ref":
            if cue.word in ("如", "例如", "比如", "诸如") and _ILLUSTRATIVE.search(
                norm[segment_start(norm, cue.pos) : cue.pos]
            ):
                return None  # 国产操作系统（如统信UOS、麒麟）: examples of a class, not a brand requirement
            kind = "ref"
        elif models:
            kind = "model"
        else:
            return None
        equiv = self.cues.equivalence.search(norm)
        if equiv and kind == "req" and not scored and not exclusive and cue.kind == "req":
            kind = "ref"  # 须采用A、B或同等: the brands work as references
        severity = "high"
        regime_note = "政府采购货物中列举参考品牌即使注明“或同等”，仍会形成对特定品牌的指向，评审中易以品牌档次替代性能比较"
        if equiv and regime == "zb" and not scored:
            n_brands = max(n_brands, self._listed_names(norm, g))
            if n_brands >= 3 and not models:
                return None  # 工程 under 招标投标法: ≥3 reference brands with 或相当于 are lawful
            severity = "low"
            regime_note = (
                f"依法必须招标的工程项目引用参考品牌应不少于三个并注明“或相当于”，本条仅列{n_brands}个品牌，"
                "属需人工判断的情形"
            )
        elif kind == "ref" and regime == "zb":
            severity = "medium"
            regime_note = "依法必须招标的工程项目引用参考品牌应不少于三个并注明“或相当于”"
        names = "、".join(g.names())
        if models:
            model = "、".join(models)
            return self._hit(
                clause,
                norm,
                MODEL,
                g.start,
                g.end,
                0.85 if kind != "model" else 0.75,
                severity,
                maker=names,
                model=model,
                brands=names,
                cue=cue.word,
            )
        if kind == "ref":
            role = (
                "优先选用的品牌"
                if cue.word in ("优先", "优先选用", "优先采用", "首选", "希望")
                else "参考或推荐品牌"
            )
            return self._hit(
                clause,
                norm,
                REFERENCE,
                g.start,
                g.end,
                0.75 if severity != "low" else 0.68,
                severity,
                cue=cue.word,
                brands=names,
                role=role,
                regime_note=regime_note,
            )
        if scored:
            detail = f"把{names}品牌作为评分因素，按品牌而非性能给分"
        elif exclusive and cue.kind not in ("req", "colon"):
            detail = f"只接受{names}品牌产品"
        else:
            detail = f"要求采用{names}品牌，属于限定或指定特定品牌"
        word = (
            cue.word
            if cue.kind in ("req", "colon")
            else (_SCORING.search(norm) or self.cues.after_req.search(after))
        )
        if isinstance(word, re.Match):
            word = word.group(0)
        return self._hit(
            clause,
            norm,
            REQUIRED,
            g.start,
            g.end,
            0.85,
            severity,
            cue=str(word),
            detail=detail,
            brands=names,
        )

    def _is_platform_mention(self, norm: str, g: _Group) -> bool:
        """A brand named as the platform/system to connect to (routed to SPEC-PLATFORM)."""
        after = norm[g.end : g.end + 12]
        if not _BRAND_PLATFORM_AFTER.match(after):
            return False
        return bool(_CONNECT_BEFORE.search(norm[segment_start(norm, g.start) : g.start]))

    def _oem_hit(self, clause: Clause, norm: str, g: _Group, oem: re.Match[str]) -> Hit:
        names = "、".join(g.names())
        tie = oem.group(0).strip("（）的公司") or "原厂产品"
        tie_text = {"原厂": "原厂产品", "原装": "原装产品", "原配": "原配产品"}.get(tie, tie)
        return self._hit(
            clause,
            norm,
            OEM,
            g.start,
            oem.end(),
            0.85,
            "high",
            brands=names,
            tie=tie_text,
            cue=tie,
        )

    def _supplier_hit(self, clause: Clause, norm: str, g: _Group, roles: list[str]) -> Hit | None:
        """A brand inside a company name is a finding only when that company is the required supplier."""
        for m, role in zip(g.mentions, roles, strict=True):
            if role != "company":
                continue
            cm = self.cues.company.match(norm, m.end)
            assert cm is not None
            cue = cue_before(self.cues, norm, m.start)
            if cue.word not in _DESIGNATION_CUES or not self.cues.supply_after.match(norm, cm.end()):
                continue
            name = norm[m.start : cm.end()]
            return self._hit(
                clause,
                norm,
                REQUIRED,
                m.start,
                cm.end(),
                0.82,
                "high",
                cue=cue.word,
                detail=f"指定由{name}供货或提供服务，属于指定特定供应商",
                brands=name,
            )
        return None

    def _unknown_brand_hits(self, clause: Clause, norm: str, regime: str) -> list[Hit]:
        """Brands not in the lexicon: 须为××品牌, “××”商标, 指定由××公司供货, 品牌库."""
        hits = []
        if "品牌" in norm or "商标" in norm or "牌" in norm:
            for m in _UNKNOWN_BRAND.finditer(norm):
                grp = "span" if m.group("span") else "span2"
                name = m.group(grp).strip("“”")
                if not m.group(grp).startswith("“") and self.cues.descriptive.search(name):
                    continue  # 变频品牌, 国标品牌, 同档次品牌: a kind of brand, not a brand
                start, end = m.span(grp)
                if self._negated_or_existing(norm, start, end):
                    continue
                hits.append(
                    self._hit(
                        clause,
                        norm,
                        REQUIRED,
                        start,
                        end,
                        0.78,
                        "high",
                        cue=m.group(0)[: m.start(grp) - m.start()] or "品牌",
                        detail=f"要求采用“{name}”品牌（商标），属于限定或指定特定品牌",
                        brands=f"“{name}”",
                    )
                )
                break
            lib = _BRAND_LIBRARY.search(norm)
            if (
                lib
                and not hits
                and not self.cues.negation.search(norm[segment_start(norm, lib.start()) : lib.start()])
            ):
                hits.append(
                    self._hit(
                        clause,
                        norm,
                        REQUIRED,
                        lib.start("span"),
                        lib.end("span"),
                        0.75,
                        "high",
                        cue=lib.group("span"),
                        detail="只允许从采购人设定的品牌范围中选择产品，等同于限定品牌",
                        brands="品牌库所列品牌",
                    )
                )
        if not hits and ("公司" in norm or "集团" in norm or "生产的" in norm):
            for m in (*_SUPPLIER.finditer(norm), *_MAKER_PRODUCED.finditer(norm)):
                name = m.group("span")
                if _SUPPLIER_GENERIC.search(name) or self._negated_or_existing(norm, m.start(), m.end()):
                    continue
                hits.append(
                    self._hit(
                        clause,
                        norm,
                        REQUIRED,
                        m.start("span"),
                        m.end("span"),
                        0.78,
                        "high",
                        cue=m.group("cue"),
                        detail=f"指定由{name}供货或提供服务，属于指定特定供应商",
                        brands=name,
                    )
                )
                break
        return hits

    def _negated_or_existing(self, norm: str, start: int, end: int) -> bool:
        cue = cue_before(self.cues, norm, start)
        if cue.kind in ("neg", "exist"):
            return True
        if self.cues.negation.search(norm[segment_start(norm, start) : start]):
            return True
        return bool(self.cues.neg_after.search(norm[end : segment_end(norm, end) + 1]))

    # -- model codes without a known brand ---------------------------------------------------
    def _model_code_hits(self, clause: Clause, norm: str, hits: list[Hit]) -> list[Hit]:
        if "型" not in norm or any(h.rule_id == MODEL for h in hits):
            return []
        for rx in (_CODE_AFTER_CUE, _CODE_BEFORE_CUE):
            for m in rx.finditer(norm):
                code = m.group("code").rstrip(".-_/")
                maker = m.group("maker") if "maker" in rx.groupindex else None
                if maker and not _UNIT_TOKEN.match(code) and len(code) >= 2:
                    start, end = m.start("maker"), m.start("code") + len(code)
                    code = maker + code
                elif not _looks_like_code(code.replace(" ", ""), self.cues):
                    continue
                else:
                    start, end = m.start("code"), m.start("code") + len(code)
                if rx is _CODE_BEFORE_CUE:
                    end = m.end()
                if self._negated_or_existing(norm, start, end) or self._in_standard(norm, start, end):
                    continue
                if self._described(clause, norm) and not _DESIGNATED.search(
                    norm[segment_start(norm, start) : start]
                ):
                    continue
                return [
                    self._hit(
                        clause,
                        norm,
                        MODEL,
                        start,
                        end,
                        0.78,
                        "high",
                        maker="特定厂商",
                        model=code,
                        brands="该型号",
                        cue="型号",
                    )
                ]
        return []

    def _in_standard(self, norm: str, start: int, end: int) -> bool:
        lo = max(0, start - 12)
        return any(
            m.start() + lo < end and start < m.end() + lo for m in self.cues.standard.finditer(norm[lo:end])
        )

    # -- private platforms -----------------------------------------------------------------
    def _platform_hits(self, clause: Clause, norm: str, mentions: list[Mention]) -> list[Hit]:
        if _SECURITY.search(norm):
            return []  # 保函/保证金 platforms belong to bid_security_restriction
        existing = self.cues.existing.search(norm)
        strong: list[tuple[int, int, str]] = []
        for rx, detail, plausible in (
            (_PRIVATE, "该协议或接口为特定厂商私有", None),
            (_VENDOR_NAMED, "该平台或协议由特定厂商所有", None),
            (_DEVELOPER, "该平台由特定公司开发或独家运营", None),
            (_CONSENT, "并要求该公司出具对接许可或确认", None),
            (_CONSENT_NAMED, "并要求该公司出具接口开放或对接许可证明", None),
            (_VENDOR_PLATFORM, "该平台或开发包由特定公司所有", self._vendor_platform),
            (_FILE_FORMAT, "该文件格式为特定厂商专有", self._private_format),
        ):
            m = rx.search(norm)
            if m is None or (plausible is not None and not plausible(norm, m)):
                continue
            grp = next((g for g in ("span", "span2") if g in rx.groupindex and m.group(g)), None)
            s, e = m.span(grp) if grp else m.span()
            q = norm.find("“", s, e)
            if q > 0:
                s = q
            if not self._negated_platform(norm, s):
                strong.append((s, e, detail))
        if strong:
            s, e, detail = strong[0]
            severity = "low" if existing and not _DESIGNATED.search(norm[:s]) else "medium"
            platform = _platform_name(norm, s, e)
            details = "，".join(dict.fromkeys(d for _, _, d in strong))
            return [self._hit(clause, norm, PLATFORM, s, e, 0.8, severity, platform=platform, detail=details)]
        if existing or not _DESIGNATED.search(norm) or not _CONNECT.search(norm):
            return []
        m = _QUOTED_PLATFORM.search(norm)
        if (
            m is not None
            and not self._negated_platform(norm, m.start())
            and not self.cues.public_platform.search(norm[max(0, m.start() - 6) : m.end()])
        ):
            platform = m.group("span")
            return [
                self._hit(
                    clause,
                    norm,
                    PLATFORM,
                    m.start(),
                    m.end(),
                    0.72,
                    "medium",
                    platform=platform,
                    detail="该平台或协议是以专有名称标识的特定产品",
                )
            ]
        for men in mentions:
            g = _Group((men,))
            if self._is_platform_mention(norm, g) and not self.cues.open_interface.search(norm):
                pm = _BRAND_PLATFORM_AFTER.match(norm, men.tail)
                end = pm.end() if pm else men.tail
                return [
                    self._hit(
                        clause,
                        norm,
                        PLATFORM,
                        men.start,
                        end,
                        0.72,
                        "medium",
                        platform=norm[men.start : end],
                        detail=f"该平台为{men.brand.name}的产品",
                    )
                ]
        return []

    def _vendor_platform(self, norm: str, m: re.Match[str]) -> bool:
        """A named firm's platform the goods must connect to (not a procurement, public or existing one)."""
        span = m.group("span")
        return not (
            _GENERIC_FIRM.match(span)
            or self.cues.process.search(span)
            or _PROCUREMENT_WORDS.search(span)
            or self.cues.public_platform.search(span)
            or not _CONNECT.search(norm)
            or self.cues.existing.search(norm[max(0, m.start() - 8) : m.end()])
        )

    @staticmethod
    def _private_format(norm: str, m: re.Match[str]) -> bool:
        """A required file format that is not one of the open ones."""
        return m.group("ext").lower() not in _OPEN_FORMATS and bool(_REQUIRE.search(norm))

    def _negated_platform(self, norm: str, start: int) -> bool:
        seg = norm[segment_start(norm, start) : start]
        return bool(self.cues.negation.search(seg))

    # -- tailored parameters ---------------------------------------------------------------
    def _param_hits(self, clause: Clause, norm: str) -> list[Hit]:
        if (
            not _QTY.search(norm)
            and not _CN_QTY.search(norm)
            and "“" not in norm
            and "「" not in norm
            and "《" not in norm
            and "某" not in norm
            and not _CAMEL.search(norm)
            and not self.cues.benchmark.search(norm)
            and not _VERSIONED.search(norm)
            and not _WINDOW.search(norm)
            and not self.cues.design.search(norm)
        ):
            return []
        if self.cues.param_meta.search(norm):
            return []
        best: tuple[float, ItemSignals] | None = None
        lo = 0
        for cut in [*(m.start() for m in _ITEM_SPLIT.finditer(norm)), len(norm)]:
            if cut - lo >= 4:
                sig = self._item_signals(norm, lo, cut)
                w = sig.weight()
                if w >= 1.0 and (best is None or w > best[0]):
                    best = (w, sig)
            lo = cut
        if best is None:
            return []
        w, sig = best
        return [self._param_hit(clause, norm, w, sig)]

    def _item_signals(self, norm: str, lo: int, hi: int) -> ItemSignals:
        sig = ItemSignals()
        item = norm[lo:hi]
        std_spans = [(m.start() + lo, m.end() + lo) for m in self.cues.standard.finditer(item)]
        prev_end = lo
        for m in _QTY.finditer(item):
            s, e = m.start() + lo, m.end() + lo
            if any(a < e and s < b for a, b in std_spans):
                prev_end = e
                continue
            param = self._exact_param(norm, m, s, e, prev_end)
            prev_end = e
            if param is not None:
                sig.params.append(param)
        for m in _CN_QTY.finditer(item):
            s, e = m.start() + lo, m.end() + lo
            value = cn_number(m.group("cn"))
            before = norm[max(lo, s - 10, segment_start(norm, s, 10)) : s]
            if value is None or _QUALIFIER_BEFORE.search(before) or _QUALIFIER_AFTER.match(norm[e : e + 8]):
                continue
            explicit = bool(_EXACT_BEFORE.search(norm[max(0, s - 4) : s]))
            name = param_name(norm, s)
            if name and self.cues.param_name_stop.search(name):
                continue
            sig.params.append(Param(name, m.group(0), s, e, oddness(str(value), "mm"), explicit))
        sig.features = self._features(norm, lo, hi)
        for m in _WINDOW.finditer(norm, lo, hi):
            param = self._window_param(norm, m)
            if param is not None:
                sig.params.append(param)
        bm = self.cues.benchmark.search(norm, lo, hi)
        if bm is not None and not self.cues.negation.search(
            norm[segment_start(norm, bm.start()) : bm.start()]
        ):
            sig.benchmark = (bm.group(0), bm.start(), bm.end())
        sig.datasheet = len(sig.params) >= 6 and not _ANY_QUALIFIER.search(norm)  # no range anywhere
        if _REQUIRE.search(item):
            seen: dict[str, tuple[str, int, int]] = {}
            for m in self.cues.design.finditer(item):
                term = m.group(0).lstrip(_DESIGN_LEAD)
                start = m.end() - len(term) + lo
                seen.setdefault(term, (term, start, m.end() + lo))
            sig.design = list(seen.values())
        ew = self.cues.exact_words.search(norm, lo, hi) if (sig.params or sig.features) else None
        sig.exact_word = ew.group(0) if ew else ""
        return sig

    def _exact_param(self, norm: str, m: re.Match[str], s: int, e: int, prev_end: int) -> Param | None:
        before = norm[max(prev_end, s - 10, segment_start(norm, s, 10)) : s]
        if _QUALIFIER_BEFORE.search(before) or _RANGE_BEFORE.search(norm[max(0, s - 2) : s]):
            return None
        after = norm[e : e + 8]
        tol = _TOLERANCE.match(after)
        if tol is not None:
            base = float(re.findall(_NUM, m.group(0))[0])
            if base <= 0 or float(tol.group("tol")) / base >= 0.01:
                return None
        elif _QUALIFIER_AFTER.match(after):
            return None
        explicit = bool(_EXACT_BEFORE.search(norm[max(0, s - 4) : s]))
        name = param_name(norm, s)
        if name and self.cues.param_name_stop.search(name):
            return None  # 面积 57074m2, 预算 123.45万: facts of the site or the price, not product parameters
        physical = True
        if m.group("dims"):
            odd = _dims_oddness(m.group("dims"))
        elif m.group("bare"):
            odd, physical = oddness(m.group("bare"), ""), False
        else:
            unit = m.group("unit")
            if unit in _TIME_COUNT and not _EXACT_SEGMENT.search(norm[segment_start(norm, s, 16) : s]):
                return None
            if unit == "%" and "." not in m.group("num"):
                return None
            odd = oddness(m.group("num"), unit)
            if unit in _TIME_COUNT and float(m.group("num")) < 100:
                odd = min(odd, 0.5)
            physical = unit not in _TIME_COUNT
        return Param(name, m.group(0), s, e, odd, explicit, physical)

    def _window_param(self, norm: str, m: re.Match[str]) -> Param | None:
        """A range so narrow (under 5%) around a non-round centre that it names one product's value.

        Tolerances sit around round values (49.5～50.5Hz, 198～242V) and are left alone."""
        ga, gb, gu, gv = ("a", "b", "ua", "ub") if m.group("a") else ("a2", "b2", "ua2", "ub2")
        a, b = sorted((float(m.group(ga)), float(m.group(gb))))
        ua, ub = m.group(gu), m.group(gv)
        if (ua and ub and ua != ub) or not 0 < a < b or (b - a) / b >= 0.05:
            return None
        centre = (a + b) / 2
        if centre == int(centre) and oddness(str(int(centre)), "") <= 0:
            return None
        text = f"{centre:.6f}".rstrip("0").rstrip(".")
        odd = max(oddness(m.group(ga), ub or ""), oddness(m.group(gb), ub or ""), oddness(text, ""), 0.5)
        name = param_name(norm, m.start())
        if name and self.cues.param_name_stop.search(name):
            return None
        return Param(name, m.group(0).strip(), m.start(), m.end(), odd, True)

    def _features(self, norm: str, lo: int, hi: int) -> list[tuple[str, int, int]]:
        """Proprietary feature names: a quoted name with a feature noun, or a CamelCase/™ token."""
        out: list[tuple[str, int, int]] = []
        for m in _QUOTED.finditer(norm, lo, hi):
            q = m.group("q")
            if (
                _DOC_TERMS.search(q)
                or self.cues.feature_generic.search(q)
                or self.cues.feature_plain.match(q)
                or len(q) < 2
            ):
                continue
            tail = norm[m.end() : segment_end(norm, m.end(), 10)]
            head = norm[max(lo, m.start() - 12) : m.start()]
            if _PATENT_AFTER.match(tail):
                continue  # a named patent: specific_patent_or_origin's finding
            noun = self.cues.feature_nouns.search(tail)
            inner = self.cues.feature_nouns.search(q[-4:]) is not None and len(q) >= 4
            if not (noun or inner or q.endswith("式")):
                continue
            chained = bool(out) and bool(_FEATURE_GLUE.match(norm[out[-1][2] : m.start()]))
            if not (chained or self.cues.feature_verbs.search(head)):
                continue
            end = m.end() + noun.end() if noun and not inner else m.end()
            out.append((q, m.start(), end))
        for m in _VERSIONED.finditer(norm, lo, hi):
            cut = max((c.end() for c in _NAME_LEAD.finditer(m.group("v"))), default=0)
            name, start = m.group("v")[cut:], m.start() + cut
            head = norm[max(lo, start - 12) : start]
            if len(name) < 4 or _VERSIONED_STOP.search(name) or any(s <= start < e for _, s, e in out):
                continue
            if self.cues.feature_verbs.search(head) or "基于" in head:
                out.append((name, start, m.end()))
        for m in _CAMEL.finditer(norm, lo, hi):
            tok = m.group("c")
            if tok.lower().strip("™®") in self.cues.camel_stop or len(tok) < 5:
                continue
            if any(s <= m.start() < e for _, s, e in out):
                continue
            head = norm[max(lo, m.start() - 12) : m.start()]
            if self.cues.feature_verbs.search(head) and not self._brand_product_line(norm, m.start()):
                out.append((tok, m.start(), m.end()))
        return out

    def _brand_product_line(self, norm: str, pos: int) -> bool:
        """A CamelCase token right after a brand is a product line (SPEC-MODEL), not a feature."""
        lo = max(0, pos - 12)
        return any(mm.end + lo >= pos - 1 for mm in self._find_brands(norm[lo:pos]))

    def _param_hit(self, clause: Clause, norm: str, w: float, sig: ItemSignals) -> Hit:
        odd = sig.odd_params
        parts = []
        spans: list[tuple[int, int]] = []
        if odd:
            quoted = "".join(f"“{p.name}{p.text}”" for p in odd[:6])
            parts.append(f"参数{quoted}为非整数或非常规的精确值，且未给出≥/≤或允许偏差")
            spans += [(p.start, p.end) for p in odd]
        if sig.features:
            names = "、".join(f"“{f}”" for f, _, _ in sig.features[:4])
            parts.append(f"要求具备专有功能或技术名称{names}")
            spans += [(s, e) for _, s, e in sig.features]
        if len(sig.design) >= DESIGN_TERMS:
            names = "、".join(f"“{d}”" for d, _, _ in sig.design[:5])
            parts.append(f"逐项规定了特定的构造细节{names}，近似照搬某一产品的结构设计")
            spans += [(s, e) for _, s, e in sig.design]
        if sig.datasheet and not odd:
            parts.append(f"列出{len(sig.params)}项精确取值且无任何区间或偏差，近似照抄某一产品的规格表")
            spans += [(p.start, p.end) for p in sig.params]
        if sig.benchmark:
            text, s, e = sig.benchmark
            parts.append(f"“{text}”以特定型号产品作为参数或外观基准")
            spans.append((s, e))
        if not spans:  # exactness wording on round values: 须为57.5℃，偏高或偏低均视为不满足
            quoted = "".join(f"“{p.name}{p.text}”" for p in sig.params[:6] if p.explicit)
            parts.append(f"参数{quoted}被规定为唯一允许的取值")
            spans += [(p.start, p.end) for p in sig.params if p.explicit]
        summary_bits = []
        if len(sig.params) >= 3:
            summary_bits.append(f"同一技术条目中有{len(sig.params)}项精确值组合")
        if sig.exact_word:
            summary_bits.append(f"并要求“{sig.exact_word}”")
        summary = "，".join(summary_bits) or "这类取值通常只对应个别产品"
        score = min(0.9, 0.45 + 0.15 * w)
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        existing = self.cues.existing.search(norm) and _CONNECT.search(norm)
        severity = "low" if existing else "medium"
        params = "、".join(f"“{p.name}{p.text}”" for p in odd[:4]) or "相关参数"
        return self._hit(
            clause,
            norm,
            PARAM,
            start,
            end,
            score,
            severity,
            signals="；".join(parts),
            summary=summary,
            tailoring=f"{score:.2f}",
            params=params,
        )

    # -- building hits ---------------------------------------------------------------------
    def _hit(
        self,
        clause: Clause,
        norm: str,
        rule_id: str,
        start: int,
        end: int,
        score: float,
        severity: str,
        **values: str,
    ) -> Hit:
        rule = self.rules[rule_id]
        values.setdefault("brands", "相关品牌")
        explanation = rule.fill(rule.explanation, values)
        suggestion = rule.fill(rule.suggestion, values)
        reason = f"品牌/参数检测 {rule_id}：" + "；".join(
            f"{k}={v}"
            for k, v in values.items()
            if k in ("cue", "brands", "model", "params", "platform") and v
        )
        return Hit(
            rule_id=rule_id,
            category=rule.category,
            clause=clause,
            start=start,
            end=end,
            score=score,
            severity=severity,
            detector="spec",
            explanation=explanation,
            suggestion=suggestion,
            legal_basis=rule.legal_basis,
            trace=(TraceStep(stage="match", reason=reason, delta=score),),
            detectors=(f"spec:{rule_id}",),
        )


def _platform_name(norm: str, start: int, end: int) -> str:
    q = re.search(r"“[^”]+”", norm[start:end])
    return q.group(0) if q else norm[start:end]


@lru_cache(maxsize=1)
def default_spec_detector() -> SpecDetector:
    return SpecDetector()
