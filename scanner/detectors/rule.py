"""The rule detector: every YAML rule's patterns run over each clause."""

from __future__ import annotations

from dataclasses import replace

from scanner.detectors.base import DocContext, Hit
from scanner.rules.loader import Catalogue, CompiledRule
from scanner.types import Clause, TraceStep


def _applies(rule: CompiledRule, kind: str) -> bool:
    kinds = rule.rule.applies_to
    if kinds:
        return kind in kinds
    return kind != "forms"


def match_rule(crule: CompiledRule, clause: Clause, norm: str) -> Hit | None:
    """The best-scoring match of one rule in one clause, if any."""
    rule = crule.rule
    if not _applies(crule, clause.section_kind):
        return None
    if not any(t in norm for t in rule.triggers):
        return None
    if not all(r.search(norm) for r in crule.requires):
        return None
    best = None
    for regex, score, name in crule.patterns:
        m = regex.search(norm)
        if m is None:
            continue
        if best is None or score > best[1]:
            if "span" in regex.groupindex and m.group("span") is not None:
                span = m.span("span")
            else:
                span = m.span()
            best = (span, score, name or regex.pattern[:30])
    if best is None:
        return None
    (start, end), score, name = best
    return Hit(
        rule_id=rule.id,
        category=rule.category,
        clause=clause,
        start=start,
        end=end,
        score=score,
        severity=rule.severity or "",
        detector=f"rule:{rule.id}",
        explanation=rule.explanation,
        suggestion=rule.suggestion,
        legal_basis=tuple(rule.legal_basis),
        trace=(TraceStep(stage="match", reason=f"规则 {rule.id} 的模式“{name}”匹配", delta=score),),
        detectors=(f"rule:{rule.id}",),
    )


class RuleDetector:
    name = "rule"

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def detect(self, clause: Clause, norm: str, doc: DocContext) -> list[Hit]:
        hits = []
        for crule in self.catalogue.rules:
            hit = match_rule(crule, clause, norm)
            if hit is not None:
                cat = self.catalogue.categories[hit.category]
                hits.append(
                    replace(
                        hit,
                        severity=hit.severity or cat.severity,
                        legal_basis=hit.legal_basis or cat.legal_basis,
                    )
                )
        return hits
