"""Turn merged hits into public Findings: ids, legal basis by regime, explanations."""

from __future__ import annotations

import hashlib
import re

from scanner.detectors.base import Hit
from scanner.rules.loader import Catalogue
from scanner.types import Clause, Finding, LegalBasis

# Which regime a legal-basis id belongs to: 招标投标 (zb) or 政府采购 (zc); others apply to both.
_ZB_PREFIXES = ("zbtbf-", "zbssl-", "rule16-", "fgb")
_ZC_PREFIXES = ("zcf-", "zcssl-", "mof87-", "cgk")


def regime_of(lb_id: str) -> str:
    if lb_id.startswith(_ZB_PREFIXES):
        return "zb"
    if lb_id.startswith(_ZC_PREFIXES):
        return "zc"
    return "both"


_ZC_WORDS = re.compile(r"政府采购|采购人|供应商|磋商|询价|采购代理机构|财政部令")
_ZB_WORDS = re.compile(r"招标人|投标人|依法必须(?:进行)?招标|招标投标法|评标委员会|中标人")
# Naming the statute or the must-tender status is explicit: with no 政府采购 wording it settles the regime.
_ZB_EXPLICIT = re.compile(r"依法必须(?:进行)?招标|招标投标法")


def detect_regime(text: str) -> str:
    """'zc' (政府采购), 'zb' (招标投标) or 'both' when the document does not say clearly."""
    sample = text[:200000]
    zc = len(_ZC_WORDS.findall(sample))
    zb = len(_ZB_WORDS.findall(sample))
    if "政府采购" in sample and zc >= zb * 0.5:
        return "zc"
    if zb >= 5 and zb > 3 * zc:
        return "zb"
    if zc == 0 and _ZB_EXPLICIT.search(sample):
        return "zb"
    return "both"


def select_basis(ids: tuple[str, ...], regime: str, catalogue: Catalogue) -> tuple[LegalBasis, ...]:
    chosen = [i for i in ids if regime == "both" or regime_of(i) in (regime, "both")]
    if not any(regime_of(i) != "both" for i in chosen):
        chosen = list(ids)
    return tuple(catalogue.legal_basis[i] for i in chosen)


def fingerprint(rule_id: str, evidence: str, section: tuple[str, ...]) -> str:
    norm = re.sub(r"\s+", "", evidence)
    raw = "\x1f".join((rule_id, norm, "/".join(section)))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def _table_info(clause: Clause, start: int) -> dict[str, object] | None:
    if clause.table is None:
        return None
    block_offset = clause.start - clause.block_start + start
    cell = clause.table.cell_at(block_offset)
    return {
        "index": clause.table.index,
        "row": clause.table.row,
        "col": cell.col if cell else None,
        "header": cell.header if cell else None,
    }


def _cite(lb: LegalBasis) -> str:
    return f"《{lb.law}》{lb.article}{lb.item}".replace("》》", "》")


def explain(hit: Hit, basis: tuple[LegalBasis, ...], category_name: str) -> str:
    """Chinese explanation specific to the evidence, with the legal ground and the trace."""
    evidence = hit.evidence
    body = hit.explanation.replace("{evidence}", evidence)
    parts = [body.rstrip("。") + "。"]
    if basis:
        parts.append("依据" + "、".join(_cite(b) for b in basis[:3]) + "，属于“" + category_name + "”。")
    notes = [t.reason for t in hit.trace if t.stage != "match"]
    if notes:
        parts.append("判断过程：" + "；".join(notes) + "。")
    return "".join(parts)


def build_finding(hit: Hit, catalogue: Catalogue, regime: str) -> Finding:
    clause = hit.clause
    category = catalogue.categories[hit.category]
    basis = select_basis(hit.legal_basis or category.legal_basis, regime, catalogue)
    return Finding(
        id=fingerprint(hit.rule_id, hit.evidence, clause.section),
        rule_id=hit.rule_id,
        category=hit.category,
        category_name=category.name,
        severity=hit.severity or category.severity,  # type: ignore[arg-type]
        score=round(hit.score, 4),
        text=hit.evidence,
        start=clause.start + hit.start,
        end=clause.start + hit.end,
        clause=clause.text,
        clause_id=clause.id,
        section=clause.section,
        section_kind=clause.section_kind,
        page=clause.page,
        table=_table_info(clause, hit.start),
        legal_basis=basis,
        explanation=explain(hit, basis, category.name),
        suggestion=hit.suggestion.replace("{evidence}", hit.evidence),
        detectors=hit.detectors or (hit.detector,),
        trace=hit.trace,
    )
