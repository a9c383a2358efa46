"""PDF reader: text with pypdfium2 (fast path), ruled tables with pdfplumber on candidate pages only.

Pipeline per document:

1. open with pypdfium2 (errors become ``ScanError`` subclasses, limits are checked);
2. per page: read the chars of the text layer, flag scanned / garbled pages, decide from the
   page's path objects whether it may hold a ruled table, and only then ask pdfplumber for tables;
   chars whose centres fall inside a table are taken out of the text flow;
3. split the flow into lines (pdfium inserts ``\\r\\n`` at line ends) with a bbox per line;
4. drop repeated page headers/footers and page-number lines;
5. re-join hard-wrapped lines into paragraphs (no space between CJK chars, one space between
   Latin words), merge paragraphs and table rows by their top coordinate, continue paragraphs
   and tables across page breaks.

All bboxes are ``(x0, top, x1, bottom)`` in PDF points with a top-left origin, like pdfplumber.
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import itertools
import logging
import math
import os
import re
import statistics
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from scanner.errors import DocumentTooLarge, EmptyDocument, EncryptedDocument, ExtractionFailed
from scanner.ingest.table import clean_cell, looks_like_header, table_blocks
from scanner.limits import Limits
from scanner.normalize import remove_cjk_spaces
from scanner.types import Block, Document, DocWarning, Source

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/pdf"
BBox = tuple[float, float, float, float]

# --- thresholds -------------------------------------------------------------------------------------
HEADER_BAND = 0.12  # share of the page height that counts as header / footer band
HEADER_REPEAT_SHARE = 0.15  # a band line on this share of the pages (and ≥3) is a running header
SCANNED_MIN_CHARS = 20  # fewer non-space chars than this (plus images/paths) = no text layer
SCANNED_MIN_PATHS = 50  # that many path objects and no text = vector-outlined text
SCANNED_IMAGE_AREA = 0.25  # an image covering this share of the page = scanned page
GARBLED_BAD_SHARE = 0.2  # share of unexpected code points that makes a page garbled
EDGE_TOLERANCE = 3.0  # pt: ruling lines closer than this are one line

_TERMINAL = "。；：！？;:!?"
_NUMBERING_RE = re.compile(
    r"^\s*(?:"
    r"第[一二三四五六七八九十百零〇两\d]+[章节条款部分篇卷]"
    r"|[一二三四五六七八九十]{1,3}[、．.]"
    r"|[（(][一二三四五六七八九十\d]{1,3}[)）]"
    r"|\d{1,2}(?:[.．]\d{1,3})+"
    r"|\d{1,2}[.．、](?!\d)"
    r"|[①-⑳⑴-⒇❶-❿]"
    r"|[★▲☆△■□●◆◇※•·◦▪▶►➢✓√\ue000-\uf8ff]"
    r")"
)
_PAGE_NUMBER_RES = (
    re.compile(r"^[-–—_~·•|]*\d{1,4}[-–—_~·•|]*$"),
    re.compile(r"^第\d{1,4}页(?:[,，/]?共\d{1,4}页)?$"),
    re.compile(r"^共\d{1,4}页[,，/]?第\d{1,4}页$"),
    re.compile(r"^\d{1,4}/\d{1,4}$"),
    re.compile(r"^page\d{1,4}(?:of\d{1,4})?$", re.IGNORECASE),
    re.compile(r"^[ivxlc]{1,6}$", re.IGNORECASE),
)
_DIGITS_RE = re.compile(r"\d+")
_LINE_RE = re.compile(r"[^\r\n]+")
_SPACES_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


# --- data -------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One text line of a page with its bbox (top-left origin)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    page: int  # 1-based
    hyphen: bool = False  # pdfium marked a soft hyphen at the end of the line

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


@dataclass
class Paragraph:
    """A run of lines that form one paragraph; ``lines`` may continue onto the next page."""

    lines: list[Line]

    @property
    def top(self) -> float:
        return self.lines[0].top


@dataclass
class PageTable:
    """A ruled table found by pdfplumber on one page."""

    rows: list[list[str | None]]
    bbox: BBox
    row_bboxes: list[BBox | None]

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def ncols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class PageContent:
    """What one page contributed before the document-level passes."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[PageTable] = field(default_factory=list)
    warning: str | None = None  # "scanned_page" | "garbled_page"


@dataclass
class PdfExtraction:
    """The document plus what was dropped on the way (for tests and debugging)."""

    document: Document
    dropped_lines: list[Line]


# --- public API -------------------------------------------------------------------------------------


def ingest_pdf(data: bytes, name: str, limits: Limits) -> Document:
    """Read a PDF into a ``Document`` (blocks with page, bbox and table provenance)."""
    return extract_pdf(data, name, limits).document


def extract_pdf(data: bytes, name: str, limits: Limits, table_engine: str = "pdfium") -> PdfExtraction:
    """Like ``ingest_pdf`` but also returns the header/footer/page-number lines that were dropped.

    ``table_engine`` "pdfium" (default) runs pdfplumber's table algorithm on pypdfium2's geometry;
    "pdfplumber" lets pdfplumber parse each candidate page itself (about 50 ms a page; for checks).
    """
    if not data:
        raise EmptyDocument("PDF 文件为空", "The PDF file is empty")
    if len(data) > limits.max_bytes:
        raise DocumentTooLarge(
            f"PDF 文件超过 {limits.max_bytes} 字节的上限",
            f"The PDF exceeds the limit of {limits.max_bytes} bytes",
        )
    _check_not_truncated(data)
    _use_builtin_fonts_only()
    pdf = _open(data)
    try:
        pages = _read_pages(pdf, data, limits, table_engine)
    except (DocumentTooLarge, ExtractionFailed):
        raise
    except Exception as exc:  # pypdfium2 / pdfplumber internals: never let them escape
        log.debug("PDF extraction failed: %r", exc)
        raise ExtractionFailed("PDF 文件已损坏，无法读取", "The PDF is corrupt and cannot be read") from exc
    finally:
        pdf.close()
    return _assemble(pages, data, name)


# --- system fonts -----------------------------------------------------------------------------------
#
# For a non-embedded font (e.g. reportlab's STSong-Light) pdfium asks the system font info for a
# substitute; with the Noto CJK collections installed it copies ~25 MB of font data on every page
# (~4 ms a page, ten times the rest of the extraction). Text extraction does not need glyph outlines:
# Unicode comes from the PDF's encodings / CMaps / ToUnicode and advance widths from the PDF. So the
# reader gives pdfium an empty system font list, once per process (pdfium then uses its built-in
# fonts). This is process-wide: set TENDERSCAN_PDF_SYSTEM_FONTS=1 to keep system fonts, e.g. where the
# same process renders PDF pages that use non-embedded CJK fonts.

_NO_FONTS: list[object] = []  # keeps the ctypes struct and callbacks alive


def _use_builtin_fonts_only() -> None:
    """Install an empty FPDF_SYSFONTINFO (once) unless TENDERSCAN_PDF_SYSTEM_FONTS is set."""
    if _NO_FONTS or os.environ.get("TENDERSCAN_PDF_SYSTEM_FONTS", "") not in ("", "0"):
        return
    info = pdfium_c.FPDF_SYSFONTINFO()
    info.version = 1
    callbacks: list[object] = []
    for name, kind in info._fields_:
        if name == "version":
            continue
        returns_int = name in ("GetFontData", "GetFaceName", "GetFontCharset")
        callback = kind((lambda *_: 0) if returns_int else (lambda *_: None))
        callbacks.append(callback)
        setattr(info, name, callback)
    pdfium_c.FPDF_SetSystemFontInfo(ctypes.byref(info))
    _NO_FONTS.extend([info, callbacks])


# --- opening ----------------------------------------------------------------------------------------


def _check_not_truncated(data: bytes) -> None:
    """A PDF must start with a header and end with an end-of-file marker (else it was cut off)."""
    if b"%PDF" not in data[:1024]:
        raise ExtractionFailed("文件不是有效的 PDF", "The file is not a valid PDF")
    if b"%%EOF" not in data[-8192:]:
        raise ExtractionFailed(
            "PDF 文件已损坏或不完整，无法读取", "The PDF is corrupt or truncated and cannot be read"
        )


def _open(data: bytes) -> pdfium.PdfDocument:
    """Open with pypdfium2; an empty user password opens, any other password is an error."""
    try:
        return pdfium.PdfDocument(data, password=None)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument(
                "PDF 文件已加密，需要密码才能打开", "The PDF is encrypted and needs a password to open"
            ) from exc
        raise ExtractionFailed(
            "PDF 文件已损坏或不完整，无法读取", "The PDF is corrupt or truncated and cannot be read"
        ) from exc
    except Exception as exc:
        raise ExtractionFailed(
            "PDF 文件已损坏或不完整，无法读取", "The PDF is corrupt or truncated and cannot be read"
        ) from exc


class _TableReader:
    """Finds the tables of candidate pages with the chosen engine; pdfplumber is opened lazily."""

    def __init__(self, data: bytes, engine: str) -> None:
        if engine not in TABLE_ENGINES:
            raise ValueError(f"unknown table engine {engine!r}")
        self._data = data
        self._engine = engine
        self._pdf: pdfplumber.PDF | None = None
        self._failed = False

    def find(
        self, page: pdfium.PdfPage, index: int, geo: _Geometry, textpage: pdfium.PdfTextPage, chars: str
    ) -> tuple[list[PageTable], _CharBoxes | None]:
        """The page's tables and the char centres near them (``None`` when there is no table)."""
        try:
            if self._engine == "pdfium":
                grids = _table_grids(page, geo)
                if not grids:
                    return [], None
                boxes = _CharBoxes.near(textpage, chars, geo, [bbox for bbox, _ in grids])
                return _pdfium_tables(grids, boxes), boxes
            tables = self._plumber_tables(index)
            if not tables:
                return [], None
            return tables, _CharBoxes.near(textpage, chars, geo, [t.bbox for t in tables])
        except Exception as exc:  # a table we cannot read stays in the text flow
            log.debug("table extraction failed on page %d: %r", index + 1, exc)
            return [], None

    def _plumber_tables(self, index: int) -> list[PageTable]:
        """Ruled tables of a page by pdfplumber itself (slow; for comparison)."""
        if self._failed:
            return []
        if self._pdf is None:
            try:
                self._pdf = pdfplumber.open(io.BytesIO(self._data))
            except Exception:
                self._failed = True
                raise
        page = self._pdf.pages[index]
        try:
            found = page.find_tables()
            tables = [_page_table(t.extract(), t.bbox, [r.bbox for r in t.rows]) for t in found]
        finally:
            page.close()
        return _without_containers([t for t in tables if t is not None])

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def _read_pages(pdf: pdfium.PdfDocument, data: bytes, limits: Limits, table_engine: str) -> list[PageContent]:
    """Every page's lines and tables, checking the page and char limits as it goes."""
    count = len(pdf)
    if count > limits.max_pages:
        raise DocumentTooLarge(
            f"PDF 共 {count} 页，超过 {limits.max_pages} 页的上限",
            f"The PDF has {count} pages, more than the limit of {limits.max_pages}",
        )
    if count == 0:
        raise ExtractionFailed("PDF 文件没有页面", "The PDF has no pages")
    tables = _TableReader(data, table_engine)
    pages: list[PageContent] = []
    total_chars = 0
    try:
        for index in range(count):
            page = pdf[index]
            try:
                content, nchars = _read_page(page, index, tables)
            finally:
                page.close()
            total_chars += nchars
            if total_chars > limits.max_chars:
                raise DocumentTooLarge(
                    f"PDF 文字超过 {limits.max_chars} 字的上限",
                    f"The PDF has more than the limit of {limits.max_chars} characters",
                )
            pages.append(content)
    finally:
        tables.close()
    return pages


# --- one page ---------------------------------------------------------------------------------------


class _Geometry:
    """Maps pdfium user-space points to pdfplumber's top-left page coordinates (rotation aware)."""

    def __init__(self, page: pdfium.PdfPage) -> None:
        x0, y0, x1, y1 = page.get_mediabox()
        rotation = page.get_rotation() % 360
        ctm = {
            90: (0, -1, 1, 0, -y0, x1),
            180: (-1, 0, 0, -1, x1, y1),
            270: (0, 1, -1, 0, y1, -x0),
        }.get(rotation, (1, 0, 0, 1, -x0, -y0))
        self._ctm = ctm
        self.width, self.height = (y1 - y0, x1 - x0) if rotation in (90, 270) else (x1 - x0, y1 - y0)

    def point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self._ctm
        return a * x + c * y + e, self.height - (b * x + d * y + f)

    def box(self, left: float, bottom: float, right: float, top: float) -> BBox:
        xa, ta = self.point(left, bottom)
        xb, tb = self.point(right, top)
        return min(xa, xb), min(ta, tb), max(xa, xb), max(ta, tb)


def _read_page(page: pdfium.PdfPage, index: int, tables: _TableReader) -> tuple[PageContent, int]:
    """Lines, tables and the scanned/garbled verdict of one page; also its char count."""
    geo = _Geometry(page)
    content = PageContent(number=index + 1, width=geo.width, height=geo.height)
    textpage = page.get_textpage()
    try:
        chars = _page_chars(textpage)
        visible = _WHITESPACE_RE.sub("", chars)
        if len(visible) < SCANNED_MIN_CHARS:
            if _looks_scanned(page, geo):
                content.warning = "scanned_page"
                return content, len(chars)
        elif _looks_garbled(visible):
            content.warning = "garbled_page"
            return content, len(chars)
        boxes = None
        if _may_have_table(page, geo):
            content.tables, boxes = tables.find(page, index, geo, textpage, chars)
        regions = [t.bbox for t in content.tables]
        content.lines = list(
            _page_lines(textpage, chars, geo, index + 1, boxes if regions else None, regions)
        )
    finally:
        textpage.close()
    return content, len(chars)


def _page_chars(textpage: pdfium.PdfTextPage) -> str:
    """The page's chars, one per pdfium char index (so index ``i`` is char ``i``).

    One ``FPDFText_GetText`` call when it maps 1:1 onto the char indices (the usual case), else one
    ``FPDFText_GetUnicode`` call per char (surrogate pairs, excluded chars).
    """
    raw = textpage.raw
    count = textpage.count_chars()
    if count <= 0:
        return ""
    buf = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(raw, 0, count, buf)
    if written == count + 1:
        text = bytes(buf)[: 2 * count].decode("utf-16-le", errors="replace")
        if len(text) == count:
            return text
    get = pdfium_c.FPDFText_GetUnicode
    return "".join([chr(get(raw, i) or 0xFFFD) for i in range(count)])


class _LooseBoxes:
    """Loose char boxes ``(left, bottom, right, top)`` through the raw API with one reused struct."""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self._raw = textpage.raw
        self._rect = pdfium_c.FS_RECTF()
        self._ref = ctypes.byref(self._rect)

    def __call__(self, index: int) -> tuple[float, float, float, float]:
        pdfium_c.FPDFText_GetLooseCharBox(self._raw, index, self._ref)
        r = self._rect
        return r.left, r.bottom, r.right, r.top


def _page_lines(
    textpage: pdfium.PdfTextPage,
    chars: str,
    geo: _Geometry,
    page_no: int,
    boxes: _CharBoxes | None,
    regions: Sequence[BBox],
) -> Iterator[Line]:
    """Split the char stream at pdfium's line breaks; chars inside table regions are left out."""
    for match in _LINE_RE.finditer(chars):
        indices = range(match.start(), match.end())
        if boxes is not None:
            indices = [i for i in indices if not _inside_any(boxes.centres[i], regions)]
        line = _make_line(textpage, chars, indices, geo, page_no)
        if line is not None:
            yield line


def _inside_any(point: tuple[float, float] | None, regions: Sequence[BBox]) -> bool:
    if point is None:
        return False
    x, y = point
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in regions)


def _make_line(
    textpage: pdfium.PdfTextPage, chars: str, indices: Sequence[int], geo: _Geometry, page_no: int
) -> Line | None:
    """A ``Line`` from char indices: bbox from the first and last visible chars (loose boxes)."""
    shown = [i for i in (indices[0], indices[-1]) if chars[i] > " " and chars[i] != "\x02"] if indices else []
    if len(shown) < 2:  # leading/trailing blanks (rare): look for the visible ends
        shown = [i for i in indices if chars[i] > " " and chars[i] != "\x02"]
        if not shown:
            return None
    raw = chars[indices[0] : indices[-1] + 1]
    text = raw if len(raw) == len(indices) else "".join(chars[i] for i in indices)
    hyphen = text.rstrip().endswith("\x02")
    text = _CONTROL_RE.sub("", text).strip()
    if not text:
        return None
    boxes = _LooseBoxes(textpage)
    first = geo.box(*boxes(shown[0]))
    last = geo.box(*boxes(shown[-1]))
    return Line(
        text=text,
        x0=min(first[0], last[0]),
        top=min(first[1], last[1]),
        x1=max(first[2], last[2]),
        bottom=max(first[3], last[3]),
        page=page_no,
        hyphen=hyphen,
    )


# --- page verdicts ----------------------------------------------------------------------------------


def _looks_scanned(page: pdfium.PdfPage, geo: _Geometry) -> bool:
    """No text, but a large image or many path objects (vector-outlined text)."""
    area = max(geo.width * geo.height, 1.0)
    paths = 0
    for raw, kind, outer in _page_objects(page, (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH)):
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            x0, top, x1, bottom = _bounds(raw, outer, geo)
            if (x1 - x0) * (bottom - top) >= SCANNED_IMAGE_AREA * area:
                return True
        else:
            paths += 1
            if paths >= SCANNED_MIN_PATHS:
                return True
    return False


# Code points that real (Chinese or Latin) tender text is made of; anything else counts as "bad".
_UNEXPECTED_RE = re.compile(
    "[^\\s\x20-\x7e\xa0-\u024f\u0370-\u03ff\u2000-\u2bff\u2e80-\u2fdf\u3000-\u303f"
    "\u3200-\u33ff\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)
_CJK_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WHITESPACE_RE = re.compile(r"\s")


def _looks_garbled(text: str) -> bool:
    """Undecodable text layer: ``(cid:NN)`` runs, or many control / private-use / stray code points."""
    if text.count("(cid:") >= 3:
        return True
    bad = len(_UNEXPECTED_RE.findall(text))
    return bad / max(len(text), 1) > GARBLED_BAD_SHARE


def _looks_like_prose(text: str) -> bool:
    """Latin text made of words (letters with vowels) or numbers, not random ASCII symbols."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return True
    alnum = [c for c in visible if c.isalnum()]
    if len(alnum) < 0.5 * len(visible):
        return False
    letters = [c.lower() for c in alnum if c.isalpha()]
    if len(letters) < 20:
        return True
    return sum(1 for c in letters if c in "aeiouy") >= 0.2 * len(letters)


# --- tables -----------------------------------------------------------------------------------------
#
# Candidate pages are chosen from the bounds of their path objects (cheap). On a candidate page the
# table structure is found by pdfplumber's table algorithm (edges -> intersections -> cells ->
# tables, default "lines" settings). By default the edges are read from pypdfium2's path objects and
# the cell text from pypdfium2's chars, which avoids pdfplumber's slow pdfminer parse of the page;
# ``table_engine="pdfplumber"`` runs pdfplumber on the page instead (same algorithm, its own parse).

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_TABLE_SETTINGS = pdfplumber.table.TableSettings.resolve(None)
TABLE_ENGINES = ("pdfium", "pdfplumber")


def _may_have_table(page: pdfium.PdfPage, geo: _Geometry) -> bool:
    """Cheap test on path objects: ≥3 distinct vertical and ≥2 horizontal ruling positions."""
    xs: list[float] = []
    ys: list[float] = []
    for raw, _, outer in _page_objects(page, (pdfium_c.FPDF_PAGEOBJ_PATH,)):
        x0, top, x1, bottom = _bounds(raw, outer, geo)
        w, h = x1 - x0, bottom - top
        if w >= 0.95 * geo.width or w < 0 or h < 0:
            continue  # page background or border
        if h < EDGE_TOLERANCE and w > 8:
            ys.append(top)
        elif w < EDGE_TOLERANCE and h > 8:
            xs.append(x0)
        elif w > 8 and h > 8:
            if _is_grid_path(raw):
                return True
            xs += [x0, x1]
            ys += [top, bottom]
    return _distinct(xs) >= 3 and _distinct(ys) >= 2


def _is_grid_path(raw: object) -> bool:
    """A path with many straight segments (a whole table grid drawn as one path)."""
    count = pdfium_c.FPDFPath_CountSegments(raw)
    if count <= 6:
        return False
    sample = min(count, 64)
    curves = sum(
        1
        for i in range(sample)
        if pdfium_c.FPDFPathSegment_GetType(pdfium_c.FPDFPath_GetPathSegment(raw, i))
        == pdfium_c.FPDF_SEGMENT_BEZIERTO
    )
    return curves <= 0.1 * sample


def _distinct(values: list[float]) -> int:
    """Number of clusters of values (within ``EDGE_TOLERANCE``)."""
    count, last = 0, None
    for v in sorted(values):
        if last is None or v - last > EDGE_TOLERANCE:
            count += 1
        last = v
    return count


def _obj_matrix(raw: object) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(raw, ctypes.byref(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix that applies ``inner`` then ``outer``."""
    a, b, c, d, e, f = inner
    p, q, r, s, t, u = outer
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _page_objects(page: pdfium.PdfPage, kinds: tuple[int, ...]) -> Iterator[tuple[object, int, Matrix]]:
    """Raw page objects of the given types (also inside form XObjects) with their matrix to page space.

    Uses the raw API: pypdfium2's ``get_objects`` wraps every object and costs ~10 µs each.
    """
    stack: list[tuple[object, bool, Matrix, int]] = [(page.raw, False, _IDENTITY, 0)]
    while stack:
        container, is_form, outer, depth = stack.pop()
        count_fn = pdfium_c.FPDFFormObj_CountObjects if is_form else pdfium_c.FPDFPage_CountObjects
        get_fn = pdfium_c.FPDFFormObj_GetObject if is_form else pdfium_c.FPDFPage_GetObject
        for i in range(count_fn(container)):
            raw = get_fn(container, i)
            kind = pdfium_c.FPDFPageObj_GetType(raw)
            if kind in kinds:
                yield raw, kind, _compose(_obj_matrix(raw), outer) if is_form else _IDENTITY
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 4:
                stack.append((raw, True, _compose(_obj_matrix(raw), outer), depth + 1))


def _bounds(raw: object, matrix: Matrix, geo: _Geometry) -> BBox:
    """Bounds of a page object in top-left page coordinates (``matrix`` maps form to page space)."""
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    pdfium_c.FPDFPageObj_GetBounds(
        raw, ctypes.byref(left), ctypes.byref(bottom), ctypes.byref(right), ctypes.byref(top)
    )
    corners = [(left.value, bottom.value), (right.value, top.value)]
    if matrix is not _IDENTITY:
        a, b, c, d, e, f = matrix
        corners = [(a * x + c * y + e, b * x + d * y + f) for x, y in corners]
    return geo.box(corners[0][0], corners[0][1], corners[1][0], corners[1][1])


def _edge(p: tuple[float, float], q: tuple[float, float]) -> dict[str, object] | None:
    """A pdfplumber-style edge for an axis-parallel segment (top-left coordinates)."""
    x0, x1 = sorted((p[0], q[0]))
    top, bottom = sorted((p[1], q[1]))
    if x1 - x0 < 0.01 and bottom - top >= 1:
        x0 = x1 = (x0 + x1) / 2
        orientation = "v"
    elif bottom - top < 0.01 and x1 - x0 >= 1:
        top = bottom = (top + bottom) / 2
        orientation = "h"
    else:
        return None
    return {
        "object_type": "line",
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
        "orientation": orientation,
    }


def _path_edges(raw: object, matrix: Matrix, geo: _Geometry) -> list[dict[str, object]]:
    """Edges of one path object: its straight, axis-parallel segments (closing segments included)."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    edges: list[dict[str, object]] = []
    start = prev = None
    for i in range(pdfium_c.FPDFPath_CountSegments(raw)):
        seg = pdfium_c.FPDFPath_GetPathSegment(raw, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
            continue
        point = geo.point(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            start = prev = point
            continue
        if kind == pdfium_c.FPDF_SEGMENT_LINETO and prev is not None:
            edges.append(_edge(prev, point))  # type: ignore[arg-type]
        prev = point
        if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
            edges.append(_edge(point, start))  # type: ignore[arg-type]
            prev = start
    return [edge for edge in edges if edge is not None]


def _table_cells(edges: list[dict[str, object]]) -> list[list[BBox]]:
    """pdfplumber's table algorithm on ready-made edges: groups of cells, one group per table."""
    st = _TABLE_SETTINGS
    edges = pdfplumber.table.merge_edges(
        edges, st.snap_x_tolerance, st.snap_y_tolerance, st.join_x_tolerance, st.join_y_tolerance
    )
    edges = pdfplumber.utils.filter_edges(edges, min_length=st.edge_min_length)
    points = pdfplumber.table.edges_to_intersections(
        edges, st.intersection_x_tolerance, st.intersection_y_tolerance
    )
    return pdfplumber.table.cells_to_tables(pdfplumber.table.intersections_to_cells(points))


@dataclass
class _CharBoxes:
    """Centres of a page's chars (top-left coordinates), computed once per table page."""

    chars: str
    centres: list[tuple[float, float] | None]

    @classmethod
    def near(
        cls, textpage: pdfium.PdfTextPage, chars: str, geo: _Geometry, regions: Sequence[BBox]
    ) -> _CharBoxes:
        """Centres of the chars on lines that reach into a region's rows; ``None`` for the others."""
        centres: list[tuple[float, float] | None] = [None] * len(chars)
        box = _LooseBoxes(textpage)
        spans = [(r[1] - EDGE_TOLERANCE, r[3] + EDGE_TOLERANCE) for r in regions]
        for match in _LINE_RE.finditer(chars):
            start, end = match.start(), match.end()
            _, top_a, _, bottom_a = geo.box(*box(start))
            _, top_b, _, bottom_b = geo.box(*box(end - 1))
            top, bottom = min(top_a, top_b), max(bottom_a, bottom_b)
            if not any(top <= hi and bottom >= lo for lo, hi in spans):
                continue
            for i in range(start, end):
                if chars[i] > " ":
                    left, low, right, high = box(i)
                    centres[i] = geo.point((left + right) / 2, (low + high) / 2)
        return cls(chars, centres)


def _in_box(point: tuple[float, float], box: BBox) -> bool:
    """pdfplumber's char-in-cell test (half-open on the right and bottom)."""
    return box[0] <= point[0] < box[2] and box[1] <= point[1] < box[3]


def _cell_texts(rows: list[tuple[BBox, list[BBox | None]]], bbox: BBox, boxes: _CharBoxes) -> dict[BBox, str]:
    """Text of each cell: its chars in stream order; spaces and line breaks follow the char before."""
    parts: dict[BBox, list[str]] = {}
    last: BBox | None = None
    for ch, centre in zip(boxes.chars, boxes.centres, strict=True):
        if centre is None:
            if last is not None and ch <= " ":
                parts[last].append("\n" if ch in "\r\n" else ch)
            continue
        last = None
        if bbox[0] <= centre[0] <= bbox[2] and bbox[1] <= centre[1] <= bbox[3]:
            last = _cell_of(centre, rows)
            if last is not None:
                parts.setdefault(last, []).append(ch)
    return {cell: "".join(v).strip() for cell, v in parts.items()}


def _cell_of(point: tuple[float, float], rows: list[tuple[BBox, list[BBox | None]]]) -> BBox | None:
    """The cell containing a point: first the row band, then the cell within it."""
    for row_box, cells in rows:
        if row_box[1] <= point[1] < row_box[3]:
            for cell in cells:
                if cell is not None and _in_box(point, cell):
                    return cell
    return None


Grid = tuple[BBox, list[tuple[BBox, list[BBox | None]]]]  # table bbox, rows of (row bbox, cells)


def _table_grids(page: pdfium.PdfPage, geo: _Geometry) -> list[Grid]:
    """Table structures from pypdfium2 path geometry with pdfplumber's algorithm (no pdfminer parse)."""
    edges = [
        edge
        for raw, _, outer in _page_objects(page, (pdfium_c.FPDF_PAGEOBJ_PATH,))
        for edge in _path_edges(raw, _compose(_obj_matrix(raw), outer), geo)
    ]
    grids: list[Grid] = []
    for group in _table_cells(edges):
        table = pdfplumber.table.Table(None, group)  # type: ignore[arg-type]
        rows = [(tuple(row.bbox), list(row.cells)) for row in table.rows]
        if max((len(cells) for _, cells in rows), default=0) >= 2:
            grids.append((tuple(table.bbox), rows))  # type: ignore[arg-type]
    return grids


def _pdfium_tables(grids: list[Grid], boxes: _CharBoxes) -> list[PageTable]:
    """Fill the grids with the text of the chars whose centres fall in their cells."""
    tables = []
    for bbox, rows in grids:
        texts = _cell_texts(rows, bbox, boxes)
        cells = [[None if c is None else texts.get(c, "") for c in row_cells] for _, row_cells in rows]
        tables.append(_page_table(cells, bbox, [box for box, _ in rows]))
    return _without_containers([t for t in tables if t is not None])


def _without_containers(tables: list[PageTable]) -> list[PageTable]:
    """Drop layout tables that hold another table (web-page print-outs); their text stays in the flow."""

    def contains(outer: BBox, inner: BBox) -> bool:
        tol = EDGE_TOLERANCE
        return (
            outer != inner
            and outer[0] - tol <= inner[0]
            and outer[1] - tol <= inner[1]
            and inner[2] <= outer[2] + tol
            and inner[3] <= outer[3] + tol
        )

    kept = [t for t in tables if not any(contains(t.bbox, other.bbox) for other in tables)]
    return sorted(kept, key=lambda t: t.top)


def _page_table(
    rows: list[list[str | None]], bbox: Sequence[float], row_bboxes: Sequence[Sequence[float]]
) -> PageTable | None:
    """A kept table: at least two columns and one row with two filled cells (not a text frame)."""
    if max((len(r) for r in rows), default=0) < 2:
        return None
    if not any(sum(1 for c in r if c and c.strip()) >= 2 for r in rows):
        return None
    return PageTable(
        rows=rows,
        bbox=(bbox[0], bbox[1], bbox[2], bbox[3]),
        row_bboxes=[(b[0], b[1], b[2], b[3]) for b in row_bboxes],
    )


# --- headers, footers, page numbers -----------------------------------------------------------------


def _in_band(line: Line, page: PageContent) -> bool:
    band = HEADER_BAND * page.height
    return line.bottom <= band or line.top >= page.height - band


def _band_key(line: Line, page: PageContent) -> tuple[str, str]:
    where = "top" if line.top < page.height / 2 else "bottom"
    return where, _DIGITS_RE.sub("#", _SPACES_RE.sub("", line.text))


def is_page_number(text: str) -> bool:
    """Standalone page-number lines: "- 3 -", "第 3 页 共 98 页", "3", "3/98", "Page 3"."""
    compact = _SPACES_RE.sub("", text)
    return bool(compact) and any(r.match(compact) for r in _PAGE_NUMBER_RES)


def _drop_headers_footers(pages: list[PageContent]) -> list[Line]:
    """Remove repeated band lines and page numbers from every page; return what was removed."""
    with_text = [p for p in pages if p.lines]
    counts: Counter[tuple[str, str]] = Counter()
    for page in with_text:
        counts.update({_band_key(line, page) for line in page.lines if _in_band(line, page)})
    threshold = min(len(with_text), max(3, math.ceil(HEADER_REPEAT_SHARE * len(with_text))))
    repeated = {key for key, n in counts.items() if n >= threshold} if len(with_text) >= 2 else set()
    dropped: list[Line] = []
    for page in pages:
        kept = []
        for line in page.lines:
            if _in_band(line, page) and (_band_key(line, page) in repeated or is_page_number(line.text)):
                dropped.append(line)
            else:
                kept.append(line)
        page.lines = kept
    return dropped


# --- paragraphs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Document-wide typical geometry used by the paragraph rules."""

    left: float
    right: float
    gap: float


def _layout(lines: list[Line]) -> Layout:
    """Left margin (most common x0), right margin (90th percentile x1), usual gap between lines."""
    if not lines:
        return Layout(0.0, 0.0, 0.0)
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    ends = sorted(line.x1 for line in lines)
    right = ends[min(len(ends) - 1, int(0.9 * len(ends)))]
    gaps = [b.top - a.bottom for a, b in itertools.pairwise(lines) if a.page == b.page and b.top > a.bottom]
    gap = statistics.median(gaps) if gaps else 0.0
    return Layout(float(left), right, gap)


def _full_width(line: Line, layout: Layout) -> bool:
    """The line runs to the right margin, so the text was wrapped rather than ended."""
    last = line.text[-1]
    tolerance = line.height * (1.6 if not last.isascii() else 4.0)
    return line.x1 >= layout.right - tolerance


def _starts_block(prev: Line, cur: Line, layout: Layout) -> bool:
    """True when ``cur`` cannot continue the paragraph whose last line is ``prev``."""
    if cur.top < prev.top - 0.5 * prev.height:  # moved up: new column or out-of-order text
        return True
    if not _full_width(prev, layout):  # short line: end of paragraph or a heading
        return True
    if abs(cur.height - prev.height) > 0.25 * max(cur.height, prev.height):
        return True
    if cur.top - prev.bottom > layout.gap + 0.6 * prev.height:
        return True
    if cur.x0 > prev.x0 + 0.8 * cur.height:  # indented first line
        return True
    return prev.text[-1] in _TERMINAL and bool(_NUMBERING_RE.match(cur.text))


def _continues_on_next_page(prev: Line, cur: Line, layout: Layout) -> bool:
    """A paragraph cut by a page break: wrapped last line, unindented first line of the next page."""
    if not _full_width(prev, layout) or prev.text[-1] in _TERMINAL + "。":
        return False
    if abs(cur.height - prev.height) > 0.25 * max(cur.height, prev.height):
        return False
    return cur.x0 <= layout.left + 0.8 * cur.height and not _NUMBERING_RE.match(cur.text)


def _paragraphs(lines: list[Line], layout: Layout) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    for line in lines:
        if paragraphs and not _starts_block(paragraphs[-1].lines[-1], line, layout):
            paragraphs[-1].lines.append(line)
        else:
            paragraphs.append(Paragraph([line]))
    return paragraphs


def join_lines(texts: Sequence[str], hyphens: Sequence[bool] | None = None) -> str:
    """Join hard-wrapped lines: nothing between CJK, one space between Latin words."""
    out = ""
    for i, text in enumerate(texts):
        if out and text:
            soft_hyphen = bool(hyphens and hyphens[i - 1])
            if (
                not soft_hyphen
                and out[-1].isascii()
                and out[-1].isalnum()
                and text[0].isascii()
                and text[0].isalnum()
            ):
                out += " "
        out += text
    out = remove_cjk_spaces(out)
    return _SPACES_RE.sub(" ", out).strip()


def _paragraph_block(paragraph: Paragraph) -> Block:
    lines = paragraph.lines
    text = join_lines([line.text for line in lines], [line.hyphen for line in lines])
    own = [line for line in lines if line.page == lines[0].page]
    bbox = (
        min(line.x0 for line in own),
        min(line.top for line in own),
        max(line.x1 for line in own),
        max(line.bottom for line in own),
    )
    return Block(text=text, kind="paragraph", source=Source(page=lines[0].page, bbox=_round_box(bbox)))


def _round_box(box: BBox) -> BBox:
    return (round(box[0], 2), round(box[1], 2), round(box[2], 2), round(box[3], 2))


# --- assembly ---------------------------------------------------------------------------------------


Item = Paragraph | PageTable


@dataclass
class _TableState:
    """Running table numbering, and the open table that may continue on the next page."""

    next_index: int = 0
    open_index: int | None = None
    open_ncols: int = 0
    open_rows: int = 0
    header: list[str] | None = None


def _page_items(page: PageContent, layout: Layout) -> list[Item]:
    items: list[Item] = [*_paragraphs(page.lines, layout), *page.tables]
    return sorted(items, key=lambda item: item.top)


def _merge_page_breaks(pages_items: list[list[Item]], layout: Layout) -> None:
    """Join a paragraph cut by a page break onto the previous page's last paragraph (in place)."""
    for prev_items, items in itertools.pairwise(pages_items):
        if not prev_items or not items:
            continue
        last, first = prev_items[-1], items[0]
        if isinstance(last, Paragraph) and isinstance(first, Paragraph):
            if _continues_on_next_page(last.lines[-1], first.lines[0], layout):
                last.lines.extend(first.lines)
                items.pop(0)


def _table_items(table: PageTable, page: int, state: _TableState, continues: bool) -> list[Block]:
    """Blocks of one page table; a continuation keeps the index, row numbering and header."""
    if continues and state.open_index is not None:
        pad = state.open_rows
        rows: list[Sequence[str | None]] = [[] for _ in range(pad)] + list(table.rows)
        bboxes: list[BBox | None] = [None] * pad + list(table.row_bboxes)
        index, header = state.open_index, state.header
    else:
        rows, bboxes, index, header = list(table.rows), list(table.row_bboxes), state.next_index, None
        state.next_index += 1
        state.open_rows = 0
    blocks, state.header = table_blocks(rows, index, page, _round_box(table.bbox), header, bboxes)
    state.open_index, state.open_ncols = index, table.ncols
    state.open_rows = len(rows)
    return blocks


def _continues_table(table: PageTable, first_on_page: bool, state: _TableState) -> bool:
    if not first_on_page or state.open_index is None or table.ncols != state.open_ncols:
        return False
    first_row = [clean_cell(c) for c in table.rows[0]] if table.rows else []
    return not looks_like_header(first_row)


def _blocks(pages: list[PageContent], layout: Layout) -> list[Block]:
    pages_items = [_page_items(p, layout) for p in pages]
    _merge_page_breaks(pages_items, layout)
    state = _TableState()
    blocks: list[Block] = []
    for page, items in zip(pages, pages_items, strict=True):
        for pos, item in enumerate(items):
            if isinstance(item, Paragraph):
                state.open_index = None
                block = _paragraph_block(item)
                if block.text:
                    blocks.append(block)
                continue
            continues = _continues_table(item, pos == 0, state)
            blocks.extend(_table_items(item, page.number, state, continues))
        if items and isinstance(items[-1], Paragraph):
            state.open_index = None
    return blocks


def _warnings(pages: list[PageContent]) -> list[DocWarning]:
    out = []
    for page in pages:
        if page.warning == "scanned_page":
            zh = f"第 {page.number} 页没有可提取的文字层（可能是扫描件或图片），该页内容未被检查"
            en = f"Page {page.number} has no text layer (scanned image or outlined text); it was not checked"
        elif page.warning == "garbled_page":
            zh = f"第 {page.number} 页的文字编码无法解析（乱码），该页内容未被检查"
            en = f"Page {page.number} has undecodable text (garbled font encoding); it was not checked"
        else:
            continue
        out.append(DocWarning(code=page.warning, message=f"{zh} / {en}", page=page.number))
    return out


def _flag_off_language_pages(pages: list[PageContent]) -> None:
    """In a Chinese document, a page of ASCII junk with no CJK at all is a garbled text layer."""
    texts = {p.number: "".join(line.text for line in p.lines) for p in pages if p.lines}
    all_text = "".join(texts.values())
    if _cjk_share(all_text) < 0.3:
        return
    for page in pages:
        text = texts.get(page.number, "")
        if page.warning or len(text) < 50:
            continue
        if _cjk_share(text) < 0.02 and not _looks_like_prose(text):
            page.warning = "garbled_page"
            page.lines, page.tables = [], []


def _cjk_share(text: str) -> float:
    visible = len(text) - len(_WHITESPACE_RE.findall(text))
    return len(_CJK_RE.findall(text)) / visible if visible else 0.0


def _assemble(pages: list[PageContent], data: bytes, name: str) -> PdfExtraction:
    _flag_off_language_pages(pages)
    dropped = _drop_headers_footers(pages)
    layout = _layout([line for p in pages for line in p.lines])
    blocks = _blocks(pages, layout)
    document = Document(
        name=name,
        media_type=MEDIA_TYPE,
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=tuple(blocks),
        pages=len(pages),
        warnings=tuple(_warnings(pages)),
    )
    return PdfExtraction(document=document, dropped_lines=dropped)
