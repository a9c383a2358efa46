"""Turn a table (rows of cell strings) into table-row blocks that keep their column headers.

Shared by the PDF and DOCX readers so that both produce the same row shape:
the non-empty cells of a row joined by ``CELL_SEP``, each cell remembering its column
index and the header of its column (from the table's header row, if it has one).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scanner.types import Block, Cell, Source, TableRef

CELL_SEP = "｜"

_NUMERIC = re.compile(r"^[\d\s.,%％分元万（）()\-~～—]+$")
_HEADER_WORDS = re.compile(
    r"序号|评分|评审|分值|权重|标准|因素|项目|内容|要求|名称|说明|参数|指标|备注|条款|类别|细则|得分|规格|数量|单位|资格"
)


def clean_cell(text: str | None) -> str:
    """Collapse internal whitespace/newlines of a cell (hard wraps inside cells)."""
    if not text:
        return ""
    from scanner.normalize import remove_cjk_spaces

    joined = re.sub(r"\s*\n\s*", "", text.strip())
    return remove_cjk_spaces(re.sub(r"[ \t]+", " ", joined))


def looks_like_header(cells: Sequence[str]) -> bool:
    """A header row: at least two non-empty, short, non-numeric cells, one a header word."""
    filled = [c for c in cells if c]
    if len(filled) < 2:
        return False
    if any(len(c) > 16 or _NUMERIC.match(c) for c in filled):
        return False
    return any(_HEADER_WORDS.search(c) for c in filled)


def table_blocks(
    rows: Sequence[Sequence[str | None]],
    table_index: int,
    page: int | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    header: Sequence[str] | None = None,
    row_bboxes: Sequence[tuple[float, float, float, float] | None] | None = None,
) -> tuple[list[Block], list[str] | None]:
    """Blocks for the rows of one table, in order.

    ``header`` passes the header of a table continued from a previous page. Returns the
    blocks and the header in force (so the caller can continue a table on the next page).
    A header row itself becomes a block too (it is text of the document), with no headers.
    """
    blocks: list[Block] = []
    current = list(header) if header else None
    for r, raw in enumerate(rows):
        cells = [clean_cell(c) for c in raw]
        if not any(cells):
            continue
        is_header = r == 0 and looks_like_header(cells)
        parts: list[str] = []
        refs: list[Cell] = []
        pos = 0
        for col, text in enumerate(cells):
            if not text:
                continue
            if parts:
                pos += len(CELL_SEP)
            head = None
            if current and not is_header and col < len(current) and current[col]:
                head = current[col]
            refs.append(Cell(col=col, start=pos, end=pos + len(text), header=head))
            parts.append(text)
            pos += len(text)
        rb = row_bboxes[r] if row_bboxes and r < len(row_bboxes) else bbox
        blocks.append(
            Block(
                text=CELL_SEP.join(parts),
                kind="table_row",
                source=Source(
                    page=page, bbox=rb, table=TableRef(index=table_index, row=r, cells=tuple(refs))
                ),
            )
        )
        if is_header:
            current = cells
    return blocks, current
