"""Pydantic models of the HTTP API. Class names are the OpenAPI component names: keep them stable.

The scan response is documented by :class:`ScanResult` but produced by ``ScanResult.to_dict()`` of
the engine (the one public JSON shape, DESIGN §2); these models describe it, they do not reshape it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SeverityName = Literal["high", "medium", "low"]
JobStatus = Literal["queued", "running", "done", "failed"]

_LEGAL_EXAMPLE = {
    "law": "中华人民共和国招标投标法实施条例",
    "article": "第三十二条",
    "item": "（三）",
    "text": "……（三）依法必须进行招标的项目以特定行政区域或者特定行业的业绩、奖项作为加分条件或者中标条件；",
}


class LegalBasis(BaseModel):
    """法律依据：法律法规名称、条、款/项及条文内容。"""

    model_config = ConfigDict(json_schema_extra={"example": _LEGAL_EXAMPLE})
    law: str = Field(description="法律法规名称")
    article: str = Field(description="条，如“第三十二条”")
    item: str = Field(description="款或项，如“（三）”；可为空")
    text: str = Field(description="条文内容（或明确标注的要点）")


class LegalBasisEntry(LegalBasis):
    """法律依据目录中的一条（带稳定 id）。"""

    id: str = Field(description="法律依据 id，如 zbssl-32-3")


class TableRef(BaseModel):
    """发现所在的表格位置（表格外为 null）。"""

    index: int = Field(description="文档中的表格序号")
    row: int = Field(description="行号")
    col: int | None = Field(default=None, description="列号")
    header: str | None = Field(default=None, description="所在列的表头")


class TraceStep(BaseModel):
    """评分调整记录（上下文阶段、合并阶段……）。"""

    stage: str
    reason: str
    delta: float


class Finding(BaseModel):
    """一条发现：可能排斥、限制潜在投标人的条款片段。"""

    id: str = Field(description="稳定指纹：规则 + 规范化证据 + 章节，不含偏移")
    rule_id: str = Field(description="规则 id（永不改名）", examples=["TRACK-RECORD-REGION-001"])
    category: str = Field(description="类别 id", examples=["track_record"])
    category_name: str = Field(description="类别名称", examples=["不合理业绩要求"])
    severity: SeverityName = Field(description="严重程度")
    score: float = Field(description="置信度 0..1")
    text: str = Field(description="证据原文片段")
    start: int = Field(description="证据在文档提取文本中的起始偏移（按字符计）")
    end: int = Field(description="证据在文档提取文本中的结束偏移（不含）")
    clause: str = Field(description="证据所在的完整条款")
    clause_id: str
    section: list[str] = Field(description='章节路径，如 ["第三章 评标办法", "二、评分标准"]')
    section_kind: str = Field(description="章节类型：notice/qualification/scoring/technical/...")
    page: int | None = Field(description="页码（PDF）；DOCX/文本为 null")
    table: TableRef | None = Field(description="表格位置；表格外为 null")
    legal_basis: list[LegalBasis] = Field(description="法律依据")
    explanation: str = Field(description="为什么有问题（中文）")
    suggestion: str = Field(description="建议改写（中文）")
    detectors: list[str] = Field(description="产生该发现的检测器")
    trace: list[TraceStep] = Field(default_factory=list, description="评分调整记录")


class DocumentWarning(BaseModel):
    """文档提取警告（如扫描件页面）。"""

    code: str = Field(examples=["scanned_page"])
    page: int | None
    message: str


class DocumentInfo(BaseModel):
    """被扫描文档的信息。"""

    name: str = Field(description="文档名称")
    sha256: str = Field(description="文档字节的 SHA-256")
    media_type: str = Field(description="按内容识别的类型", examples=["application/pdf"])
    pages: int | None = Field(description="页数（PDF）")
    chars: int = Field(description="提取文本的字符数")
    warnings: list[DocumentWarning]


class Summary(BaseModel):
    """汇总：按类别、按严重程度计数，以及总体风险。"""

    by_category: dict[str, int]
    by_severity: dict[str, int]
    risk: Literal["high", "medium", "low", "none"]


class ScanResult(BaseModel):
    """扫描结果：即引擎 ``ScanResult.to_dict()`` 的 JSON 结构（schema_version "1"）。"""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "schema_version": "1",
                "document": {
                    "name": "招标文件.docx",
                    "sha256": "9f2c…",
                    "media_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "pages": None,
                    "chars": 58301,
                    "warnings": [],
                },
                "findings": [
                    {
                        "id": "3c1f0e9a2b7d",
                        "rule_id": "TRACK-RECORD-REGION-001",
                        "category": "track_record",
                        "category_name": "不合理业绩要求",
                        "severity": "high",
                        "score": 0.93,
                        "text": "须具有本市同类项目业绩",
                        "start": 1234,
                        "end": 1245,
                        "clause": "投标人须具有本市同类项目业绩2项以上。",
                        "clause_id": "c00042",
                        "section": ["第三章 评标办法", "二、评分标准"],
                        "section_kind": "scoring",
                        "page": None,
                        "table": None,
                        "legal_basis": [_LEGAL_EXAMPLE],
                        "explanation": "以特定行政区域的业绩作为条件，排斥外地投标人。",
                        "suggestion": "业绩只要求与本项目规模、内容相当的类似项目，不限地区。",
                        "detectors": ["rule:TRACK-RECORD-REGION-001"],
                        "trace": [],
                    }
                ],
                "summary": {"by_category": {"track_record": 1}, "by_severity": {"high": 1}, "risk": "high"},
                "versions": {"scanner": "0.1.0", "rules": "79e025abbed2", "model": "clause_clf/1"},
            }
        }
    )
    schema_version: Literal["1"]
    document: DocumentInfo
    findings: list[Finding] = Field(description="发现，按文档顺序")
    summary: Summary
    versions: dict[str, str] = Field(description="scanner / rules / model 版本")
    text: str | None = Field(
        default=None, description="文档提取全文；仅当 include_text=true 时出现（默认结构中没有此字段）"
    )


class ScanTextRequest(BaseModel):
    """纯文本扫描请求。"""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {"text": "投标人须在本市注册，并具有本市同类项目业绩。", "name": "片段"}
        },
    )
    text: str = Field(min_length=1, description="待扫描的文本（一个或多个条款）")
    name: str = Field(default="text", max_length=255, description="文档名称（仅用于结果中的 document.name）")


class JobError(BaseModel):
    """任务失败原因。"""

    code: str
    message: str = Field(description="中文 / English")


class Job(BaseModel):
    """异步扫描任务。"""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "job_id": "5d0f3c8e9a2b4f6c8d1e2f3a4b5c6d7e",
                "status": "queued",
                "progress": 0.0,
                "created_at": "2025-01-01T08:00:00Z",
                "updated_at": "2025-01-01T08:00:00Z",
                "finished_at": None,
                "expires_at": None,
                "result": None,
                "error": None,
            }
        }
    )
    job_id: str
    status: JobStatus = Field(description="queued 排队中 | running 扫描中 | done 完成 | failed 失败")
    progress: float = Field(ge=0, le=1, description="进度 0..1")
    created_at: str
    updated_at: str
    finished_at: str | None
    expires_at: str | None = Field(description="结果删除时间（完成后 job_ttl_s）")
    result: ScanResult | None = Field(description="扫描结果（status=done 时）")
    error: JobError | None = Field(description="失败原因（status=failed 时）")


class Rule(BaseModel):
    """规则目录中的一条规则。"""

    id: str = Field(examples=["TRACK-RECORD-REGION-001"])
    category: str
    category_name: str
    severity: SeverityName
    title: str
    description: str
    applies_to: list[str] = Field(description="适用的章节类型；空表示除表格格式外全部")
    legal_basis: list[LegalBasisEntry]
    suggestion: str


class Category(BaseModel):
    """类别（见 TAXONOMY）。"""

    id: str = Field(examples=["track_record"])
    name: str = Field(examples=["不合理业绩要求"])
    severity: SeverityName
    clause_level: bool
    concern: str = Field(description="此类条款的问题所在")
    suggestion: str = Field(description="通用改写建议")
    legal_basis: list[LegalBasisEntry]
    rules: int = Field(description="该类别的规则数")


class RuleList(BaseModel):
    """规则目录。"""

    version: str = Field(description="规则版本（规则与词表文件的 sha256 前缀）")
    rules: list[Rule]


class CategoryList(BaseModel):
    """类别目录。"""

    version: str
    categories: list[Category]


class Health(BaseModel):
    """服务状态。"""

    status: Literal["ok"]
    versions: dict[str, str] = Field(description="api / scanner / rules / model 版本")
    workers: int = Field(description="扫描进程数")
    busy: int = Field(description="正在扫描的文档数")
    queued: int = Field(description="排队等待的请求数")
    auth: bool = Field(description="是否启用 API 密钥")
    formats: list[str] = Field(description="/v1/scan 已支持的 format 取值")


class ErrorDetail(BaseModel):
    """错误详情。"""

    code: str = Field(description="稳定的错误代码", examples=["unsupported_format"])
    message: str = Field(description="中文 / English", examples=["不支持的文件类型 / Unsupported file type"])
    request_id: str = Field(description="请求 id（同 X-Request-ID 响应头）")


class ErrorBody(BaseModel):
    """统一错误结构：所有错误响应均为此格式。"""

    error: ErrorDetail


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses (all use :class:`ErrorBody`)."""
    text = {
        401: "缺少或无效的 API 密钥",
        404: "任务不存在或已过期",
        413: "文件过大",
        415: "不支持的文件类型",
        422: "文件无法读取、为空，或请求参数无效",
        429: "请求过于频繁（见 Retry-After）",
        500: "扫描进程异常",
        503: "服务繁忙，排队已满或排队超时（见 Retry-After）",
        504: "扫描超时",
    }
    return {c: {"model": ErrorBody, "description": text.get(c, "错误")} for c in codes}
