"""The audit run: walk → hash → skip what the store already has → scan in parallel → store.

Only this (client) process writes the store, one transaction per document. Resumability:
a document (by content sha256) is skipped when the store holds its result from the same engine
version (scanner + rules + model), or a non-transient failure from that version; a result from
another version is kept and only re-scanned with ``rescan_changed``.

SIGINT: the first one stops submitting and lets the documents in flight finish (each bounded by
the per-document time limit) and be stored; a second one abandons them (workers are killed,
nothing partial is written). The run is then marked ``interrupted`` and ``interrupted`` is set in
the summary (the CLI exits 130).
"""

from __future__ import annotations

import hashlib
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from scanner.audit.backend import Backend, Outcome
from scanner.audit.progress import Progress
from scanner.audit.store import TRANSIENT_CODES, AuditStore, engine_version_string
from scanner.audit.walk import ArchiveLimits, DocItem, Walker, WalkFailure


@dataclass
class AuditOptions:
    paths: Sequence[str]
    db: Path
    jobs: int = 1
    timeout_s: float = 120.0
    rescan_changed: bool = False
    engine: str = "local"  # local | dask
    scheduler: str | None = None
    archive_limits: ArchiveLimits = field(default_factory=ArchiveLimits)
    show_progress: bool = True


@dataclass
class RunSummary:
    run_id: int = 0
    discovered: int = 0  # documents found (after sniffing), archive members included
    scanned: int = 0  # scanned successfully in this run
    skipped: int = 0  # already in the store with this engine version (or failed for good)
    stale: int = 0  # in the store from another engine version, not re-scanned
    duplicates: int = 0  # same content seen again in this run
    failed: int = 0  # failures recorded in this run (documents and archives)
    findings: int = 0  # findings of the documents scanned in this run
    skipped_non_documents: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    versions: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Interrupt:
    """SIGINT handler: first signal = stop submitting, second = abandon in-flight work."""

    def __init__(self, progress: Progress | None, stream: TextIO) -> None:
        self.stop = False
        self.abandon = False
        self._progress = progress
        self._stream = stream
        self._previous: Any = None

    def __enter__(self) -> _Interrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: no signal handling
            self._previous = None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _say(self, text: str) -> None:
        if self._progress is not None:
            self._progress.message(text)
        else:
            self._stream.write(text + "\n")

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.stop:
            self.abandon = True
            self._say(
                "再次收到中断信号：放弃进行中的文件 / interrupted again: abandoning documents in flight"
            )
            return
        self.stop = True
        self._say(
            "收到中断信号：不再提交新文件，等待进行中的文件完成并保存（再按一次 Ctrl-C 立即放弃）"
            " / interrupted: finishing documents in flight (Ctrl-C again to abandon them)"
        )


def make_backend(opts: AuditOptions) -> Backend:
    if opts.engine == "dask":
        from scanner.audit.dask_engine import DaskBackend

        return DaskBackend(opts.scheduler, n_workers=max(1, opts.jobs), timeout_s=opts.timeout_s)
    from scanner.audit.local_engine import LocalBackend

    return LocalBackend(jobs=opts.jobs, timeout_s=opts.timeout_s)


class _Run:
    """State of one audit run (kept out of ``run_audit`` to keep each step small)."""

    def __init__(self, store: AuditStore, opts: AuditOptions, summary: RunSummary, progress: Progress | None):
        self.store, self.opts, self.summary, self.progress = store, opts, summary, progress
        self.engine_version = ""
        self.in_flight: dict[int, tuple[DocItem, str]] = {}
        self.seen: set[str] = set()
        self.done = 0
        self.version_warned = False

    def tick(self, force: bool = False) -> None:
        if self.progress is not None:
            s = self.summary
            self.progress.update(
                done=self.done,
                scanned=s.scanned,
                skipped=s.skipped + s.stale + s.duplicates,
                failed=s.failed,
                findings=s.findings,
                force=force,
            )

    def fail(self, path: str, sha: str | None, kind: str, code: str, zh: str, en: str) -> None:
        self.store.record_failure(
            run_id=self.summary.run_id,
            path=path,
            sha256=sha,
            kind=kind,
            code=code,
            zh=zh,
            en=en,
            engine_version=self.engine_version,
        )
        self.summary.failed += 1

    def prepare(self, key: int, item: DocItem) -> bytes | None:
        """Load and hash ``item``; None when it needs no scan (counted and recorded here)."""
        self.done += 1  # undone below when the document is submitted
        try:
            data = item.load()
        except Exception as exc:
            self.fail(item.path, None, "file", "unreadable", "无法读取文件", f"Cannot read the file: {exc}")
            return None
        sha = hashlib.sha256(data).hexdigest()
        s = self.summary
        if sha in self.seen:
            self.store.add_path(sha, item.path, s.run_id)
            s.duplicates += 1
            return None
        self.seen.add(sha)
        known = self.store.known(sha, self.engine_version)
        if known.engine_version == self.engine_version:
            self.store.add_path(sha, item.path, s.run_id)
            s.skipped += 1
            return None
        if known.engine_version is not None and not self.opts.rescan_changed:
            self.store.add_path(sha, item.path, s.run_id)
            s.stale += 1
            return None
        if known.engine_version is None and known.failure_code and known.failure_code not in TRANSIENT_CODES:
            s.skipped += 1
            return None
        self.done -= 1
        self.in_flight[key] = (item, sha)
        return data

    def record(self, outcome: Outcome) -> None:
        item, sha = self.in_flight.pop(outcome.key)
        self.done += 1
        if not outcome.ok:
            self.fail(item.path, sha, "document", outcome.code or "scan_error", outcome.zh, outcome.en)
            return
        shape = outcome.shape or {}
        got = engine_version_string(shape.get("versions", {}))
        if got != self.engine_version and not self.version_warned:
            self.version_warned = True
            sys.stderr.write(f"tenderscan: 警告 / warning: engine version {got} != {self.engine_version}\n")
        shape["document"]["sha256"] = sha
        self.store.record_result(
            run_id=self.summary.run_id,
            path=item.path,
            size=item.size,
            shape=shape,
            metadata=outcome.metadata,
            seconds=outcome.seconds,
        )
        self.summary.scanned += 1
        self.summary.findings += len(shape.get("findings", []))


def run_audit(
    opts: AuditOptions, *, backend: Backend | None = None, stream: TextIO | None = None
) -> RunSummary:
    """Run one audit into ``opts.db``; returns the run's counts (``interrupted`` on SIGINT)."""
    stream = stream or sys.stderr
    t0 = time.monotonic()
    summary = RunSummary()
    store = AuditStore(opts.db)
    db = Path(opts.db)
    walker = Walker(opts.archive_limits, exclude=[db, Path(f"{db}-wal"), Path(f"{db}-shm")])
    items = list(walker.walk(opts.paths))
    docs = [i for i in items if isinstance(i, DocItem)]
    summary.discovered = len(docs)
    summary.skipped_non_documents = walker.stats.skipped_non_documents
    progress = Progress(len(docs), stream) if opts.show_progress else None
    backend = backend or make_backend(opts)
    status = "failed"
    run = _Run(store, opts, summary, progress)
    try:
        with _Interrupt(progress, stream) as intr:
            if progress is not None:
                progress.message(f"共发现 {len(docs)} 份文档 / {len(docs)} documents found")
            summary.versions = backend.start()
            run.engine_version = engine_version_string(summary.versions)
            summary.run_id = store.start_run(
                backend=backend.name,
                jobs=opts.jobs,
                timeout_s=opts.timeout_s,
                rescan_changed=opts.rescan_changed,
                paths=opts.paths,
                versions=summary.versions,
            )
            for f in items:
                if isinstance(f, WalkFailure):
                    run.fail(f.path, None, f.kind, f.code, f.zh, f.en)
            _loop(run, backend, docs, intr)
            summary.interrupted = intr.stop
            status = "interrupted" if intr.stop else "completed"
            backend.close(abandon=intr.stop)
    finally:
        if status == "failed":
            backend.close(abandon=True)
        summary.seconds = time.monotonic() - t0
        if summary.run_id:
            store.finish_run(summary.run_id, status, summary.as_dict())
        store.close()
        if progress is not None:
            run.tick()
            progress.close()
    return summary


def _loop(run: _Run, backend: Backend, docs: list[DocItem], intr: _Interrupt) -> None:
    pending = iter(enumerate(docs))
    exhausted = False
    while True:
        while not intr.stop and not exhausted and backend.in_flight() < backend.capacity:
            nxt = next(pending, None)
            if nxt is None:
                exhausted = True
                break
            key, item = nxt
            data = run.prepare(key, item)
            if data is not None:
                backend.submit(key, data, item.name)
            run.tick()
        if backend.in_flight() == 0 and (exhausted or intr.stop):
            return
        if intr.abandon:
            return
        for outcome in backend.poll(0.2):
            run.record(outcome)
        run.tick()
