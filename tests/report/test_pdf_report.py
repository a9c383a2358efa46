"""Annotated PDF: one highlight (with a popup note) per finding, on the finding's page."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from scanner.report.common import note_lines
from scanner.report.pdf import annotate_pdf_marks
from tests.report.conftest import REALDOCS, SAMPLE_PDF

CASES = [pytest.param(SAMPLE_PDF, id=SAMPLE_PDF.name)] + [
    pytest.param(REALDOCS / name, id=name)
    for name in (
        "01_cn_pku_library_resources_notice_2024.pdf",
        "44_cn_tsinghua_sigs_smart_campus_student_mgmt_2024.pdf",
    )
    if (REALDOCS / name).is_file()
]


def annotations(data: bytes) -> dict[int, list[tuple[int, str]]]:
    """Page number (1-based) → (subtype, contents) of its annotations."""
    pdf = pdfium.PdfDocument(data)
    out: dict[int, list[tuple[int, str]]] = {}
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            for k in range(pdfium_c.FPDFPage_GetAnnotCount(page.raw)):
                annot = pdfium_c.FPDFPage_GetAnnot(page.raw, k)
                subtype = pdfium_c.FPDFAnnot_GetSubtype(annot)
                out.setdefault(i + 1, []).append((subtype, _contents(annot)))
                pdfium_c.FPDFPage_CloseAnnot(annot)
    finally:
        pdf.close()
    return out


def _contents(annot: object) -> str:
    import ctypes

    size = pdfium_c.FPDFAnnot_GetStringValue(annot, b"Contents", None, 0)
    buf = ctypes.create_string_buffer(size)
    pdfium_c.FPDFAnnot_GetStringValue(
        annot, b"Contents", ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)), size
    )
    return buf.raw.decode("utf-16-le").rstrip("\x00")


@pytest.mark.parametrize("path", CASES)
def test_one_highlight_per_finding_on_its_page(path: Path, scan) -> None:
    data, result = scan(path)
    out, marks = annotate_pdf_marks(data, result)
    assert out.startswith(data)  # incremental update: the original bytes are kept
    found = annotations(out)
    highlights = [
        (page, text)
        for page, items in found.items()
        for kind, text in items
        if kind == pdfium_c.FPDF_ANNOT_HIGHLIGHT
    ]
    popups = sum(1 for items in found.values() for kind, _ in items if kind == pdfium_c.FPDF_ANNOT_POPUP)
    assert len(highlights) == sum(len(m) for m in marks) == popups
    assert all(len(m) == 1 for m in marks)  # no finding of these documents crosses a page
    for f, m in zip(result.findings, marks, strict=True):
        assert m[0].page + 1 == f.page
        assert (f.page, "\n".join(note_lines(f))) in highlights


def test_highlight_boxes_cover_the_evidence(scan) -> None:
    data, result = scan(SAMPLE_PDF)
    _, marks = annotate_pdf_marks(data, result)
    pdf = pdfium.PdfDocument(data)
    try:
        for f, m in zip(result.findings, marks, strict=True):
            textpage = pdf[m[0].page].get_textpage()
            covered = "".join(textpage.get_text_bounded(*box) for box in m[0].lines)
            textpage.close()
            assert "".join(f.text.split()).replace("｜", "")[:4] in "".join(covered.split())
    finally:
        pdf.close()
