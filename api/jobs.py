"""Asynchronous scan jobs in an embedded SQLite store (WAL).

Only metadata and the finished result live in the store; uploaded bytes stay in memory in the task
that scans them and are dropped when the scan ends. Results are deleted ``job_ttl_s`` after the job
finished, by a periodic cleanup and on access. Jobs found queued/running when the store is opened
were interrupted by a restart and are marked failed.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

RESTART_CODE = "interrupted"
RESTART_MESSAGE = "服务重启，任务中断 / interrupted by a server restart"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    finished_at REAL,
    expires_at REAL,
    owner TEXT,
    sha256 TEXT,
    result TEXT,
    error_code TEXT,
    error_message TEXT,
    error_status INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_expires ON jobs(expires_at);
"""


class JobStore:
    """Thread-safe SQLite job store. Methods are blocking; call them via ``asyncio.to_thread``."""

    def __init__(self, path: Path, ttl_s: float) -> None:
        self.path = Path(path)
        self.ttl_s = ttl_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def recover(self) -> int:
        """Mark jobs left queued/running by a previous process as failed; return how many."""
        now = time.time()
        with self._lock:
            cur = self._db.execute(
                "UPDATE jobs SET status='failed', error_code=?, error_message=?, error_status=500, "
                "updated_at=?, finished_at=?, expires_at=? WHERE status IN ('queued', 'running')",
                (RESTART_CODE, RESTART_MESSAGE, now, now, now + self.ttl_s),
            )
            return cur.rowcount

    def create(self, owner: str | None) -> dict[str, Any]:
        job_id = uuid.uuid4().hex
        now = time.time()
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, status, progress, created_at, updated_at, owner) "
                "VALUES (?, 'queued', 0, ?, ?, ?)",
                (job_id, now, now, owner),
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def set_running(self, job_id: str, progress: float = 0.1) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status='running', progress=?, updated_at=? WHERE id=?",
                (progress, time.time(), job_id),
            )

    def finish(self, job_id: str, result_json: str, sha256: str) -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status='done', progress=1, result=?, sha256=?, updated_at=?, finished_at=?, "
                "expires_at=? WHERE id=?",
                (result_json, sha256, now, now, now + self.ttl_s, job_id),
            )

    def fail(self, job_id: str, code: str, message: str, status: int) -> None:
        now = time.time()
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status='failed', progress=1, error_code=?, error_message=?, error_status=?, "
                "updated_at=?, finished_at=?, expires_at=? WHERE id=?",
                (code, message, status, now, now, now + self.ttl_s, job_id),
            )

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job as stored, or None (unknown or expired: an expired job is deleted here)."""
        now = time.time()
        with self._lock:
            self._db.execute(
                "DELETE FROM jobs WHERE id=? AND expires_at IS NOT NULL AND expires_at <= ?", (job_id, now)
            )
            row = self._db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        return dict(row) if row is not None else None

    def cleanup(self) -> int:
        """Delete every job whose result has expired; return how many."""
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM jobs WHERE expires_at IS NOT NULL AND expires_at <= ?", (time.time(),)
            )
            return cur.rowcount

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {r[0]: r[1] for r in rows}


def job_view(job: dict[str, Any]) -> dict[str, Any]:
    """The public representation of a stored job (schema ``Job``)."""
    out: dict[str, Any] = {
        "job_id": job["id"],
        "status": job["status"],
        "progress": round(float(job["progress"]), 3),
        "created_at": _iso(job["created_at"]),
        "updated_at": _iso(job["updated_at"]),
        "finished_at": _iso(job["finished_at"]),
        "expires_at": _iso(job["expires_at"]),
        "result": None,
        "error": None,
    }
    if job["status"] == "done" and job["result"] is not None:
        out["result"] = json.loads(job["result"])
    if job["status"] == "failed":
        out["error"] = {"code": job["error_code"], "message": job["error_message"]}
    return out


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


async def cleanup_loop(store: JobStore, interval_s: float) -> None:
    """Periodic TTL cleanup, run as a task in the app's lifespan."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(store.cleanup)
        except sqlite3.Error:  # pragma: no cover - disk trouble must not kill the loop
            pass
