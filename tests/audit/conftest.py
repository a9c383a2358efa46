"""Shared fixtures for the audit tests: a corpus folder of real files and one reference run.

The corpus: a subset of ../shared/realdocs (all of them with TENDERSCAN_AUDIT_ALL_REALDOCS=1),
the generated samples (docx, pdf, txt), a zip holding copies of some of them under nested
folders plus a zip inside the zip, a corrupt PDF, a zip bomb and a few non-documents.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "corpus" / "samples"
REALDOCS = REPO.parent / "shared" / "realdocs"
# Small real documents without scanned pages (OCR takes minutes per document on a small machine).
REALDOCS_SUBSET = (
    "03_cn_yinchuan_guofang_logo_install_simplified.docx",
    "38_cn_china_mobile_anhui_scoring_rules_table.docx",
    "45_cn_huaneng_mengcheng_wind_farm_notice_ch1_2021.docx",
    "34_cn_changshu_rcb_security_services_2025.docx",
    "16_cn_luojing_town_mgmt_services_consultation_2026.docx",
    "12_cn_luodian_school_canteen_labor_consultation_2024.pdf",
)
ALL_REALDOCS = os.environ.get("TENDERSCAN_AUDIT_ALL_REALDOCS") == "1"
TIMEOUT = os.environ.get("TENDERSCAN_AUDIT_TEST_TIMEOUT", "300")


def realdocs() -> list[Path]:
    if not REALDOCS.is_dir():
        return []
    files = sorted(
        p for p in REALDOCS.iterdir() if p.suffix.lower() in {".pdf", ".docx", ".doc", ".wps", ".txt"}
    )
    return files if ALL_REALDOCS else [p for p in files if p.name in REALDOCS_SUBSET]


def make_bomb(path: Path, size: int = 64 * 1024**2) -> None:
    """A zip whose single member inflates 1000:1 (64 MiB of zeros in about 64 KiB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("payload.txt", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024**2)
            for _ in range(size // len(chunk)):
                fh.write(chunk)


def build_corpus(root: Path) -> Path:
    corpus = root / "corpus"
    (corpus / "real").mkdir(parents=True)
    for p in realdocs():
        shutil.copy(p, corpus / "real" / p.name)
    for name in ("sample_tender.docx", "sample_tender.pdf", "sample_short.txt", "sample_20p.docx"):
        shutil.copy(SAMPLES / name, corpus / name)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("深层/短文本.txt", (SAMPLES / "sample_short.txt").read_bytes())
    with zipfile.ZipFile(corpus / "archive.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("招标文件/sample_20p.docx", (SAMPLES / "sample_20p.docx").read_bytes())
        zf.writestr("招标文件/说明.png", b"\x89PNG\r\n\x1a\n not really")
        zf.writestr("嵌套/inner.zip", inner.getvalue())
    pdf = (SAMPLES / "sample_tender.pdf").read_bytes()
    (corpus / "broken.pdf").write_bytes(pdf[:3000])  # truncated: a PDF header, no body, no xref
    make_bomb(corpus / "bomb.zip")
    (corpus / "notes.py").write_text("print('not a document')\n", encoding="utf-8")
    (corpus / "picture.jpg").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    return corpus


def freeze_tree(root: Path) -> Path:
    """A snapshot of scanner/ and lexicons/ (models/ linked) to run the CLI from.

    Every audit subprocess of the session runs this code with these rules (TENDERSCAN_DATA), even
    while the working tree is being edited, so comparisons between runs test the audit itself.
    """
    tree = root / "tree"
    tree.mkdir()
    shutil.copytree(REPO / "scanner", tree / "scanner", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "lexicons", tree / "lexicons")
    (tree / "models").symlink_to(REPO / "models", target_is_directory=True)
    return tree


def cli_env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def cli_cwd() -> Path:
    """Where CLI subprocesses start: the frozen tree (its scanner/ comes first on sys.path)."""
    return Path(os.environ.get("TENDERSCAN_DATA", REPO))


def run_cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = cli_env()
    return subprocess.run(
        [sys.executable, "-m", "scanner.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cli_cwd(),
    )


def audit_args(corpus: Path, db: Path, *extra: str) -> list[str]:
    return ["audit", str(corpus), "--db", str(db), "--timeout", TIMEOUT, *extra]


def finding_keys(db: Path) -> set[tuple[str, str, str, int, int]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            'SELECT d.sha256, f.finding_id, f.category, f.start, f."end" FROM findings f '
            "JOIN documents d ON d.id = f.document_id"
        ).fetchall()
    return {tuple(r) for r in rows}  # type: ignore[misc]


def query(db: Path, sql: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="session", autouse=True)
def frozen_tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """TENDERSCAN_DATA → a snapshot of code and rules for the session's CLI subprocesses (and data for dask)."""
    data = freeze_tree(tmp_path_factory.mktemp("audit_frozen"))
    old = os.environ.get("TENDERSCAN_DATA")
    os.environ["TENDERSCAN_DATA"] = str(data)
    yield data
    if old is None:
        os.environ.pop("TENDERSCAN_DATA", None)
    else:
        os.environ["TENDERSCAN_DATA"] = old


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("audit_corpus"))


@pytest.fixture(scope="session")
def reference(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """An uninterrupted audit of the corpus (2 workers): the store every other run is compared with."""
    db = tmp_path_factory.mktemp("audit_ref") / "audit.sqlite"
    proc = run_cli(*audit_args(corpus, db, "--jobs", "2"))
    assert proc.returncode == 0, proc.stderr
    return db, proc
