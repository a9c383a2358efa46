"""Pure ASGI middleware: request ids, body-size limit, crash guard and one JSON log line per request."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_payload, request_id_var

log = logging.getLogger("tenderscan.api")

_RID_OK = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file part


class RequestContextMiddleware:
    """Assigns the request id, enforces the body limit early and while reading, logs the request.

    The log line never contains document content or file names (only the extension), see
    ``request.state.log`` which endpoints fill with ``sha256`` (prefix), ``findings``, ``ext``.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body = max_body_bytes + MULTIPART_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        rid = headers.get("x-request-id", "")
        if not _RID_OK.match(rid):
            rid = uuid.uuid4().hex
        token = request_id_var.set(rid)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = rid
        extra: dict[str, Any] = {}
        state["log"] = extra
        st = {"status": 0, "started": False, "bytes_in": 0, "bytes_out": 0, "closed": False}
        rid_header = (b"x-request-id", rid.encode("latin-1"))

        async def send_wrapper(message: Message) -> None:
            if st["closed"]:
                return  # we already answered (body too large); drop the app's late response
            if message["type"] == "http.response.start":
                st["started"] = True
                st["status"] = message["status"]
                message = {**message, "headers": [*message.get("headers", []), rid_header]}
            elif message["type"] == "http.response.body":
                st["bytes_out"] += len(message.get("body", b""))
            await send(message)

        async def send_error(status: int, code: str, text: str, hdrs: list[tuple[bytes, bytes]] = ()) -> None:
            body = json.dumps(error_payload(code, text, rid), ensure_ascii=False).encode("utf-8")
            await send_wrapper(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        *hdrs,
                    ],
                }
            )
            await send_wrapper({"type": "http.response.body", "body": body})

        too_large_msg = (
            f"上传内容超过上限 {self.max_body - MULTIPART_SLACK} 字节 / "
            f"Upload exceeds the limit of {self.max_body - MULTIPART_SLACK} bytes"
        )

        async def receive_wrapper() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                st["bytes_in"] += len(message.get("body", b""))
                if st["bytes_in"] > self.max_body and not st["closed"]:
                    # answer 413 now (after draining a moderate rest of the body, so that the client
                    # reads the answer); the app sees a disconnect and whatever it sends is dropped
                    if message.get("more_body", False):
                        await _drain(receive, 4 * self.max_body - st["bytes_in"], 4 * self.max_body)
                    if not st["started"]:
                        await send_error(
                            413, "document_too_large", too_large_msg, [(b"connection", b"close")]
                        )
                    st["closed"] = True
                    return {"type": "http.disconnect"}
            return message

        try:
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_body:
                await _drain(receive, int(declared), self.max_body)
                await send_error(413, "document_too_large", too_large_msg, [(b"connection", b"close")])
            else:
                await self.app(scope, receive_wrapper, send_wrapper)
        except Exception:
            log.exception("unhandled error (request_id=%s)", rid)
            if not st["started"]:
                await send_error(500, "internal_error", "服务器内部错误 / Internal server error")
        finally:
            path = scope.get("path", "")
            if not path.startswith("/static/"):
                record = {
                    "event": "request",
                    "request_id": rid,
                    "method": scope.get("method"),
                    "path": path,
                    "status": st["status"],
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "bytes": st["bytes_in"],
                    "bytes_out": st["bytes_out"],
                    **extra,
                }
                log.info(json.dumps(record, ensure_ascii=False))
            request_id_var.reset(token)


async def _drain(receive: Receive, declared: int, limit: int) -> None:
    """Read (and discard) a moderately oversized body so the client sees the 413, not a reset."""
    if declared > 4 * limit:
        return
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
