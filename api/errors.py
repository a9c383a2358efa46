"""The one error body ``{"error": {"code", "message", "request_id"}}`` and the handlers that produce it."""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from scanner.errors import ScanError

log = logging.getLogger("tenderscan.api")

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class ApiError(Exception):
    """An error the API reports with the one error body. Messages are bilingual (Chinese / English)."""

    def __init__(
        self, status: int, code: str, zh: str, en: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{zh} / {en}")
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en
        self.headers = headers or {}

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"

    @classmethod
    def from_scan_error(cls, exc: ScanError) -> ApiError:
        return cls(exc.http_status, exc.code, exc.zh, exc.en)


def error_payload(code: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "request_id": request_id or request_id_var.get()}}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_payload(code, message), status_code=status, headers=headers)


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "document_too_large",
        f"上传内容超过上限 {limit} 字节",
        f"Upload exceeds the limit of {limit} bytes",
    )


_HTTP_CODES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求格式错误", "Bad request"),
    401: ("unauthorized", "需要有效的 API 密钥", "A valid API key is required"),
    404: ("not_found", "资源不存在", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    413: ("document_too_large", "上传内容过大", "Request body too large"),
    415: ("unsupported_format", "不支持的媒体类型", "Unsupported media type"),
    429: ("rate_limited", "请求过于频繁", "Too many requests"),
}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
    return "请求参数无效 / Invalid request: " + "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Every error — ours, the engine's, FastAPI's validation and routing errors — uses the one body."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(ScanError)
    async def _scan_error(request: Request, exc: ScanError) -> JSONResponse:
        return error_response(exc.http_status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, zh, en = _HTTP_CODES.get(exc.status_code, ("http_error", "请求失败", "Request failed"))
        if isinstance(exc.detail, str) and exc.detail and exc.status_code not in _HTTP_CODES:
            en = exc.detail
        return error_response(exc.status_code, code, f"{zh} / {en}", getattr(exc, "headers", None))
