"""POST /v1/scan and /v1/scan/text against a live server: the JSON contract, errors, request ids, logs."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from tests.api.conftest import LiveServer, comparable

TOP_KEYS = {"schema_version", "document", "findings", "summary", "versions"}
DOC_KEYS = {
    "name": str,
    "sha256": str,
    "media_type": str,
    "pages": (int, type(None)),
    "chars": int,
    "warnings": list,
}
FINDING_KEYS = {
    "id": str,
    "rule_id": str,
    "category": str,
    "category_name": str,
    "severity": str,
    "score": (int, float),
    "text": str,
    "start": int,
    "end": int,
    "clause": str,
    "clause_id": str,
    "section": list,
    "section_kind": str,
    "page": (int, type(None)),
    "table": (dict, type(None)),
    "legal_basis": list,
    "explanation": str,
    "suggestion": str,
    "detectors": list,
}


def assert_error(resp: httpx.Response, status: int, code: str | None = None) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    err = body["error"]
    assert set(err) == {"code", "message", "request_id"}
    assert err["request_id"] == resp.headers["x-request-id"]
    assert " / " in err["message"]  # 中文 / English
    if code is not None:
        assert err["code"] == code
    return err


def assert_contract(body: dict) -> None:
    assert set(body) == TOP_KEYS
    assert body["schema_version"] == "1"
    for key, typ in DOC_KEYS.items():
        assert isinstance(body["document"][key], typ), key
    for f in body["findings"]:
        for key, typ in FINDING_KEYS.items():
            assert isinstance(f[key], typ), key
        assert f["severity"] in {"high", "medium", "low"}
        assert 0 <= f["start"] < f["end"] <= body["document"]["chars"]
        for lb in f["legal_basis"]:
            assert {"law", "article", "item", "text"} <= set(lb)
    assert set(body["summary"]) == {"by_category", "by_severity", "risk"}
    assert {"scanner", "rules", "model"} <= set(body["versions"])


@pytest.mark.parametrize(
    "name", ["built.docx", "built.pdf", "built.txt", "sample_20p.docx", "sample_tender.pdf"]
)
def test_scan_document_contract(client: httpx.Client, docs: dict[str, bytes], engine, name: str) -> None:
    if name not in docs:
        pytest.skip(f"corpus/samples/{name} is not present")
    resp = client.post("/v1/scan", files={"file": (name, docs[name])})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert_contract(body)
    assert body["findings"], "the test documents contain restrictive clauses"
    assert comparable(body) == comparable(engine.scan_bytes(docs[name], name).to_dict())


def test_include_text_adds_only_text(client: httpx.Client, docs: dict[str, bytes]) -> None:
    plain = client.post("/v1/scan", files={"file": ("a.docx", docs["built.docx"])}).json()
    full = client.post("/v1/scan?include_text=true", files={"file": ("a.docx", docs["built.docx"])}).json()
    text = full.pop("text")
    assert full == plain
    assert len(text) == plain["document"]["chars"]
    for f in plain["findings"]:
        assert text[f["start"] : f["end"]] == f["text"]
    assert "\n" in text  # paragraph breaks survive


def test_scan_text(client: httpx.Client, engine) -> None:
    payload = {"text": "投标人须在本市注册，并具有本市同类项目业绩。", "name": "片段"}
    resp = client.post("/v1/scan/text", json=payload)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert_contract(body)
    assert comparable(body) == comparable(engine.scan_text(payload["text"], "片段").to_dict())
    with_text = client.post("/v1/scan/text?include_text=true", json=payload).json()
    assert with_text["text"] == payload["text"]


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 422, "empty_document"),
        (b"%PDF-1.4 garbage", 422, None),
        (bytes(range(256)) * 8, 415, "unsupported_format"),
        (b"PK\x03\x04 not really a zip", 422, None),
    ],
    ids=["empty", "malformed-pdf", "random-bytes", "broken-zip"],
)
def test_bad_documents(client: httpx.Client, data: bytes, status: int, code: str | None) -> None:
    assert_error(client.post("/v1/scan", files={"file": ("x.pdf", data)}), status, code)


def test_too_large(server: LiveServer, client: httpx.Client) -> None:
    limit = server.settings.max_upload_bytes
    big = b"a" * (limit + 1)
    assert_error(client.post("/v1/scan", files={"file": ("big.txt", big)}), 413, "document_too_large")

    def chunks():  # no Content-Length: the limit is enforced while reading
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        for _ in range(limit // (256 * 1024) + 4):
            yield b"b" * (256 * 1024)

    resp = client.post(
        "/v1/scan", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert_error(resp, 413, "document_too_large")
    # the server keeps serving
    assert client.get("/v1/health").status_code == 200


def test_text_too_long(server: LiveServer, client: httpx.Client) -> None:
    n = server.settings.max_text_chars + 1
    assert_error(client.post("/v1/scan/text", json={"text": "字" * n}), 413, "document_too_large")


def test_validation_errors_use_the_error_body(client: httpx.Client) -> None:
    assert_error(client.post("/v1/scan/text", json={"txt": "x"}), 422, "invalid_request")
    assert_error(
        client.post("/v1/scan/text", content=b"{not json", headers={"Content-Type": "application/json"}),
        422,
        "invalid_request",
    )
    assert_error(client.post("/v1/scan", data={"x": "1"}), 422, "invalid_request")
    assert_error(
        client.post("/v1/scan?format=bogus", files={"file": ("a.txt", b"x")}), 422, "invalid_request"
    )
    assert_error(client.get("/v1/nope"), 404, "not_found")
    assert_error(client.get("/v1/jobs/0123456789abcdef0123456789abcdef"), 404, "job_not_found")
    assert_error(client.delete("/v1/health"), 405, "method_not_allowed")


@pytest.mark.parametrize(
    ("fmt", "upload", "media_type", "magic"),
    [
        (
            "docx",
            "built.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            b"PK",
        ),
        ("pdf", "built.pdf", "application/pdf", b"%PDF"),
        ("html", "built.docx", "text/html; charset=utf-8", b"<!DOCTYPE html>"),
        ("xlsx", "built.pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("csv", "built.txt", "text/csv; charset=utf-8", b"\xef\xbb\xbf"),
    ],
)
def test_report_formats(
    client: httpx.Client, docs: dict[str, bytes], fmt: str, upload: str, media_type: str, magic: bytes
) -> None:
    resp = client.post(f"/v1/scan?format={fmt}", files={"file": (upload, docs[upload])})
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == media_type
    assert resp.content.startswith(magic)


@pytest.mark.parametrize(("fmt", "upload"), [("docx", "built.pdf"), ("pdf", "built.txt")])
def test_annotated_format_needs_that_document_type(
    client: httpx.Client, docs: dict[str, bytes], fmt: str, upload: str
) -> None:
    resp = client.post(f"/v1/scan?format={fmt}", files={"file": (upload, docs[upload])})
    assert_error(resp, 415, "report_input_mismatch")


def test_explicit_json_format(client: httpx.Client, docs: dict[str, bytes]) -> None:
    resp = client.post("/v1/scan?format=json", files={"file": ("a.txt", docs["built.txt"])})
    assert resp.status_code == 200
    assert_contract(resp.json())


def test_request_id_and_structured_log(client: httpx.Client, docs: dict[str, bytes]) -> None:
    records: list[str] = []

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    grab = Grab()
    logger = logging.getLogger("tenderscan.api")
    logger.addHandler(grab)
    try:
        resp = client.post(
            "/v1/scan",
            files={"file": ("机密项目招标文件.docx", docs["built.docx"])},
            headers={"X-Request-ID": "test-req-42"},
        )
        assert resp.status_code == 200
        assert resp.headers["x-request-id"] == "test-req-42"
        generated = client.get("/v1/health").headers["x-request-id"]
        assert len(generated) >= 16
    finally:
        logger.removeHandler(grab)
    lines = [json.loads(r) for r in records if r.startswith("{")]
    line = next(x for x in lines if x.get("request_id") == "test-req-42")
    body = resp.json()
    assert line["method"] == "POST" and line["path"] == "/v1/scan" and line["status"] == 200
    assert line["ext"] == ".docx"
    assert line["sha256"] == body["document"]["sha256"][:12]
    assert line["findings"] == len(body["findings"])
    assert line["bytes"] > 0 and line["duration_ms"] > 0
    dumped = json.dumps(lines, ensure_ascii=False)
    assert "机密项目" not in dumped
    assert all(f["text"] not in dumped for f in body["findings"])


def test_catalogue(client: httpx.Client) -> None:
    cats = client.get("/v1/categories").json()
    assert cats["categories"] and cats["version"]
    ids = {c["id"] for c in cats["categories"]}
    for c in cats["categories"]:
        assert c["name"] and c["severity"] in {"high", "medium", "low"}
        assert all(lb["text"] and lb["law"] and lb["id"] for lb in c["legal_basis"])
    rules = client.get("/v1/rules").json()
    assert rules["version"] == cats["version"]
    assert len({r["id"] for r in rules["rules"]}) == len(rules["rules"]) > 0
    assert {r["category"] for r in rules["rules"]} <= ids
    assert all(r["legal_basis"] for r in rules["rules"])


def test_health(client: httpx.Client, server: LiveServer) -> None:
    h = client.get("/v1/health").json()
    assert h["status"] == "ok"
    assert {"api", "scanner", "rules", "model"} <= set(h["versions"])
    assert h["workers"] == server.settings.workers
    assert h["auth"] is False
    assert h["formats"] == ["json", "docx", "html", "pdf", "xlsx", "csv"]


def test_page_and_static_assets(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "招标文件公平竞争审查" in page.text
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200
    assert "http://" not in page.text and "https://" not in page.text  # no external assets
