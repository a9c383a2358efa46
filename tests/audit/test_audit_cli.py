"""`tenderscan audit` end to end, in subprocesses: store contents, failures, resumability, SIGINT."""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .conftest import audit_args, cli_cwd, cli_env, finding_keys, query, run_cli


def _paths(db: Path) -> set[str]:
    return {r[0] for r in query(db, "SELECT path FROM document_paths")}


def test_reference_run_contents(
    corpus: Path, reference: tuple[Path, subprocess.CompletedProcess[str]]
) -> None:
    db, proc = reference
    rel = {p.removeprefix(f"{corpus}/") for p in _paths(db)}
    assert (
        "archive.zip!招标文件/sample_20p.docx" in rel
    )  # nested path kept (duplicate content of sample_20p.docx)
    assert "archive.zip!嵌套/inner.zip!深层/短文本.txt" in rel
    assert {"sample_tender.docx", "sample_tender.pdf", "sample_short.txt", "sample_20p.docx"} <= rel
    failures = {
        r[0].removeprefix(f"{corpus}/"): (r[1], r[2])
        for r in query(db, "SELECT path, kind, code FROM failures")
    }
    assert failures["bomb.zip"] == ("archive", "archive_bomb")
    assert failures["broken.pdf"][0] == "document"  # the corrupt file failed, and the run went on
    n_docs = query(db, "SELECT COUNT(*) FROM documents")[0][0]
    assert n_docs == len(list((corpus / "real").iterdir())) + 4
    [(status, scanned, failed, findings)] = query(db, "SELECT status, scanned, failed, findings FROM runs")
    assert (status, scanned, failed) == ("completed", n_docs, 2)
    assert findings == query(db, "SELECT COUNT(*) FROM findings")[0][0] > 0
    # metadata extracted in the worker
    row = query(
        db,
        "SELECT buyer, project_number, procurement_method FROM documents WHERE name = 'sample_tender.docx'",
    )
    assert row == [("滨海市第二人民医院", "BHZC-2025-G0318", "公开招标")]
    assert "审计完成" in proc.stderr and "审计进度" in proc.stderr  # plain progress lines when not a TTY
    assert query(db, "PRAGMA journal_mode")[0][0] == "wal"


def test_rerun_skips_everything(
    corpus: Path, reference: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    db = tmp_path / "audit.sqlite"
    shutil.copy(reference[0], db)
    before = finding_keys(db)
    proc = run_cli(*audit_args(corpus, db, "--jobs", "2"))
    assert proc.returncode == 0, proc.stderr
    [(scanned, skipped)] = query(db, "SELECT scanned, skipped FROM runs ORDER BY id DESC LIMIT 1")
    assert scanned == 0
    assert skipped >= query(db, "SELECT COUNT(*) FROM documents")[0][0]
    assert "新扫描 0" in proc.stderr
    assert finding_keys(db) == before


def test_rescan_changed(
    corpus: Path, reference: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    db = tmp_path / "audit.sqlite"
    shutil.copy(reference[0], db)
    with sqlite3.connect(db) as conn:
        conn.execute(
            "UPDATE documents SET engine_version = 'scanner=0.0.1;rules=old;model=none' WHERE path NOT LIKE '%/real/%'"
        )
    changed = query(db, "SELECT COUNT(*) FROM documents WHERE engine_version LIKE '%rules=old%'")[0][0]
    assert changed == 4
    proc = run_cli(*audit_args(corpus, db))
    assert proc.returncode == 0, proc.stderr
    assert query(db, "SELECT scanned, stale FROM runs ORDER BY id DESC LIMIT 1") == [(0, 4)]
    assert "--rescan-changed" in proc.stderr
    proc = run_cli(*audit_args(corpus, db, "--rescan-changed"))
    assert proc.returncode == 0, proc.stderr
    assert query(db, "SELECT scanned, stale FROM runs ORDER BY id DESC LIMIT 1") == [(4, 0)]
    assert query(db, "SELECT COUNT(*) FROM documents WHERE engine_version LIKE '%rules=old%'") == [(0,)]
    assert finding_keys(db) == finding_keys(reference[0])


def test_sigint_then_resume_equals_uninterrupted(
    corpus: Path, reference: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    db = tmp_path / "audit.sqlite"
    total = query(reference[0], "SELECT COUNT(*) FROM documents")[0][0]
    proc = subprocess.Popen(
        [sys.executable, "-m", "scanner.cli", *audit_args(corpus, db, "--jobs", "1")],
        cwd=cli_cwd(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    deadline = time.monotonic() + 600
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            stored = query(db, "SELECT COUNT(*) FROM documents")[0][0]
        except sqlite3.Error:
            stored = 0
        if stored >= max(2, total // 2):  # midway
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the audit finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 130, err
    assert "收到中断信号" in err and "审计已中断" in err
    # the store is consistent: whole documents only, the run marked interrupted
    [(status,)] = query(db, "SELECT status FROM runs")
    assert status == "interrupted"
    partial = query(db, "SELECT COUNT(*) FROM documents")[0][0]
    assert 2 <= partial < total
    for doc_id, n in query(db, "SELECT id, n_findings FROM documents"):
        assert query(db, "SELECT COUNT(*) FROM findings WHERE document_id = ?", doc_id)[0][0] == n
    assert query(db, "PRAGMA integrity_check") == [("ok",)]

    resumed = run_cli(*audit_args(corpus, db, "--jobs", "2"))
    assert resumed.returncode == 0, resumed.stderr
    [(scanned, skipped)] = query(db, "SELECT scanned, skipped FROM runs ORDER BY id DESC LIMIT 1")
    assert scanned == total - partial and skipped >= partial
    ref = reference[0]
    assert {r[0] for r in query(db, "SELECT sha256 FROM documents")} == {
        r[0] for r in query(ref, "SELECT sha256 FROM documents")
    }
    assert finding_keys(db) == finding_keys(ref)
    assert _paths(db) == _paths(ref)


def test_report_formats(reference: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    db = reference[0]
    html_path, xlsx_path, csv_path = tmp_path / "r.html", tmp_path / "r.xlsx", tmp_path / "r.csv"
    for fmt, out in (("html", html_path), ("xlsx", xlsx_path), ("csv", csv_path)):
        proc = run_cli("audit", "report", "--db", str(db), "--format", fmt, "-o", str(out))
        assert proc.returncode == 0, proc.stderr
    html = html_path.read_text(encoding="utf-8")
    for title in (
        "按问题类别",
        "按严重程度",
        "按采购人/招标人",
        "按代理机构",
        "按发布月份",
        "高频限制性表述",
        "高风险问题最多的文档",
        "扫描失败",
    ):
        assert title in html
    assert html.count("<svg ") >= 4
    for external in ('src="http', "src='http", 'href="http', "url(http", "@import", "<script src", "<link "):
        assert external not in html
    import openpyxl

    wb = openpyxl.load_workbook(xlsx_path, read_only=True)
    assert {"概览", "按问题类别", "按严重程度", "按发布月份", "高频限制性表述", "问题明细"} <= set(
        wb.sheetnames
    )
    n_findings = query(db, "SELECT COUNT(*) FROM findings")[0][0]
    assert wb["问题明细"].max_row == n_findings + 1
    import csv

    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "文档" and len(rows) - 1 == n_findings


def test_report_filters(reference: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    db = reference[0]
    out = tmp_path / "f.csv"
    proc = run_cli(
        "audit",
        "report",
        "--db",
        str(db),
        "--format",
        "csv",
        "-o",
        str(out),
        "--buyer",
        "滨海市第二人民医院",
        "--category",
        "track_record",
        "--from",
        "2025-03",
        "--to",
        "2025",
    )
    assert proc.returncode == 0, proc.stderr
    import csv

    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = query(
        db,
        "SELECT COUNT(*) FROM findings f JOIN documents d ON d.id = f.document_id "
        "WHERE d.buyer = '滨海市第二人民医院' AND f.category = 'track_record'",
    )[0][0]
    assert len(rows) == expected > 0
    assert {r["类别"] for r in rows} == {"track_record"}
    bad = run_cli("audit", "report", "--db", str(db), "--from", "March")
    assert bad.returncode == 2 and "usage error" in bad.stderr
    missing = run_cli("audit", "report", "--db", str(tmp_path / "none.sqlite"))
    assert missing.returncode == 2 and "not found" in missing.stderr
