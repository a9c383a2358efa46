"""Explicit, configurable limits on what a single scan accepts."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 100 * 1024 * 1024
    max_pages: int = 2000
    max_chars: int = 5_000_000
    # DOCX/zip safety: total declared uncompressed size and ratio
    max_unzipped_bytes: int = 500 * 1024 * 1024
    max_zip_ratio: int = 200
    ocr: bool = True  # OCR pages without a usable text layer (slow: seconds per page)
    ocr_max_pages: int = 300

    @classmethod
    def from_env(cls) -> Limits:
        d = cls()
        return cls(
            max_bytes=_env_int("TENDERSCAN_MAX_BYTES", d.max_bytes),
            max_pages=_env_int("TENDERSCAN_MAX_PAGES", d.max_pages),
            max_chars=_env_int("TENDERSCAN_MAX_CHARS", d.max_chars),
            max_unzipped_bytes=_env_int("TENDERSCAN_MAX_UNZIPPED_BYTES", d.max_unzipped_bytes),
            max_zip_ratio=_env_int("TENDERSCAN_MAX_ZIP_RATIO", d.max_zip_ratio),
            ocr=os.environ.get("TENDERSCAN_OCR", "1") not in ("0", "false", "no"),
            ocr_max_pages=_env_int("TENDERSCAN_OCR_MAX_PAGES", d.ocr_max_pages),
        )
