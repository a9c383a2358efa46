"""Every example of every rule in lexicons/rules/ runs through the real engine."""

from __future__ import annotations

import re

import pytest

from scanner.detectors.spec import load_spec_rules
from scanner.engine import ScanEngine
from scanner.ingest.text import text_document
from scanner.resources import lexicons_dir
from scanner.rules.loader import default_catalogue, load_rule_files
from scanner.types import Document
from tests.helpers.documents import KIND_HEADINGS

CATALOGUE = default_catalogue()
ENGINE = ScanEngine(CATALOGUE, model=False)  # the rules alone must honour their examples


def _doc(text: str, kind: str) -> Document:
    heading = KIND_HEADINGS[kind]
    return text_document(f"{heading}\n{text}" if heading else text, "example", ENGINE.limits)


def _cases(kind: str) -> list[pytest.param]:
    out = []
    for crule in CATALOGUE.rules:
        rule = crule.rule
        examples = rule.examples.positive if kind == "positive" else rule.examples.negative
        for i, ex in enumerate(examples):
            out.append(pytest.param(rule.id, rule.category, ex, id=f"{rule.id}-{kind[:3]}{i}"))
    return out


@pytest.mark.parametrize(("rule_id", "category", "example"), _cases("positive"))
def test_positive_example_flags_marked_span(rule_id: str, category: str, example) -> None:
    result = ENGINE.scan_document(_doc(example.plain, example.section_kind))
    spans = [(f.text, f.detectors) for f in result.findings if f.category == category]
    assert any(text == example.span and f"rule:{rule_id}" in dets for text, dets in spans), (
        f"expected [[{example.span}]] from {rule_id}; got {spans}"
    )


@pytest.mark.parametrize(("rule_id", "category", "example"), _cases("negative"))
def test_negative_example_is_silent(rule_id: str, category: str, example) -> None:
    result = ENGINE.scan_document(_doc(example.plain, example.section_kind))
    hits = [(f.rule_id, f.text) for f in result.findings if f.category == category]
    assert not hits, f"lawful text flagged as {category}: {hits}"


def test_rule_ids_unique_and_match_files() -> None:
    files = load_rule_files(lexicons_dir())
    ids = [rule.id for _, rule in files]
    assert len(ids) == len(set(ids))
    assert len(files) == len(CATALOGUE.rules)


def test_every_rule_has_five_examples_of_each_kind() -> None:
    short = [
        r.rule.id
        for r in CATALOGUE.rules
        if len(r.rule.examples.positive) < 5 or len(r.rule.examples.negative) < 5
    ]
    assert not short, f"rules with fewer than 5 positive or 5 negative examples: {short}"


def test_legal_basis_ids_resolve() -> None:
    for crule in CATALOGUE.rules:
        for lb in crule.rule.legal_basis:
            assert lb in CATALOGUE.legal_basis, (crule.rule.id, lb)
    for cat in CATALOGUE.categories.values():
        for lb in cat.legal_basis:
            assert lb in CATALOGUE.legal_basis, (cat.id, lb)


def test_every_clause_level_category_has_a_rule() -> None:
    covered = {r.rule.category for r in CATALOGUE.rules} | {r.category for r in load_spec_rules()}
    missing = [c.id for c in CATALOGUE.categories.values() if c.clause_level and c.id not in covered]
    assert not missing, f"clause-level categories without rules: {missing}"


def test_patterns_compile_and_triggers_are_literal() -> None:
    for crule in CATALOGUE.rules:
        for regex, _, _ in crule.patterns:
            assert isinstance(regex, re.Pattern)
        for trig in crule.rule.triggers:
            assert not re.search(r"[\\\[\]()|*+?{}]", trig), (crule.rule.id, trig)


def test_explanations_and_suggestions_are_chinese() -> None:
    for crule in CATALOGUE.rules:
        for text in (crule.rule.explanation, crule.rule.suggestion, crule.rule.title):
            assert re.search(r"[\u4e00-\u9fff]", text), crule.rule.id
