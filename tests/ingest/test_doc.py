"""Legacy Word (.doc / WPS): LibreOffice conversion when present, the built-in reader otherwise."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scanner.ingest import ingest
from scanner.ingest.sniff import DOC, sniff
from scanner.limits import Limits

REALDOCS = Path(__file__).resolve().parents[3] / "shared" / "realdocs"
REAL_DOC = REALDOCS / "31_cn_china_post_am_cybersecurity_services_131p_2026.doc"
HAS_SOFFICE = bool(shutil.which("soffice"))


def _cjk(s: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", s))


@pytest.fixture(scope="module")
def generated_doc(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A Word 97 file made by LibreOffice from a DOCX with a heading, paragraphs and a table."""
    if not HAS_SOFFICE:
        pytest.skip("LibreOffice (soffice) not installed")
    import docx

    d = docx.Document()
    d.add_heading("第一章 投标人资格要求", 1)
    d.add_paragraph("投标人须在本市注册，并具有本市同类项目业绩。")
    t = d.add_table(rows=2, cols=3)
    for i, h in enumerate(["评分因素", "分值", "评分标准"]):
        t.cell(0, i).text = h
    for i, v in enumerate(["企业荣誉", "5分", "获得省级荣誉的得5分"]):
        t.cell(1, i).text = v
    tmp = tmp_path_factory.mktemp("doc")
    src = tmp / "in.docx"
    d.save(src)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "doc",
         "--outdir", str(tmp), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return (tmp / "in.doc").read_bytes()


@pytest.mark.parametrize("libreoffice", ["1", "0"])
def test_generated_doc_reads_with_and_without_libreoffice(
    generated_doc: bytes, libreoffice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENDERSCAN_LIBREOFFICE", libreoffice)
    doc = ingest(generated_doc, "x.doc", Limits())
    assert doc.media_type == DOC
    assert "投标人须在本市注册" in doc.text
    assert "获得省级荣誉的得5分" in doc.text
    codes = [w.code for w in doc.warnings]
    assert ("legacy_reader" in codes) == (libreoffice == "0")


def test_docx_name_with_ole_bytes_is_read_as_doc(
    generated_doc: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENDERSCAN_LIBREOFFICE", "0")
    assert sniff(generated_doc).media_type == DOC
    doc = ingest(generated_doc, "looks_like_modern.docx", Limits())
    assert "投标人须在本市注册" in doc.text


@pytest.mark.parametrize("libreoffice", ["1", "0"])
def test_real_wps_authored_doc_ingests_with_text(libreoffice: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not REAL_DOC.is_file():
        pytest.skip("../shared/realdocs not present")
    if libreoffice == "1" and not HAS_SOFFICE:
        pytest.skip("LibreOffice (soffice) not installed")
    monkeypatch.setenv("TENDERSCAN_LIBREOFFICE", libreoffice)
    doc = ingest(REAL_DOC.read_bytes(), REAL_DOC.name, Limits())
    assert _cjk(doc.text) > 40000
    assert "网络安全服务" in doc.text
    if libreoffice == "1":  # converted to DOCX: real headings and table rows with their headers
        rows = [b for b in doc.blocks if b.kind == "table_row"]
        assert sum(1 for b in rows if any(c.header for c in b.source.table.cells)) > 50
        assert sum(1 for b in doc.blocks if b.kind == "heading") > 20


def test_corrupt_ole_is_a_clean_error() -> None:
    from scanner.errors import ExtractionFailed

    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "WordDocument".encode("utf-16-le")
    with pytest.raises(ExtractionFailed):
        ingest(data, "broken.doc", Limits())


def test_empty_file_is_not_io_error() -> None:
    from scanner.errors import EmptyDocument

    with pytest.raises(EmptyDocument):
        ingest(io.BytesIO(b"").getvalue(), "x.doc", Limits())


def test_libreoffice_profiles_of_dead_processes_are_swept(tmp_path, monkeypatch):
    import subprocess
    import sys

    from scanner.ingest import doc as docmod

    monkeypatch.setattr(docmod.tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setattr(docmod, "_profile", None)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = tmp_path / f"tenderscan-lo-profile-{int(dead.stdout)}"
    (stale / "user").mkdir(parents=True)
    unrelated = tmp_path / "tenderscan-lo-profile-notapid"
    unrelated.mkdir()
    mine = docmod.profile_dir()
    assert mine.name == f"tenderscan-lo-profile-{docmod.os.getpid()}"
    assert not stale.exists() and unrelated.exists()
