"""Application assembly: settings, lifespan (worker pool, job store, cleanup), middleware, routers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from api.auth import KeyRing, RateLimiter
from api.deps import AppState, authorize
from api.errors import install_error_handlers
from api.jobs import JobStore, cleanup_loop
from api.middleware import RequestContextMiddleware
from api.routers import catalogue, jobs, pages, scan, system
from api.routers.pages import STATIC_DIR
from api.settings import Settings
from api.worker import ScanPool
from scanner.rules.loader import default_catalogue
from scanner.version import __version__

log = logging.getLogger("tenderscan.api")

DESCRIPTION = """
扫描招标/采购文件（PDF、DOCX、TXT），找出以不合理条件限制、排斥潜在投标人的条款，
并给出法律依据与改写建议。

* 同步扫描：`POST /v1/scan`（上传文件）、`POST /v1/scan/text`（纯文本）。
* 异步任务：`POST /v1/jobs` → `GET /v1/jobs/{job_id}`。
* 目录：`GET /v1/rules`、`GET /v1/categories`；状态：`GET /v1/health`。
* 认证：配置了 API 密钥时，每个 /v1 请求需带 `Authorization: Bearer KEY` 或 `X-API-Key: KEY`。
* 错误：统一为 `{"error": {"code", "message", "request_id"}}`；请求 id 同时在 `X-Request-ID` 响应头中。
"""

TAGS = [
    {"name": "扫描 scan", "description": "同步扫描文档或文本，返回扫描结果 JSON。"},
    {"name": "任务 jobs", "description": "异步扫描任务：提交、查询进度与结果。"},
    {"name": "规则 catalogue", "description": "规则与类别目录，含法律依据条文。"},
    {"name": "系统 system", "description": "服务状态与版本。"},
]


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line; messages that are JSON objects are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        msg = record.getMessage()
        parsed = None
        if msg.startswith("{"):
            with contextlib.suppress(ValueError):
                parsed = json.loads(msg)
        if isinstance(parsed, dict):
            out.update(parsed)
        else:
            out["message"] = msg
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str) -> None:
    """Structured JSON logs for the ``tenderscan.api`` logger (idempotent)."""
    if not any(getattr(h, "_tenderscan", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLogFormatter())
        handler._tenderscan = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(level.upper())


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI app. Nothing starts until the lifespan runs (workers, job store)."""
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        keys = KeyRing.from_settings(settings)
        store = JobStore(settings.jobs_db, settings.job_ttl_s)
        pool = ScanPool(settings)
        await pool.start()
        interrupted = store.recover()
        store.cleanup()
        state = AppState(
            settings=settings,
            pool=pool,
            jobs=store,
            keys=keys,
            limiter=RateLimiter(settings.rate_limit_per_minute),
            catalogue=default_catalogue(),
            tasks=set(),
        )
        app.state.ctx = state
        cleaner = asyncio.create_task(cleanup_loop(store, settings.job_cleanup_interval_s))
        log.info(
            json.dumps(
                {
                    "event": "startup",
                    "workers": settings.workers,
                    "auth": keys.enabled,
                    "interrupted_jobs": interrupted,
                    "versions": pool.versions,
                }
            )
        )
        if not keys.enabled:
            log.warning(
                json.dumps(
                    {
                        "event": "auth_disabled",
                        "message": "未配置 API 密钥，接口无需认证 / no API keys configured: the API is unauthenticated",
                    }
                )
            )
        try:
            yield
        finally:
            cleaner.cancel()
            for task in list(state.tasks):
                task.cancel()
            await asyncio.gather(cleaner, *state.tasks, return_exceptions=True)
            await pool.close()
            store.close()

    app = FastAPI(
        title="tenderscan 招标文件公平竞争审查 API",
        description=DESCRIPTION,
        version=__version__,
        openapi_tags=TAGS,
        lifespan=lifespan,
        separate_input_output_schemas=False,
    )
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_upload_bytes)
    install_error_handlers(app)
    v1 = [Depends(authorize)]
    for module in (scan, jobs, catalogue, system):
        app.include_router(module.router, prefix="/v1", dependencies=v1)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
