"""Benchmark POST /v1/scan against a real uvicorn server, compared with in-process scan_bytes.

Prints p50/p95 latency for 1, 4 and 16 concurrent clients on a ~20-page DOCX
(corpus/samples/sample_20p.docx, or a document built here), the in-process ``ScanEngine.scan_bytes``
time for the same file in the same run, and the HTTP overhead at 1 client as a percentage of the
scan time (target < 15 %).

    python bench/api.py [--rounds 30] [--workers N] [--file PATH]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api import Settings, create_app  # noqa: E402


def build_document() -> bytes:
    """About 20 pages of tender-like text when the corpus sample is absent."""
    import io

    import docx

    d = docx.Document()
    for chapter in range(1, 7):
        d.add_heading(f"第{chapter}章 招标文件第{chapter}部分", level=1)
        for i in range(1, 40):
            d.add_paragraph(
                f"{i}. 投标人应具有良好的商业信誉和健全的财务会计制度，提供近三年经审计的财务报告；"
                f"所投产品须满足第{i}项技术参数要求，并提供相应的证明材料。"
            )
        d.add_paragraph("投标人须在本市注册，并具有本市同类项目业绩2项以上。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30, help="requests per client count (at least)")
    ap.add_argument("--workers", type=int, default=None, help="scan worker processes (default: settings)")
    ap.add_argument("--file", type=Path, default=REPO / "corpus" / "samples" / "sample_20p.docx")
    args = ap.parse_args()

    data = args.file.read_bytes() if args.file.is_file() else build_document()
    name = args.file.name if args.file.is_file() else "built_20p.docx"

    from scanner.engine import ScanEngine

    engine = ScanEngine()
    engine.scan_bytes(data, name)  # warm
    inproc = []
    for _ in range(max(10, args.rounds // 2)):
        t = time.perf_counter()
        engine.scan_bytes(data, name)
        inproc.append(time.perf_counter() - t)
    scan_s = statistics.median(inproc)

    with tempfile.TemporaryDirectory() as tmp:
        overrides: dict[str, object] = {
            "jobs_db": Path(tmp) / "jobs.sqlite3",
            "api_keys": "",
            "api_keys_file": None,
            "rate_limit_per_minute": 0,
            "queue_timeout_s": 600,
        }
        if args.workers:
            overrides["workers"] = args.workers
        settings = Settings(**overrides)  # type: ignore[arg-type]
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", access_log=False))
        import logging

        logging.getLogger("tenderscan.api").setLevel("WARNING")
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/v1/scan"

        local = threading.local()

        def one(_: int) -> float:
            c = getattr(local, "client", None)
            if c is None:
                c = local.client = httpx.Client(timeout=600)
            t = time.perf_counter()
            r = c.post(url, files={"file": (name, data)})
            elapsed = time.perf_counter() - t
            assert r.status_code == 200, r.text
            return elapsed

        print(
            f"file: {name} ({len(data) / 1024:.0f} KiB), workers: {settings.workers}, "
            f"cpus: {os.cpu_count()}, rounds: {args.rounds}"
        )
        print(f"in-process scan_bytes: p50 {scan_s * 1000:.0f} ms (n={len(inproc)})")
        results = {}
        for clients in (1, 4, 16):
            n = max(args.rounds, clients * 3)
            with ThreadPoolExecutor(clients) as ex:
                list(ex.map(one, range(clients)))  # warm connections
                t0 = time.perf_counter()
                lat = list(ex.map(one, range(n)))
                wall = time.perf_counter() - t0
            results[clients] = lat
            print(
                f"HTTP {clients:>2} client(s): p50 {pct(lat, 0.5) * 1000:7.0f} ms   "
                f"p95 {pct(lat, 0.95) * 1000:7.0f} ms   throughput {n / wall:5.2f} docs/s"
            )
        server.should_exit = True
        thread.join(60)
    p50_1 = pct(results[1], 0.5)
    overhead = (p50_1 - scan_s) / scan_s * 100
    print(
        f"HTTP overhead at 1 client: {(p50_1 - scan_s) * 1000:.0f} ms = {overhead:.1f}% of scan time "
        f"(target < 15%) {'OK' if overhead < 15 else 'OVER TARGET'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
