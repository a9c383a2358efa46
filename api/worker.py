"""Scanning outside the event loop: a pool of worker processes, each with its own ScanEngine.

* Workers are started with the ``spawn`` context and build their :class:`ScanEngine` once, in the
  pool initializer; the pool is warmed at startup so the first request does not pay for it.
* A semaphore bounds the scans running at once; further requests wait in a bounded queue for at
  most ``queue_timeout_s`` (then 503 with Retry-After).
* Every document has a time limit. A scan that overruns it gets 504; the pool it ran in is retired
  (the other scans in it may finish, then its processes are killed) and a fresh pool takes over.
* A worker that dies (``BrokenProcessPool``) breaks its pool: the pool is replaced, and each affected
  request is re-run alone in a one-process quarantine pool; the request whose document kills that
  process too gets 500, the others their result.
* Output formats are a registry (:data:`RENDERERS`, format → callable) run inside the worker, where
  the full :class:`ScanResult` and the document bytes are available: a report renderer is plugged in
  by adding one entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from api.errors import ApiError
from api.settings import Settings
from scanner.errors import ScanError
from scanner.limits import Limits
from scanner.types import ScanResult

log = logging.getLogger("tenderscan.api")


# -- output formats -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderOptions:
    include_text: bool = False


Renderer = Callable[[ScanResult, bytes | None, RenderOptions], tuple[bytes, str]]


def render_json(result: ScanResult, data: bytes | None, opts: RenderOptions) -> tuple[bytes, str]:
    """The contract JSON shape (``ScanResult.to_dict()``), plus ``text`` only when asked for."""
    payload = result.to_dict()
    if opts.include_text:
        payload["text"] = result.document.text
    return json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json"


def report_renderer(fmt: str) -> Renderer:
    """A renderer from the report registry (:func:`scanner.report.render`) for one format.

    docx/pdf annotate the uploaded original (the bytes are at hand in the worker); asking for them
    with a document of another type is a ``ReportInputError`` (415, ``report_input_mismatch``).
    """

    def render_report(result: ScanResult, data: bytes | None, opts: RenderOptions) -> tuple[bytes, str]:
        from scanner.report import render

        sources = {result.document.sha256: data} if data is not None else None
        body, media_type, _ = render([result], fmt, sources)
        return body, media_type

    return render_report


#: format name → renderer. Report renderers (docx, html, pdf, xlsx, csv) are added here.
RENDERERS: dict[str, Renderer] = {
    "json": render_json,
    **{fmt: report_renderer(fmt) for fmt in ("docx", "html", "pdf", "xlsx", "csv")},
}
#: formats the API will offer once their renderer exists (asked for now → 422 format_not_available).
PLANNED_FORMATS: tuple[str, ...] = ()


# -- worker side ------------------------------------------------------------------------------
_ENGINE: Any = None
_TEST_HOOKS = False
_WARMUP_TEXT = "投标人须在本市注册，并具有本市同类项目业绩2项以上。评分标准：获得省级奖项的加2分。"


@dataclass(frozen=True)
class ScanOutput:
    """What a worker sends back: the rendered body, or the engine's error (ScanError does not pickle)."""

    body: bytes = b""
    media_type: str = "application/json"
    sha256: str = ""
    findings: int = 0
    error: tuple[str, int, str, str] | None = None  # (code, http_status, zh, en)


def _init_worker(limits: Limits, use_model: bool, test_hooks: bool) -> None:
    """Pool initializer: build the engine once per process."""
    global _ENGINE, _TEST_HOOKS
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server handles Ctrl-C; workers are shut down
    from scanner.engine import ScanEngine
    from scanner.isolation import IsolationLimits, apply_resource_limits

    iso = IsolationLimits()  # a parser that loops or explodes is killed (SIGXCPU / MemoryError)
    apply_resource_limits(iso.cpu_s, iso.memory_bytes)

    _ENGINE = ScanEngine(limits=limits, model=use_model)
    _TEST_HOOKS = test_hooks
    # pay for lazy initialisation (tokenizer, model, parsers) now rather than on the first request
    _ENGINE.scan_text(_WARMUP_TEXT, "warmup")
    import scanner.ingest.docx
    import scanner.ingest.pdf  # noqa: F401


def _ping() -> tuple[int, dict[str, str]]:
    return os.getpid(), dict(_ENGINE.versions)


def _test_hook(name: str) -> None:
    if not _TEST_HOOKS:
        return
    if name.startswith("__crash__"):
        os._exit(3)
    if name.startswith("__hang__"):
        time.sleep(3600)


def scan_in_worker(kind: str, payload: bytes | str, name: str, fmt: str, opts: RenderOptions) -> ScanOutput:
    """Run one scan in a worker process. ``kind`` is "bytes" (a document) or "text" (plain text)."""
    _test_hook(name)
    from scanner.isolation import cpu_budget

    cpu_budget()
    try:
        if kind == "bytes":
            assert isinstance(payload, bytes)
            result = _ENGINE.scan_bytes(payload, name)
            data: bytes | None = payload
        else:
            assert isinstance(payload, str)
            result = _ENGINE.scan_text(payload, name)
            data = None
        body, media_type = RENDERERS[fmt](result, data, opts)
    except ScanError as exc:
        return ScanOutput(error=(exc.code, exc.http_status, exc.zh, exc.en))
    return ScanOutput(body, media_type, result.document.sha256, len(result.findings))


# -- server side ------------------------------------------------------------------------------
def _timeout_error(limit: float) -> ApiError:
    return ApiError(
        504,
        "scan_timeout",
        f"扫描超时（超过 {limit:g} 秒），文档过大或过于复杂",
        f"The scan exceeded the time limit of {limit:g} s",
    )


class _Generation:
    """One ProcessPoolExecutor and the futures running in it."""

    def __init__(self, settings: Settings, number: int, size: int | None = None) -> None:
        self.number = number
        self.size = size or settings.workers
        self.executor = ProcessPoolExecutor(
            max_workers=self.size,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(settings.limits(), settings.use_model, settings.test_hooks),
        )
        self.inflight: set[Future[Any]] = set()
        self.versions: dict[str, str] = {}
        self.ready: asyncio.Task[None] | None = None

    async def warm(self) -> None:
        """Start every process (each builds its engine) and wait until all of them answer."""
        loop = asyncio.get_running_loop()
        seen: set[int] = set()
        for _ in range(8):
            futs = [loop.run_in_executor(self.executor, _ping) for _ in range(self.size)]
            for pid, versions in await asyncio.gather(*futs):
                seen.add(pid)
                self.versions = versions
            if len(seen) >= self.size:
                return

    def kill(self) -> None:
        """Kill the processes (a hung worker cannot be stopped otherwise) and drop the executor."""
        procs = list(getattr(self.executor, "_processes", {}).values())  # private, but stable since 3.2
        for p in procs:
            with contextlib.suppress(Exception):
                p.kill()
        with contextlib.suppress(Exception):
            self.executor.shutdown(wait=False, cancel_futures=True)


class ScanPool:
    """Bounded, time-limited scanning in worker processes; survives crashing and hanging workers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout = settings.scan_timeout_s
        self._sem = asyncio.Semaphore(settings.scan_slots)
        self._waiting = 0
        self._running = 0
        self._count = 0
        self._gen = self._new_generation()
        self._background: set[asyncio.Task[None]] = set()
        self._retiring: set[_Generation] = set()
        self._quarantine: _Generation | None = None
        self._quarantine_lock = asyncio.Lock()
        self.replacements = 0

    def _new_generation(self) -> _Generation:
        self._count += 1
        return _Generation(self.settings, self._count)

    @property
    def versions(self) -> dict[str, str]:
        return dict(self._gen.versions)

    @property
    def busy(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return self._waiting

    async def start(self) -> None:
        self._gen.ready = asyncio.ensure_future(self._gen.warm())
        await self._gen.ready

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        for gen in [*self._retiring, self._gen, *([self._quarantine] if self._quarantine else [])]:
            gen.kill()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _replace(self, gen: _Generation, hung: Future[Any] | None = None) -> None:
        """Swap in a fresh pool (once per broken/hung pool) and retire the old one."""
        if gen is not self._gen:
            return
        self.replacements += 1
        new = self._new_generation()
        new.versions = dict(gen.versions)
        new.ready = asyncio.ensure_future(new.warm())
        self._gen = new
        log.warning(
            json.dumps({"event": "pool_replaced", "generation": new.number, "hung": hung is not None})
        )
        self._spawn(self._retire(gen, hung))

    async def _retire(self, gen: _Generation, hung: Future[Any] | None) -> None:
        self._retiring.add(gen)
        try:
            others = [asyncio.wrap_future(f) for f in gen.inflight if f is not hung and not f.done()]
            if others:
                await asyncio.wait(others, timeout=self.timeout + 1)
        finally:
            gen.kill()
            self._retiring.discard(gen)

    async def _acquire_slot(self, patient: bool) -> None:
        if patient:  # background jobs wait as long as it takes
            await self._sem.acquire()
            return
        busy_headers = {"Retry-After": str(max(1, int(self.settings.queue_timeout_s)))}
        if self._sem.locked() and self._waiting >= self.settings.max_queue:
            raise ApiError(
                503,
                "busy",
                "服务繁忙，排队已满，请稍后重试",
                "Server busy: the queue is full, retry later",
                busy_headers,
            )
        self._waiting += 1
        try:
            await asyncio.wait_for(self._sem.acquire(), self.settings.queue_timeout_s)
        except TimeoutError:
            raise ApiError(
                503,
                "busy",
                "服务繁忙，排队超时，请稍后重试",
                "Server busy: timed out waiting for a slot",
                busy_headers,
            ) from None
        finally:
            self._waiting -= 1

    async def run(
        self,
        kind: str,
        payload: bytes | str,
        name: str,
        fmt: str = "json",
        opts: RenderOptions | None = None,
        on_start: Callable[[], Awaitable[Any]] | None = None,
        patient: bool = False,
    ) -> ScanOutput:
        """Scan in a worker; raise :class:`ApiError` for engine errors, timeouts, crashes and overload.

        ``on_start`` is awaited once a slot is free (jobs: queued → running); ``patient`` waits for a
        slot without the queue limits (background jobs).
        """
        opts = opts or RenderOptions()
        await self._acquire_slot(patient)
        self._running += 1
        try:
            if on_start is not None:
                await on_start()
            out = await self._execute(kind, payload, name, fmt, opts)
        finally:
            self._running -= 1
            self._sem.release()
        if out.error is not None:
            code, status, zh, en = out.error
            raise ApiError(status, code, zh, en)
        return out

    async def _execute(
        self, kind: str, payload: bytes | str, name: str, fmt: str, opts: RenderOptions
    ) -> ScanOutput:
        args = (scan_in_worker, kind, payload, name, fmt, opts)
        gen = self._gen
        if gen.ready is not None:
            await gen.ready
        try:
            cfut = gen.executor.submit(*args)
        except (BrokenProcessPool, RuntimeError):  # broke just now: not this request's doing
            self._replace(gen)
            return await self._run_isolated(args)
        gen.inflight.add(cfut)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(cfut), self.timeout)
        except TimeoutError:
            self._replace(gen, hung=cfut)
            raise _timeout_error(self.timeout) from None
        except BrokenProcessPool:
            # some worker of this pool died; we cannot tell whose document did it, so every
            # affected request is re-run alone in the quarantine worker
            self._replace(gen)
            return await self._run_isolated(args)
        finally:
            gen.inflight.discard(cfut)

    async def _run_isolated(self, args: tuple[Any, ...]) -> ScanOutput:
        """Re-run a request whose pool broke, alone, in a one-process quarantine pool.

        Only one request runs there at a time, so if that process dies too, this request's document
        killed it: 500 for this request only, and the quarantine pool is rebuilt for the next one.
        """
        async with self._quarantine_lock:
            q = self._quarantine
            if q is None:
                q = self._quarantine = _Generation(self.settings, 0, size=1)
                q.ready = asyncio.ensure_future(q.warm())
            await q.ready
            try:
                return await asyncio.wait_for(asyncio.wrap_future(q.executor.submit(*args)), self.timeout)
            except TimeoutError:
                self._quarantine = None
                q.kill()
                raise _timeout_error(self.timeout) from None
            except (BrokenProcessPool, RuntimeError):
                self._quarantine = None
                q.kill()
                log.warning(json.dumps({"event": "worker_crashed"}))
                raise ApiError(
                    500,
                    "worker_crashed",
                    "扫描进程异常退出，无法处理该文档",
                    "The scan worker crashed while processing this document",
                ) from None
