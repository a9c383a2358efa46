"""Synchronous scanning: upload a document or post text, get the JSON shape back."""

from __future__ import annotations

from pathlib import PureWindowsPath
from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response

from api.deps import PoolDep, SettingsDep, check_format, file_extension, read_upload
from api.errors import ApiError
from api.schemas import ScanResult, ScanTextRequest, error_responses
from api.worker import PLANNED_FORMATS, RENDERERS, RenderOptions

router = APIRouter(tags=["扫描 scan"])

FormatName = Literal["json", "docx", "html", "pdf", "xlsx", "csv"]
FormatQuery = Annotated[
    FormatName,
    Query(
        description=(
            "输出格式：json（默认）；html 审查报告；xlsx/csv 问题清单；"
            "docx/pdf 为带批注的原文档（仅限上传的是同类文档，否则返回 415）。"
        )
    ),
]
IncludeTextQuery = Annotated[
    bool,
    Query(description="为 true 时在结果中增加顶层字段 text（文档提取全文，偏移 start/end 即指向它）。"),
]


def upload_name(filename: str | None) -> str:
    """The base name of an uploaded file (browsers may send a path)."""
    return PureWindowsPath(filename or "").name or "document"


@router.post(
    "/scan",
    operation_id="scan_document",
    summary="扫描文档",
    description=(
        "上传招标文件（PDF、DOCX、TXT；类型按内容识别，而非文件名），返回扫描结果 JSON。"
        "文件过大返回 413，类型不支持返回 415，文件损坏、加密或为空返回 422，扫描超时返回 504。"
    ),
    response_model=ScanResult,
    response_model_exclude_none=True,
    responses=error_responses(401, 413, 415, 422, 429, 500, 503, 504),
)
async def scan_document(
    request: Request,
    pool: PoolDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="招标文件：PDF、DOCX 或 TXT")],
    format: FormatQuery = "json",
    include_text: IncludeTextQuery = False,
) -> Response:
    check_format(format, RENDERERS, PLANNED_FORMATS)
    request.state.log["ext"] = file_extension(file.filename)
    data = await read_upload(file, settings.max_upload_bytes)
    out = await pool.run("bytes", data, upload_name(file.filename), format, RenderOptions(include_text))
    request.state.log.update(sha256=out.sha256[:12], findings=out.findings)
    return Response(out.body, media_type=out.media_type)


@router.post(
    "/scan/text",
    operation_id="scan_text",
    summary="扫描文本",
    description="扫描一段纯文本（一个或多个条款），返回与文档扫描相同的 JSON 结构。",
    response_model=ScanResult,
    response_model_exclude_none=True,
    responses=error_responses(401, 413, 422, 429, 500, 503, 504),
)
async def scan_text(
    request: Request,
    body: ScanTextRequest,
    pool: PoolDep,
    settings: SettingsDep,
    include_text: IncludeTextQuery = False,
) -> Response:
    if len(body.text) > settings.max_text_chars:
        raise ApiError(
            413,
            "document_too_large",
            f"文本长度 {len(body.text)} 超过上限 {settings.max_text_chars} 字",
            f"Text of {len(body.text)} characters exceeds the limit of {settings.max_text_chars}",
        )
    out = await pool.run("text", body.text, body.name, "json", RenderOptions(include_text))
    request.state.log.update(sha256=out.sha256[:12], findings=out.findings)
    return Response(out.body, media_type=out.media_type)
