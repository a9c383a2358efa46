"""Annotated DOCX: one comment per finding, anchored on exactly the evidence, nothing else changed."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from scanner.report import ReportInputError, render
from scanner.report.docx import annotate_docx_placements, comment_ranges
from tests.report.conftest import REALDOCS, SAMPLE_DOCX, SAMPLE_PDF, docx_inputs

CASES = [pytest.param(p, id=p.name) for p in docx_inputs()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def anchored_matches(evidence: str, anchored: str, in_table: bool) -> bool:
    """Exact, or equal once the spaces the reader removed (and, in tables, the cell joins) are ignored."""
    if anchored == evidence or _squash(anchored) == _squash(evidence):
        return True
    return in_table and _squash(anchored) == _squash(evidence).replace("｜", "")


def paragraph_texts(document: docx.document.Document) -> list[str]:
    """Text of every body paragraph and every table-cell paragraph (nested tables included)."""
    out = [p.text for p in document.paragraphs]

    def walk(tables: list) -> None:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    out.extend(p.text for p in cell.paragraphs)
                    walk(cell.tables)

    walk(document.tables)
    return out


@pytest.fixture(scope="module")
def annotated(scan):
    cache: dict[Path, tuple] = {}

    def _annotated(path: Path):
        if path not in cache:
            data, result = scan(path)
            out, placements = annotate_docx_placements(data, result)
            cache[path] = (data, result, out, placements)
        return cache[path]

    return _annotated


@pytest.mark.parametrize("path", CASES)
def test_one_comment_per_finding_anchored_on_the_evidence(path: Path, annotated) -> None:
    _, result, out, placements = annotated(path)
    document = docx.Document(io.BytesIO(out))
    assert len(list(document.comments)) == len(result.findings)
    ranges = dict(comment_ranges(zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml")))
    assert len(ranges) == len(result.findings)
    for f, placed in zip(result.findings, placements, strict=True):
        assert placed.method == "anchor", f.text
        assert anchored_matches(f.text, ranges[placed.comment_id], f.table is not None), (
            f.text,
            ranges[placed.comment_id],
        )


@pytest.mark.parametrize("path", CASES)
def test_paragraph_texts_and_other_parts_unchanged(path: Path, annotated) -> None:
    data, _, out, _ = annotated(path)
    assert paragraph_texts(docx.Document(io.BytesIO(data))) == paragraph_texts(docx.Document(io.BytesIO(out)))
    before, after = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(out))
    allowed = {
        "word/document.xml",
        "word/comments.xml",
        "word/_rels/document.xml.rels",
        "[Content_Types].xml",
    }
    for name in before.namelist():
        if name not in allowed:
            assert before.read(name) == after.read(name), name
    assert set(after.namelist()) - set(before.namelist()) <= {"word/comments.xml"}


def test_comment_content_and_author(annotated) -> None:
    _, result, out, _ = annotated(SAMPLE_DOCX)
    comments = list(docx.Document(io.BytesIO(out)).comments)
    first, f = comments[0], result.findings[0]
    assert first.author == "招标文件公平竞争审查"
    assert first.initials
    text = first.text
    for part in (
        f.category_name,
        f.explanation,
        f.suggestion,
        f.legal_basis[0].law,
        f.legal_basis[0].article,
    ):
        assert part in text


def test_evidence_runs_highlighted_and_formatting_kept(annotated) -> None:
    _, _, out, _ = annotated(SAMPLE_DOCX)
    xml = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode("utf-8")
    assert xml.count("<w:commentRangeStart ") == xml.count("<w:commentReference ")
    assert '<w:highlight w:val="yellow"/>' in xml
    assert "ns0:" not in xml


def test_configurable_author(scan) -> None:
    from scanner.report.docx import annotate_docx

    data, result = scan(SAMPLE_DOCX)
    out = annotate_docx(data, result, author="审查员", initials="SC")
    comment = next(iter(docx.Document(io.BytesIO(out)).comments))
    assert (comment.author, comment.initials) == ("审查员", "SC")


@pytest.mark.parametrize(
    ("source", "fmt", "message"),
    [(SAMPLE_PDF, "docx", "Word"), (SAMPLE_DOCX, "pdf", "PDF")],
    ids=["pdf-as-docx", "docx-as-pdf"],
)
def test_wrong_input_type_is_a_clear_error(scan, source: Path, fmt: str, message: str) -> None:
    data, result = scan(source)
    with pytest.raises(ReportInputError) as info:
        render([result], fmt, {result.document.sha256: data})
    assert message in info.value.zh and info.value.en


def test_other_bytes_refused(scan) -> None:
    _, result = scan(SAMPLE_DOCX)
    with pytest.raises(ReportInputError):
        render([result], "docx", {result.document.sha256: b"PK\x03\x04 not the document"})


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_annotated_copies(annotated, tmp_path: Path) -> None:
    inputs = [SAMPLE_DOCX, *(sorted(REALDOCS.glob("*.docx")) if REALDOCS.is_dir() else [])]
    expected = {}
    for path in inputs:
        _, result, out, _ = annotated(path)
        (tmp_path / path.name).write_bytes(out)
        expected[path.stem] = len(result.findings)
    run = subprocess.run(
        ["soffice", "--headless", "--norestore", "--convert-to", "odt", "--outdir", str(tmp_path / "odt")]
        + [str(tmp_path / p.name) for p in inputs],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    for stem, count in expected.items():
        content = zipfile.ZipFile(tmp_path / "odt" / f"{stem}.odt").read("content.xml").decode("utf-8")
        assert len(re.findall(r"<office:annotation[ >]", content)) == count, stem
        assert content.count("<office:annotation-end") == count, stem
