"""ScanError hierarchy. Every message is bilingual: Chinese first, then English."""

from __future__ import annotations


class ScanError(Exception):
    """Base class: a document could not be scanned. ``code`` is stable for API clients."""

    code = "scan_error"
    http_status = 422

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")

    @property
    def message(self) -> str:
        return f"{self.zh} / {self.en}"

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # picklable across worker processes
        return (type(self), (self.zh, self.en))


class UnsupportedFormat(ScanError):
    code = "unsupported_format"
    http_status = 415


class DocumentTooLarge(ScanError):
    code = "document_too_large"
    http_status = 413


class EncryptedDocument(ScanError):
    code = "encrypted_document"
    http_status = 422


class EmptyDocument(ScanError):
    code = "empty_document"
    http_status = 422


class ExtractionFailed(ScanError):
    """The file is of a known type but is truncated, corrupt or otherwise unreadable."""

    code = "extraction_failed"
    http_status = 422
