"""Checks for the generated sample tender documents in corpus/samples/.

Regenerates everything into a temporary folder and compares it with the
committed files (determinism), then checks the PDF's length and that every
planted restrictive clause can be found in the text pypdfium2 extracts.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

pytest.importorskip("reportlab")
docx = pytest.importorskip("docx")
pdfium = pytest.importorskip("pypdfium2")

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "corpus" / "samples"

CATEGORY_IDS = {
    "market_share",
    "track_record",
    "brand_tailored",
    "spec_tailored",
    "specific_patent_or_origin",
    "regional_restriction",
    "local_branch",
    "awards_honours",
    "firm_size",
    "years_in_business",
    "ownership_form",
    "manufacturer_authorization",
    "nonstatutory_qualification",
    "excessive_qualification",
    "irrelevant_requirement",
    "qualification_as_scoring",
    "supplier_pool",
    "unequal_standards",
    "business_scope",
    "test_report_burden",
    "doc_access_restriction",
    "bid_security_restriction",
    "forced_consortium",
    "unequal_information",
}


def _load_generator():
    spec = importlib.util.spec_from_file_location("corpus_samples_generate", SAMPLES / "generate.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def gen():
    return _load_generator()


@pytest.fixture(scope="module")
def regenerated(gen, tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    assert gen.main(["--out", str(out)]) == 0
    return out


def _docx_texts(path: Path) -> list[str]:
    d = docx.Document(str(path))
    texts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            texts.append("\t".join(c.text for c in row.cells))
    texts.append(d.sections[0].header.paragraphs[0].text)
    return texts


def _expected(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pdf_text(gen, path: Path) -> str:
    """Whole-document text via pypdfium2, whitespace removed, running header/footer stripped per page
    (so that a sentence broken across a page boundary is found again)."""
    header = re.sub(r"\s+", "", gen.PROJECT + "项目编号：" + gen.PROJECT_NO)
    pdf = pdfium.PdfDocument(str(path))
    parts = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            tp = page.get_textpage()
            t = re.sub(r"\s+", "", tp.get_text_range())
            tp.close()
            page.close()
            if t.startswith(header):
                t = t[len(header) :]
            t = re.sub(r"^第\d+页共\d+页", "", t)
            parts.append(t)
    finally:
        pdf.close()
    return "".join(parts)


COMMITTED = [
    "sample_tender.pdf",
    "sample_tender.docx",
    "sample_tender.expected.jsonl",
    "sample_20p.docx",
    "sample_short.txt",
    "sample_short.expected.jsonl",
]


@pytest.mark.parametrize("name", COMMITTED)
def test_committed_files_exist_and_small(name):
    p = SAMPLES / name
    assert p.is_file(), f"{name} missing: run python corpus/samples/generate.py"
    assert p.stat().st_size < 2 * 1024 * 1024


def test_pdf_bytes_identical(regenerated):
    assert (regenerated / "sample_tender.pdf").read_bytes() == (SAMPLES / "sample_tender.pdf").read_bytes()


@pytest.mark.parametrize("name", ["sample_tender.docx", "sample_20p.docx"])
def test_docx_text_identical(regenerated, name):
    assert _docx_texts(regenerated / name) == _docx_texts(SAMPLES / name)


@pytest.mark.parametrize(
    "name", ["sample_tender.expected.jsonl", "sample_short.txt", "sample_short.expected.jsonl"]
)
def test_text_outputs_identical(regenerated, name):
    assert (regenerated / name).read_text(encoding="utf-8") == (SAMPLES / name).read_text(encoding="utf-8")


def test_pdf_page_count():
    pdf = pdfium.PdfDocument(str(SAMPLES / "sample_tender.pdf"))
    try:
        assert len(pdf) >= 60
    finally:
        pdf.close()


def test_expected_clauses_cover_taxonomy():
    exp = _expected(SAMPLES / "sample_tender.expected.jsonl")
    assert 18 <= len(exp) <= 30
    cats = {e["category"] for e in exp}
    assert cats <= CATEGORY_IDS
    assert len(cats) >= 14
    assert all(e["chapter"].startswith("第") for e in exp)
    assert len({e["text"] for e in exp}) == len(exp)


def test_expected_texts_in_pdf(gen):
    text = _pdf_text(gen, SAMPLES / "sample_tender.pdf")
    assert "评分因素" in text and "中小企业声明函" in text
    missing = [
        e["text"]
        for e in _expected(SAMPLES / "sample_tender.expected.jsonl")
        if re.sub(r"\s+", "", e["text"]) not in text
    ]
    assert not missing


def test_expected_texts_in_docx():
    text = "\n".join(_docx_texts(SAMPLES / "sample_tender.docx"))
    missing = [
        e["text"] for e in _expected(SAMPLES / "sample_tender.expected.jsonl") if e["text"] not in text
    ]
    assert not missing


def test_docx_structure():
    d = docx.Document(str(SAMPLES / "sample_tender.docx"))
    styles = [p.style.name for p in d.paragraphs]
    assert styles.count("Heading 1") == 6
    assert styles.count("Heading 2") >= 20 and styles.count("Heading 3") >= 40
    headers = [[c.text for c in t.rows[0].cells] for t in d.tables]
    assert ["序号", "评分因素", "分值", "评分标准"] in headers
    body = d.element.body.xml
    assert "w:gridSpan" in body and "w:vMerge" in body  # merged cells
    assert "PAGE" in d.sections[0].footer._element.xml


def test_pdf_tables_found_by_pdfplumber():
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(str(SAMPLES / "sample_tender.pdf")) as pdf:
        found = 0
        scoring = False
        for page in pdf.pages:
            tables = page.find_tables()
            found += len(tables)
            for t in tables:
                rows = t.extract()
                if rows and [re.sub(r"\s+", "", c or "") for c in rows[0]] == [
                    "序号",
                    "评分因素",
                    "分值",
                    "评分标准",
                ]:
                    scoring = True
    assert found >= 15
    assert scoring


def test_short_sample():
    text = (SAMPLES / "sample_short.txt").read_text(encoding="utf-8")
    assert 30 <= len(text.splitlines()) <= 50
    exp = _expected(SAMPLES / "sample_short.expected.jsonl")
    assert len(exp) == 5
    assert all(e["text"] in text for e in exp)
