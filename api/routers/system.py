"""Service health and versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import StateDep
from api.schemas import Health, error_responses
from api.worker import RENDERERS
from scanner.version import __version__

router = APIRouter(tags=["系统 system"])


@router.get(
    "/health",
    operation_id="health",
    summary="服务状态",
    description="服务状态、版本（api/scanner/rules/model）、扫描进程与排队情况。",
    response_model=Health,
    responses=error_responses(401, 429),
)
def health(state: StateDep) -> dict[str, Any]:
    return {
        "status": "ok",
        "versions": {"api": __version__, **state.pool.versions},
        "workers": state.settings.workers,
        "busy": state.pool.busy,
        "queued": state.pool.waiting,
        "auth": state.keys.enabled,
        "formats": list(RENDERERS),
    }
