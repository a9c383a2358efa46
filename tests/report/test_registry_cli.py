"""The renderer registry and `tenderscan scan --format ... -o ...` for every format."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pypdfium2 as pdfium
import pytest

from scanner.cli import main
from scanner.report import FORMATS, UnknownReportFormat, render, render_payloads
from tests.report.conftest import SAMPLE_DOCX, SAMPLE_PDF


def _check_json(data: bytes, n: int) -> None:
    assert len(json.loads(data)["findings"]) == n


def _check_jsonl(data: bytes, n: int) -> None:
    assert [len(json.loads(line)["findings"]) for line in data.decode().splitlines()] == [n]


def _check_text(data: bytes, n: int) -> None:
    assert f"共 {n} 处问题" in data.decode("utf-8")


def _check_html(data: bytes, n: int) -> None:
    assert data.decode("utf-8").count('<article class="finding') == n


def _check_docx(data: bytes, n: int) -> None:
    assert len(list(docx.Document(io.BytesIO(data)).comments)) == n


def _check_pdf(data: bytes, n: int) -> None:
    assert len(pdfium.PdfDocument(data)) > 0


def _check_xlsx(data: bytes, n: int) -> None:
    assert openpyxl.load_workbook(io.BytesIO(data))["问题清单"].max_row == n + 1


def _check_csv(data: bytes, n: int) -> None:
    assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == n + 1


CHECKS = {
    "json": _check_json,
    "jsonl": _check_jsonl,
    "text": _check_text,
    "html": _check_html,
    "docx": _check_docx,
    "pdf": _check_pdf,
    "xlsx": _check_xlsx,
    "csv": _check_csv,
}


def test_every_format_has_a_check() -> None:
    assert set(CHECKS) == set(FORMATS)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_render_registry(fmt: str, scan) -> None:
    source = SAMPLE_PDF if fmt == "pdf" else SAMPLE_DOCX
    data, result = scan(source)
    body, media_type, filename = render([result], fmt, {result.document.sha256: data})
    assert media_type == FORMATS[fmt].media_type
    assert filename.startswith(source.stem) and filename.endswith(FORMATS[fmt].suffix)
    CHECKS[fmt](body, len(result.findings))


@pytest.mark.parametrize("fmt", ["json", "jsonl", "html", "csv", "xlsx"])
def test_render_stored_payloads_matches_fresh_render(fmt: str, scan) -> None:
    _, result = scan(SAMPLE_DOCX)
    stored = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    body, _, _ = render_payloads([stored], fmt)
    CHECKS[fmt](body, len(result.findings))


def test_unknown_format_and_missing_source(scan) -> None:
    _, result = scan(SAMPLE_DOCX)
    with pytest.raises(UnknownReportFormat):
        render([result], "odt")
    with pytest.raises(Exception, match="原始文件"):
        render([result], "docx", None)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_cli_format(fmt: str, tmp_path: Path, scan) -> None:
    source = SAMPLE_PDF if fmt == "pdf" else SAMPLE_DOCX
    out = tmp_path / f"out.{fmt}"
    assert main(["scan", str(source), "--format", fmt, "-o", str(out)]) == 1
    CHECKS[fmt](out.read_bytes(), len(scan(source)[1].findings))


def test_cli_binary_needs_output(capsys) -> None:
    assert main(["scan", str(SAMPLE_DOCX), "--format", "xlsx"]) == 2
    assert "-o" in capsys.readouterr().err


def test_cli_binary_to_stdout(capfdbinary) -> None:
    assert main(["scan", str(SAMPLE_DOCX), "--format", "docx", "-o", "-"]) == 1
    assert zipfile.is_zipfile(io.BytesIO(capfdbinary.readouterr().out))


def test_cli_wrong_type_for_annotation(tmp_path: Path, capsys) -> None:
    assert main(["scan", str(SAMPLE_PDF), "--format", "docx", "-o", str(tmp_path / "x.docx")]) == 2
    assert "Word" in capsys.readouterr().err
    assert not (tmp_path / "x.docx").exists()


def test_cli_several_documents_need_a_folder(tmp_path: Path, capsys) -> None:
    docs = [str(SAMPLE_DOCX), str(SAMPLE_DOCX.with_name("sample_20p.docx"))]
    assert main(["scan", *docs, "--format", "docx", "-o", str(tmp_path / "one.docx")]) == 2
    assert "文件夹" in capsys.readouterr().err
    folder = tmp_path / "annotated"
    folder.mkdir()
    assert main(["scan", *docs, "--format", "docx", "-o", str(folder)]) == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "sample_20p-审查批注.docx",
        "sample_tender-审查批注.docx",
    ]
