"""Hanging and crashing workers: the request gets 504/500, the pool is replaced, the server keeps serving."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.api.conftest import LiveServer, build_pdf, sample, test_settings

SHORT = {"text": "投标人须在本市注册，并具有本市同类项目业绩。", "name": "ok"}


@pytest.fixture(scope="module")
def fragile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Rules-only workers (fast to replace), a tiny time limit, and the test-only crash/hang hooks."""
    settings = test_settings(
        tmp_path_factory.mktemp("fragile"), workers=2, use_model=False, scan_timeout_s=0.3, test_hooks=True
    )
    live = LiveServer(settings).start()
    yield live
    live.stop()


def _large_document() -> bytes:
    data = sample("sample_tender.pdf")
    if data is not None:
        return data
    return build_pdf(
        [f"第{i}条 投标人须在本市注册，并具有本市同类项目业绩{i}项以上。" for i in range(1, 36)] * 1
    )


def test_timeout_returns_504_and_server_keeps_serving(fragile: LiveServer, tmp_path: Path) -> None:
    with fragile.client() as c:
        assert c.post("/v1/scan/text", json=SHORT).status_code == 200
        resp = c.post("/v1/scan", files={"file": ("big.pdf", _large_document())})
        if resp.status_code == 200:  # pragma: no cover - a very fast machine: fall back to the hang hook
            resp = c.post("/v1/scan/text", json={"text": "x", "name": "__hang__"})
        assert resp.status_code == 504, resp.text
        assert resp.json()["error"]["code"] == "scan_timeout"
        for _ in range(3):
            ok = c.post("/v1/scan/text", json=SHORT)
            assert ok.status_code == 200, ok.text
            assert ok.json()["findings"]
        assert c.get("/v1/health").json()["status"] == "ok"


def test_hang_hook_times_out(fragile: LiveServer) -> None:
    with fragile.client() as c:
        resp = c.post("/v1/scan/text", json={"text": "x", "name": "__hang__"})
        assert resp.status_code == 504
        assert c.post("/v1/scan/text", json=SHORT).status_code == 200


def test_crash_returns_500_others_unaffected(fragile: LiveServer) -> None:
    def post(payload: dict[str, str]) -> tuple[str, int]:
        with fragile.client() as c:
            return payload["name"], c.post("/v1/scan/text", json=payload).status_code

    work = [SHORT, SHORT, {"text": "x", "name": "__crash__"}, SHORT, SHORT]
    with ThreadPoolExecutor(len(work)) as ex:
        results = list(ex.map(post, work))
    assert ("__crash__", 500) in results
    assert [s for n, s in results if n == "ok"] == [200] * 4
    with fragile.client() as c:
        body = c.post("/v1/scan/text", json={"text": "x", "name": "__crash__"}).json()
        assert body["error"]["code"] == "worker_crashed"
        assert c.post("/v1/scan/text", json=SHORT).status_code == 200
