"""Merge stage: threshold, one finding per (clause, category), category precedence."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.context import forbids_or_blank, states_requirement
from scanner.detectors.base import Hit
from scanner.detectors.classifier import ClauseClassifier, ClausePrediction
from scanner.rules.loader import Catalogue
from scanner.types import Clause, TraceStep

REPORT_THRESHOLD = 0.5
# Sections where a model-only finding may be raised. 投标人须知 (instructions), contract terms and
# forms are mostly statutory or template text: there the model's lexical cues (保证金、联合体、
# 分支机构…) fire on lawful boilerplate, so only rules (with their exceptions) report there. In a
# document with recognisable sections, the announcement (报名、购买文件、保证金账户…) and text
# outside any recognised section are left to the rules as well; a bare clause or a document
# without headings (everything "other") may still get model-only findings.
MODEL_ONLY_KINDS = frozenset({"qualification", "scoring", "technical", "commercial"})
UNSTRUCTURED_KINDS = MODEL_ONLY_KINDS | {"notice", "other"}
# In a structured document a model-only finding also needs a longer clause and a higher
# probability than the clause-level threshold chosen on dev. Measured on ../shared/realdocs
# (tools/review_realdocs.py, judged by hand): at the dev threshold most model-only findings were
# template text; at 0.70, 4 correct / 2 grey / 5 false; at 0.80, 1 correct / 0 false. The value
# was therefore chosen on that review set (not on held-out data) — see the model card.
DOCUMENT_MODEL_THRESHOLD = 0.80
DOCUMENT_MODEL_MIN_CHARS = 20


def _overlap(a: Hit, b: Hit) -> bool:
    return a.clause.id == b.clause.id and a.start < b.end and b.start < a.end


def merge(hits: Sequence[Hit], precedence: Sequence[str], threshold: float = REPORT_THRESHOLD) -> list[Hit]:
    """Keep reportable hits: best per (clause, category); overlapping lower-precedence dropped."""
    best: dict[tuple[str, str], Hit] = {}
    for hit in hits:
        if hit.score < threshold:
            continue
        key = (hit.clause.id, hit.category)
        other = best.get(key)
        if other is None:
            best[key] = hit
            continue
        winner, loser = (hit, other) if hit.score > other.score else (other, hit)
        best[key] = winner.adjusted(
            "merge",
            f"同一条款同类别的另一检出（{loser.detector}）合并于此",
            0.0,
            detectors=tuple(dict.fromkeys((*winner.detectors, *loser.detectors))),
        )
    kept = list(best.values())
    rank = {cat: i for i, cat in enumerate(precedence)}
    out = []
    for hit in kept:
        mine = rank.get(hit.category)
        if mine is None:
            out.append(hit)
            continue
        beaten = any(
            o is not hit and _overlap(o, hit) and rank.get(o.category, len(rank)) < mine for o in kept
        )
        if not beaten:
            out.append(hit)
    out.sort(key=lambda h: (h.clause.start + h.start, h.category))
    return out


def corroborate(
    hits: Sequence[Hit],
    clauses: Sequence[Clause],
    norms: Sequence[str],
    predictions: Sequence[ClausePrediction | None],
    classifier: ClauseClassifier,
    catalogue: Catalogue,
    suppressed: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> list[Hit]:
    """Combine rule hits with the classifier's view of each clause.

    - rule and model agree → score raised, "classifier" added to the detectors;
    - model strongly says "none" → the rule hit is kept, the disagreement recorded;
    - no rule hit in the clause and the model passes its dev-chosen threshold → a
      model-only hit (severity at most medium) on the segment the features point to —
      unless a rule of that category matched and the context stage cleared it (negation,
      exception, boilerplate filter), or the clause forbids something or is a blank form field,
      or states no requirement at all (headings, names, addresses: no 须/应/方可/得N分 cue).
    """
    structured = any(c.section_kind != "other" for c in clauses)
    allowed = MODEL_ONLY_KINDS if structured else UNSTRUCTURED_KINDS
    threshold = max(classifier.threshold, DOCUMENT_MODEL_THRESHOLD) if structured else classifier.threshold
    min_chars = DOCUMENT_MODEL_MIN_CHARS if structured else 0
    by_clause: dict[str, list[Hit]] = {}
    for h in hits:
        by_clause.setdefault(h.clause.id, []).append(h)
    out: list[Hit] = []
    for clause, norm, pred in zip(clauses, norms, predictions, strict=True):
        mine = by_clause.get(clause.id, [])
        for h in mine:
            if pred is not None and pred.label == h.category and pred.prob >= classifier.agree:
                h = h.adjusted(
                    "merge",
                    f"分类模型同样判断为该类别（概率 {pred.prob:.2f}），提高置信度",
                    0.05,
                    detectors=(*h.detectors, "classifier"),
                )
            elif pred is not None and pred.p_none >= classifier.reject_none:
                h = h.adjusted(
                    "merge", f"分类模型倾向于认为该条款并无问题（概率 {pred.p_none:.2f}），建议人工复核", 0.0
                )
            out.append(h)
        if (
            not mine
            and pred is not None
            and pred.prob >= threshold
            and len(norm) >= min_chars
            and clause.section_kind in allowed
            and (clause.id, pred.label) not in suppressed
            and not forbids_or_blank(norm)
            and states_requirement(norm)
        ):
            out.append(model_hit(clause, norm, pred, classifier, catalogue))
    return out


def model_hit(
    clause: Clause, norm: str, pred: ClausePrediction, classifier: ClauseClassifier, catalogue: Catalogue
) -> Hit:
    cat = catalogue.categories[pred.label]
    features = classifier.top_features(pred)
    start, end = classifier.evidence_span(norm, features)
    words = "、".join(f"“{f}”" for f, _ in features[:5]) or "整体措辞"
    severity = "low" if cat.severity == "low" else "medium"
    return Hit(
        rule_id=f"MODEL-{pred.label.upper().replace('_', '-')}",
        category=pred.label,
        clause=clause,
        start=start,
        end=end,
        score=pred.prob,
        severity=severity,
        detector="classifier",
        explanation=(
            f"分类模型判断“{{evidence}}”可能属于{cat.concern}（概率 {pred.prob:.2f}），"
            f"起主要作用的措辞为{words}；规则库未命中该表述，请人工复核"
        ),
        suggestion=cat.suggestion,
        legal_basis=cat.legal_basis,
        trace=(
            TraceStep("model", f"{classifier.version} 预测 {pred.label}，概率 {pred.prob:.2f}", pred.prob),
        ),
        detectors=("classifier",),
    )
