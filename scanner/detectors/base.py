"""What every detector produces: a Hit (a raw finding before context and merge)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

from scanner.types import Clause, TraceStep


@dataclass(frozen=True)
class Hit:
    """A raw finding. ``start``/``end`` are offsets inside ``clause.text``."""

    rule_id: str
    category: str
    clause: Clause
    start: int
    end: int
    score: float
    severity: str
    detector: str  # "rule:ID", "spec", "classifier"
    explanation: str
    suggestion: str
    legal_basis: tuple[str, ...] = ()
    trace: tuple[TraceStep, ...] = field(default_factory=tuple)
    detectors: tuple[str, ...] = ()

    @property
    def evidence(self) -> str:
        return self.clause.text[self.start : self.end]

    def adjusted(self, stage: str, reason: str, delta: float = 0.0, **changes: object) -> Hit:
        """A copy with the score moved by ``delta`` (clamped to [0, 1]) and the step recorded."""
        score = min(1.0, max(0.0, self.score + delta))
        step = TraceStep(stage=stage, reason=reason, delta=round(delta, 4))
        return replace(self, score=score, trace=(*self.trace, step), **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DocContext:
    """Document-level facts a detector may use: the legal regime and the document's name.

    ``regime``: "zc" (政府采购), "zb" (招标投标) or "both" when the document does not say.
    """

    regime: str = "both"
    name: str = ""


class Detector(Protocol):
    name: str

    def detect(self, clause: Clause, norm: str, doc: DocContext) -> list[Hit]:
        """Hits for one clause; ``norm`` is the clause text normalised for matching."""
        ...
