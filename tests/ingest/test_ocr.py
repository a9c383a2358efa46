"""OCR of pages without a usable text layer: scanned sample, vector-outlined and (cid:) PDFs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scanner.engine import ScanEngine
from scanner.ingest import ingest
from scanner.ingest.ocr import ocr_available
from scanner.limits import Limits
from tests.helpers.scanned import image_only_pdf

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpus" / "samples" / "sample_tender.pdf"
REALDOCS = REPO.parent / "shared" / "realdocs"
pytestmark = pytest.mark.skipif(not ocr_available(), reason="rapidocr-onnxruntime not installed")
MAX_PAGES = 5  # OCR costs seconds per page: the test scans the pages that hold findings


def _cjk(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def _squash(s: str) -> str:
    return re.sub(r"[\s，,。；;：:（）()“”]", "", s)


def _has_cjk_font() -> bool:
    import subprocess

    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(out.strip())


@pytest.mark.skipif(not _has_cjk_font(), reason="needs a CJK system font to render the sample PDF to images")
def test_scanned_sample_keeps_95_percent_of_findings() -> None:
    engine = ScanEngine(model=False)
    text_result = engine.scan_file(SAMPLE)
    by_page: dict[int, int] = {}
    for f in text_result.findings:
        by_page[f.page] = by_page.get(f.page, 0) + 1
    pages = sorted(sorted(by_page, key=lambda p: -by_page[p])[:MAX_PAGES])
    expected = [f for f in text_result.findings if f.page in pages]
    assert len(expected) >= 5

    scanned = image_only_pdf(SAMPLE, pages)
    doc = ingest(scanned, "scanned.pdf", Limits())
    codes = [w.code for w in doc.warnings]
    assert codes.count("scanned_page") == len(pages)
    assert codes.count("ocr_page") == len(pages)
    ocr_result = engine.scan_document(doc)

    def found(f) -> bool:  # same category, evidence recognised (OCR may drop a character or two)
        ev = _squash(f.text)
        for g in ocr_result.findings:
            if g.category != f.category:
                continue
            other = _squash(g.clause)
            if ev[:8] in other or ev[-8:] in other:
                return True
        return False

    kept = [f for f in expected if found(f)]
    assert len(kept) / len(expected) >= 0.95, [(f.category, f.text) for f in expected if f not in kept]
    # page numbers map back to the original page numbering order
    assert {b.source.page for b in doc.blocks} <= set(range(1, len(pages) + 1))


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        ("18_cn_yangshan_msa_ship_ops_notice_vector_text_2024.pdf", "scanned_page"),
        ("25_cn_anqing_road_works_excerpt_cid_garbled.pdf", "garbled_page"),
    ],
)
def test_realdocs_without_text_layer_are_read_by_ocr(name: str, warning: str) -> None:
    path = REALDOCS / name
    if not path.is_file():
        pytest.skip("../shared/realdocs not present")
    import pypdfium2 as pdfium

    # first page only, to keep the suite fast
    src = pdfium.PdfDocument(path.read_bytes())
    one = pdfium.PdfDocument.new()
    one.import_pages(src, [0])
    import io

    buf = io.BytesIO()
    one.save(buf)
    doc = ingest(buf.getvalue(), name, Limits())
    assert warning in [w.code for w in doc.warnings]
    ocr = [w for w in doc.warnings if w.code == "ocr_page"]
    assert ocr and "置信度" in ocr[0].message
    assert _cjk(doc.text) > 200  # readable Chinese text came back
    assert all(b.source.page == 1 and b.source.bbox for b in doc.blocks)


def test_ocr_can_be_switched_off() -> None:
    path = REALDOCS / "18_cn_yangshan_msa_ship_ops_notice_vector_text_2024.pdf"
    if not path.is_file():
        pytest.skip("../shared/realdocs not present")
    doc = ingest(path.read_bytes(), path.name, Limits(ocr=False))
    assert "ocr_page" not in [w.code for w in doc.warnings]
    assert _cjk(doc.text) == 0
