"""Every hostile file gets its clean ScanError (stable code, bilingual message) quickly,
through the Python API and through the CLI (exit 2, no traceback)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner.engine import ScanEngine
from scanner.errors import ScanError
from tests.hostile.generate import CASES, EXPECTED, build

TIME_LIMIT_S = 30.0


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def engine() -> ScanEngine:
    return ScanEngine(model=False)


@pytest.mark.parametrize("name", sorted(CASES))
def test_engine_refuses_cleanly(name: str, files: dict[str, Path], engine: ScanEngine) -> None:
    start = time.monotonic()
    with pytest.raises(ScanError) as exc:
        engine.scan_file(files[name])
    elapsed = time.monotonic() - start
    assert exc.value.code == EXPECTED[name], exc.value.message
    assert exc.value.zh and exc.value.en and exc.value.zh != exc.value.en
    assert elapsed < TIME_LIMIT_S, f"{name} took {elapsed:.1f}s"


def test_cli_reports_each_file_and_exits_2(files: dict[str, Path]) -> None:
    good = Path(__file__).resolve().parents[2] / "corpus" / "samples" / "sample_short.txt"
    paths = [str(files[n]) for n in sorted(CASES)] + [str(good)]
    proc = subprocess.run(
        [sys.executable, "-m", "scanner.cli", "scan", "--format", "jsonl", *paths],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TENDERSCAN_OCR": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    for name in CASES:
        line = next((ln for ln in proc.stderr.splitlines() if name in ln), "")
        assert " / " in line, f"no bilingual error line for {name}: {proc.stderr[-2000:]}"
    # the good document after all the bad ones is still scanned
    assert proc.stdout.count('"schema_version"') == 1
