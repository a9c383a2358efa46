"""The API refuses every hostile file with the one error body and keeps serving."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.conftest import LiveServer
from tests.hostile.generate import CASES, EXPECTED, build

STATUS = {
    "encrypted_document": 422,
    "extraction_failed": 422,
    "document_too_large": 413,
    "unsupported_format": 415,
    "empty_document": 422,
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("hostile_api"))


def test_every_hostile_file_gets_its_error_and_the_server_keeps_serving(
    server: LiveServer, files: dict[str, Path]
) -> None:
    with server.client() as client:
        for name in sorted(CASES):
            resp = client.post("/v1/scan", files={"file": (name, files[name].read_bytes())})
            body = resp.json()
            assert resp.status_code == STATUS[EXPECTED[name]], (name, resp.status_code, body)
            assert body["error"]["code"] in (EXPECTED[name], "empty_upload", "empty_file"), (name, body)
            assert " / " in body["error"]["message"]
            ok = client.post("/v1/scan/text", json={"text": "投标人须在本市注册。", "name": "t"})
            assert ok.status_code == 200, f"server unhealthy after {name}"
            assert ok.json()["findings"]
    assert httpx.get(f"{server.url}/v1/health", timeout=30).status_code == 200
