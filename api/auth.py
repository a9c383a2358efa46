"""API keys (kept only as sha256 hashes, compared in constant time) and a per-key token bucket."""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from pathlib import Path

from api.errors import ApiError
from api.settings import Settings


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


class KeyRing:
    """The configured API keys. Plain keys are never stored; an empty ring means auth is off."""

    def __init__(self, keys: list[str]) -> None:
        self._hashes: tuple[bytes, ...] = tuple(dict.fromkeys(_hash(k) for k in keys if k))

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        keys = [k.strip() for k in settings.api_keys.split(",")]
        if settings.api_keys_file is not None:
            keys += read_keys_file(settings.api_keys_file)
        return cls([k for k in keys if k])

    @property
    def enabled(self) -> bool:
        return bool(self._hashes)

    def __len__(self) -> int:
        return len(self._hashes)

    def verify(self, key: str) -> str | None:
        """Identity (a hash prefix, safe to log) of a valid key, else None. Checks every key."""
        probe = _hash(key)
        match: bytes | None = None
        for h in self._hashes:
            if hmac.compare_digest(h, probe):
                match = h
        return match.hex()[:12] if match is not None else None


def read_keys_file(path: Path) -> list[str]:
    """One key per line; blank lines and lines starting with '#' are ignored."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def extract_key(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


class RateLimiter:
    """Token bucket per identity: ``per_minute`` tokens, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def check(self, identity: str) -> None:
        """Take one token or raise 429 with Retry-After (seconds until the next token)."""
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(identity, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self._buckets[identity] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise ApiError(
                    429,
                    "rate_limited",
                    f"请求过于频繁，请 {wait} 秒后重试",
                    f"Rate limit exceeded; retry in {wait} s",
                    {"Retry-After": str(wait)},
                )
            self._buckets[identity] = (tokens - 1.0, now)
            if len(self._buckets) > 10_000:  # forget idle identities
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 120}


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "缺少或无效的 API 密钥（Authorization: Bearer KEY 或 X-API-Key: KEY）",
        "Missing or invalid API key (Authorization: Bearer KEY or X-API-Key: KEY)",
        {"WWW-Authenticate": "Bearer"},
    )
