"""Dask backend: the same scan function on a ``dask.distributed`` cluster.

The client reads each document, submits ``dask_scan(bytes, name)`` (shared nothing: the bytes
travel with the task) and writes results into the store itself as they complete
(``as_completed``), so SQLite still has a single writer. Each worker process builds one
``ScanEngine`` (``EnginePlugin`` at registration, or lazily on the first task) and runs
``scanner.isolation._scan_in_worker(data, name, with_metadata=True)`` — the very function the
local backend runs in its isolated processes.

Limits on a cluster: the per-document time limit is enforced by the client (a document past
it is recorded as ``scan_timeout`` and its task cancelled, but a Python thread cannot be
interrupted, so the worker finishes it in the background); memory is bounded by the worker's
``--memory-limit`` (the nanny restarts a worker that exceeds it; after
``distributed.scheduler.allowed-failures`` retries the document is recorded as
``worker_crashed``). Run workers with ``--nthreads 1``: scanning is CPU-bound Python code.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Any

from scanner import isolation
from scanner.audit.backend import Outcome

_LOCK = threading.Lock()

try:  # the extra is optional: importing this module without dask must still work
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # pragma: no cover - exercised only without the extra
    WorkerPlugin = object  # type: ignore[misc,assignment]


def _ensure_engine() -> Any:
    """The worker process's engine, built once."""
    with _LOCK:
        if isolation._ENGINE is None:
            os.environ.setdefault("OMP_NUM_THREADS", "1")
            from scanner.engine import ScanEngine

            isolation._ENGINE = ScanEngine()
        return isolation._ENGINE


class EnginePlugin(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Builds the ScanEngine when a worker starts (or when the plugin is registered)."""

    name = "tenderscan-engine"

    def setup(self, worker: Any) -> None:
        _ensure_engine()


def engine_versions() -> dict[str, str]:
    return dict(_ensure_engine().versions)


def dask_scan(data: bytes, name: str) -> dict[str, Any]:
    """The task: ``_scan_in_worker`` with metadata, plus the scan's wall time in seconds."""
    _ensure_engine()
    t = time.perf_counter()
    with _LOCK:  # one scan at a time per process (the engine is not shared between threads)
        out = isolation._scan_in_worker(data, name, True)
    out["seconds"] = time.perf_counter() - t
    return out


class DaskBackend:
    """Submits documents to a cluster; ``poll`` returns outcomes as tasks complete."""

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        client: Any = None,
        n_workers: int = 2,
        timeout_s: float = 120.0,
    ) -> None:
        from distributed import Client, LocalCluster, as_completed

        self._own_cluster = None
        if client is None:
            if scheduler:
                client = Client(scheduler)
            else:
                self._own_cluster = LocalCluster(
                    n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                client = Client(self._own_cluster)
            self._own_client = True
        else:
            self._own_client = False
        self.client = client
        self.timeout_s = timeout_s
        self.capacity = 1
        self._ac = as_completed()
        self._pending: dict[str, tuple[int, float]] = {}  # future key -> (document key, submitted at)
        self._futures: dict[str, Any] = {}

    def start(self) -> dict[str, str]:
        self.client.register_plugin(EnginePlugin(), name=EnginePlugin.name)
        versions = self.client.run(engine_versions)
        distinct = {tuple(sorted(v.items())) for v in versions.values()}
        if len(distinct) != 1:
            from scanner.errors import ScanError

            raise ScanError(
                "集群中各 worker 的扫描引擎版本不一致，请在所有 worker 上安装同一版本",
                f"Workers run different engine versions: {sorted(distinct)}",
            )
        self.capacity = max(1, sum(self.client.nthreads().values()))
        return dict(next(iter(distinct)))

    def submit(self, key: int, data: bytes, name: str) -> None:
        fut = self.client.submit(dask_scan, data, name, key=f"tenderscan-scan-{uuid.uuid4().hex}", pure=False)
        self._pending[fut.key] = (key, time.monotonic())
        self._futures[fut.key] = fut
        self._ac.add(fut)

    def poll(self, timeout: float) -> list[Outcome]:
        deadline = time.monotonic() + timeout
        while not self._ac.has_ready() and time.monotonic() < deadline and self._pending:
            time.sleep(0.01)
        out: list[Outcome] = []
        if self._ac.has_ready():
            for fut in self._ac.next_batch(block=False):
                entry = self._pending.pop(fut.key, None)
                self._futures.pop(fut.key, None)
                if entry is None:  # already reported (timed out)
                    continue
                out.append(self._outcome(entry[0], fut))
        now = time.monotonic()
        for fkey, (key, at) in list(self._pending.items()):
            if now - at > self.timeout_s:
                self._pending.pop(fkey)
                fut = self._futures.pop(fkey)
                fut.cancel()
                t = self.timeout_s
                out.append(
                    Outcome.failed(
                        key, "scan_timeout", f"扫描超时（超过 {t:g} 秒）", f"Scanning timed out after {t:g} s"
                    )
                )
        return out

    @staticmethod
    def _outcome(key: int, fut: Any) -> Outcome:
        try:
            result = fut.result()
        except Exception as exc:
            from distributed import KilledWorker

            if isinstance(exc, KilledWorker):
                return Outcome.failed(
                    key,
                    "worker_crashed",
                    "集群 worker 多次在扫描该文件时退出",
                    "Cluster workers died scanning this file",
                )
            return Outcome.failed(key, "worker_error", "集群任务失败", f"Cluster task failed: {exc!r}")
        return Outcome.from_worker(key, result, result.get("seconds"))

    def in_flight(self) -> int:
        return len(self._pending)

    def close(self, abandon: bool = False) -> None:
        if abandon and self._futures:
            self.client.cancel(list(self._futures.values()))
        self._pending.clear()
        self._futures.clear()
        if self._own_client:
            self.client.close()
        if self._own_cluster is not None:
            self._own_cluster.close()
