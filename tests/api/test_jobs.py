"""Asynchronous jobs: 202 → poll → done; results survive a restart; interrupted jobs fail; TTL deletes."""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from api.jobs import RESTART_MESSAGE
from tests.api.conftest import LiveServer, build_docx, comparable, test_settings


def wait_for(c: httpx.Client, job_id: str, timeout: float = 90) -> dict:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = c.get(f"/v1/jobs/{job_id}").json()
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        assert 0.0 <= job["progress"] <= 1.0
        if job["status"] in ("done", "failed"):
            job["_seen"] = seen
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {seen}")


def test_job_lifecycle_on_main_server(client: httpx.Client, docs: dict[str, bytes], engine) -> None:
    name = "sample_20p.docx" if "sample_20p.docx" in docs else "built.docx"
    resp = client.post("/v1/jobs", files={"file": (name, docs[name])})
    assert resp.status_code == 202, resp.text
    job = resp.json()
    assert job["status"] == "queued" and job["progress"] == 0.0 and job["result"] is None
    assert resp.headers["location"] == f"/v1/jobs/{job['job_id']}"
    done = wait_for(client, job["job_id"])
    assert done["status"] == "done" and done["progress"] == 1.0 and done["error"] is None
    assert comparable(done["result"]) == comparable(engine.scan_bytes(docs[name], name).to_dict())
    assert done["expires_at"]


def test_failed_job_reports_the_error(client: httpx.Client) -> None:
    job = client.post("/v1/jobs", files={"file": ("bad.pdf", b"%PDF-1.4 garbage")}).json()
    failed = wait_for(client, job["job_id"])
    assert failed["status"] == "failed" and failed["result"] is None
    assert failed["error"]["code"] == "extraction_failed"
    assert " / " in failed["error"]["message"]


def test_restart_keeps_results_fails_interrupted_and_ttl_deletes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))  # uploads over 1 MiB are spooled here
    db = tmp_path / "jobs.sqlite3"
    upload = build_docx(pad_bytes=1_500_000)

    first = LiveServer(test_settings(tmp_path, workers=1, use_model=False, jobs_db=db, job_ttl_s=600)).start()
    try:
        with first.client() as c:
            job_id = c.post("/v1/jobs", files={"file": ("big.docx", upload)}).json()["job_id"]
            done = wait_for(c, job_id)
            assert done["status"] == "done" and done["result"]["findings"]
            assert "running" in done["_seen"] or "done" in done["_seen"]
        assert list(spool.iterdir()) == []  # no temp file remains once the scan ended
    finally:
        first.stop()
    assert b"PADMARKER" not in db.read_bytes()  # the uploaded bytes were never stored

    # a job the previous process left running (e.g. killed mid-scan)
    con = sqlite3.connect(db)
    now = time.time()
    con.execute(
        "INSERT INTO jobs (id, status, progress, created_at, updated_at) VALUES (?, 'running', 0.1, ?, ?)",
        ("f" * 32, now, now),
    )
    con.commit()
    con.close()

    second = LiveServer(
        test_settings(
            tmp_path, workers=1, use_model=False, jobs_db=db, job_ttl_s=3.0, job_cleanup_interval_s=0.2
        )
    ).start()
    try:
        with second.client() as c:
            kept = c.get(f"/v1/jobs/{job_id}").json()
            assert kept["status"] == "done" and kept["result"] == done["result"]
            interrupted = c.get(f"/v1/jobs/{'f' * 32}").json()
            assert interrupted["status"] == "failed"
            assert interrupted["error"]["message"] == RESTART_MESSAGE

            short = c.post("/v1/jobs", files={"file": ("a.txt", "投标人须在本市注册。".encode())}).json()
            assert wait_for(c, short["job_id"])["status"] == "done"
            time.sleep(3.3)  # TTL 3 s; the periodic cleanup runs every 0.2 s
            ids = {r[0] for r in sqlite3.connect(db).execute("SELECT id FROM jobs")}
            assert short["job_id"] not in ids and "f" * 32 not in ids
            assert job_id in ids  # finished under the first server's 600 s TTL
            assert c.get(f"/v1/jobs/{short['job_id']}").status_code == 404
    finally:
        second.stop()


def test_job_result_as_report_formats(client: httpx.Client) -> None:
    resp = client.post("/v1/jobs", files={"file": ("招标文件.docx", build_docx())})
    assert resp.status_code == 202
    done = wait_for(client, resp.json()["job_id"])
    findings = done["result"]["findings"]
    assert findings
    html = client.get(f"/v1/jobs/{done['job_id']}", params={"format": "html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert all(f["text"] in html.text for f in findings)
    assert "filename*=UTF-8''" in html.headers["content-disposition"]
    xlsx = client.get(f"/v1/jobs/{done['job_id']}", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    rows = max(ws.max_row for ws in wb.worksheets if ws.title != "汇总") - 1
    assert rows == len(findings)
    annotated = client.get(f"/v1/jobs/{done['job_id']}", params={"format": "docx"})
    assert annotated.status_code == 415 and annotated.json()["error"]["code"]
