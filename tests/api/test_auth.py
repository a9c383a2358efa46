"""API keys (env list and file), Bearer and X-API-Key, 401s, per-key rate limit with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.auth import KeyRing
from tests.api.conftest import LiveServer, test_settings


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("auth")
    keys_file = tmp / "keys.txt"
    keys_file.write_text("# team keys\nfile-key-3\n\n", encoding="utf-8")
    settings = test_settings(
        tmp,
        workers=1,
        use_model=False,
        api_keys="env-key-1, env-key-2",
        api_keys_file=keys_file,
        rate_limit_per_minute=5,
    )
    live = LiveServer(settings).start()
    yield live
    live.stop()


def test_keyring_keeps_only_hashes() -> None:
    ring = KeyRing(["secret-one", "secret-two"])
    assert ring.enabled and len(ring) == 2
    assert "secret-one" not in repr(vars(ring))
    assert ring.verify("secret-one") and ring.verify("secret-two")
    assert ring.verify("secret-three") is None
    assert not KeyRing([]).enabled


def test_missing_or_wrong_key_is_401(secured: LiveServer) -> None:
    with secured.client() as c:
        for headers in (
            {},
            {"Authorization": "Bearer nope"},
            {"X-API-Key": "nope"},
            {"Authorization": "Basic x"},
        ):
            resp = c.get("/v1/health", headers=headers)
            assert resp.status_code == 401, headers
            assert resp.json()["error"]["code"] == "unauthorized"
            assert resp.headers["www-authenticate"] == "Bearer"
        assert c.post("/v1/scan/text", json={"text": "投标人须在本市注册。"}).status_code == 401
        # the page and its assets are public; the API behind them is not
        assert c.get("/").status_code == 200


def test_bearer_and_x_api_key(secured: LiveServer) -> None:
    with secured.client() as c:
        assert c.get("/v1/health", headers={"Authorization": "Bearer env-key-1"}).json()["auth"] is True
        assert c.get("/v1/categories", headers={"X-API-Key": "env-key-2"}).status_code == 200
        resp = c.post(
            "/v1/scan/text", json={"text": "投标人须在本市注册。"}, headers={"X-API-Key": "file-key-3"}
        )
        assert resp.status_code == 200, resp.text


def test_jobs_are_private_to_their_key(secured: LiveServer) -> None:
    with secured.client() as c:
        job = c.post(
            "/v1/jobs",
            files={"file": ("a.txt", "投标人须在本市注册。".encode())},
            headers={"Authorization": "Bearer env-key-1"},
        ).json()
        assert c.get(f"/v1/jobs/{job['job_id']}", headers={"X-API-Key": "env-key-1"}).status_code == 200
        assert c.get(f"/v1/jobs/{job['job_id']}", headers={"X-API-Key": "env-key-2"}).status_code == 404


def test_rate_limit_429_with_retry_after(secured: LiveServer) -> None:
    with secured.client() as c:
        statuses = [c.get("/v1/health", headers={"X-API-Key": "file-key-3"}) for _ in range(8)]
        codes = [r.status_code for r in statuses]
        assert 429 in codes and codes[0] == 200
        limited = next(r for r in statuses if r.status_code == 429)
        assert limited.json()["error"]["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        # another key has its own bucket
        assert c.get("/v1/health", headers={"X-API-Key": "env-key-2"}).status_code == 200
