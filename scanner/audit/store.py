"""The audit store: one embedded SQLite file (WAL), written by the audit client process only.

Layout (see ``scanner/audit/SCHEMA.md`` for every column):

- ``meta``       key/value (``schema_version``).
- ``runs``       one row per ``tenderscan audit`` invocation: arguments, engine versions, counts,
                 status ``running`` → ``completed`` | ``interrupted``.
- ``documents``  one row per document *content* (``sha256`` unique): the current result, the
                 engine version that produced it, extracted metadata, counts by severity.
- ``document_paths`` every path (``archive.zip!inner.pdf`` for archive members) where a content
                 was seen, so duplicates across folders are kept.
- ``findings``   one row per finding of a document (the JSON shape's fields).
- ``failures``   what could not be scanned and why (bilingual), per path / content.

Each document result is one transaction (document row + its findings + path, replacing an older
version's row), so an interrupted run leaves only whole documents behind.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = "1"
# Failures worth retrying on a rerun (they depend on load or limits, not on the content alone).
TRANSIENT_CODES = frozenset({"scan_timeout", "worker_crashed", "too_much_memory", "unreadable"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    backend TEXT NOT NULL,
    jobs INTEGER,
    timeout_s REAL,
    rescan_changed INTEGER NOT NULL DEFAULT 0,
    paths TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    versions TEXT NOT NULL,
    discovered INTEGER NOT NULL DEFAULT 0,
    scanned INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    stale INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    findings INTEGER NOT NULL DEFAULT 0,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    engine_version TEXT NOT NULL,
    versions TEXT NOT NULL,
    path TEXT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT,
    pages INTEGER,
    chars INTEGER,
    size_bytes INTEGER,
    warnings TEXT NOT NULL DEFAULT '[]',
    risk TEXT NOT NULL,
    n_findings INTEGER NOT NULL,
    n_high INTEGER NOT NULL,
    n_medium INTEGER NOT NULL,
    n_low INTEGER NOT NULL,
    project_name TEXT,
    project_number TEXT,
    buyer TEXT,
    agency TEXT,
    published_date TEXT,
    budget_yuan REAL,
    procurement_method TEXT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    scanned_at TEXT NOT NULL,
    scan_seconds REAL
);
CREATE INDEX IF NOT EXISTS documents_buyer ON documents(buyer);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published_date);
CREATE TABLE IF NOT EXISTS document_paths (
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    PRIMARY KEY (sha256, path)
);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    finding_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    category TEXT NOT NULL,
    category_name TEXT NOT NULL,
    severity TEXT NOT NULL,
    score REAL NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    clause TEXT NOT NULL,
    clause_id TEXT,
    section TEXT NOT NULL,
    section_kind TEXT,
    page INTEGER,
    "table" TEXT,
    legal_basis TEXT NOT NULL,
    explanation TEXT,
    suggestion TEXT,
    detectors TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_document ON findings(document_id);
CREATE INDEX IF NOT EXISTS findings_category ON findings(category);
CREATE TABLE IF NOT EXISTS failures (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    message_zh TEXT NOT NULL,
    message_en TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (path, sha256)
);
CREATE INDEX IF NOT EXISTS failures_sha ON failures(sha256);
"""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def engine_version_string(versions: dict[str, str]) -> str:
    """The comparable engine version: ``scanner=…;rules=…;model=…``."""
    return ";".join(f"{k}={versions.get(k, '')}" for k in ("scanner", "rules", "model"))


@dataclass(frozen=True)
class Known:
    """What the store already holds for a content hash."""

    engine_version: str | None  # of the stored result, None when never scanned successfully
    failure_code: str | None  # latest failure with the current engine version, if any


class AuditStore:
    """The SQLite store. Not thread-safe by design: only the audit client process writes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs --------------------------------------------------------------------------------------
    def start_run(
        self,
        *,
        backend: str,
        jobs: int | None,
        timeout_s: float | None,
        rescan_changed: bool,
        paths: Iterable[str],
        versions: dict[str, str],
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (started_at, status, backend, jobs, timeout_s, rescan_changed, paths, "
            "engine_version, versions) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)",
            (
                _now(),
                backend,
                jobs,
                timeout_s,
                int(rescan_changed),
                json.dumps(list(paths), ensure_ascii=False),
                engine_version_string(versions),
                json.dumps(versions),
            ),
        )
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str, counts: dict[str, Any]) -> None:
        cols = ("discovered", "scanned", "skipped", "stale", "failed", "findings", "seconds")
        self.db.execute(
            f"UPDATE runs SET finished_at=?, status=?, {', '.join(f'{c}=?' for c in cols)} WHERE id=?",
            (_now(), status, *(counts.get(c, 0) for c in cols), run_id),
        )

    # -- lookups -----------------------------------------------------------------------------------
    def known(self, sha256: str, engine_version: str) -> Known:
        row = self.db.execute("SELECT engine_version FROM documents WHERE sha256=?", (sha256,)).fetchone()
        fail = self.db.execute(
            "SELECT code FROM failures WHERE sha256=? AND engine_version=? ORDER BY id DESC LIMIT 1",
            (sha256, engine_version),
        ).fetchone()
        return Known(row["engine_version"] if row else None, fail["code"] if fail else None)

    # -- writes (one transaction each) ---------------------------------------------------------
    def add_path(self, sha256: str, path: str, run_id: int) -> None:
        self.db.execute("INSERT OR IGNORE INTO document_paths VALUES (?, ?, ?)", (sha256, path, run_id))

    def record_result(
        self,
        *,
        run_id: int,
        path: str,
        size: int,
        shape: dict[str, Any],
        metadata: dict[str, Any],
        seconds: float | None,
    ) -> None:
        """Store a document's scan result (replacing an older version's) in one transaction."""
        doc, findings, versions = shape["document"], shape["findings"], shape["versions"]
        sev = {s: sum(1 for f in findings if f["severity"] == s) for s in ("high", "medium", "low")}
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM documents WHERE sha256=?", (doc["sha256"],))
            cur = self.db.execute(
                "INSERT INTO documents (sha256, engine_version, versions, path, name, media_type, pages, "
                "chars, size_bytes, warnings, risk, n_findings, n_high, n_medium, n_low, project_name, "
                "project_number, buyer, agency, published_date, budget_yuan, procurement_method, run_id, "
                "scanned_at, scan_seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc["sha256"],
                    engine_version_string(versions),
                    json.dumps(versions),
                    path,
                    doc["name"],
                    doc.get("media_type"),
                    doc.get("pages"),
                    doc.get("chars"),
                    size,
                    json.dumps(doc.get("warnings", []), ensure_ascii=False),
                    shape["summary"]["risk"],
                    len(findings),
                    sev["high"],
                    sev["medium"],
                    sev["low"],
                    metadata.get("project_name"),
                    metadata.get("project_number"),
                    metadata.get("buyer"),
                    metadata.get("agency"),
                    metadata.get("published_date"),
                    metadata.get("budget_yuan"),
                    metadata.get("procurement_method"),
                    run_id,
                    _now(),
                    seconds,
                ),
            )
            doc_id = cur.lastrowid
            self.db.executemany(
                "INSERT INTO findings (document_id, finding_id, rule_id, category, category_name, severity, "
                'score, text, start, "end", clause, clause_id, section, section_kind, page, "table", '
                "legal_basis, explanation, suggestion, detectors) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        doc_id,
                        f["id"],
                        f["rule_id"],
                        f["category"],
                        f["category_name"],
                        f["severity"],
                        f["score"],
                        f["text"],
                        f["start"],
                        f["end"],
                        f["clause"],
                        f.get("clause_id"),
                        json.dumps(f.get("section", []), ensure_ascii=False),
                        f.get("section_kind"),
                        f.get("page"),
                        json.dumps(f["table"], ensure_ascii=False) if f.get("table") else None,
                        json.dumps(f.get("legal_basis", []), ensure_ascii=False),
                        f.get("explanation"),
                        f.get("suggestion"),
                        json.dumps(f.get("detectors", []), ensure_ascii=False),
                    )
                    for f in findings
                ],
            )
            self.db.execute(
                "INSERT OR IGNORE INTO document_paths VALUES (?, ?, ?)", (doc["sha256"], path, run_id)
            )
            self.db.execute("DELETE FROM failures WHERE sha256=?", (doc["sha256"],))

    def record_failure(
        self,
        *,
        run_id: int,
        path: str,
        sha256: str | None,
        kind: str,
        code: str,
        zh: str,
        en: str,
        engine_version: str,
    ) -> None:
        """Record (or refresh) why ``path`` could not be scanned, in one transaction."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "INSERT INTO failures (path, sha256, kind, code, message_zh, message_en, engine_version, "
                "run_id, at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(path, sha256) DO UPDATE SET kind=excluded.kind, "
                "code=excluded.code, message_zh=excluded.message_zh, message_en=excluded.message_en, "
                "engine_version=excluded.engine_version, run_id=excluded.run_id, at=excluded.at",
                (path, sha256 or "", kind, code, zh, en, engine_version, run_id, _now()),
            )

    # -- reading -----------------------------------------------------------------------------------
    def finding_keys(self) -> set[tuple[str, str, str, int, int]]:
        """(sha256, finding id, category, start, end) of every stored finding (for comparisons)."""
        rows = self.db.execute(
            'SELECT d.sha256, f.finding_id, f.category, f.start, f."end" FROM findings f '
            "JOIN documents d ON d.id = f.document_id"
        )
        return {(r[0], r[1], r[2], r[3], r[4]) for r in rows}

    def document_hashes(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT sha256 FROM documents")}

    def counts(self) -> dict[str, int]:
        q = {
            "documents": "SELECT COUNT(*) FROM documents",
            "findings": "SELECT COUNT(*) FROM findings",
            "failures": "SELECT COUNT(*) FROM failures",
            "runs": "SELECT COUNT(*) FROM runs",
        }
        return {k: int(self.db.execute(v).fetchone()[0]) for k, v in q.items()}
