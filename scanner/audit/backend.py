"""What the audit runner needs from an execution backend (local processes or a Dask cluster)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Outcome:
    """The result of one submitted document: the JSON shape and metadata, or an error."""

    key: int
    shape: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    seconds: float | None = None
    code: str | None = None  # set on error
    zh: str = ""
    en: str = ""

    @property
    def ok(self) -> bool:
        return self.shape is not None

    @classmethod
    def from_worker(cls, key: int, out: dict[str, Any], seconds: float | None) -> Outcome:
        """From the dict returned by ``scanner.isolation._scan_in_worker``."""
        if "ok" in out:
            return cls(key, out["ok"], out.get("metadata") or {}, seconds)
        e = out["error"]
        return cls(key, code=e["code"], zh=e["zh"], en=e["en"], seconds=seconds)

    @classmethod
    def failed(cls, key: int, code: str, zh: str, en: str) -> Outcome:
        return cls(key, code=code, zh=zh, en=en)


class Backend(Protocol):
    """Runs ``scanner.isolation._scan_in_worker(data, name, with_metadata=True)`` somewhere."""

    name: str
    capacity: int  # documents in flight at once

    def start(self) -> dict[str, str]:
        """Start workers (engines built once per worker process); return the engine versions."""
        ...

    def submit(self, key: int, data: bytes, name: str) -> None: ...

    def poll(self, timeout: float) -> list[Outcome]:
        """Outcomes completed since the last call, waiting up to ``timeout`` seconds for one."""
        ...

    def in_flight(self) -> int: ...

    def close(self, abandon: bool = False) -> None:
        """Release workers; ``abandon`` kills in-flight work instead of letting it finish."""
        ...
