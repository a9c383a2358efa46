"""Local backend: ``--jobs N`` isolated worker processes on this machine.

Each job is a *lane*: an ``IsolatedScanner`` with one worker process (engine built once, memory
limit, per-document wall-clock limit). One lane per job rather than one pool of N processes,
because ``IsolatedScanner`` rebuilds its whole pool when a document times out or kills its
worker, which would also kill the documents other workers are scanning at that moment; with lanes
only the guilty document fails. Lane workers ignore SIGINT, so Ctrl-C in a terminal (sent to
the whole process group) reaches only the client, which decides what to finish or abandon.

The lifetime CPU limit of ``IsolationLimits`` is not used here: an audit worker lives for
thousands of documents and would be killed by RLIMIT_CPU after ``cpu_s`` seconds in total; the
per-document wall-clock limit bounds a runaway parser instead.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing as mp
import queue
import signal
import time

from scanner import isolation
from scanner.audit.backend import Outcome
from scanner.errors import ScanError
from scanner.isolation import IsolatedScanner, IsolationLimits, ScanTimeout, WorkerCrashed


def _lane_init(cpu_s: int | None, memory_bytes: int | None, use_model: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolation._worker_init(cpu_s, memory_bytes, use_model)


def _engine_versions() -> dict[str, str]:
    return dict(isolation._ENGINE.versions)


def expected_versions(use_model: bool = True) -> dict[str, str]:
    """What ``ScanEngine(model=use_model).versions`` says in a fresh worker, without loading the model.

    Read from disk now (not from the process-wide caches), so a long-lived client whose caches
    predate a change of ``TENDERSCAN_DATA`` or of the rules still agrees with its workers.
    """
    from scanner.detectors.classifier import latest_model_dir
    from scanner.resources import data_root
    from scanner.rules.loader import load_catalogue
    from scanner.version import __version__

    root = data_root.__wrapped__()
    model = "none"
    model_dir = latest_model_dir(root / "models") if use_model else None
    if model_dir is not None:
        manifest = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
        model = f"clause_clf/{manifest['version']}"
    return {"scanner": __version__, "rules": load_catalogue(root / "lexicons").version, "model": model}


class _Lane(IsolatedScanner):
    """An IsolatedScanner with one SIGINT-immune worker that can be warmed up and killed."""

    def __init__(self, limits: IsolationLimits, use_model: bool) -> None:
        self.ready = False
        super().__init__(workers=1, limits=limits, use_model=use_model)

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        self.ready = False
        return cf.ProcessPoolExecutor(
            max_workers=1,
            mp_context=mp.get_context("forkserver"),
            initializer=_lane_init,
            initargs=(self.limits.cpu_s, self.limits.memory_bytes, self.use_model),
        )

    def warm(self) -> cf.Future[dict[str, str]]:
        """Start the worker and build its engine (outside any document's time limit)."""
        fut = self._pool.submit(_engine_versions)
        fut.add_done_callback(lambda f: setattr(self, "ready", f.exception() is None))
        return fut

    def kill(self) -> None:
        for proc in list(getattr(self._pool, "_processes", {}).values()):
            proc.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)


class LocalBackend:
    """``jobs`` lanes fed by as many client threads; results collected by the caller's thread."""

    name = "local"

    def __init__(
        self, jobs: int = 1, timeout_s: float = 120.0, memory_bytes: int | None = None, use_model: bool = True
    ):
        self.capacity = max(1, jobs)
        self.use_model = use_model
        limits = IsolationLimits(
            timeout_s=timeout_s, cpu_s=None, memory_bytes=memory_bytes or IsolationLimits().memory_bytes
        )
        self._lanes = [_Lane(limits, use_model) for _ in range(self.capacity)]
        self._free: queue.Queue[_Lane] = queue.Queue()
        for lane in self._lanes:
            self._free.put(lane)
        self._threads = cf.ThreadPoolExecutor(max_workers=self.capacity, thread_name_prefix="audit-lane")
        self._futures: dict[cf.Future[Outcome], int] = {}
        self._closing = False

    def start(self) -> dict[str, str]:
        """Engine versions, computed here without starting workers: they start on the first
        document, so a rerun with nothing left to scan costs no engine start-up."""
        return expected_versions(self.use_model)

    def _scan(self, key: int, data: bytes, name: str) -> Outcome:
        lane = self._free.get()
        try:
            if self._closing:
                return Outcome.failed(key, "abandoned", "审计已中断，未扫描", "The audit was interrupted")
            if not lane.ready:
                lane.warm().result()
            t = time.perf_counter()
            try:
                shape, metadata = lane.scan_with_metadata(data, name)
            except ScanError as exc:
                if isinstance(exc, (ScanTimeout, WorkerCrashed)):
                    lane.ready = False  # the pool was rebuilt: warm it before the next document
                return Outcome.failed(key, exc.code, exc.zh, exc.en)
            return Outcome(key, shape, metadata, time.perf_counter() - t)
        except Exception as exc:  # a broken lane while closing, or an unexpected bug: never fatal
            return Outcome.failed(key, "worker_crashed", "扫描进程异常", f"Worker error: {exc!r}")
        finally:
            self._free.put(lane)

    def submit(self, key: int, data: bytes, name: str) -> None:
        self._futures[self._threads.submit(self._scan, key, data, name)] = key

    def poll(self, timeout: float) -> list[Outcome]:
        if not self._futures:
            time.sleep(min(timeout, 0.05))
            return []
        done, _ = cf.wait(list(self._futures), timeout=timeout, return_when=cf.FIRST_COMPLETED)
        out = []
        for fut in done:
            del self._futures[fut]
            out.append(fut.result())
        return out

    def in_flight(self) -> int:
        return len(self._futures)

    def close(self, abandon: bool = False) -> None:
        self._closing = True
        if abandon:
            for lane in self._lanes:
                lane.kill()
        self._threads.shutdown(wait=not abandon, cancel_futures=True)
        for lane in self._lanes:
            lane.close()
