"""The audit walker: documents by bytes, nested archive paths, archive-bomb limits."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from scanner.audit.walk import ArchiveLimits, DocItem, Walker, WalkFailure, classify

from .conftest import SAMPLES, make_bomb


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_corpus_walk(corpus: Path) -> None:
    walker = Walker()
    items = list(walker.walk([corpus]))
    docs = {i.path.removeprefix(str(corpus) + "/"): i for i in items if isinstance(i, DocItem)}
    fails = {f.path.removeprefix(str(corpus) + "/"): f for f in items if isinstance(f, WalkFailure)}
    assert "archive.zip!招标文件/sample_20p.docx" in docs
    assert "archive.zip!嵌套/inner.zip!深层/短文本.txt" in docs
    assert (
        docs["archive.zip!嵌套/inner.zip!深层/短文本.txt"].load()
        == (SAMPLES / "sample_short.txt").read_bytes()
    )
    assert docs["archive.zip!招标文件/sample_20p.docx"].name == "sample_20p.docx"
    assert "broken.pdf" in docs  # a PDF by its bytes: the scanner will record why it fails
    assert fails["bomb.zip"].code == "archive_bomb"
    assert not any(k.endswith((".py", ".jpg", ".png")) for k in docs)
    assert walker.stats.skipped_non_documents >= 3


def test_type_comes_from_bytes_not_extension(tmp_path: Path) -> None:
    (tmp_path / "looks_like.pdf").write_bytes((SAMPLES / "sample_20p.docx").read_bytes())  # a DOCX named .pdf
    (tmp_path / "noextension").write_bytes((SAMPLES / "sample_short.txt").read_bytes())
    (tmp_path / "random.bin").write_bytes(bytes(range(256)) * 40)  # binary, unknown extension
    (tmp_path / "docs.dat").write_bytes(_zip({"a/sample.docx": (SAMPLES / "sample_20p.docx").read_bytes()}))
    (tmp_path / "sheet.zip").write_bytes(_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"}))
    items = list(Walker().walk([tmp_path]))
    paths = sorted(i.path.removeprefix(f"{tmp_path}/") for i in items if isinstance(i, DocItem))
    assert paths == ["docs.dat!a/sample.docx", "looks_like.pdf", "noextension"]


@pytest.mark.parametrize(
    ("limits", "entries", "code"),
    [
        (
            ArchiveLimits(max_members=3),
            {f"f{i}.txt": "招标文件".encode() for i in range(4)},
            "archive_too_many_members",
        ),
        (ArchiveLimits(max_total_bytes=1000), {"a.txt": ("采购" * 400).encode()}, "archive_too_large"),
        (ArchiveLimits(max_depth=1), {"inner.zip": _zip({"x.txt": "招标".encode()})}, "archive_too_deep"),
    ],
)
def test_archive_limits(tmp_path: Path, limits: ArchiveLimits, entries: dict[str, bytes], code: str) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(_zip(entries))
    items = list(Walker(limits).walk([path]))
    assert [type(i) for i in items] == [WalkFailure]
    assert items[0].code == code
    assert "拒绝" in items[0].zh


def test_zip_bomb_is_refused_from_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    make_bomb(path)
    assert path.stat().st_size < 1024**2
    [failure] = Walker().walk([path])
    assert isinstance(failure, WalkFailure) and failure.code == "archive_bomb"


def test_nested_bomb_inside_archive(tmp_path: Path) -> None:
    make_bomb(tmp_path / "bomb.zip")
    outer = tmp_path / "outer.zip"
    outer.write_bytes(
        _zip(
            {
                "ok.txt": (SAMPLES / "sample_short.txt").read_bytes(),
                "x/bomb.zip": (tmp_path / "bomb.zip").read_bytes(),
            }
        )
    )
    items = list(Walker().walk([outer]))
    rel = lambda p: p.removeprefix(f"{tmp_path}/")
    assert [rel(i.path) for i in items if isinstance(i, DocItem)] == ["outer.zip!ok.txt"]
    assert [(rel(f.path), f.code) for f in items if isinstance(f, WalkFailure)] == [
        ("outer.zip!x/bomb.zip", "archive_bomb")
    ]


def test_unsupported_and_corrupt_archives_are_failures(tmp_path: Path) -> None:
    (tmp_path / "pack.rar").write_bytes(b"Rar!\x1a\x07\x00")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + b"\0" * 50)
    codes = sorted(
        (Path(f.path).name, f.code) for f in Walker().walk([tmp_path]) if isinstance(f, WalkFailure)
    )
    assert codes == [("broken.zip", "corrupt_archive"), ("pack.rar", "unsupported_format")]


def test_classify() -> None:
    assert classify(b"%PDF-1.7\n...") == "document"
    assert classify(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100) == "document"
    assert classify(b"PK\x03\x04", ["word/document.xml"]) == "document"
    assert classify(b"PK\x03\x04", ["a.pdf"]) == "archive"
    assert classify(b"PK\x03\x04", ["[Content_Types].xml", "xl/workbook.xml"]) == "other"
    assert classify("投标人须在本市注册。".encode()) == "document"
    assert classify("投标人须在本市注册。".encode()[:-1]) == "document"  # cut inside a character
    assert classify(bytes(range(256))) == "unknown"
