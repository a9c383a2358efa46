"""Split a document into clauses with section paths and exact offsets."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from scanner.ingest.table import CELL_SEP
from scanner.segment.headings import Heading, heading_of
from scanner.segment.kinds import section_kind, table_kind
from scanner.types import Block, Clause, Document

_OPEN = "（(“‘「『【《〔[{"
_CLOSE = "）)”’」』】》〕]}"
_ENDS = "。！？；!?;"
MAX_CLAUSE_CHARS = 300


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of sentences: split after 。！？； outside brackets and quotes."""
    depth = 0
    start = 0
    n = len(text)
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _ENDS and depth == 0:
            end = i + 1
            while end < n and text[end] in "”’」』）)":
                end += 1
            yield from _trimmed(text, start, end)
            start = end
    if start < n:
        yield from _trimmed(text, start, n)


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return
    if end - start <= MAX_CLAUSE_CHARS:
        yield start, end
        return
    # very long sentence: cut at commas into pieces of at most MAX_CLAUSE_CHARS
    piece = start
    last_comma = -1
    for i in range(start, end):
        if text[i] in "，,、":
            last_comma = i + 1
        if i + 1 - piece >= MAX_CLAUSE_CHARS and last_comma > piece:
            yield piece, last_comma
            piece = last_comma
    if piece < end:
        yield piece, end


_LIST_ITEM = re.compile(r"(?<=[\s：:])(?=(?:[（(]\d{1,2}[）)]|\d{1,2}[、.．](?!\d)|[①-⑳]))")


def block_spans(block: Block) -> Iterator[tuple[int, int]]:
    """Clause spans within one block: a table row is one clause; text splits into sentences."""
    if block.kind == "table_row":
        if block.text.strip():
            yield 0, len(block.text)
        return
    text = block.text
    # inline list items ("要求：1、…；2、…") start new clauses too
    cuts = [m.start() for m in _LIST_ITEM.finditer(text)]
    bounds = [0, *cuts, len(text)]
    for a, b in itertools.pairwise(bounds):
        for s, e in sentence_spans(text[a:b]):
            yield a + s, a + e


def segment(doc: Document) -> tuple[Clause, ...]:
    """Clauses in document order, each with its section path and kind."""
    stack: list[Heading] = []
    clauses: list[Clause] = []
    offsets = doc.block_offsets()
    for block, base in zip(doc.blocks, offsets, strict=True):
        heading = heading_of(block)
        if heading is not None:
            while stack and stack[-1].rank >= heading.rank:
                stack.pop()
            stack.append(heading)
        path = tuple(h.title for h in stack)
        kind = section_kind(path)
        table = block.source.table
        if table is not None:
            headers = [c.header for c in table.cells if c.header]
            kind = table_kind(headers or block.text.split(CELL_SEP), kind)
        for s, e in block_spans(block):
            clauses.append(
                Clause(
                    id=f"c{len(clauses):05d}",
                    text=block.text[s:e],
                    start=base + s,
                    end=base + e,
                    section=path,
                    section_kind=kind,
                    page=block.source.page,
                    table=table,
                    block_start=base,
                )
            )
    return tuple(clauses)
