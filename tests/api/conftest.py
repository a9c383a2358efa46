"""Live-server fixtures: a real uvicorn server (lifespan on) in a thread, on a free loopback port."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from api import Settings, create_app

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "corpus" / "samples"
REALDOCS = REPO.parent / "shared" / "realdocs"

CLAUSES = [
    "第一章 招标公告",
    "一、投标人资格要求",
    "1. 投标人须在本市注册，并具有本市同类项目业绩2项以上。",
    "2. 投标人须在本地设有分支机构或常驻服务网点。",
    "3. 投标人应具有良好的商业信誉和健全的财务会计制度。",
    "二、评分标准",
    "获得省级以上奖项的每项加2分，最多加6分。",
    "所投产品须为原装进口产品。",
]


class LiveServer:
    """uvicorn serving ``create_app(settings)`` in a background thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = create_app(settings)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, lifespan="on", log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self, timeout: float = 180.0) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(60)
        self.sock.close()

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120, **kwargs)  # type: ignore[arg-type]


def test_settings(tmp: Path, **overrides: object) -> Settings:
    """Explicit settings (nothing read from the developer's TENDERSCAN_* environment matters)."""
    values: dict[str, object] = {
        "workers": 2,
        "api_keys": "",
        "api_keys_file": None,
        "rate_limit_per_minute": 0,
        "jobs_db": tmp / "jobs.sqlite3",
        "scan_timeout_s": 90.0,
        "max_upload_bytes": 4 * 1024 * 1024,
        "queue_timeout_s": 120.0,
        "log_level": "INFO",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


test_settings.__test__ = False  # type: ignore[attr-defined]


def build_docx(paragraphs: list[str] = CLAUSES, pad_bytes: int = 0) -> bytes:
    """A small DOCX; ``pad_bytes`` adds an unused binary part (to make a large upload)."""
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    if not pad_bytes:
        return buf.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("word/media/padding.bin", b"PADMARKER" + _incompressible(pad_bytes), zipfile.ZIP_STORED)
    return out.getvalue()


def _incompressible(n: int) -> bytes:
    import random

    return random.Random(7).randbytes(n)


def build_pdf(paragraphs: list[str] = CLAUSES) -> bytes:
    """A small text PDF (reportlab's built-in CID font, nothing embedded)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont("STSong-Light", 11)
    y = 800
    for p in paragraphs:
        c.drawString(60, y, p)
        y -= 22
    c.showPage()
    c.save()
    return buf.getvalue()


def comparable(result: dict) -> dict:
    """A result without ``versions`` (the rules hash moves while lexicons are being edited)."""
    return {k: v for k, v in json.loads(json.dumps(result)).items() if k != "versions"}


def sample(name: str) -> bytes | None:
    p = SAMPLES / name
    return p.read_bytes() if p.is_file() else None


@pytest.fixture(scope="session")
def docs() -> dict[str, bytes]:
    """Documents to upload: the corpus samples when present, else documents built here."""
    out = {"built.docx": build_docx(), "built.pdf": build_pdf(), "built.txt": "\n".join(CLAUSES).encode()}
    for name in ("sample_20p.docx", "sample_short.txt", "sample_tender.pdf"):
        data = sample(name)
        if data is not None:
            out[name] = data
    return out


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The main server: 2 workers with the full engine, no auth, no rate limit."""
    live = LiveServer(test_settings(tmp_path_factory.mktemp("main"))).start()
    yield live
    live.stop()


@pytest.fixture()
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture(scope="session")
def engine():  # type: ignore[no-untyped-def]
    """The in-process engine the API results are compared with."""
    from scanner.engine import ScanEngine

    return ScanEngine()
