"""Tender-document discrimination scanner: the public Python API."""

from __future__ import annotations

from pathlib import Path

from scanner.engine import ScanEngine, default_engine
from scanner.types import Finding, ScanResult
from scanner.version import __version__


def scan_file(path: str | Path) -> ScanResult:
    return default_engine().scan_file(path)


def scan_bytes(data: bytes, name: str = "document") -> ScanResult:
    return default_engine().scan_bytes(data, name)


def scan_text(text: str, name: str = "text") -> ScanResult:
    return default_engine().scan_text(text, name)


__all__ = ["Finding", "ScanEngine", "ScanResult", "__version__", "scan_bytes", "scan_file", "scan_text"]
