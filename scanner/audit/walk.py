"""Finding the documents of an audit: folders, files and .zip archives (nested), by their bytes.

``walk(paths)`` yields ``DocItem`` (a document to scan, with a loader for its bytes) and
``WalkFailure`` (something that looked like a document or archive but cannot be scanned: a
refused archive bomb, a corrupt archive, an unsupported archive format). Types are decided by
sniffing bytes; extensions are only used to skip obvious non-documents (images, media, code,
data files) without reading them. Paths inside archives are kept as
``archive.zip!inner/path.pdf`` (``!`` once per nesting level).

Archive limits (``ArchiveLimits``) are checked on the central directory before anything is
decompressed: member count, total declared uncompressed size (shared by nested archives),
compression ratio (whole archive and per member) and nesting depth. Reads are capped at the
declared size (``zipfile`` never returns more than the declared size and checks the CRC), so a
directory that lies about sizes fails as corrupt instead of exploding.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath

from scanner.ingest.sniff import detect_text_encoding
from scanner.limits import Limits

SEP = "!"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 / WPS compound file
# Obvious non-documents, skipped without being read (saves time; never used to decide a type).
SKIP_SUFFIXES = frozenset(
    """
    .png .jpg .jpeg .gif .bmp .tif .tiff .webp .svg .ico .heic .psd .dwg .dxf
    .mp3 .mp4 .avi .mov .wav .flac .mkv .wmv .m4a .ogg .webm
    .exe .dll .so .dylib .msi .apk .dmg .iso .class .jar .pyc .o .a .lib
    .py .js .ts .css .java .c .h .cpp .go .rs .sh .bat .ps1 .rb .php
    .json .jsonl .yaml .yml .toml .ini .cfg .csv .tsv .xml .sql .parquet .pkl .npy .npz
    .db .sqlite .sqlite3 .sqlite-wal .sqlite-shm .db-wal .db-shm .log .lock
    .xls .xlsx .xlsm .et .ppt .pptx .dps .key .numbers
    .ttf .otf .woff .woff2 .eot .html .htm .md .rst
    """.split()
)
SKIP_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
# Document or archive formats the scanner cannot read: recorded as failures, not silently skipped.
UNSUPPORTED_SUFFIXES = {
    ".rar": "RAR",
    ".7z": "7z",
    ".gz": "gzip",
    ".tgz": "gzip",
    ".bz2": "bzip2",
    ".xz": "xz",
    ".tar": "tar",
    ".ofd": "OFD",
    ".odt": "ODT",
    ".rtf": "RTF",
}
DOC_SUFFIXES = frozenset({".pdf", ".docx", ".doc", ".wps", ".txt", ".text"})
_HEAD = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """Zip-bomb guards. Totals are shared by an archive and every archive nested in it."""

    max_members: int = 10_000
    max_total_bytes: int = 2 * 1024**3  # declared uncompressed size
    max_ratio: int = 100  # uncompressed / compressed, whole archive and per member (over 1 MiB)
    max_depth: int = 3  # archives inside archives
    max_member_bytes: int = Limits().max_bytes


@dataclass(frozen=True)
class DocItem:
    """A document to scan: display path, file name for the scanner, size, and a loader."""

    path: str
    name: str
    size: int
    load: Callable[[], bytes] = field(repr=False, compare=False)


@dataclass(frozen=True)
class WalkFailure:
    """Something that cannot be scanned (recorded as a failure of kind ``archive`` or ``file``)."""

    path: str
    code: str
    zh: str
    en: str
    kind: str = "archive"


@dataclass
class WalkStats:
    """Counts of what the walk skipped (shown in the run summary)."""

    skipped_non_documents: int = 0
    archives: int = 0


class _Budget:
    """Running totals for one top-level archive and its nested archives."""

    def __init__(self) -> None:
        self.members = 0
        self.declared = 0


class ArchiveRefused(Exception):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _skippable(name: str) -> bool:
    base = PurePosixPath(name).name
    low = base.lower()
    return (
        low in SKIP_NAMES
        or base.startswith(("~$", "._"))
        or _suffix(base) in SKIP_SUFFIXES
        or low.endswith(("-wal", "-shm", "-journal"))
    )


def classify(head: bytes, names: Iterable[str] | None = None) -> str:
    """``document``, ``archive``, ``other`` (OOXML that is not Word) or ``unknown``, from bytes.

    ``names`` is the member list when ``head`` starts a zip file (needed to tell DOCX from a
    plain archive).
    """
    if b"%PDF-" in head[:1024] or head.startswith(_OLE_MAGIC):
        return "document"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if names is None:
            return "archive"
        members = set(names)
        if "word/document.xml" in members:
            return "document"
        if "[Content_Types].xml" in members or "mimetype" in members:
            return "other"  # xlsx, pptx, odt...: packages, not archives of documents
        return "archive"
    if not head.strip():
        return "unknown"
    for cut in range(4):  # the head may end inside a multi-byte character
        if detect_text_encoding(head[: len(head) - cut] if cut else head) is not None:
            return "document"
    return "unknown"


def _member_name(info: zipfile.ZipInfo) -> str:
    """Member name, fixing GBK names stored without the UTF-8 flag (common in Chinese zips)."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            name = name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def check_archive(
    zf: zipfile.ZipFile, compressed: int, depth: int, limits: ArchiveLimits, budget: _Budget
) -> None:
    """Refuse an archive on its directory alone (raises ``ArchiveRefused``)."""
    if depth > limits.max_depth:
        raise ArchiveRefused(
            "archive_too_deep",
            f"压缩包嵌套层数超过上限 {limits.max_depth}，已拒绝",
            f"Archive nesting deeper than {limits.max_depth} levels; refused",
        )
    infos = zf.infolist()
    budget.members += len(infos)
    if budget.members > limits.max_members:
        raise ArchiveRefused(
            "archive_too_many_members",
            f"压缩包内文件数超过上限 {limits.max_members}，已拒绝",
            f"Archive has more than {limits.max_members} members; refused",
        )
    declared = sum(i.file_size for i in infos)
    budget.declared += declared
    if budget.declared > limits.max_total_bytes:
        raise ArchiveRefused(
            "archive_too_large",
            f"压缩包解压后总大小（声明 {budget.declared} 字节）超过上限 {limits.max_total_bytes} 字节，已拒绝",
            f"Archive declares {budget.declared} uncompressed bytes, over the {limits.max_total_bytes} limit; refused",
        )
    ratio = declared / max(compressed, 1)
    big = [
        i for i in infos if i.file_size > 1024**2 and i.file_size / max(i.compress_size, 1) > limits.max_ratio
    ]
    if (declared > 1024**2 and ratio > limits.max_ratio) or big:
        worst = max([ratio] + [i.file_size / max(i.compress_size, 1) for i in big])
        raise ArchiveRefused(
            "archive_bomb",
            f"压缩比异常（约 {worst:.0f}:1，上限 {limits.max_ratio}:1），疑似压缩炸弹，已拒绝",
            f"Suspicious compression ratio (about {worst:.0f}:1, limit {limits.max_ratio}:1): "
            "possible zip bomb; refused",
        )


@lru_cache(maxsize=4)
def _open_chain(chain: tuple[str, ...]) -> zipfile.ZipFile:
    """The zip at ``chain`` = (file on disk, member, nested member...); cached for consecutive reads."""
    if len(chain) == 1:
        return zipfile.ZipFile(chain[0])
    parent = _open_chain(chain[:-1])
    return zipfile.ZipFile(io.BytesIO(parent.read(chain[-1])))


def _read_member(chain: tuple[str, ...], member: str, cap: int) -> bytes:
    with _open_chain(chain).open(member) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise ArchiveRefused("member_too_large", "压缩包内文件过大", "Archive member too large")
    return data


class Walker:
    """Walks paths into document items; counts skips in ``stats``."""

    def __init__(self, limits: ArchiveLimits | None = None, exclude: Iterable[Path] = ()) -> None:
        self.limits = limits or ArchiveLimits()
        self.stats = WalkStats()
        self._exclude = {p.resolve() for p in exclude}

    def walk(self, paths: Iterable[str | Path]) -> Iterator[DocItem | WalkFailure]:
        _open_chain.cache_clear()
        for raw in paths:
            p = Path(raw)
            if p.is_dir():
                for root, dirs, files in os.walk(p):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for f in sorted(files):
                        yield from self._file(Path(root) / f, explicit=False)
            elif p.exists():
                yield from self._file(p, explicit=True)
            else:
                yield WalkFailure(str(p), "not_found", "文件不存在", "File not found", kind="file")

    # -- files on disk ---------------------------------------------------------------------------
    def _file(self, path: Path, *, explicit: bool) -> Iterator[DocItem | WalkFailure]:
        if path.resolve() in self._exclude or (path.is_symlink() and not path.exists()):
            return
        name = path.name
        if not explicit and _skippable(name):
            self.stats.skipped_non_documents += 1
            return
        if _suffix(name) in UNSUPPORTED_SUFFIXES:
            yield _unsupported(str(path), _suffix(name))
            return
        try:
            size = path.stat().st_size
            with path.open("rb") as fh:
                head = fh.read(_HEAD)
        except OSError as exc:
            yield WalkFailure(
                str(path), "unreadable", "无法读取文件", f"Cannot read file ({exc.strerror})", "file"
            )
            return
        names = None
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            try:
                with zipfile.ZipFile(path) as zf:
                    names = [i.filename for i in zf.infolist()]
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                if _suffix(name) in DOC_SUFFIXES:  # a broken DOCX: let the scanner say why
                    yield DocItem(str(path), name, size, _disk_loader(path))
                else:
                    yield WalkFailure(
                        str(path),
                        "corrupt_archive",
                        "压缩包已损坏，无法打开",
                        "The zip archive is corrupt and cannot be opened",
                    )
                return
        kind = classify(head, names)
        if kind == "document" or (kind == "unknown" and (_suffix(name) in DOC_SUFFIXES or explicit)):
            yield DocItem(str(path), name, size, _disk_loader(path))
        elif kind == "archive":
            self.stats.archives += 1
            yield from self._archive((str(path),), str(path), size, 1, _Budget())
        else:
            self.stats.skipped_non_documents += 1

    # -- archives ----------------------------------------------------------------------------------
    def _archive(
        self, chain: tuple[str, ...], display: str, compressed: int, depth: int, budget: _Budget
    ) -> Iterator[DocItem | WalkFailure]:
        try:
            zf = _open_chain(chain)
            check_archive(zf, compressed, depth, self.limits, budget)
        except ArchiveRefused as exc:
            yield WalkFailure(display, exc.code, exc.zh, exc.en)
            return
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            yield WalkFailure(
                display,
                "corrupt_archive",
                "压缩包已损坏，无法打开",
                "The zip archive is corrupt and cannot be opened",
            )
            return
        for info in zf.infolist():
            if info.is_dir():
                continue
            inner = _member_name(info)
            shown = f"{display}{SEP}{inner}"
            parts = PurePosixPath(inner).parts
            if (parts and parts[0] == "__MACOSX") or _skippable(inner):
                self.stats.skipped_non_documents += 1
                continue
            if _suffix(inner) in UNSUPPORTED_SUFFIXES:
                yield _unsupported(shown, _suffix(inner))
                continue
            if info.flag_bits & 0x1:
                yield WalkFailure(
                    shown,
                    "encrypted_member",
                    "压缩包内文件已加密，无法读取",
                    "The archive member is encrypted",
                    kind="file",
                )
                continue
            if info.file_size > self.limits.max_member_bytes:
                yield WalkFailure(
                    shown,
                    "member_too_large",
                    f"压缩包内文件超过 {self.limits.max_member_bytes} 字节上限",
                    f"Archive member exceeds {self.limits.max_member_bytes} bytes",
                    kind="file",
                )
                continue
            yield from self._member(chain, info, inner, shown, depth, budget)

    def _member(
        self,
        chain: tuple[str, ...],
        info: zipfile.ZipInfo,
        inner: str,
        shown: str,
        depth: int,
        budget: _Budget,
    ) -> Iterator[DocItem | WalkFailure]:
        member, cap, name = info.filename, self.limits.max_member_bytes, PurePosixPath(inner).name
        try:
            with _open_chain(chain).open(member) as fh:
                head = fh.read(_HEAD)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            yield WalkFailure(
                shown,
                "corrupt_member",
                "压缩包内文件已损坏（无法解压）",
                "The archive member is corrupt and cannot be decompressed",
                kind="file",
            )
            return
        names = None
        if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            try:
                names = [i.filename for i in _open_chain((*chain, member)).infolist()]
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
                if _suffix(inner) not in DOC_SUFFIXES:
                    yield WalkFailure(
                        shown,
                        "corrupt_archive",
                        "压缩包已损坏，无法打开",
                        "The zip archive is corrupt and cannot be opened",
                    )
                    return
                names = ["word/document.xml"]  # a broken DOCX: let the scanner say why
        kind = classify(head, names)
        if kind == "document" or (kind == "unknown" and _suffix(inner) in DOC_SUFFIXES):
            yield DocItem(shown, name, info.file_size, lambda c=chain, m=member, n=cap: _read_member(c, m, n))
        elif kind == "archive":
            self.stats.archives += 1
            yield from self._archive((*chain, member), shown, info.compress_size, depth + 1, budget)
        else:
            self.stats.skipped_non_documents += 1


def _disk_loader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes


def _unsupported(shown: str, suffix: str) -> WalkFailure:
    fmt = UNSUPPORTED_SUFFIXES[suffix]
    return WalkFailure(
        shown,
        "unsupported_format",
        f"不支持的格式（{fmt}）：请转换为 PDF/Word 或 zip 后再审计",
        f"Unsupported format ({fmt}): convert to PDF/Word or zip first",
        kind="file",
    )


def walk(paths: Iterable[str | Path], limits: ArchiveLimits | None = None) -> list[DocItem | WalkFailure]:
    """Everything under ``paths`` (convenience wrapper around ``Walker``)."""
    return list(Walker(limits).walk(paths))
