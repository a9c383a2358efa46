"""Legacy Word 97-2003 (.doc) and WPS files.

Primary path: LibreOffice headless converts to DOCX (per-process profile directory, a time
limit, one conversion at a time per profile), then the DOCX reader runs. Fallback when
LibreOffice is absent or fails: a pure-Python reader of the Word binary piece table (MS-DOC
FIB → CLX → PlcPcd), which yields paragraphs and (heuristically) table rows, without styles.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import struct
import subprocess
import tempfile
import threading
from pathlib import Path

from scanner.errors import DocumentTooLarge, EncryptedDocument, ExtractionFailed
from scanner.limits import Limits
from scanner.normalize import remove_cjk_spaces
from scanner.types import Block, Document, DocWarning

DOC_MEDIA_TYPE = "application/msword"
CONVERT_TIMEOUT_S = 120
_LOCK = threading.Lock()  # one conversion at a time per profile (the profile is per process)


_PROFILE_PREFIX = "tenderscan-lo-profile-"
_profile: Path | None = None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def profile_dir() -> Path:
    """This process's LibreOffice profile: created once, removed at exit; dead processes' ones swept."""
    global _profile
    if _profile is None or _profile.name != f"{_PROFILE_PREFIX}{os.getpid()}":  # new, or a forked child
        tmp = Path(tempfile.gettempdir())
        for old in tmp.glob(f"{_PROFILE_PREFIX}*"):
            pid = old.name.removeprefix(_PROFILE_PREFIX)
            if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        _profile = tmp / f"{_PROFILE_PREFIX}{os.getpid()}"
        atexit.register(shutil.rmtree, _profile, ignore_errors=True)
    return _profile


def soffice_path() -> str | None:
    """LibreOffice's executable, unless TENDERSCAN_LIBREOFFICE=0 asks for the built-in reader."""
    if os.environ.get("TENDERSCAN_LIBREOFFICE", "1") in ("0", "false", "no"):
        return None
    return shutil.which("soffice") or shutil.which("libreoffice")


def ingest_doc(data: bytes, name: str, limits: Limits, media_type: str = DOC_MEDIA_TYPE) -> Document:
    """Read a .doc/.wps: LibreOffice → DOCX reader when available, else the piece-table reader."""
    sha = hashlib.sha256(data).hexdigest()
    binary = _check_ole(data)
    warnings: list[DocWarning] = []
    if soffice_path():
        try:
            converted = convert_to_docx(data)
        except ExtractionFailed as exc:
            warnings.append(
                DocWarning("conversion_failed", f"LibreOffice 转换失败，改用内置读取器：{exc.zh} / {exc.en}")
            )
        else:
            from scanner.ingest.docx import ingest_docx

            doc = ingest_docx(converted, name, limits)
            return Document(name, media_type, sha, doc.blocks, doc.pages, doc.warnings, doc.metadata)
    blocks = read_piece_table(binary, limits)
    warnings.append(
        DocWarning(
            "legacy_reader",
            "未使用 LibreOffice：以内置读取器提取旧版 Word 文本，标题样式与表格结构可能不完整 / "
            "LibreOffice not used: text extracted by the built-in legacy reader; headings and tables may be approximate",
        )
    )
    return Document(name, media_type, sha, tuple(blocks), None, tuple(warnings))


def convert_to_docx(data: bytes, timeout: int = CONVERT_TIMEOUT_S) -> bytes:
    """LibreOffice headless .doc/.wps → .docx in a private temp dir and profile."""
    exe = soffice_path()
    if exe is None:
        raise ExtractionFailed("未安装 LibreOffice", "LibreOffice is not installed")
    profile = profile_dir()
    with _LOCK, tempfile.TemporaryDirectory(prefix="tenderscan-doc-") as tmp:
        src = Path(tmp) / "input.doc"
        src.write_bytes(data)
        cmd = [
            exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nologo",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src),
        ]  # fmt: skip
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ExtractionFailed(
                f"LibreOffice 转换超时（{timeout} 秒）", f"LibreOffice conversion timed out after {timeout}s"
            ) from exc
        out = Path(tmp) / "input.docx"
        if not out.is_file():
            raise ExtractionFailed("LibreOffice 未能转换该文件", "LibreOffice could not convert the file")
        return out.read_bytes()


# ---- the pure-Python reader --------------------------------------------------------------------


def _check_ole(data: bytes) -> dict[str, bytes]:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error) as exc:
        raise ExtractionFailed(
            "旧版 Word 文件已损坏或不完整", "The legacy Word file is corrupt or truncated"
        ) from exc
    try:
        streams = {"/".join(p): p for p in ole.listdir()}
        if "EncryptedPackage" in streams:
            raise EncryptedDocument("文件已加密（受密码保护）", "The document is password-protected")
        if "WordDocument" not in streams:
            raise ExtractionFailed("OLE 文件中没有 Word 正文", "The OLE file has no WordDocument stream")
        out = {"WordDocument": ole.openstream("WordDocument").read()}
        for table in ("0Table", "1Table"):
            if table in streams:
                out[table] = ole.openstream(table).read()
        return out
    except (OSError, ValueError, struct.error) as exc:
        raise ExtractionFailed(
            "旧版 Word 文件已损坏或不完整", "The legacy Word file is corrupt or truncated"
        ) from exc
    finally:
        ole.close()


def _piece_text(streams: dict[str, bytes], limits: Limits) -> str:
    wd = streams["WordDocument"]
    try:
        ident, _nfib = struct.unpack_from("<HH", wd, 0)
        if ident != 0xA5EC:
            raise ExtractionFailed("不是 Word 97 以上格式的文件", "Not a Word 97+ binary document")
        flags = struct.unpack_from("<H", wd, 0x0A)[0]
        if flags & 0x0100:  # fEncrypted
            raise EncryptedDocument("文件已加密（受密码保护）", "The document is password-protected")
        table = streams.get("1Table" if flags & 0x0200 else "0Table")
        if table is None:
            raise ExtractionFailed("Word 文件缺少表流", "The Word file has no table stream")
        csw = struct.unpack_from("<H", wd, 0x20)[0]
        pos = 0x22 + csw * 2
        cslw = struct.unpack_from("<H", wd, pos)[0]
        pos += 2 + cslw * 4 + 2  # skip cbRgFcLcb
        fc_clx, lcb_clx = struct.unpack_from("<II", wd, pos + 33 * 8)
        clx = table[fc_clx : fc_clx + lcb_clx]
        i = 0
        while i < len(clx) and clx[i] == 0x01:  # Prc: skip grpprl
            i += 3 + struct.unpack_from("<H", clx, i + 1)[0]
        if i >= len(clx) or clx[i] != 0x02:
            raise ExtractionFailed("Word 文件的文本索引损坏", "The Word piece table is damaged")
        lcb = struct.unpack_from("<I", clx, i + 1)[0]
        plc = clx[i + 5 : i + 5 + lcb]
        n = (lcb - 4) // 12
        cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
        parts = []
        total = 0
        for k in range(n):
            fc = struct.unpack_from("<I", plc, (n + 1) * 4 + k * 8 + 2)[0]
            count = cps[k + 1] - cps[k]
            total += count
            if total > limits.max_chars * 2:
                raise DocumentTooLarge("文本超过字符上限", "The text exceeds the character limit")
            if fc & 0x40000000:
                start = (fc & 0x3FFFFFFF) // 2
                parts.append(wd[start : start + count].decode("cp1252", errors="replace"))
            else:
                parts.append(wd[fc : fc + 2 * count].decode("utf-16-le", errors="replace"))
        return "".join(parts)
    except struct.error as exc:
        raise ExtractionFailed(
            "旧版 Word 文件已损坏或不完整", "The legacy Word file is corrupt or truncated"
        ) from exc


def _strip_fields(text: str) -> str:
    """Drop field codes (between 0x13 and 0x14/0x15), keep field results."""
    out, depth, in_code = [], 0, []
    for ch in text:
        if ch == "\x13":
            depth += 1
            in_code.append(True)
        elif ch == "\x14" and in_code:
            in_code[-1] = False
        elif ch == "\x15" and in_code:
            in_code.pop()
            depth -= 1
        elif not (in_code and in_code[-1]):
            out.append(ch)
    return "".join(out)


def _clean(s: str) -> str:
    s = "".join(c if c >= " " or c == "\t" else " " for c in s).replace("\t", " ")
    return remove_cjk_spaces(" ".join(s.split()))


def read_piece_table(streams: dict[str, bytes], limits: Limits) -> list[Block]:
    """Paragraph blocks from the piece-table text.

    Paragraphs end with \r and table cells with \x07; without the paragraph properties
    (fInTable) a cell cannot be told from a paragraph reliably, so every cell is its own
    paragraph block here (the LibreOffice path keeps real table rows with headers).
    """
    text = _strip_fields(_piece_text(streams, limits))
    for mark in ("\x07", "\x0b", "\x0c"):
        text = text.replace(mark, "\r")
    blocks = [Block(text=c) for c in (_clean(p) for p in text.split("\r")) if c]
    if sum(len(b.text) for b in blocks) > limits.max_chars:
        raise DocumentTooLarge("文本超过字符上限", "The text exceeds the character limit")
    return blocks
