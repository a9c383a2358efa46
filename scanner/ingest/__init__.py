"""Ingestion: bytes → Document, dispatched on the sniffed type."""

from __future__ import annotations

from scanner.errors import DocumentTooLarge, UnsupportedFormat
from scanner.ingest.sniff import DOC, DOCX, PDF, TEXT, WPS, sniff
from scanner.limits import Limits
from scanner.types import Document


def ingest(data: bytes, name: str = "document", limits: Limits | None = None) -> Document:
    """Read any supported document into the document model."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise DocumentTooLarge(
            f"文件大小 {len(data)} 字节超过上限 {limits.max_bytes} 字节",
            f"File size {len(data)} bytes exceeds the limit of {limits.max_bytes} bytes",
        )
    kind = sniff(data)
    if kind.media_type == PDF:
        from scanner.ingest.pdf import ingest_pdf

        return ingest_pdf(data, name, limits)
    if kind.media_type == DOCX:
        from scanner.ingest.docx import ingest_docx

        return ingest_docx(data, name, limits)
    if kind.media_type == TEXT:
        from scanner.ingest.text import ingest_text

        return ingest_text(data, name, limits, kind.encoding or "utf-8")
    if kind.media_type in (DOC, WPS):
        from scanner.ingest.doc import ingest_doc

        return ingest_doc(data, name, limits, kind.media_type)
    raise UnsupportedFormat("不支持的文件类型", "Unsupported file type")


__all__ = ["DOC", "DOCX", "PDF", "TEXT", "WPS", "ingest", "sniff"]
