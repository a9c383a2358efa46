"""Report renderers and their registry: one call turns scan results into any output format.

``render(results, fmt, sources)`` returns ``(body, media_type, suggested_filename)`` for
json, jsonl, text, html, xlsx, csv (any number of documents) and docx, pdf (the annotated
original of exactly one document, whose bytes are passed in ``sources``).
``render_payloads`` does the same from stored JSON results (``ScanResult.to_dict()``), for the
formats that do not need the original document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from scanner.errors import ScanError
from scanner.report.common import ReportInputError
from scanner.types import ScanResult

__all__ = [
    "FORMATS",
    "ReportInputError",
    "UnknownReportFormat",
    "render",
    "render_payloads",
    "suggested_filename",
]

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Payload = dict[str, Any]


class UnknownReportFormat(ScanError):
    """A report format that does not exist."""

    code = "invalid_format"
    http_status = 422


@dataclass(frozen=True)
class Format:
    """An output format: media type, file suffix, whether it is binary / needs the original bytes."""

    name: str
    media_type: str
    suffix: str
    label: str  # Chinese word used in suggested file names
    binary: bool = False
    annotates: bool = False  # docx/pdf: the annotated original of one document


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("json", "application/json", ".json", "审查结果"),
        Format("jsonl", "application/x-ndjson", ".jsonl", "审查结果"),
        Format("text", "text/plain; charset=utf-8", ".txt", "审查报告"),
        Format("html", "text/html; charset=utf-8", ".html", "审查报告"),
        Format("csv", "text/csv; charset=utf-8", ".csv", "审查结果"),
        Format("xlsx", _XLSX, ".xlsx", "审查结果", binary=True),
        Format("docx", _DOCX, ".docx", "审查批注", binary=True, annotates=True),
        Format("pdf", "application/pdf", ".pdf", "审查批注", binary=True, annotates=True),
    )
}


def _format(fmt: str) -> Format:
    if fmt not in FORMATS:
        raise UnknownReportFormat(
            f"不支持的报告格式“{fmt}”，可选：{'、'.join(FORMATS)}",
            f"Unknown report format '{fmt}'; choose one of: {', '.join(FORMATS)}",
        )
    return FORMATS[fmt]


def _stem(name: str) -> str:
    base = PureWindowsPath(PurePosixPath(name).name).name
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    return stem.strip() or "document"


def suggested_filename(names: Sequence[str], fmt: str) -> str:
    """``<document>-审查报告.html`` for one document, ``tenderscan-审查报告.html`` for several."""
    spec = _format(fmt)
    stem = _stem(names[0]) if len(names) == 1 else "tenderscan"
    return f"{stem}-{spec.label}{spec.suffix}"


# --------------------------------------------------------------------------- from payloads


def _json(payloads: Sequence[Payload]) -> bytes:
    body = payloads[0] if len(payloads) == 1 else list(payloads)
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _jsonl(payloads: Sequence[Payload]) -> bytes:
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in payloads).encode("utf-8")


def _html(payloads: Sequence[Payload]) -> bytes:
    from scanner.report.html import render_html

    return render_html(payloads).encode("utf-8")


def _csv(payloads: Sequence[Payload]) -> bytes:
    from scanner.report.tabular import render_csv

    return render_csv(payloads)


def _xlsx(payloads: Sequence[Payload]) -> bytes:
    from scanner.report.tabular import render_xlsx

    return render_xlsx(payloads)


_FROM_PAYLOADS: dict[str, Callable[[Sequence[Payload]], bytes]] = {
    "json": _json,
    "jsonl": _jsonl,
    "html": _html,
    "csv": _csv,
    "xlsx": _xlsx,
}


def render_payloads(payloads: Sequence[Payload], fmt: str) -> tuple[bytes, str, str]:
    """Render stored JSON results (json, jsonl, html, csv, xlsx); annotated formats need ``render``."""
    spec = _format(fmt)
    if fmt not in _FROM_PAYLOADS:
        raise ReportInputError(
            f"“{fmt}”格式需要原始文档，无法仅凭扫描结果生成",
            f"The '{fmt}' format needs the original document, not only the scan result",
        )
    names = [p["document"]["name"] for p in payloads]
    return _FROM_PAYLOADS[fmt](payloads), spec.media_type, suggested_filename(names or ["document"], fmt)


# --------------------------------------------------------------------------- from results


def _text(results: Sequence[ScanResult]) -> bytes:
    from scanner.report.text import render_text

    return "".join(render_text(r, colour=False) for r in results).encode("utf-8")


def _source_of(result: ScanResult, sources: dict[str, bytes] | None) -> bytes:
    """The original bytes of a document, keyed by its sha256 or its name."""
    doc = result.document
    data = None
    if sources:
        data = sources.get(doc.sha256, sources.get(doc.name))
    if data is None:
        raise ReportInputError(
            f"生成批注版文档需要原始文件：{doc.name}",
            f"The annotated report needs the original file: {doc.name}",
        )
    return data


def _annotated(result: ScanResult, fmt: str, data: bytes) -> bytes:
    if fmt == "docx":
        from scanner.report.docx import annotate_docx

        return annotate_docx(data, result)
    from scanner.report.pdf import annotate_pdf

    return annotate_pdf(data, result)


def render(
    results: Sequence[ScanResult], fmt: str, sources: dict[str, bytes] | None = None
) -> tuple[bytes, str, str]:
    """Render scan results as ``fmt``: (body, media type, suggested file name).

    docx and pdf annotate the original of exactly one document: ``sources`` maps its sha256 (or
    its name) to its bytes, and the document must be of that type (else :class:`ReportInputError`).
    """
    spec = _format(fmt)
    names = [r.document.name for r in results] or ["document"]
    if spec.annotates:
        if len(results) != 1:
            raise ReportInputError(
                f"批注版 {fmt} 报告一次只能针对一份文档（当前 {len(results)} 份）",
                f"An annotated {fmt} report covers exactly one document (got {len(results)})",
            )
        body = _annotated(results[0], fmt, _source_of(results[0], sources))
    elif fmt == "text":
        body = _text(results)
    else:
        body = _FROM_PAYLOADS[fmt]([r.to_dict() for r in results])
    return body, spec.media_type, suggested_filename(names, fmt)
