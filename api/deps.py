"""Dependencies as ``Annotated`` aliases (FastAPI full-stack template style)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security, UploadFile
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.auth import KeyRing, RateLimiter, unauthorized
from api.errors import ApiError, too_large
from api.jobs import JobStore
from api.settings import Settings
from api.worker import ScanPool
from scanner.rules.loader import Catalogue

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API 密钥>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API 密钥>")


@dataclass
class AppState:
    """Everything the lifespan builds; stored on ``app.state.ctx``."""

    settings: Settings
    pool: ScanPool
    jobs: JobStore
    keys: KeyRing
    limiter: RateLimiter
    catalogue: Catalogue
    tasks: set[Any]


def get_state(request: Request) -> AppState:
    return request.app.state.ctx


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings(state: StateDep) -> Settings:
    return state.settings


def get_pool(state: StateDep) -> ScanPool:
    return state.pool


def get_jobs(state: StateDep) -> JobStore:
    return state.jobs


def get_catalogue(state: StateDep) -> Catalogue:
    return state.catalogue


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[ScanPool, Depends(get_pool)]
JobsDep = Annotated[JobStore, Depends(get_jobs)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]


def authorize(
    request: Request,
    state: StateDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    x_api_key: Annotated[str | None, Security(_api_key)],
) -> str | None:
    """Check the API key (when keys are configured) and the per-key rate limit; return the identity."""
    identity: str | None = None
    if state.keys.enabled:
        key = x_api_key or (bearer.credentials if bearer is not None else None)
        identity = state.keys.verify(key) if key else None
        if identity is None:
            raise unauthorized()
        request.state.log["key"] = identity
        state.limiter.check("key:" + identity)
    else:
        client = request.client.host if request.client else "unknown"
        state.limiter.check("addr:" + client)
    return identity


IdentityDep = Annotated[str | None, Depends(authorize)]


def file_extension(name: str | None) -> str:
    """The extension of an uploaded file name (the only part of the name that is logged)."""
    if not name or "." not in name:
        return ""
    ext = name.rsplit(".", 1)[1].lower()
    return "." + ext if ext.isalnum() and len(ext) <= 5 else ""


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """Read an uploaded file into memory, enforcing the size limit while reading."""
    if file.size is not None and file.size > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    total = 0
    try:
        while chunk := await file.read(1 << 20):
            total += len(chunk)
            if total > limit:
                raise too_large(limit)
            chunks.append(chunk)
    finally:
        await file.close()
    return b"".join(chunks)


def check_format(fmt: str, available: dict[str, Any], planned: tuple[str, ...]) -> None:
    if fmt in available:
        return
    if fmt in planned:
        raise ApiError(
            422,
            "format_not_available",
            f"报告格式“{fmt}”尚未提供，目前仅支持：{', '.join(available)}",
            f"Report format '{fmt}' is not available yet; supported: {', '.join(available)}",
        )
    raise ApiError(
        422,
        "invalid_format",
        f"未知的格式“{fmt}”，可选：{', '.join([*available, *planned])}",
        f"Unknown format '{fmt}'; choose one of: {', '.join([*available, *planned])}",
    )


__all__ = [
    "AppState",
    "CatalogueDep",
    "IdentityDep",
    "JobsDep",
    "PoolDep",
    "SettingsDep",
    "StateDep",
    "check_format",
    "file_extension",
    "read_upload",
    "unauthorized",
]
