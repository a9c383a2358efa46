"""Where rendered reports go: a file, standard output, or one file per document in a folder."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from scanner.report import FORMATS, suggested_filename
from scanner.report.common import ReportInputError

STDOUT = "-"


def check_destination(fmt: str, output: str | None, inputs: int) -> None:
    """Refuse destinations that cannot work before any scanning starts (bilingual ReportInputError)."""
    spec = FORMATS[fmt]
    if spec.binary and not output:
        raise ReportInputError(
            f"{fmt} 是二进制格式，请用 -o 指定输出文件（或 -o - 写到标准输出）",
            f"{fmt} is a binary format: give -o FILE (or -o - for standard output)",
        )
    if spec.annotates and inputs > 1 and output:
        path = Path(output)
        file_like = path.is_file() or (not path.exists() and path.suffix.lower() == spec.suffix)
        if output == STDOUT or file_like:
            raise ReportInputError(
                f"多份文档生成批注版 {fmt} 时，-o 必须是文件夹",
                f"With several documents, -o must be a folder for annotated {fmt} output",
            )


def folder_mode(fmt: str, output: str | None, inputs: int) -> bool:
    """Annotated documents go to a folder: several inputs, or -o names an existing folder."""
    if not FORMATS[fmt].annotates or output in (None, STDOUT):
        return False
    return inputs > 1 or Path(output).is_dir() or output.endswith(("/", "\\"))


def folder_targets(folder: str, names: Sequence[str], fmt: str) -> list[Path]:
    """One output path per document name inside ``folder`` (suffixed -2, -3... on collisions)."""
    base = Path(folder)
    used: set[str] = set()
    out = []
    for name in names:
        filename = suggested_filename([name], fmt)
        stem, dot, suffix = filename.rpartition(".")
        n = 1
        while filename in used:
            n += 1
            filename = f"{stem}-{n}{dot}{suffix}"
        used.add(filename)
        out.append(base / filename)
    return out


def write_bytes(body: bytes, output: str | None) -> None:
    """Write to a file, or to standard output when ``output`` is None or "-"."""
    if output in (None, STDOUT):
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
