"""Asynchronous scan jobs: submit a document, poll for the result."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from api.deps import AppState, IdentityDep, StateDep, file_extension, read_upload
from api.errors import ApiError
from api.jobs import job_view
from api.routers.scan import upload_name
from api.schemas import Job, error_responses

router = APIRouter(tags=["任务 jobs"])
log = logging.getLogger("tenderscan.api")


def _not_found() -> ApiError:
    return ApiError(
        404, "job_not_found", "任务不存在或结果已过期删除", "Job not found or its result has expired"
    )


async def run_job(state: AppState, job_id: str, data: bytes, name: str) -> None:
    """Scan one job's document; the bytes live only in this task and are dropped when it ends."""
    started = time.perf_counter()
    record: dict[str, object] = {"event": "job", "job_id": job_id}
    try:
        out = await state.pool.run(
            "bytes",
            data,
            name,
            on_start=lambda: asyncio.to_thread(state.jobs.set_running, job_id),
            patient=True,
        )
        del data
        await asyncio.to_thread(state.jobs.finish, job_id, out.body.decode("utf-8"), out.sha256)
        record.update(status="done", sha256=out.sha256[:12], findings=out.findings)
    except ApiError as exc:
        await asyncio.to_thread(state.jobs.fail, job_id, exc.code, exc.message, exc.status)
        record.update(status="failed", code=exc.code)
    except Exception:  # never leave a job "running" because of a bug
        log.exception("job %s failed", job_id)
        await asyncio.to_thread(
            state.jobs.fail, job_id, "internal_error", "服务器内部错误 / Internal server error", 500
        )
        record.update(status="failed", code="internal_error")
    record["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    log.info(json.dumps(record))


@router.post(
    "/jobs",
    operation_id="create_job",
    summary="提交异步扫描任务",
    description=(
        "上传文档，立即返回 202 与任务 id；用 GET /v1/jobs/{job_id} 查询进度和结果。"
        "上传的文件只保存在内存中，扫描结束即丢弃；结果在完成后保留 job_ttl_s 秒。"
    ),
    status_code=202,
    response_model=Job,
    responses=error_responses(401, 413, 422, 429),
)
async def create_job(
    request: Request,
    state: StateDep,
    identity: IdentityDep,
    file: Annotated[UploadFile, File(description="招标文件：PDF、DOCX 或 TXT")],
) -> JSONResponse:
    request.state.log["ext"] = file_extension(file.filename)
    data = await read_upload(file, state.settings.max_upload_bytes)
    job = await asyncio.to_thread(state.jobs.create, identity)
    request.state.log["job_id"] = job["id"]
    task = asyncio.create_task(run_job(state, job["id"], data, upload_name(file.filename)))
    del data
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)
    return JSONResponse(job_view(job), status_code=202, headers={"Location": f"/v1/jobs/{job['id']}"})


@router.get(
    "/jobs/{job_id}",
    operation_id="get_job",
    summary="查询任务",
    description="任务状态（queued/running/done/failed）、进度 0..1；完成时含扫描结果，失败时含原因。",
    response_model=Job,
    responses=error_responses(401, 404, 422, 429),
)
async def get_job(
    state: StateDep,
    identity: IdentityDep,
    job_id: Annotated[str, Path(description="任务 id", pattern=r"^[0-9a-f]{32}$")],
    format: Annotated[
        str | None,
        Query(
            description="已完成任务的结果报告格式：html、xlsx、csv、jsonl（批注版 docx/pdf 需原文件，请用 /v1/scan）"
        ),
    ] = None,
) -> Response:
    job = await asyncio.to_thread(state.jobs.get, job_id)
    if job is None or (state.keys.enabled and job["owner"] != identity):
        raise _not_found()
    if not format or format == "json":
        return JSONResponse(job_view(job))
    if job["status"] != "done" or job["result"] is None:
        raise ApiError(
            409, "job_not_done", "任务尚未完成，暂无报告", "The job has not finished; no report yet"
        )
    from scanner.errors import ScanError
    from scanner.report import render_payloads

    try:
        body, media_type, filename = render_payloads([json.loads(job["result"])], format)
    except ScanError as exc:
        raise ApiError(exc.http_status, exc.code, exc.zh, exc.en) from exc
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": content_disposition(filename)}
    )


def content_disposition(filename: str) -> str:
    """attachment; with an ASCII fallback and the UTF-8 name (RFC 5987), for Chinese file names."""
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
