"""Annotated PDF: a highlight annotation over each finding's evidence, with a popup note.

The evidence is found on the page of the finding with pypdfium2 (page text searched with
whitespace ignored, continuing onto the next page when a paragraph crosses a page break; when
it occurs several times, the occurrence nearest the block's bbox wins). Its characters give one
quadrilateral per text line; pypdf writes one ``/Highlight`` annotation per finding and page
(``/QuadPoints``, colour, note text, author, an appearance stream so every viewer draws it)
plus a ``/Popup``. The file is written as an incremental update: the original bytes are kept
unchanged at the start of the output.
"""

from __future__ import annotations

import bisect
import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pypdfium2 as pdfium
from pypdf import PdfWriter
from pypdf.annotations import Highlight, Popup
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from scanner.ingest.pdf import MEDIA_TYPE
from scanner.report.common import DEFAULT_AUTHOR, check_source, note_lines
from scanner.types import Block, Finding, ScanResult

Box = tuple[float, float, float, float]  # left, bottom, right, top (PDF user space)
_SEV_COLOUR = {"high": "ffd400", "medium": "ffe680", "low": "b3e5fc"}
_POPUP_W, _POPUP_H = 220.0, 160.0


@dataclass(frozen=True)
class Mark:
    """The highlight of one finding on one page: page index (0-based) and one box per line."""

    finding_id: str
    page: int
    lines: tuple[Box, ...]


# --------------------------------------------------------------------------- page text


@dataclass
class _PageText:
    """Non-space characters of a page with their pdfium char indices and line numbers."""

    chars: str
    index: list[int]
    line: list[int]


def _page_text(textpage: pdfium.PdfTextPage) -> _PageText:
    count = textpage.count_chars()
    raw = textpage.get_text_range(0, count) if count > 0 else ""
    text = raw if len(raw) == count else "".join(_char(textpage, i) for i in range(count))
    chars: list[str] = []
    index: list[int] = []
    lines: list[int] = []
    line = 0
    for i, ch in enumerate(text):
        if ch in "\r\n":
            line += ch == "\n"
            continue
        if ch.isspace() or ch in "\x00\x02\ufffe\ufffd" or ord(ch) < 32:
            continue
        chars.append(ch)
        index.append(i)
        lines.append(line)
    return _PageText("".join(chars), index, lines)


def _char(textpage: pdfium.PdfTextPage, i: int) -> str:
    code = pdfium.raw.FPDFText_GetUnicode(textpage.raw, i)
    return chr(code) if code else "\x00"


def _needles(f: Finding) -> list[str]:
    """The evidence with spaces removed; for table rows also without the cell separators."""
    needle = "".join(f.text.split())
    out = [needle]
    if "｜" in needle:
        out.append(needle.replace("｜", ""))
    return [n for n in out if n]


def _occurrences(hay: str, needle: str) -> list[int]:
    out, pos = [], hay.find(needle)
    while pos >= 0:
        out.append(pos)
        pos = hay.find(needle, pos + 1)
    return out


# --------------------------------------------------------------------------- geometry


def _boxes(textpage: pdfium.PdfTextPage, indices: list[int], lines: list[int]) -> list[Box]:
    """One box per text line (union of the loose char boxes of the line's chars)."""
    out: list[Box] = []
    current: list[float] | None = None
    last_line = None
    for i, ln in zip(indices, lines, strict=True):
        left, bottom, right, top = textpage.get_charbox(i, loose=True)
        if right <= left or top <= bottom:
            continue
        if current is None or ln != last_line:
            if current is not None:
                out.append((current[0], current[1], current[2], current[3]))
            current = [left, bottom, right, top]
            last_line = ln
        else:
            current = [
                min(current[0], left),
                min(current[1], bottom),
                max(current[2], right),
                max(current[3], top),
            ]
    if current is not None:
        out.append((current[0], current[1], current[2], current[3]))
    return out


def _distance(box: Box, page_height: float, bbox: tuple[float, float, float, float] | None) -> float:
    """Distance from a box (user space) to a block bbox (top-left origin); 0 when inside."""
    if bbox is None:
        return 0.0
    cx, cy = (box[0] + box[2]) / 2, page_height - (box[1] + box[3]) / 2
    dx = max(bbox[0] - cx, 0.0, cx - bbox[2])
    dy = max(bbox[1] - cy, 0.0, cy - bbox[3])
    return dx * dx + dy * dy


class _Locator:
    """Finds the evidence of findings in the PDF's text (pages read once, lazily)."""

    def __init__(self, pdf: pdfium.PdfDocument, result: ScanResult) -> None:
        self.pdf = pdf
        self.blocks = result.document.blocks
        self.offsets = result.document.block_offsets()
        self._pages: dict[int, tuple[pdfium.PdfTextPage, _PageText, float]] = {}

    def page(self, index: int) -> tuple[pdfium.PdfTextPage, _PageText, float]:
        if index not in self._pages:
            page = self.pdf[index]
            textpage = page.get_textpage()
            self._pages[index] = (textpage, _page_text(textpage), page.get_height())
        return self._pages[index]

    def block(self, f: Finding) -> Block | None:
        if not self.blocks:
            return None
        return self.blocks[max(0, bisect.bisect_right(self.offsets, f.start) - 1)]

    def locate(self, f: Finding) -> list[Mark]:
        """The highlight boxes of one finding (empty when its evidence is not found)."""
        if f.page is None or not 1 <= f.page <= len(self.pdf):
            return []
        block = self.block(f)
        for needle in _needles(f):
            marks = self._find(f, needle, block)
            if marks:
                return marks
        return []

    def _find(self, f: Finding, needle: str, block: Block | None) -> list[Mark]:
        first = f.page - 1
        pages = [first] + ([first + 1] if first + 1 < len(self.pdf) else [])
        texts = [self.page(i) for i in pages]
        hay = "".join(t[1].chars for t in texts)
        split = len(texts[0][1].chars)
        starts = [pos for pos in _occurrences(hay, needle) if pos < split]
        if not starts:
            return []
        bbox = block.source.bbox if block is not None else None
        candidates = [self._marks(f, pages, texts, pos, pos + len(needle), split) for pos in starts]
        candidates = [c for c in candidates if c]
        if not candidates:
            return []
        return min(candidates, key=lambda ms: _distance(ms[0].lines[0], texts[0][2], bbox))

    def _marks(
        self, f: Finding, pages: list[int], texts: list, start: int, end: int, split: int
    ) -> list[Mark]:
        out = []
        for n, (page_index, (textpage, pt, _)) in enumerate(zip(pages, texts, strict=True)):
            lo, hi = (start, min(end, split)) if n == 0 else (max(start - split, 0), end - split)
            if hi <= lo:
                continue
            boxes = _boxes(textpage, pt.index[lo:hi], pt.line[lo:hi])
            if boxes:
                out.append(Mark(f.id, page_index, tuple(boxes)))
        return out

    def close(self) -> None:
        for textpage, _, _ in self._pages.values():
            textpage.close()


def _fallback(f: Finding, block: Block | None, pdf: pdfium.PdfDocument) -> list[Mark]:
    """The block's bbox when the evidence text cannot be found on its page."""
    if f.page is None or block is None or block.source.bbox is None or not 1 <= f.page <= len(pdf):
        return []
    height = pdf[f.page - 1].get_height()
    x0, top, x1, bottom = block.source.bbox
    return [Mark(f.id, f.page - 1, ((x0, height - bottom, x1, height - top),))]


def locate_evidence(data: bytes, result: ScanResult) -> list[list[Mark]]:
    """Highlight marks of every finding, in finding order (page by page, line by line)."""
    pdf = pdfium.PdfDocument(data)
    locator = _Locator(pdf, result)
    try:
        return [locator.locate(f) or _fallback(f, locator.block(f), pdf) for f in result.findings]
    finally:
        locator.close()
        pdf.close()


# --------------------------------------------------------------------------- annotations


def _quads(lines: tuple[Box, ...]) -> ArrayObject:
    out = ArrayObject()
    for left, bottom, right, top in lines:
        out.extend(FloatObject(round(v, 2)) for v in (left, top, right, top, left, bottom, right, bottom))
    return out


def _rect(lines: tuple[Box, ...]) -> Box:
    return (
        min(b[0] for b in lines),
        min(b[1] for b in lines),
        max(b[2] for b in lines),
        max(b[3] for b in lines),
    )


def _appearance(writer: PdfWriter, lines: tuple[Box, ...], colour: str) -> DictionaryObject:
    """A normal appearance: the line boxes filled in the colour, multiplied onto the page."""
    rect = _rect(lines)
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    ops = [f"{r:.3f} {g:.3f} {b:.3f} rg /GS0 gs"]
    ops += [f"{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re f" for x0, y0, x1, y1 in lines]
    stream = DecodedStreamObject()
    stream.set_data(("\n".join(ops)).encode("ascii"))
    gs = DictionaryObject(
        {NameObject("/Type"): NameObject("/ExtGState"), NameObject("/BM"): NameObject("/Multiply")}
    )
    stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(round(v, 2)) for v in rect),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/ExtGState"): DictionaryObject({NameObject("/GS0"): gs})}
            ),
        }
    )
    return DictionaryObject({NameObject("/N"): writer._add_object(stream)})


def _pdf_date(when: datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%SZ")


def _add_mark(writer: PdfWriter, f: Finding, mark: Mark, first: bool, author: str, when: datetime) -> None:
    colour = _SEV_COLOUR.get(f.severity, "ffd400")
    rect = _rect(mark.lines)
    note = "\n".join(note_lines(f)) if first else f"（续）{f.category_name}"
    annot = Highlight(rect=rect, quad_points=_quads(mark.lines), highlight_color=colour, printing=True)
    annot.update(
        {
            NameObject("/Contents"): TextStringObject(note),
            NameObject("/T"): TextStringObject(author),
            NameObject("/Subj"): TextStringObject(f.category_name),
            NameObject("/NM"): TextStringObject(f"tenderscan-{f.id}-{mark.page}"),
            NameObject("/M"): TextStringObject(_pdf_date(when)),
            NameObject("/CreationDate"): TextStringObject(_pdf_date(when)),
            NameObject("/CA"): FloatObject(1),
            NameObject("/AP"): _appearance(writer, mark.lines, colour),
        }
    )
    added = writer.add_annotation(mark.page, annot)
    page = writer.pages[mark.page]
    right = float(page.mediabox.right)
    popup_rect = (right - _POPUP_W - 8, max(rect[3] - _POPUP_H, 0), right - 8, rect[3])
    popup = Popup(rect=popup_rect, parent=added, open=False)
    popup[NameObject("/F")] = NumberObject(28)  # Print | NoZoom | NoRotate
    writer.add_annotation(mark.page, popup)


def annotate_pdf_marks(
    data: bytes, result: ScanResult, *, author: str = DEFAULT_AUTHOR, when: datetime | None = None
) -> tuple[bytes, list[list[Mark]]]:
    """The annotated PDF and the marks placed for each finding (in finding order)."""
    check_source(data, result, MEDIA_TYPE, " PDF ", "PDF")
    marks = locate_evidence(data, result)
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    stamp = when or datetime.now(UTC)
    for f, found in zip(result.findings, marks, strict=True):
        for n, mark in enumerate(found):
            _add_mark(writer, f, mark, n == 0, author, stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), marks


def annotate_pdf(data: bytes, result: ScanResult, *, author: str = DEFAULT_AUTHOR) -> bytes:
    """The original PDF with a highlight and a popup note over each finding's evidence."""
    return annotate_pdf_marks(data, result, author=author)[0]
