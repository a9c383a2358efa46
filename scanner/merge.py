"""Merge stage: threshold, one finding per (clause, category), category precedence."""

from __future__ import annotations

from collections.abc import Sequence

from scanner.detectors.base import Hit

REPORT_THRESHOLD = 0.5


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
