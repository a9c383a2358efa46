"""Type sniffing from bytes and the plain-text reader."""

from __future__ import annotations

import io
import zipfile

import pytest

from scanner.errors import EmptyDocument, EncryptedDocument, ExtractionFailed, UnsupportedFormat
from scanner.ingest import ingest
from scanner.ingest.sniff import DOC, DOCX, PDF, TEXT, sniff
from scanner.limits import Limits

TEXT_ZH = "第一章 招标公告\n投标人须在本市注册，并提供营业执照副本。"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "media_type", "encoding"),
    [
        (TEXT_ZH.encode("utf-8"), TEXT, "utf-8"),
        (b"\xef\xbb\xbf" + TEXT_ZH.encode("utf-8"), TEXT, "utf-8-sig"),
        (TEXT_ZH.encode("gb18030"), TEXT, "gb18030"),
        (TEXT_ZH.encode("gbk"), TEXT, "gb18030"),
        (TEXT_ZH.encode("utf-16"), TEXT, "utf-16"),
        (TEXT_ZH.encode("utf-16-le"), TEXT, "utf-16-le"),
        (b"%PDF-1.7\n...", PDF, None),
        (_zip({"word/document.xml": b"<w:document/>", "[Content_Types].xml": b"<Types/>"}), DOCX, None),
        (OLE + b"\x00" * 100 + "WordDocument".encode("utf-16-le"), DOC, None),
    ],
)
def test_sniff_from_bytes(data: bytes, media_type: str, encoding: str | None) -> None:
    s = sniff(data)
    assert s.media_type == media_type
    assert s.encoding == encoding


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyDocument),
        (b"   \n\t ", EmptyDocument),
        (bytes(range(256)) * 20, UnsupportedFormat),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), UnsupportedFormat),
        (_zip({"a.txt": b"hello"}), UnsupportedFormat),
        (b"PK\x03\x04" + b"\x00" * 50, ExtractionFailed),
        (OLE + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le"), EncryptedDocument),
    ],
)
def test_sniff_rejects_clearly(data: bytes, error: type) -> None:
    with pytest.raises(error) as exc:
        sniff(data)
    assert exc.value.zh and exc.value.en  # bilingual message


def test_name_is_ignored_for_type() -> None:
    doc = ingest(TEXT_ZH.encode("gb18030"), "looks_like.pdf")
    assert doc.media_type == TEXT
    assert "本市注册" in doc.text


def test_legacy_doc_with_broken_ole_is_refused_cleanly() -> None:
    with pytest.raises(ExtractionFailed) as exc:
        ingest(OLE + b"\x00" * 100 + "WordDocument".encode("utf-16-le"), "x.docx")
    assert exc.value.zh and exc.value.en


@pytest.mark.parametrize(
    ("limits", "data"),
    [(Limits(max_bytes=10), TEXT_ZH.encode()), (Limits(max_chars=5), TEXT_ZH.encode())],
)
def test_text_limits(limits: Limits, data: bytes) -> None:
    from scanner.errors import DocumentTooLarge

    with pytest.raises(DocumentTooLarge):
        ingest(data, "t.txt", limits)


def test_text_blocks_one_per_line_and_sha256_of_bytes() -> None:
    import hashlib

    data = TEXT_ZH.encode("utf-16")
    doc = ingest(data, "t.txt")
    assert [b.text for b in doc.blocks] == TEXT_ZH.split("\n")
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
