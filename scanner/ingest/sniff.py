"""Decide a document's type from its bytes, never from its name."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from scanner.errors import EmptyDocument, EncryptedDocument, UnsupportedFormat

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"
WPS = "application/vnd.ms-works"
TEXT = "text/plain"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Sniffed:
    media_type: str
    encoding: str | None = None  # for text


def sniff(data: bytes) -> Sniffed:
    """Type of a document from its leading bytes (and zip directory for OOXML)."""
    if not data or not data.strip():
        raise EmptyDocument("文件为空", "The file is empty")
    head = data[:1024]
    if b"%PDF-" in head:
        return Sniffed(PDF)
    if data.startswith(_OLE_MAGIC):
        return Sniffed(_ole_kind(data))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return Sniffed(_zip_kind(data))
    encoding = detect_text_encoding(data)
    if encoding is not None:
        return Sniffed(TEXT, encoding)
    raise UnsupportedFormat(
        "无法识别的文件类型：仅支持 PDF、Word（DOCX/DOC）、WPS 与纯文本",
        "Unrecognised file type: only PDF, Word (DOCX/DOC), WPS and plain text are supported",
    )


def _ole_kind(data: bytes) -> str:
    """OLE compound file: Word 97 .doc, WPS, or an encrypted OOXML package."""
    probe = data[: 1 << 20]
    utf16 = lambda s: s.encode("utf-16-le")
    if utf16("EncryptedPackage") in probe:
        raise EncryptedDocument(
            "文件已加密（受密码保护），请提供未加密的文件",
            "The document is password-protected; please provide an unencrypted copy",
        )
    if utf16("WordDocument") in probe:
        return DOC
    if utf16("WpsContent") in probe or b"WPS" in probe[:4096]:
        return WPS
    return DOC


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        from scanner.errors import ExtractionFailed

        raise ExtractionFailed(
            "压缩包结构损坏或不完整，无法作为 Word 文件读取",
            "The zip container is corrupt or truncated and cannot be read as a Word file",
        ) from exc
    if "word/document.xml" in names:
        return DOCX
    raise UnsupportedFormat(
        "这是一个压缩包而不是 Word 文档（缺少 word/document.xml）",
        "This is a zip archive, not a Word document (word/document.xml is missing)",
    )


def detect_text_encoding(data: bytes) -> str | None:
    """Encoding of plain text, or None if the bytes are not text in a supported encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        if _plausible_text(data.decode("utf-8")):
            return "utf-8"
    except UnicodeDecodeError:
        pass
    # GB18030 decodes almost any byte sequence, and BOM-less UTF-16 is common on Windows:
    # decode with each and keep the one whose text is made of common Chinese characters.
    best, best_score = None, 0.0
    for enc in ("gb18030", "utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if not _plausible_text(text):
            continue
        score = _common_ratio(text)
        if score > best_score:
            best, best_score = enc, score
    return best if best_score >= 0.5 else None


def _common_ratio(text: str) -> float:
    """Share of non-space characters that are ASCII or GB2312 level-1 (common) hanzi/punctuation."""
    sample = [c for c in text[:20000] if not c.isspace()]
    if not sample:
        return 0.0
    good = 0
    for c in sample:
        if c.isascii():
            good += 1
            continue
        try:
            b = c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if b[0] < 0xD8:  # rows A1-A9 symbols/punctuation, B0-D7 level-1 hanzi
            good += 1
    return good / len(sample)


def _plausible_text(text: str) -> bool:
    """Mostly printable characters, few controls, no private-use flood."""
    if not text:
        return False
    bad = sum(
        1
        for c in text[:20000]
        if (ord(c) < 32 and c not in "\r\n\t\f") or 0xE000 <= ord(c) <= 0xF8FF or c == "\ufffd"
    )
    return bad / min(len(text), 20000) < 0.01
