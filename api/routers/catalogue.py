"""The rule catalogue and the categories, with the legal basis (article text) they cite."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import CatalogueDep
from api.schemas import CategoryList, RuleList, error_responses
from scanner.rules.listing import rule_listing
from scanner.rules.loader import Catalogue

router = APIRouter(tags=["规则 catalogue"])


def _basis(cat: Catalogue, ids: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
    return [{"id": i, **cat.legal_basis[i].to_dict()} for i in ids if i in cat.legal_basis]


@router.get(
    "/rules",
    operation_id="list_rules",
    summary="规则目录",
    description="全部检测规则：id、类别、严重程度、标题、适用章节、法律依据（含条文）与改写建议。",
    response_model=RuleList,
    responses=error_responses(401, 429),
)
def list_rules(cat: CatalogueDep) -> dict[str, Any]:
    rules = [{**r, "legal_basis": _basis(cat, r["legal_basis"])} for r in rule_listing(cat)]
    for r in rules:
        r.pop("detector", None)
    return {"version": cat.version, "rules": rules}


@router.get(
    "/categories",
    operation_id="list_categories",
    summary="类别目录",
    description="全部类别：id、名称、默认严重程度、问题说明、改写建议、法律依据（含条文）与规则数。",
    response_model=CategoryList,
    responses=error_responses(401, 429),
)
def list_categories(cat: CatalogueDep) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for r in rule_listing(cat):
        counts[r["category"]] = counts.get(r["category"], 0) + 1
    categories = [
        {
            "id": c.id,
            "name": c.name,
            "severity": c.severity,
            "clause_level": c.clause_level,
            "concern": c.concern,
            "suggestion": c.suggestion,
            "legal_basis": _basis(cat, c.legal_basis),
            "rules": counts.get(c.id, 0),
        }
        for c in cat.categories.values()
    ]
    return {"version": cat.version, "categories": categories}
