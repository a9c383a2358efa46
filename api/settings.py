"""Service settings: pydantic-settings, every field overridable by a ``TENDERSCAN_*`` environment variable."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from scanner.limits import Limits


def _default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 2) - 1 or 1))


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tenderscan"


class Settings(BaseSettings):
    """Everything the API needs, with embedded defaults (no external service).

    Environment variables use the prefix ``TENDERSCAN_`` (``TENDERSCAN_SCAN_TIMEOUT_S=30`` ...).
    ``max_pages``/``max_chars`` share their names with :class:`scanner.limits.Limits`.
    """

    model_config = SettingsConfigDict(env_prefix="TENDERSCAN_", extra="ignore")

    # -- scanning ---------------------------------------------------------------------------
    workers: int = Field(default_factory=_default_workers, ge=1, le=64, description="scan worker processes")
    max_concurrent_scans: int | None = Field(
        default=None, ge=1, description="scans running at once (default: = workers); the rest wait in a queue"
    )
    max_queue: int = Field(default=64, ge=0, description="requests allowed to wait for a slot; beyond → 503")
    queue_timeout_s: float = Field(default=30.0, gt=0, description="longest wait for a slot before 503")
    scan_timeout_s: float = Field(default=120.0, gt=0, description="time limit per document (→ 504)")
    max_upload_bytes: int = Field(default=50 * 1024 * 1024, ge=1, description="largest upload (→ 413)")
    max_pages: int = Field(default=2000, ge=1)
    max_chars: int = Field(default=5_000_000, ge=1)
    max_text_chars: int = Field(default=1_000_000, ge=1, description="longest body of POST /v1/scan/text")
    use_model: bool = Field(default=True, description="load the shipped clause classifier in the workers")

    # -- access control ---------------------------------------------------------------------
    api_keys: str = Field(default="", repr=False, description="comma-separated API keys (empty: no auth)")
    api_keys_file: Path | None = Field(default=None, description="file with one API key per line")
    rate_limit_per_minute: int = Field(default=120, ge=0, description="requests per key per minute; 0 = off")

    # -- jobs --------------------------------------------------------------------------------
    jobs_db: Path = Field(default_factory=lambda: _default_data_dir() / "jobs.sqlite3")
    job_ttl_s: float = Field(default=24 * 3600, gt=0, description="how long finished job results are kept")
    job_cleanup_interval_s: float = Field(default=60.0, gt=0)

    # -- misc --------------------------------------------------------------------------------
    log_level: str = "INFO"
    test_hooks: bool = Field(default=False, description="test-only worker hooks (crash/hang); never in prod")

    @property
    def scan_slots(self) -> int:
        return self.max_concurrent_scans or self.workers

    def limits(self) -> Limits:
        """Engine limits for the workers (other Limits fields keep their env/default values)."""
        return replace(
            Limits.from_env(),
            max_bytes=self.max_upload_bytes,
            max_pages=self.max_pages,
            max_chars=self.max_chars,
        )
