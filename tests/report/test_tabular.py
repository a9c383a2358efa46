"""XLSX and CSV: one row per finding, the same rows in both, summary sheet per document."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from scanner.report import render
from scanner.report.tabular import HEADERS, csv_safe, finding_rows
from tests.report.conftest import SAMPLE_DOCX, SAMPLE_PDF


@pytest.fixture(scope="module")
def results(scan):
    return [scan(SAMPLE_DOCX)[1], scan(SAMPLE_PDF)[1]]


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def test_xlsx_rows_and_sheets(results) -> None:
    body, media_type, filename = render(results, "xlsx")
    assert filename.endswith(".xlsx") and "spreadsheetml" in media_type
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["汇总", "问题清单"]
    sheet = wb["问题清单"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(HEADERS)
    assert len(rows) - 1 == sum(len(r.findings) for r in results)
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref
    expected = finding_rows([r.to_dict() for r in results])
    assert [list(r) for r in rows[1:]] == expected
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert [row[0] for row in summary[1:-1]] == [r.document.name for r in results]
    assert [row[5] for row in summary[1:-1]] == [len(r.findings) for r in results]


def test_csv_has_bom_and_the_same_rows(results) -> None:
    body, media_type, _ = render(results, "csv")
    assert body.startswith(b"\xef\xbb\xbf") and media_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == list(HEADERS)
    expected = [[_cell(csv_safe(v)) for v in row] for row in finding_rows([r.to_dict() for r in results])]
    assert rows[1:] == expected


def test_formula_like_text_stays_text(engine) -> None:
    result = engine.scan_text("=投标人须在本市注册，并具有本市同类项目业绩。")
    assert result.findings
    payload = result.to_dict()
    payload["findings"][0]["text"] = '=HYPERLINK("x")'
    from scanner.report.tabular import render_csv, render_xlsx

    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx([payload])))["问题清单"]
    col = HEADERS.index("原文证据") + 1
    assert sheet.cell(row=2, column=col).data_type == "s"
    rows = list(csv.reader(io.StringIO(render_csv([payload]).decode("utf-8-sig"))))
    assert rows[1][col - 1].startswith("'=")
