"""ScanEngine: the one orchestrator. Reads as the list of steps in DESIGN §1."""

from __future__ import annotations

from pathlib import Path

from scanner.context import apply_context
from scanner.detectors.base import Detector, DocContext, Hit
from scanner.detectors.classifier import ClauseClassifier, ClausePrediction, latest_model_dir
from scanner.detectors.rule import RuleDetector
from scanner.detectors.spec import SpecDetector
from scanner.errors import ExtractionFailed
from scanner.findings import build_finding, detect_regime
from scanner.ingest import ingest
from scanner.ingest.text import text_document
from scanner.limits import Limits
from scanner.merge import corroborate, merge
from scanner.normalize import normalize_for_match
from scanner.rules.loader import Catalogue, default_catalogue
from scanner.segment import segment
from scanner.types import Clause, Document, Finding, ScanResult
from scanner.version import __version__

MIN_MODEL_CHARS = 8


class ScanEngine:
    """Loads rules, lexicons and model once; scans any number of documents."""

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        limits: Limits | None = None,
        *,
        use_rules: bool = True,
        model: bool | Path = True,
    ) -> None:
        """``model``: True = the newest shipped model (if any), False = rules only, a Path = that model."""
        self.catalogue = catalogue or default_catalogue()
        self.limits = limits or Limits.from_env()
        self.detectors: list[Detector] = [RuleDetector(self.catalogue), SpecDetector()] if use_rules else []
        self._rules = {r.rule.id: r for r in self.catalogue.rules}
        model_dir = latest_model_dir() if model is True else (model or None)
        self.classifier = ClauseClassifier(Path(model_dir)) if model_dir else None
        self.versions = {
            "scanner": __version__,
            "rules": self.catalogue.version,
            "model": self.classifier.version if self.classifier else "none",
        }

    # -- entry points -------------------------------------------------------------------------
    def scan_bytes(self, data: bytes, name: str = "document") -> ScanResult:
        return self.scan_document(ingest(data, name, self.limits))

    def read(self, path: str | Path) -> Document:
        """Ingest a file into the document model (no detection)."""
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise ExtractionFailed(f"无法读取文件：{p}", f"Cannot read file: {p} ({exc.strerror})") from exc
        return ingest(data, p.name, self.limits)

    def scan_file(self, path: str | Path) -> ScanResult:
        return self.scan_document(self.read(path))

    def scan_text(self, text: str, name: str = "text") -> ScanResult:
        return self.scan_document(text_document(text, name, self.limits))

    def predict_label(self, text: str) -> str:
        """Category of the top finding in ``text`` (or "none"): used by eval."""
        top = self.top_finding(self.scan_text(text).findings)
        return "none" if top is None else top.category

    def top_finding(self, findings: tuple[Finding, ...]) -> Finding | None:
        """The finding that labels a clause: highest score, then rule > spec > model, then precedence."""
        if not findings:
            return None
        rank = {c: i for i, c in enumerate(self.catalogue.precedence)}

        def key(f: Finding) -> tuple[float, int, int]:
            source = 0 if f.detectors[0].startswith("rule:") else 1 if f.detectors[0] != "classifier" else 2
            return (-f.score, source, rank.get(f.category, len(rank)))

        return min(findings, key=key)

    # -- the steps ----------------------------------------------------------------------------
    def scan_document(self, doc: Document) -> ScanResult:
        clauses = segment(doc)
        norms = [normalize_for_match(c.text) for c in clauses]
        ctx = DocContext(regime=detect_regime(doc.text), name=doc.name)
        hits: list[Hit] = []
        suppressed: set[tuple[str, str]] = set()  # (clause id, category) a rule matched but context cleared
        for clause, norm in zip(clauses, norms, strict=True):
            hits += self.detect_clause(clause, norm, ctx, suppressed)
        if self.classifier is not None:
            predictions = self.classify(clauses, norms)
            hits = corroborate(hits, clauses, norms, predictions, self.classifier, self.catalogue, suppressed)
        merged = merge(hits, self.catalogue.precedence)
        findings = tuple(build_finding(h, self.catalogue, ctx.regime) for h in merged)
        return ScanResult(document=doc, findings=findings, versions=dict(self.versions))

    def classify(self, clauses: tuple[Clause, ...], norms: list[str]) -> list[ClausePrediction | None]:
        """Model predictions for every clause long enough to say something, outside forms."""
        assert self.classifier is not None
        idx = [
            i
            for i, (c, n) in enumerate(zip(clauses, norms, strict=True))
            if len(n) >= MIN_MODEL_CHARS and c.section_kind != "forms"
        ]
        preds = self.classifier.predict([norms[i] for i in idx])
        out: list[ClausePrediction | None] = [None] * len(norms)
        for i, p in zip(idx, preds, strict=True):
            out[i] = p
        return out

    def detect_clause(
        self, clause: Clause, norm: str, ctx: DocContext, suppressed: set[tuple[str, str]] | None = None
    ) -> list[Hit]:
        """Detectors, then the context stage, for one clause (context-cleared hits noted in ``suppressed``)."""
        out = []
        for detector in self.detectors:
            for hit in detector.detect(clause, norm, ctx):
                kept = apply_context(hit, self._rules.get(hit.rule_id), norm)
                if kept is not None:
                    out.append(kept)
                elif suppressed is not None:
                    suppressed.add((clause.id, hit.category))
        return out


_default: ScanEngine | None = None


def default_engine() -> ScanEngine:
    global _default
    if _default is None:
        _default = ScanEngine()
    return _default
