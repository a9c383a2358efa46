"""Plain-text reader: one block per non-empty line."""

from __future__ import annotations

import hashlib
import re

from scanner.errors import DocumentTooLarge, EmptyDocument, ExtractionFailed
from scanner.ingest.sniff import TEXT
from scanner.ingest.table import CELL_SEP, table_blocks
from scanner.limits import Limits
from scanner.types import Block, Document


def decode_text(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ExtractionFailed(
            f"文本无法按 {encoding} 编码解码", f"The text cannot be decoded as {encoding}"
        ) from exc


_OPEN_END = re.compile(r"[。；！？：;!?:）)」”】]$")
_CJK_END = re.compile(r"[\u4e00-\u9fff，、]$")


def _rejoin(lines: list[str]) -> list[str]:
    """Re-join hard-wrapped lines: a long line ending mid-sentence in CJK continues on the next
    line unless that one starts a heading or list item (or either is a table row)."""
    from scanner.segment.headings import pattern_rank

    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        if (
            len(prev) >= 10
            and _CJK_END.search(prev)
            and not _OPEN_END.search(prev)
            and CELL_SEP not in prev
            and CELL_SEP not in line
            and pattern_rank(line) is None
        ):
            out[-1] = prev + line
        else:
            out.append(line)
    return out


def _blocks(lines: list[str]) -> list[Block]:
    """One paragraph block per line; runs of lines with two or more "｜" are table rows
    (the flattened form tables take in plain-text exports: 评分因素｜分值｜评分标准)."""
    out: list[Block] = []
    run: list[list[str]] = []
    tables = 0
    for line in [*lines, ""]:
        if line.count(CELL_SEP) >= 2:
            run.append(line.split(CELL_SEP))
            continue
        if run:
            made, _ = table_blocks(run, tables)
            out.extend(made)
            tables += 1
            run = []
        if line:
            out.append(Block(text=line))
    return out


def text_document(text: str, name: str, limits: Limits, sha256: str | None = None) -> Document:
    """A Document from already-decoded text (used by scan_text and the text reader)."""
    if len(text) > limits.max_chars:
        raise DocumentTooLarge(
            f"文本超过字符上限（{limits.max_chars} 字符）",
            f"The text exceeds the character limit ({limits.max_chars} characters)",
        )
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    blocks = tuple(_blocks(_rejoin([line for line in lines if line])))
    if not blocks:
        raise EmptyDocument("文本内容为空", "The text is empty")
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(name=name, media_type=TEXT, sha256=digest, blocks=blocks)


def ingest_text(data: bytes, name: str, limits: Limits, encoding: str) -> Document:
    text = decode_text(data, encoding).lstrip("\ufeff")
    return text_document(text, name, limits, sha256=hashlib.sha256(data).hexdigest())
