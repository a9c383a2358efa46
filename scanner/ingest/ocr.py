"""OCR for PDF pages without a usable text layer (scanned, garbled, vector-outlined text).

Pages flagged ``scanned_page`` / ``garbled_page`` by the PDF reader are rendered with
pypdfium2 and recognised with RapidOCR (ONNX models shipped inside the PyPI wheel; nothing is
downloaded at run time). Recognised lines are grouped into paragraph blocks with page numbers
and bounding boxes in PDF points (top-left origin, like the text-layer blocks). The document
gets an ``ocr_page`` warning per page with the mean recognition confidence.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from scanner.normalize import remove_cjk_spaces
from scanner.types import Block, Document, DocWarning, Source

RENDER_SCALE = 1.5  # 108 dpi: 10.5pt CJK body text ≈ 21 px; rapidocr missed whole lines at 2.0
OCR_WARNINGS = ("scanned_page", "garbled_page")
Progress = Callable[[str, int, int], None]  # (stage, done, total)
_NUMBERING = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+[章节条]|[一二三四五六七八九十]+[、.]|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[①-⑳★▲])"
)
_ENDS = "。；：！？;:!?"


@dataclass(frozen=True)
class OcrLine:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def ocr_available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


MAX_IMAGE_PIXELS = 60_000_000  # an embedded image larger than this is refused before rendering


def check_page_images(page: Any, page_no: int) -> None:
    """Refuse pages whose embedded images would decode to gigabytes (image bombs)."""
    import pypdfium2.raw as pdfium_c

    from scanner.errors import DocumentTooLarge

    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        try:
            meta = obj.get_metadata()
            w, h = int(meta.width), int(meta.height)
        except Exception:
            continue
        if w * h > MAX_IMAGE_PIXELS:
            raise DocumentTooLarge(
                f"第 {page_no} 页嵌入的图像过大（{w}×{h} 像素），拒绝识别",
                f"Page {page_no} embeds an image too large to decode ({w}x{h} pixels)",
            )


def recognise_page(pdf: Any, index: int, scale: float = RENDER_SCALE) -> list[OcrLine]:
    """OCR one page (0-based index) of an open pypdfium2 document."""
    import numpy as np

    page = pdf[index]
    try:
        check_page_images(page, index + 1)
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        page.close()
    result, _ = _engine()(np.asarray(image))
    lines = []
    for box, text, score in result or []:
        xs = [p[0] / scale for p in box]
        ys = [p[1] / scale for p in box]
        if text.strip():
            lines.append(OcrLine(text.strip(), min(xs), min(ys), max(xs), max(ys), float(score)))
    return _merge_same_line(lines)


def _merge_same_line(lines: list[OcrLine]) -> list[OcrLine]:
    """Segments whose vertical extents overlap by more than half are one line, left to right."""
    lines = sorted(lines, key=lambda ln: (ln.top, ln.x0))
    out: list[list[OcrLine]] = []
    for ln in lines:
        if out:
            last = out[-1][-1]
            overlap = min(last.bottom, ln.bottom) - max(last.top, ln.top)
            if overlap > 0.5 * min(last.bottom - last.top, ln.bottom - ln.top):
                out[-1].append(ln)
                continue
        out.append([ln])
    merged = []
    for group in out:
        group.sort(key=lambda g: g.x0)
        text = remove_cjk_spaces(" ".join(g.text for g in group))
        merged.append(
            OcrLine(
                text,
                min(g.x0 for g in group),
                min(g.top for g in group),
                max(g.x1 for g in group),
                max(g.bottom for g in group),
                statistics.fmean(g.score for g in group),
            )
        )
    return merged


def paragraphs(lines: list[OcrLine], page_no: int) -> list[Block]:
    """Join wrapped lines: a line that reaches the right margin continues into the next one."""
    if not lines:
        return []
    right = max(ln.x1 for ln in lines)
    left = min(ln.x0 for ln in lines)
    height = statistics.median(ln.bottom - ln.top for ln in lines)
    blocks: list[Block] = []
    cur: list[OcrLine] = []

    def flush() -> None:
        if cur:
            text = remove_cjk_spaces("".join(c.text for c in cur))
            box = (
                min(c.x0 for c in cur),
                min(c.top for c in cur),
                max(c.x1 for c in cur),
                max(c.bottom for c in cur),
            )
            blocks.append(Block(text=text, source=Source(page=page_no, bbox=tuple(round(v, 1) for v in box))))  # type: ignore[arg-type]
            cur.clear()

    for ln in lines:
        if cur:
            prev = cur[-1]
            full = prev.x1 >= right - 2 * height
            gap = ln.top - prev.bottom
            if (
                not full
                or prev.text[-1:] in _ENDS
                or _NUMBERING.match(ln.text)
                or gap > 1.2 * height
                or ln.x0 > left + 3 * height
            ):
                flush()
        cur.append(ln)
    flush()
    return blocks


def ocr_document(doc: Document, data: bytes, progress: Progress | None = None) -> Document:
    """Replace the flagged pages of a PDF Document with OCR blocks (in page order)."""
    pages = sorted({w.page for w in doc.warnings if w.code in OCR_WARNINGS and w.page})
    if not pages:
        return doc
    if not ocr_available():
        warn = DocWarning(
            "ocr_unavailable",
            "未安装 OCR 组件，扫描页未识别 / OCR is not installed; scanned pages were not read",
        )
        return Document(
            doc.name, doc.media_type, doc.sha256, doc.blocks, doc.pages, (*doc.warnings, warn), doc.metadata
        )
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    new_blocks: dict[int, list[Block]] = {}
    warnings = list(doc.warnings)
    try:
        for done, page_no in enumerate(pages, 1):
            lines = recognise_page(pdf, page_no - 1)
            new_blocks[page_no] = paragraphs(lines, page_no)
            conf = statistics.fmean(ln.score for ln in lines) if lines else 0.0
            warnings.append(
                DocWarning(
                    "ocr_page",
                    f"第 {page_no} 页无可用文字层，已 OCR 识别（{len(lines)} 行，平均置信度 {conf:.2f}） / "
                    f"page {page_no} had no usable text layer and was OCR'd ({len(lines)} lines, mean confidence {conf:.2f})",
                    page_no,
                )
            )
            if progress:
                progress("ocr", done, len(pages))
    finally:
        pdf.close()
    blocks: list[Block] = []
    pending = sorted(new_blocks)
    for b in doc.blocks:
        page = b.source.page or 0
        while pending and pending[0] < page:
            blocks.extend(new_blocks[pending.pop(0)])
        if page in new_blocks:
            continue  # text of a page we re-read (garbled layer) is replaced
        blocks.append(b)
    for p in pending:
        blocks.extend(new_blocks[p])
    return Document(
        doc.name, doc.media_type, doc.sha256, tuple(blocks), doc.pages, tuple(warnings), doc.metadata
    )
