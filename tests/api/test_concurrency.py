"""Many uploads at once: every answer equals the in-process scan; bad documents fail cleanly meanwhile."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.api.conftest import LiveServer, comparable


def _post(server: LiveServer, name: str, data: bytes) -> httpx.Response:
    with server.client() as c:
        return c.post("/v1/scan", files={"file": (name, data)})


def test_twenty_concurrent_uploads(server: LiveServer, docs: dict[str, bytes], engine) -> None:
    names = [
        n
        for n in ("built.docx", "built.pdf", "built.txt", "sample_short.txt", "sample_20p.docx")
        if n in docs
    ]
    jobs = [names[i % len(names)] for i in range(20)]
    expected = {n: comparable(engine.scan_bytes(docs[n], n).to_dict()) for n in names}
    with ThreadPoolExecutor(20) as ex:
        responses = list(ex.map(lambda n: _post(server, n, docs[n]), jobs))
    for name, resp in zip(jobs, responses, strict=True):
        assert resp.status_code == 200, resp.text
        assert comparable(resp.json()) == expected[name]
    assert len({r.headers["x-request-id"] for r in responses}) == 20


def test_bad_documents_fail_cleanly_while_good_ones_succeed(
    server: LiveServer, docs: dict[str, bytes]
) -> None:
    good = [("built.docx", docs["built.docx"]), ("built.pdf", docs["built.pdf"])] * 4
    bad = [("bad.pdf", b"%PDF-1.4 garbage"), ("empty.docx", b""), ("noise.bin", bytes(range(256)) * 8)]
    work = good[:4] + bad + good[4:]
    with ThreadPoolExecutor(len(work)) as ex:
        responses = list(ex.map(lambda item: _post(server, *item), work))
    for (name, _), resp in zip(work, responses, strict=True):
        if name.startswith("built"):
            assert resp.status_code == 200, resp.text
            assert resp.json()["findings"]
        else:
            assert 400 <= resp.status_code < 500, resp.text
            assert set(resp.json()["error"]) == {"code", "message", "request_id"}
    codes = {
        name: r.status_code
        for (name, _), r in zip(work, responses, strict=True)
        if not name.startswith("built")
    }
    assert codes == {"bad.pdf": 422, "empty.docx": 422, "noise.bin": 415}
