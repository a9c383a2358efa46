"""The rule catalogue as one list: YAML rules and the spec detector's rules, same shape.

Used by ``tenderscan rules`` and ``GET /v1/rules`` so both list exactly the same rules.
"""

from __future__ import annotations

from typing import Any

from scanner.rules.loader import Catalogue


def rule_listing(catalogue: Catalogue) -> list[dict[str, Any]]:
    from scanner.detectors.spec import load_spec_rules

    rows: list[dict[str, Any]] = []
    for compiled in catalogue.rules:
        r = compiled.rule
        category = catalogue.categories[r.category]
        rows.append(
            {
                "id": r.id,
                "detector": "rule",
                "category": r.category,
                "category_name": category.name,
                "severity": r.severity or category.severity,
                "title": r.title,
                "description": r.description,
                "applies_to": list(r.applies_to),
                "legal_basis": list(r.legal_basis or category.legal_basis),
                "suggestion": r.suggestion,
            }
        )
    for s in load_spec_rules():
        category = catalogue.categories[s.category]
        rows.append(
            {
                "id": s.id,
                "detector": "spec",
                "category": s.category,
                "category_name": category.name,
                "severity": s.severity,
                "title": s.title,
                "description": "",
                "applies_to": [],
                "legal_basis": list(s.legal_basis or category.legal_basis),
                "suggestion": s.suggestion,
            }
        )
    return rows
