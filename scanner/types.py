"""Frozen value types shared by every stage: document model, clauses and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SectionKind = Literal[
    "notice",
    "instructions",
    "qualification",
    "scoring",
    "technical",
    "commercial",
    "contract",
    "forms",
    "other",
]
Severity = Literal["high", "medium", "low"]
BlockKind = Literal["paragraph", "heading", "table_row"]

SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3}


@dataclass(frozen=True)
class Cell:
    """One cell of a table row block; offsets are relative to the block text."""

    col: int
    start: int
    end: int
    header: str | None = None


@dataclass(frozen=True)
class TableRef:
    """Where a table row came from: table index in the document, row index, its cells."""

    index: int
    row: int
    cells: tuple[Cell, ...] = ()

    def cell_at(self, offset: int) -> Cell | None:
        """The cell containing a block-relative offset (or the last cell before it)."""
        found = None
        for cell in self.cells:
            if cell.start <= offset:
                found = cell
        return found


@dataclass(frozen=True)
class Source:
    """Provenance of a block: page number (1-based, None for DOCX/text), bbox, table."""

    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    table: TableRef | None = None
    # Format-specific locator of the origin (e.g. DOCX paragraph path). A locator, not content:
    # it takes no part in equality, so blocks compare by what they say and where it sits.
    anchor: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Block:
    """A paragraph, heading or table row of the document, in reading order."""

    text: str
    kind: BlockKind = "paragraph"
    source: Source = field(default_factory=Source)
    level: int | None = None  # outline level for headings (1 = top) when the format says so
    style: str | None = None
    label: str | None = None  # rendered automatic numbering ("第一章", "1.2"), not part of text


@dataclass(frozen=True)
class DocWarning:
    code: str  # scanned_page | garbled_page | ...
    message: str
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "page": self.page, "message": self.message}


@dataclass(frozen=True)
class Document:
    """An ingested document. ``text`` is the blocks joined by newlines; offsets index it."""

    name: str
    media_type: str
    sha256: str
    blocks: tuple[Block, ...]
    pages: int | None = None
    warnings: tuple[DocWarning, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def block_offsets(self) -> list[int]:
        """Start offset of every block in ``text``."""
        offsets, pos = [], 0
        for b in self.blocks:
            offsets.append(pos)
            pos += len(b.text) + 1
        return offsets


@dataclass(frozen=True)
class Clause:
    """A unit of detection: a sentence, list item or table row, with its provenance."""

    id: str
    text: str
    start: int  # offset in Document.text
    end: int
    section: tuple[str, ...] = ()
    section_kind: SectionKind = "other"
    page: int | None = None
    table: TableRef | None = None
    block_start: int = 0  # offset of the owning block in Document.text (for table cells)


@dataclass(frozen=True)
class LegalBasis:
    id: str
    law: str
    article: str
    item: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"law": self.law, "article": self.article, "item": self.item, "text": self.text}


@dataclass(frozen=True)
class TraceStep:
    """One recorded adjustment of a finding's score (context stage, merge...)."""

    stage: str
    reason: str
    delta: float = 0.0


@dataclass(frozen=True)
class Finding:
    id: str
    rule_id: str
    category: str
    category_name: str
    severity: Severity
    score: float
    text: str
    start: int
    end: int
    clause: str
    clause_id: str
    section: tuple[str, ...]
    section_kind: str
    page: int | None
    table: dict[str, Any] | None
    legal_basis: tuple[LegalBasis, ...]
    explanation: str
    suggestion: str
    detectors: tuple[str, ...]
    trace: tuple[TraceStep, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule_id": self.rule_id,
            "category": self.category,
            "category_name": self.category_name,
            "severity": self.severity,
            "score": round(self.score, 4),
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "clause": self.clause,
            "clause_id": self.clause_id,
            "section": list(self.section),
            "section_kind": self.section_kind,
            "page": self.page,
            "table": self.table,
            "legal_basis": [lb.to_dict() for lb in self.legal_basis],
            "explanation": self.explanation,
            "suggestion": self.suggestion,
            "detectors": list(self.detectors),
            "trace": [{"stage": t.stage, "reason": t.reason, "delta": t.delta} for t in self.trace],
        }


@dataclass(frozen=True)
class ScanResult:
    document: Document
    findings: tuple[Finding, ...]
    versions: dict[str, str]

    def summary(self) -> dict[str, Any]:
        by_cat: dict[str, int] = {}
        by_sev: dict[str, int] = {}
        for f in self.findings:
            by_cat[f.category] = by_cat.get(f.category, 0) + 1
            by_sev[f.severity] = by_sev.get(f.severity, 0) + 1
        risk = "none"
        for sev in ("low", "medium", "high"):
            if by_sev.get(sev):
                risk = sev
        return {"by_category": by_cat, "by_severity": by_sev, "risk": risk}

    def to_dict(self) -> dict[str, Any]:
        doc = self.document
        return {
            "schema_version": "1",
            "document": {
                "name": doc.name,
                "sha256": doc.sha256,
                "media_type": doc.media_type,
                "pages": doc.pages,
                "chars": len(doc.text),
                "warnings": [w.to_dict() for w in doc.warnings],
            },
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary(),
            "versions": dict(self.versions),
        }
