"""Audit reports over the store: the tables (``build_report``), CSV, XLSX; HTML is in ``html.py``.

Tables: totals; findings by category, severity, buyer, agency and month (of the publication
date); the most frequent restrictive phrasings (findings' evidence normalised — digits, Chinese
numerals, place names, punctuation and spaces removed — then grouped); the documents with the
most high-severity findings; failures. Filters: publication date range (documents without a
date are left out when a range is given), buyer substring, category.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from scanner.normalize import normalize_for_match
from scanner.resources import lexicons_dir

SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}
UNKNOWN = "（未识别）"
TOP = 30


@dataclass(frozen=True)
class Filters:
    date_from: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    date_to: str | None = None
    buyer: str | None = None
    category: str | None = None

    def describe(self) -> str:
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"发布日期 {self.date_from or '…'} 至 {self.date_to or '…'}")
        if self.buyer:
            parts.append(f"采购人包含“{self.buyer}”")
        if self.category:
            parts.append(f"类别 {self.category}")
        return "；".join(parts) or "全部"


def parse_date_bound(value: str | None, *, end: bool) -> str | None:
    """``2025`` / ``2025-03`` / ``2025-03-09`` → a full ISO date (first or last day); ValueError if bad."""
    if value is None:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value.strip())
    if not m:
        raise ValueError(value)
    y, mo, d = m.group(1), m.group(2), m.group(3)
    if mo is None:
        return f"{y}-12-31" if end else f"{y}-01-01"
    if d is None:
        return f"{y}-{int(mo):02d}-31" if end else f"{y}-{int(mo):02d}-01"
    return f"{y}-{int(mo):02d}-{int(d):02d}"


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class ReportData:
    db: str
    generated_at: str
    filters: Filters
    totals: dict[str, Any]
    tables: dict[str, Table] = field(default_factory=dict)
    findings: Table | None = None


# -- phrasing clusters ------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _place_re() -> re.Pattern[str]:
    names: set[str] = set()
    for fname in ("regions.txt", "specific_patent_or_origin_places.txt"):
        path = lexicons_dir() / "terms" / fname
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#") and len(line) >= 2:
                    names.add(line)
    names |= {n[:-1] for n in names if len(n) >= 3 and n[-1] in "省市县区"}
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or "(?!)")


_NUMERALS = re.compile(r"[0-9０-９零〇一二三四五六七八九十百千万两]+")
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)


def phrase_key(text: str) -> str:
    """Evidence normalised for grouping: no places, digits, numerals, punctuation or spaces."""
    t = normalize_for_match(text)
    t = _place_re().sub("", t)
    t = _NUMERALS.sub("", t)
    return _NOT_WORD.sub("", t).lower()


# -- queries ----------------------------------------------------------------------------------------
def _connect(db: str | Path) -> sqlite3.Connection:
    path = Path(db)
    if not path.is_file():
        raise FileNotFoundError(str(path))
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def _doc_where(f: Filters) -> tuple[str, list[Any]]:
    clauses, params = ["1=1"], []
    pub = "(CASE WHEN length(d.published_date) = 7 THEN d.published_date || '-01' ELSE d.published_date END)"
    if f.date_from:
        clauses.append(f"{pub} >= ?")
        params.append(parse_date_bound(f.date_from, end=False))
    if f.date_to:
        clauses.append(f"{pub} <= ?")
        params.append(parse_date_bound(f.date_to, end=True))
    if f.buyer:
        clauses.append("d.buyer LIKE ?")
        params.append(f"%{f.buyer}%")
    return " AND ".join(clauses), params


def _finding_where(f: Filters) -> tuple[str, list[Any]]:
    where, params = _doc_where(f)
    if f.category:
        where += " AND f.category = ?"
        params.append(f.category)
    return where, params


def _rows(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[sqlite3.Row]:
    return conn.execute(sql, params).fetchall()


def build_report(db: str | Path, filters: Filters | None = None) -> ReportData:
    filters = filters or Filters()
    conn = _connect(db)
    try:
        return _build(conn, str(db), filters)
    finally:
        conn.close()


def _build(conn: sqlite3.Connection, db: str, f: Filters) -> ReportData:
    dw, dp = _doc_where(f)
    fw, fp = _finding_where(f)
    fjoin = "FROM findings f JOIN documents d ON d.id = f.document_id"
    docs = _rows(
        conn,
        f"SELECT COUNT(*) n, COUNT(DISTINCT buyer) buyers, MIN(published_date) lo, "
        f"MAX(published_date) hi FROM documents d WHERE {dw}",
        dp,
    )[0]
    sev = {
        r["severity"]: r["n"]
        for r in _rows(conn, f"SELECT f.severity, COUNT(*) n {fjoin} WHERE {fw} GROUP BY 1", fp)
    }
    flagged = _rows(conn, f"SELECT COUNT(DISTINCT f.document_id) n {fjoin} WHERE {fw}", fp)[0]["n"]
    failures = _rows(conn, "SELECT path, kind, code, message_zh, message_en FROM failures ORDER BY path", [])
    runs = _rows(conn, "SELECT MAX(finished_at) last, COUNT(*) n FROM runs", [])[0]
    versions = [r[0] for r in _rows(conn, f"SELECT DISTINCT engine_version FROM documents d WHERE {dw}", dp)]
    total_findings = sum(sev.values())
    totals = {
        "documents": docs["n"],
        "flagged_documents": flagged,
        "findings": total_findings,
        "high": sev.get("high", 0),
        "medium": sev.get("medium", 0),
        "low": sev.get("low", 0),
        "failures": len(failures),
        "buyers": docs["buyers"],
        "date_from": docs["lo"],
        "date_to": docs["hi"],
        "runs": runs["n"],
        "last_run": runs["last"],
        "engine_versions": versions,
    }
    data = ReportData(db=db, generated_at=time.strftime("%Y-%m-%d %H:%M"), filters=f, totals=totals)
    t = data.tables
    t["totals"] = Table(
        "totals",
        "概览",
        ["指标", "数值"],
        [
            ["审计文档数", docs["n"]],
            ["存在问题的文档数", flagged],
            ["问题总数", total_findings],
            ["高风险问题", sev.get("high", 0)],
            ["中风险问题", sev.get("medium", 0)],
            ["低风险问题", sev.get("low", 0)],
            ["扫描失败（文件/压缩包）", len(failures)],
            ["采购人数量", docs["buyers"]],
            ["发布日期范围", f"{docs['lo'] or '—'} 至 {docs['hi'] or '—'}"],
            ["审计运行次数", runs["n"]],
            ["引擎版本", "；".join(versions) or "—"],
            ["筛选条件", f.describe()],
        ],
    )
    t["by_category"] = Table(
        "by_category",
        "按问题类别",
        ["类别", "类别名称", "问题数", "涉及文档", "高风险"],
        [
            [r[0], r[1], r[2], r[3], r[4]]
            for r in _rows(
                conn,
                f"SELECT f.category, MAX(f.category_name), COUNT(*) n, COUNT(DISTINCT f.document_id), "
                f"SUM(f.severity = 'high') {fjoin} WHERE {fw} GROUP BY 1 ORDER BY n DESC, 1",
                fp,
            )
        ],
    )
    t["by_severity"] = Table(
        "by_severity",
        "按严重程度",
        ["严重程度", "问题数", "涉及文档"],
        [
            [SEVERITY_ZH.get(r[0], r[0]), r[1], r[2]]
            for r in _rows(
                conn,
                f"SELECT f.severity, COUNT(*), COUNT(DISTINCT f.document_id) {fjoin} WHERE {fw} GROUP BY 1 "
                "ORDER BY CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END",
                fp,
            )
        ],
    )
    for key, col, title, head in (
        ("by_buyer", "buyer", "按采购人/招标人", "采购人"),
        ("by_agency", "agency", "按代理机构", "代理机构"),
    ):
        t[key] = Table(
            key,
            title,
            [head, "文档数", "问题数", "高风险"],
            [
                [r[0] or UNKNOWN, r[1], r[2] or 0, r[3] or 0]
                for r in _rows(
                    conn,
                    f"SELECT d.{col}, COUNT(*), SUM(c.n), SUM(c.h) FROM documents d LEFT JOIN "
                    f"(SELECT f.document_id id, COUNT(*) n, SUM(f.severity = 'high') h {fjoin} WHERE {fw} "
                    f"GROUP BY 1) c ON c.id = d.id WHERE {dw} GROUP BY 1 ORDER BY 3 DESC, 2 DESC LIMIT {TOP}",
                    fp + dp,
                )
            ],
            note=f"按问题数排序，最多 {TOP} 行",
        )
    t["by_month"] = Table(
        "by_month",
        "按发布月份",
        ["月份", "文档数", "问题数", "高风险"],
        [
            [r[0] or "未知", r[1], r[2] or 0, r[3] or 0]
            for r in _rows(
                conn,
                f"SELECT substr(d.published_date, 1, 7) m, COUNT(*), SUM(c.n), SUM(c.h) FROM documents d LEFT JOIN "
                f"(SELECT f.document_id id, COUNT(*) n, SUM(f.severity = 'high') h {fjoin} WHERE {fw} "
                f"GROUP BY 1) c ON c.id = d.id WHERE {dw} GROUP BY 1 ORDER BY m IS NULL, m",
                fp + dp,
            )
        ],
    )
    findings = _rows(
        conn, f"SELECT f.text, f.category, f.category_name, f.document_id {fjoin} WHERE {fw}", fp
    )
    t["phrasings"] = _phrasings(findings)
    t["top_documents"] = Table(
        "top_documents",
        "高风险问题最多的文档",
        ["文档", "项目名称", "采购人", "高风险", "问题总数", "发布日期"],
        [
            [r[0], r[1] or "", r[2] or UNKNOWN, r[3], r[4], r[5] or ""]
            for r in _rows(
                conn,
                f"SELECT d.path, d.project_name, d.buyer, SUM(f.severity = 'high') h, COUNT(*) n, d.published_date "
                f"{fjoin} WHERE {fw} GROUP BY d.id HAVING h > 0 ORDER BY h DESC, n DESC, d.path LIMIT {TOP}",
                fp,
            )
        ],
        note=f"最多 {TOP} 份",
    )
    t["failures"] = Table(
        "failures",
        "扫描失败",
        ["路径", "类型", "代码", "原因"],
        [
            [
                r["path"],
                {"archive": "压缩包", "document": "文档", "file": "文件"}.get(r["kind"], r["kind"]),
                r["code"],
                f"{r['message_zh']} / {r['message_en']}",
            ]
            for r in failures
        ],
    )
    data.findings = _findings_table(conn, fjoin, fw, fp)
    return data


def _phrasings(rows: list[sqlite3.Row]) -> Table:
    groups: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for r in rows:
        key = phrase_key(r["text"])
        if len(key) >= 2:
            groups[key].append(r)
    repeated = [(k, v) for k, v in groups.items() if len(v) >= 2]  # a phrasing seen once is not a pattern
    ranked = sorted(repeated, key=lambda kv: (-len(kv[1]), kv[0]))[:TOP]
    out = []
    for key, members in ranked:
        cat = Counter(m["category_name"] for m in members).most_common(1)[0][0]
        example = Counter(m["text"] for m in members).most_common(1)[0][0]
        out.append([key, len(members), len({m["document_id"] for m in members}), cat, example])
    return Table(
        "phrasings",
        "高频限制性表述",
        ["归一化表述", "次数", "文档数", "主要类别", "示例原文"],
        out,
        note="证据原文去除数字、地名、标点和空格后归并；只列出现 2 次及以上的表述",
    )


FINDING_COLUMNS = [
    ("文档", "path"),
    ("sha256", "sha256"),
    ("项目名称", "project_name"),
    ("项目编号", "project_number"),
    ("采购人", "buyer"),
    ("代理机构", "agency"),
    ("发布日期", "published_date"),
    ("采购方式", "procurement_method"),
    ("预算（元）", "budget_yuan"),
    ("问题ID", "finding_id"),
    ("规则", "rule_id"),
    ("类别", "category"),
    ("类别名称", "category_name"),
    ("严重程度", "severity"),
    ("置信度", "score"),
    ("原文", "text"),
    ("起始", "start"),
    ("结束", "end"),
    ("页码", "page"),
    ("章节", "section"),
    ("条款", "clause"),
    ("法律依据", "legal_basis"),
    ("说明", "explanation"),
    ("修改建议", "suggestion"),
]


def _findings_table(conn: sqlite3.Connection, fjoin: str, fw: str, fp: list[Any]) -> Table:
    rows = _rows(
        conn,
        "SELECT d.path, d.sha256, d.project_name, d.project_number, d.buyer, d.agency, d.published_date, "
        "d.procurement_method, d.budget_yuan, f.finding_id, f.rule_id, f.category, f.category_name, f.severity, "
        'f.score, f.text, f.start, f."end", f.page, f.section, f.clause, f.legal_basis, f.explanation, '
        f"f.suggestion {fjoin} WHERE {fw} ORDER BY d.path, f.start",
        fp,
    )
    out = []
    for r in rows:
        rec = dict(r)
        rec["severity"] = SEVERITY_ZH.get(rec["severity"], rec["severity"])
        rec["section"] = " > ".join(json.loads(rec["section"] or "[]"))
        rec["legal_basis"] = "；".join(
            f"{lb.get('law', '')}{lb.get('article', '')}{lb.get('item', '')}"
            for lb in json.loads(rec["legal_basis"] or "[]")
        )
        out.append([rec[k] for _, k in FINDING_COLUMNS])
    return Table("findings", "问题明细", [c for c, _ in FINDING_COLUMNS], out)


# -- writers ----------------------------------------------------------------------------------------
def write_csv(data: ReportData, out: TextIO) -> int:
    """The findings table as CSV (one row per finding); returns the number of rows."""
    assert data.findings is not None
    w = csv.writer(out)
    w.writerow(data.findings.columns)
    w.writerows(data.findings.rows)
    return len(data.findings.rows)


def write_xlsx(data: ReportData, path: str | Path) -> None:
    """One sheet per table (totals first, findings last)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    tables = [*data.tables.values(), *([data.findings] if data.findings else [])]
    head_font, head_fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    for table in tables:
        ws = wb.create_sheet(re.sub(r"[\\/*?:\[\]]", "_", table.title)[:31])
        ws.append(table.columns)
        for cell in ws[1]:
            cell.font, cell.fill = head_font, head_fill
        for row in table.rows:
            ws.append([_xlsx_value(v) for v in row])
        ws.freeze_panes = "A2"
        for i, col in enumerate(table.columns, start=1):
            values = [str(col)] + [str(r[i - 1]) for r in table.rows[:200] if r[i - 1] is not None]
            width = min(60, max(8, max(sum(2 if ord(c) > 127 else 1 for c in v) for v in values) + 2))
            ws.column_dimensions[ws.cell(1, i).column_letter].width = width
        if table.key == "findings":
            for row in ws.iter_rows(min_row=2):
                for cell in row:
                    cell.alignment = Alignment(wrap_text=False, vertical="top")
    wb.save(str(path))


_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_value(v: Any) -> Any:
    if isinstance(v, str):
        v = _ILLEGAL_XLSX.sub("", v)
        return v[:32000]
    return v
