"""Shared fixtures for the report tests: one engine, the sample documents scanned once."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.engine import ScanEngine
from scanner.types import ScanResult

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "corpus" / "samples"
REALDOCS = REPO.parent / "shared" / "realdocs"
SAMPLE_DOCX = SAMPLES / "sample_tender.docx"
SAMPLE_PDF = SAMPLES / "sample_tender.pdf"


def docx_inputs() -> list[Path]:
    """The sample DOCX plus every real DOCX that is present."""
    real = sorted(REALDOCS.glob("*.docx")) if REALDOCS.is_dir() else []
    return [SAMPLE_DOCX, *real]


@pytest.fixture(scope="session")
def engine() -> ScanEngine:
    return ScanEngine()


@pytest.fixture(scope="session")
def scanned(engine: ScanEngine) -> dict[Path, tuple[bytes, ScanResult]]:
    """Lazily filled cache: path → (bytes, result)."""
    return {}


@pytest.fixture(scope="session")
def scan(engine: ScanEngine, scanned: dict[Path, tuple[bytes, ScanResult]]):
    def _scan(path: Path) -> tuple[bytes, ScanResult]:
        if path not in scanned:
            data = path.read_bytes()
            scanned[path] = (data, engine.scan_bytes(data, path.name))
        return scanned[path]

    return _scan
