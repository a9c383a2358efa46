"""Ingestion: bytes → Document, dispatched on the sniffed type."""

from __future__ import annotations

from scanner.errors import DocumentTooLarge, UnsupportedFormat
from scanner.ingest.ocr import OCR_WARNINGS, Progress, ocr_document
from scanner.ingest.sniff import DOC, DOCX, PDF, TEXT, WPS, sniff
from scanner.limits import Limits
from scanner.types import Document


def _ocr(doc: Document, data: bytes, limits: Limits, progress: Progress | None) -> Document:
    pages = {w.page for w in doc.warnings if w.code in OCR_WARNINGS}
    if not pages:
        return doc
    if len(pages) > limits.ocr_max_pages:
        raise DocumentTooLarge(
            f"需要 OCR 的页数 {len(pages)} 超过上限 {limits.ocr_max_pages}",
            f"{len(pages)} pages need OCR, more than the limit of {limits.ocr_max_pages}",
        )
    return ocr_document(doc, data, progress)


def ingest(
    data: bytes, name: str = "document", limits: Limits | None = None, progress: Progress | None = None
) -> Document:
    """Read any supported document into the document model (OCR for image-only PDF pages)."""
    limits = limits or Limits()
    if len(data) > limits.max_bytes:
        raise DocumentTooLarge(
            f"文件大小 {len(data)} 字节超过上限 {limits.max_bytes} 字节",
            f"File size {len(data)} bytes exceeds the limit of {limits.max_bytes} bytes",
        )
    kind = sniff(data)
    if kind.media_type == PDF:
        from scanner.ingest.pdf import ingest_pdf

        doc = ingest_pdf(data, name, limits)
        if limits.ocr:
            doc = _ocr(doc, data, limits, progress)
        return doc
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
