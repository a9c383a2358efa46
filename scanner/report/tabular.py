"""Spreadsheet reports: one row per finding (every JSON field flattened), as XLSX or CSV.

Both work on the public JSON shape (``ScanResult.to_dict()``). The workbook has a "汇总"
sheet (per document: counts by severity and by category) and a "问题清单" sheet; both with a
styled header row, frozen panes, column widths and an autofilter. The CSV is UTF-8 with a BOM
so that Excel opens the Chinese text correctly. Text cells that a spreadsheet would read as a
formula are stored as text (XLSX) or prefixed with an apostrophe (CSV).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scanner.report.common import MEDIA_ZH, RISK_ZH, SECTION_SEP, SEVERITY_ORDER, SEVERITY_ZH, basis_label

Row = dict[str, Any]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of the findings sheet: header, value getter and display width."""

    header: str
    get: Callable[[Row, Row], Any]  # (document, finding) → value
    width: float = 14
    wrap: bool = False


def _table(key: str) -> Callable[[Row, Row], Any]:
    return lambda d, f: (f.get("table") or {}).get(key)


COLUMNS: tuple[Column, ...] = (
    Column("文件名", lambda d, f: d["name"], 28),
    Column("SHA-256", lambda d, f: d.get("sha256"), 18),
    Column("页码", lambda d, f: f.get("page"), 7),
    Column("章节", lambda d, f: SECTION_SEP.join(f.get("section") or ()), 30, True),
    Column("章节类型", lambda d, f: f.get("section_kind"), 12),
    Column("表格序号", _table("index"), 9),
    Column("表格行", _table("row"), 8),
    Column("表格列", _table("col"), 8),
    Column("列标题", _table("header"), 14),
    Column("类别", lambda d, f: f["category"], 22),
    Column("类别名称", lambda d, f: f["category_name"], 30, True),
    Column("风险等级", lambda d, f: SEVERITY_ZH.get(f["severity"], f["severity"]), 9),
    Column("风险代码", lambda d, f: f["severity"], 9),
    Column("置信度", lambda d, f: f["score"], 8),
    Column("原文证据", lambda d, f: f["text"], 36, True),
    Column("起始偏移", lambda d, f: f["start"], 9),
    Column("结束偏移", lambda d, f: f["end"], 9),
    Column("所在条款", lambda d, f: f["clause"], 50, True),
    Column("条款编号", lambda d, f: f.get("clause_id"), 10),
    Column("法律依据", lambda d, f: "；".join(basis_label(b) for b in f.get("legal_basis") or ()), 36, True),
    Column(
        "法条原文",
        lambda d, f: "\n".join(f"{basis_label(b)}：{b.get('text', '')}" for b in f.get("legal_basis") or ()),
        50,
        True,
    ),
    Column("问题说明", lambda d, f: f.get("explanation"), 50, True),
    Column("修改建议", lambda d, f: f.get("suggestion"), 50, True),
    Column("检测器", lambda d, f: ", ".join(f.get("detectors") or ()), 22),
    Column("规则编号", lambda d, f: f["rule_id"], 28),
    Column("问题编号", lambda d, f: f["id"], 18),
)
HEADERS: tuple[str, ...] = tuple(c.header for c in COLUMNS)


def finding_rows(payloads: Sequence[Row]) -> list[list[Any]]:
    """One list of column values per finding, documents in order (raw values, not escaped)."""
    return [[c.get(p["document"], f) for c in COLUMNS] for p in payloads for f in p["findings"]]


# --------------------------------------------------------------------------- CSV


def csv_safe(value: Any) -> Any:
    """Text a spreadsheet would evaluate as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(payloads: Sequence[Row]) -> bytes:
    """All findings as CSV (UTF-8 with BOM, CRLF line ends, header row first)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADERS)
    for row in finding_rows(payloads):
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------- XLSX

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F3B63")
_SEV_FILL = {
    "high": PatternFill("solid", fgColor="F8D7DA"),
    "medium": PatternFill("solid", fgColor="FFF3CD"),
    "low": PatternFill("solid", fgColor="DCEEFB"),
}


def _put(ws: Worksheet, row: int, col: int, value: Any, wrap: bool = False) -> None:
    """Write one cell: text stays text (never a formula), illegal XML characters removed."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _header(ws: Worksheet, headers: Sequence[str], widths: Sequence[float]) -> None:
    for col, (title, width) in enumerate(zip(headers, widths, strict=True), 1):
        _put(ws, 1, col, title)
        cell = ws.cell(row=1, column=col)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 22


def _findings_sheet(ws: Worksheet, payloads: Sequence[Row]) -> None:
    _header(ws, HEADERS, [c.width for c in COLUMNS])
    sev_col = HEADERS.index("风险等级") + 1
    n = 1
    for p in payloads:
        for f in p["findings"]:
            n += 1
            for col, c in enumerate(COLUMNS, 1):
                _put(ws, n, col, c.get(p["document"], f), c.wrap)
            fill = _SEV_FILL.get(f["severity"])
            if fill is not None:
                ws.cell(row=n, column=sev_col).fill = fill
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(n, 1)}"


def _category_names(payloads: Sequence[Row]) -> list[tuple[str, str]]:
    """(category id, name) of every category with a finding, in first-seen order."""
    seen: dict[str, str] = {}
    for p in payloads:
        for f in p["findings"]:
            seen.setdefault(f["category"], f["category_name"])
    return list(seen.items())


def _summary_sheet(ws: Worksheet, payloads: Sequence[Row]) -> None:
    cats = _category_names(payloads)
    fixed = ["文件名", "文件类型", "页数", "字数", "总体风险", "问题总数"]
    sevs = [f"{SEVERITY_ZH[s]}风险" for s in SEVERITY_ORDER]
    headers = [*fixed, *sevs, *(name for _, name in cats)]
    widths = [30, 22, 7, 9, 11, 9, *([8] * len(sevs)), *([14] * len(cats))]
    _header(ws, headers, widths)
    ws.row_dimensions[1].height = 48
    for r, p in enumerate(payloads, 2):
        doc, summary = p["document"], p["summary"]
        values = [
            doc["name"],
            MEDIA_ZH.get(doc.get("media_type", ""), doc.get("media_type")),
            doc.get("pages"),
            doc.get("chars"),
            RISK_ZH.get(summary.get("risk", "none"), summary.get("risk")),
            len(p["findings"]),
            *(summary.get("by_severity", {}).get(s, 0) for s in SEVERITY_ORDER),
            *(summary.get("by_category", {}).get(c, 0) for c, _ in cats),
        ]
        for col, value in enumerate(values, 1):
            _put(ws, r, col, value)
    total_row = len(payloads) + 2
    _put(ws, total_row, 1, "合计")
    ws.cell(row=total_row, column=1).font = Font(bold=True)
    for col in range(len(fixed), len(headers) + 1):
        letter = get_column_letter(col)
        ws.cell(row=total_row, column=col, value=f"=SUM({letter}2:{letter}{total_row - 1})").font = Font(
            bold=True
        )
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(total_row - 1, 1)}"


def render_xlsx(payloads: Sequence[Row]) -> bytes:
    """A workbook with a "汇总" summary sheet and a "问题清单" findings sheet."""
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    _summary_sheet(summary, payloads)
    _findings_sheet(wb.create_sheet("问题清单"), payloads)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
