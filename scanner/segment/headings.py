"""The heading ladder: which blocks are headings, and their rank (1 = outermost)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scanner.types import Block

_CN_NUM = "一二三四五六七八九十百零〇两"
_UNITS = "米厘毫千克吨元万%％度个台套件天年月日小时寸倍"
# (rank, pattern) — order matters: more specific patterns first.
LADDER: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^第[{_CN_NUM}\d]+(?:部分|篇|卷)")),
    (2, re.compile(rf"^第[{_CN_NUM}\d]+章")),
    (2, re.compile(rf"^(?:附件|附录|附表)\s*[{_CN_NUM}\d]*[：:、.\s]?")),
    (3, re.compile(rf"^第[{_CN_NUM}\d]+节")),
    (4, re.compile(rf"^[{_CN_NUM}]+[、.．]")),
    (5, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (8, re.compile(rf"^\d+[.．]\d+[.．]\d+(?![\d])(?![{_UNITS}])")),
    (7, re.compile(rf"^\d+[.．]\d+(?![.．\d])(?![{_UNITS}])")),
    (6, re.compile(r"^\d+(?:[、]|[.．](?!\d))")),
    (9, re.compile(r"^(?:[（(]\d+[）)]|\d+[）)])")),
    (10, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]")),
)
# Word outline level (1-based) → ladder rank when the text has no numbering pattern.
_LEVEL_RANK = {1: 2, 2: 4, 3: 5, 4: 7, 5: 9}
_MAX_HEADING_CHARS = 40
_SENTENCE_END = re.compile(r"[。；;！!？?]$")


@dataclass(frozen=True)
class Heading:
    rank: int
    title: str


def pattern_rank(text: str) -> int | None:
    """Rank of the numbering pattern at the start of ``text``, if any."""
    for rank, pattern in LADDER:
        if pattern.match(text):
            return rank
    return None


def heading_of(block: Block) -> Heading | None:
    """The heading a block opens, or None for body text and table rows."""
    if block.kind == "table_row":
        return None
    text = block.text.strip()
    title = f"{block.label} {text}".strip() if block.label else text
    if block.kind == "heading" or block.level is not None:
        rank = pattern_rank(title) or _LEVEL_RANK.get(block.level or 1, 9)
        return Heading(rank, title[:80])
    if len(text) > _MAX_HEADING_CHARS or _SENTENCE_END.search(text):
        return None
    rank = pattern_rank(title)
    if rank is None:
        return None
    if rank >= 6 and block.label is None and _looks_like_item(text):
        return None
    return Heading(rank, title)


_ITEM_WORDS = re.compile(r"[，,：:]|须|应当|不得|提供|具有|具备")


def _looks_like_item(text: str) -> bool:
    """Short numbered lines that read as list items (requirements), not headings."""
    return bool(_ITEM_WORDS.search(text[3:]))
