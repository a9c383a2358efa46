"""Audit throughput (documents/minute): local --jobs 1, local --jobs 2 and a Dask LocalCluster (2 workers).

    python bench/audit.py [--ocr] [--timeout 300] [PATH ...]

Default corpus: corpus/samples/*.docx|pdf|txt plus ../shared/realdocs/* when present. Each
configuration audits the same files into a fresh store (no resumption), timed from the start of
``run_audit`` to its end, so worker start-up (one ScanEngine per worker process) is included;
the Dask cluster's own process start-up is timed separately. OCR of scanned PDF pages is off
unless ``--ocr`` (it costs minutes per scanned document on a small machine and would dominate).
The three stores are compared: the findings must be identical.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DOC_SUFFIXES = {".pdf", ".docx", ".doc", ".wps", ".txt"}


def corpus() -> list[Path]:
    files = sorted(p for p in (ROOT / "corpus" / "samples").iterdir() if p.suffix.lower() in DOC_SUFFIXES)
    real = ROOT.parent / "shared" / "realdocs"
    if real.is_dir():
        files += sorted(p for p in real.iterdir() if p.suffix.lower() in DOC_SUFFIXES)
    return files


def keys(db: Path) -> set[tuple[str, str, str, int, int]]:
    with sqlite3.connect(db) as conn:
        return set(
            conn.execute(
                'SELECT d.sha256, f.finding_id, f.category, f.start, f."end" FROM findings f '
                "JOIN documents d ON d.id = f.document_id"
            ).fetchall()
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--ocr", action="store_true", help="OCR scanned PDF pages (slow)")
    ap.add_argument("--timeout", type=float, default=300.0)
    a = ap.parse_args()
    if not a.ocr:
        os.environ["TENDERSCAN_OCR"] = "0"  # before any worker process starts (they inherit it)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from distributed import Client, LocalCluster

    from scanner.audit.dask_engine import DaskBackend
    from scanner.audit.runner import AuditOptions, run_audit

    files = [Path(p) for p in a.paths] or corpus()
    size = sum(p.stat().st_size for p in files)
    print(
        f"corpus: {len(files)} files, {size / 1e6:.1f} MB, OCR {'on' if a.ocr else 'off'}, cpus={os.cpu_count()}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="bench_audit_"))
    results = []

    def run(label: str, opts: AuditOptions, backend: object = None, extra: str = "") -> None:
        t = time.perf_counter()
        s = run_audit(opts, backend=backend)  # type: ignore[arg-type]
        secs = time.perf_counter() - t
        results.append((label, s.scanned, s.failed, secs, opts.db, extra))

    common = {"paths": [str(p) for p in files], "timeout_s": a.timeout, "show_progress": False}
    run("local --jobs 1", AuditOptions(db=tmp / "j1.sqlite", jobs=1, **common))
    run("local --jobs 2", AuditOptions(db=tmp / "j2.sqlite", jobs=2, **common))
    t = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        started = time.perf_counter() - t
        with Client(cluster) as client:
            run(
                "dask LocalCluster 2x1",
                AuditOptions(db=tmp / "dask.sqlite", engine="dask", **common),
                DaskBackend(client=client, timeout_s=a.timeout),
                f"(+{started:.1f} s cluster start)",
            )

    print(f"\n{'configuration':<24} {'docs':>5} {'failed':>6} {'seconds':>8} {'docs/min':>9}")
    for label, scanned, failed, secs, _, extra in results:
        print(f"{label:<24} {scanned:>5} {failed:>6} {secs:>8.1f} {scanned / secs * 60:>9.1f} {extra}")
    base = results[0][3]
    print("speed-up vs --jobs 1: " + ", ".join(f"{r[0]} {base / r[3]:.2f}x" for r in results[1:]))
    same = all(keys(r[4]) == keys(results[0][4]) for r in results[1:])
    print(f"identical findings in all three stores: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
