"""Scanning in child processes with CPU-time, memory and wall-clock limits.

A parser that loops or explodes on a hostile file must not take down the caller (API
server, audit run). ``IsolatedScanner`` keeps a pool of worker processes, each with its own
``ScanEngine`` built once and with resource limits applied (RLIMIT_AS, RLIMIT_CPU); a
document that exceeds the wall-clock limit or kills its worker gets a ScanError and the pool
is rebuilt, so the next document is scanned normally.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import threading
from dataclasses import dataclass
from typing import Any

from scanner.errors import ScanError


class ScanTimeout(ScanError):
    code = "scan_timeout"
    http_status = 504


class WorkerCrashed(ScanError):
    code = "worker_crashed"
    http_status = 422


@dataclass(frozen=True)
class IsolationLimits:
    timeout_s: float = 120.0  # wall clock per document
    cpu_s: int | None = 300  # CPU seconds per document (RLIMIT_CPU, renewed before each document)
    memory_bytes: int | None = 3 * 1024**3  # address space per worker (RLIMIT_AS)


def apply_resource_limits(cpu_s: int | None, memory_bytes: int | None) -> None:
    """Limit the current (worker) process: address space now, CPU time per document.

    RLIMIT_CPU counts the process's whole lifetime, so a long-lived worker gets a fresh budget
    before each document (``cpu_budget``); here only the memory cap is set.
    """
    global _CPU_S
    _CPU_S = cpu_s
    try:
        import resource
    except ImportError:  # pragma: no cover - non-POSIX
        return
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


_CPU_S: int | None = None


def cpu_budget() -> None:
    """Allow the next document at most ``cpu_s`` more CPU seconds (SIGXCPU kills the worker)."""
    if not _CPU_S:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + _CPU_S
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY and soft > hard:
        soft = hard
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


_ENGINE: Any = None


def _worker_init(cpu_s: int | None, memory_bytes: int | None, use_model: bool) -> None:
    global _ENGINE
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    apply_resource_limits(cpu_s, memory_bytes)
    from scanner.engine import ScanEngine

    _ENGINE = ScanEngine(model=use_model)


def _scan_in_worker(data: bytes, name: str, with_metadata: bool = False) -> dict[str, Any]:
    """Runs in the child: returns the JSON shape, or an error dict (ScanError is data here).

    ``with_metadata`` (used by the audit) also returns ``"metadata"``: the fields that
    ``scanner.audit.metadata`` extracts from the document text, which the JSON shape omits.
    """
    try:
        cpu_budget()
        result = _ENGINE.scan_bytes(data, name)
        out: dict[str, Any] = {"ok": result.to_dict()}
        if with_metadata:
            from scanner.audit.metadata import extract_metadata

            out["metadata"] = extract_metadata(result.document.text)
        return out
    except ScanError as exc:
        return {"error": {"code": exc.code, "zh": exc.zh, "en": exc.en, "status": exc.http_status}}
    except MemoryError:
        return {
            "error": {
                "code": "too_much_memory",
                "zh": "文档解析超出内存上限",
                "en": "Parsing the document exceeded the memory limit",
                "status": 422,
            }
        }


class _RemoteError(ScanError):
    def __init__(self, code: str, zh: str, en: str, status: int) -> None:
        super().__init__(zh, en)
        self.code = code
        self.http_status = status


class IsolatedScanner:
    """A pool of limited worker processes; thread-safe ``scan`` returning the JSON shape."""

    def __init__(
        self, workers: int = 1, limits: IsolationLimits | None = None, use_model: bool = True
    ) -> None:
        self.workers = workers
        self.limits = limits or IsolationLimits()
        self.use_model = use_model
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=mp.get_context("forkserver"),
            initializer=_worker_init,
            initargs=(self.limits.cpu_s, self.limits.memory_bytes, self.use_model),
        )

    def _restart(self, broken: cf.ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                for proc in list(getattr(broken, "_processes", {}).values()):
                    proc.kill()
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    def scan(self, data: bytes, name: str) -> dict[str, Any]:
        return self._run(data, name, False)["ok"]

    def scan_with_metadata(self, data: bytes, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The JSON shape and the audit metadata (``scanner.audit.metadata``) of one document."""
        out = self._run(data, name, True)
        return out["ok"], out.get("metadata") or {}

    def _run(self, data: bytes, name: str, with_metadata: bool) -> dict[str, Any]:
        pool = self._pool
        try:
            fut = pool.submit(_scan_in_worker, data, name, with_metadata)
            out = fut.result(timeout=self.limits.timeout_s)
        except cf.TimeoutError as exc:
            self._restart(pool)
            t = self.limits.timeout_s
            raise ScanTimeout(f"扫描超时（超过 {t:g} 秒）", f"Scanning timed out after {t:g} s") from exc
        except cf.process.BrokenProcessPool as exc:
            self._restart(pool)
            raise WorkerCrashed(
                "解析进程异常退出（文件可能已损坏或超出资源限制）",
                "The parser process died (the file may be corrupt or exceed resource limits)",
            ) from exc
        if "error" in out:
            e = out["error"]
            raise _RemoteError(e["code"], e["zh"], e["en"], e["status"])
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> IsolatedScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
