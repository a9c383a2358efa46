"""Tests of the PDF reader on PDFs drawn with reportlab, plus a check over the real documents."""

from __future__ import annotations

import functools
import io
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from scanner.errors import DocumentTooLarge, EmptyDocument, EncryptedDocument, ExtractionFailed, ScanError
from scanner.ingest.pdf import PdfExtraction, extract_pdf, ingest_pdf, is_page_number, join_lines
from scanner.limits import Limits
from scanner.types import Document

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
PAGE_W, PAGE_H = 595.0, 842.0
LEFT = 72.0
SIZE = 12.0
LEADING = 20.0
REALDOCS = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdocs"
CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


# --- drawing helpers (top-left coordinates, like the reader's bboxes) -------------------------------


@dataclass(frozen=True)
class Text:
    top: float
    text: str
    x: float = LEFT
    size: float = SIZE


@dataclass(frozen=True)
class Rule:
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class Picture:
    x0: float
    top: float
    width: float
    height: float


Op = Text | Rule | Picture


def make_pdf(pages: Sequence[Sequence[Op]], encrypt: StandardEncryption | None = None) -> bytes:
    """A PDF with one page per list of drawing operations."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), encrypt=encrypt)
    for ops in pages:
        for op in ops:
            _draw(pdf, op)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _draw(pdf: canvas.Canvas, op: Op) -> None:
    if isinstance(op, Text):
        pdf.setFont(FONT, op.size)
        pdf.drawString(op.x, PAGE_H - op.top - op.size, op.text)
    elif isinstance(op, Rule):
        pdf.line(op.x0, PAGE_H - op.top, op.x1, PAGE_H - op.bottom)
    else:
        pdf.drawImage(_png(), op.x0, PAGE_H - op.top - op.height, op.width, op.height)


@functools.cache
def _png_bytes() -> bytes:
    """A small grey PNG drawn without PIL (zlib + struct), like a scanned page."""
    import struct
    import zlib

    width, height = 64, 64
    raw = b"".join(b"\x00" + bytes((x * 3 + y * 5) % 256 for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _png() -> ImageReader:
    return ImageReader(io.BytesIO(_png_bytes()))


def lines_at(top: float, texts: Sequence[str], x: float = LEFT) -> list[Text]:
    """Consecutive lines with the usual leading."""
    return [Text(top + i * LEADING, t, x) for i, t in enumerate(texts)]


def grid(top: float, col_x: Sequence[float], rows: Sequence[Sequence[str]], row_h: float = 24.0) -> list[Op]:
    """A fully ruled table with one line of text per cell."""
    ops: list[Op] = []
    bottom = top + row_h * len(rows)
    for i in range(len(rows) + 1):
        ops.append(Rule(col_x[0], top + i * row_h, col_x[-1], top + i * row_h))
    for x in col_x:
        ops.append(Rule(x, top, x, bottom))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            ops.append(Text(top + r * row_h + 6, cell, col_x[c] + 3, 10))
    return ops


def read(pages: Sequence[Sequence[Op]], **limits: int) -> Document:
    return ingest_pdf(make_pdf(pages), "t.pdf", Limits(**limits))


def paragraphs(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == "paragraph"]


# 30 CJK chars per full line (12 pt each): every full line ends at the same right margin.
WRAPPED = [
    "投标人应当具备独立承担民事责任的能力并具有良好的商业信誉和健全的",
    "财务会计制度，具有履行合同所必需的设备和专业技术能力，有依法缴纳",
    "税收和社会保障资金的良好记录，参加政府采购活动前三年内在经营活动",
    "中没有重大违法记录。",
]
FILLER = ["采购人将根据评标委员会的推荐确定中标人并发出中标通知书给中标人。"] * 3


# --- text flow --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["投标人应当具备", "独立承担民事责任的能力"], "投标人应当具备独立承担民事责任的能力"),
        (["The supplier shall", "provide a bid bond"], "The supplier shall provide a bid bond"),
        (["ISO", "9001质量管理体系"], "ISO 9001质量管理体系"),
        (["投 标 人 须 知", "前 附 表"], "投标人须知前附表"),
        (["资格要求：", "1.具有独立法人资格"], "资格要求：1.具有独立法人资格"),
    ],
)
def test_join_lines(texts: list[str], expected: str) -> None:
    assert join_lines(texts) == expected


def test_hard_wraps_rejoined_without_spaces() -> None:
    doc = read([lines_at(100, WRAPPED) + lines_at(200, ["（二）评标办法"]) + lines_at(240, FILLER)])
    paras = paragraphs(doc)
    assert "".join(WRAPPED) in paras
    assert "（二）评标办法" in paras
    assert all("\n" not in b.text for b in doc.blocks)


def test_latin_wrap_becomes_one_space() -> None:
    latin = [
        "The bidder shall submit the original certificate of the quality management",
        "system together with the bid documents before the deadline.",
    ]
    doc = read([lines_at(100, latin) + lines_at(160, FILLER)])
    assert " ".join(latin) in paragraphs(doc)


def test_paragraph_breaks_at_numbering_after_full_stop() -> None:
    first = "采购人将根据评标委员会的推荐确定中标人并发出中标通知书给中标人。"
    second = "2.中标人应当按照中标通知书规定的时间和地点与采购人签订合同书。"
    doc = read([lines_at(100, [first, second]) + lines_at(200, FILLER)])
    assert first in paragraphs(doc)
    assert second in paragraphs(doc)


def test_cjk_spaces_from_justified_text_removed() -> None:
    doc = read(
        [lines_at(100, ["第 二 章   投 标 人 须 知", "Page content 2024 年版"]) + lines_at(200, FILLER)]
    )
    text = doc.text
    assert "第二章投标人须知" in text
    assert "2024 年版" in text  # a space between a digit and CJK is not touched


def test_kangxi_radicals_kept_as_is() -> None:
    doc = read([lines_at(100, ["中华⼈⺠共和国政府采购法"]) + lines_at(200, FILLER)])
    assert "中华⼈⺠共和国政府采购法" in doc.text


# --- headers, footers, page numbers -----------------------------------------------------------------

FOOTERS = [
    lambda n, total: f"- {n} -",
    lambda n, total: f"第 {n} 页 共 {total} 页",
    lambda n, total: str(n),
    lambda n, total: f"{n}/{total}",
    lambda n, total: f"Page {n}",
]


@pytest.mark.parametrize("footer", FOOTERS, ids=["dash", "di-ye", "bare", "slash", "page"])
def test_headers_footers_and_page_numbers_dropped(footer: Callable[[int, int], str]) -> None:
    total = 4
    pages = [
        [
            Text(30, "某某学校食堂服务项目招标文件"),
            Text(800, footer(n, total), 280),
            *lines_at(100, [f"第{n}页正文内容，投标人应当认真阅读本招标文件的全部内容。"]),
        ]
        for n in range(1, total + 1)
    ]
    ex = extract_pdf(make_pdf(pages), "t.pdf", Limits())
    text = ex.document.text
    assert "某某学校食堂服务项目招标文件" not in text
    assert [b.text for b in ex.document.blocks] == [
        f"第{n}页正文内容，投标人应当认真阅读本招标文件的全部内容。" for n in range(1, total + 1)
    ]
    assert len(ex.dropped_lines) == 2 * total


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- 3 -", True),
        ("— 12 —", True),
        ("第 3 页 共 98 页", True),
        ("3", True),
        ("3/98", True),
        ("Page 3", True),
        ("第三章 评标办法", False),
        ("3.1 评分标准", False),
    ],
)
def test_is_page_number(text: str, expected: bool) -> None:
    assert is_page_number(text) is expected


# --- tables -----------------------------------------------------------------------------------------

COLS = [72.0, 112.0, 232.0, 282.0, 520.0]
SCORING = [
    ["序号", "评分因素", "分值", "评分标准"],
    ["1", "类似项目业绩", "10", "每提供一个本市项目业绩得2分"],
    ["2", "质量管理体系", "5", "具有ISO9001认证证书得5分"],
]


def test_ruled_table_rows_have_headers_and_are_not_duplicated() -> None:
    before, after = "评分办法如下表所示：", "以上评分由评标委员会独立打分。"
    doc = read([[Text(80, before), *grid(120, COLS, SCORING), Text(220, after)]])
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [b.text for b in rows] == ["｜".join(r) for r in SCORING]
    row = rows[1]
    assert row.source.table is not None and row.source.page == 1
    by_header = {c.header: row.text[c.start : c.end] for c in row.source.table.cells}
    assert by_header["评分标准"] == "每提供一个本市项目业绩得2分"
    assert by_header["评分因素"] == "类似项目业绩"
    assert paragraphs(doc) == [before, after]  # table text is not in the paragraph flow
    assert doc.blocks[0].text == before and doc.blocks[-1].text == after  # reading order


def test_table_continued_on_next_page_keeps_header() -> None:
    first = [*lines_at(80, ["评分标准如下："]), *grid(640, COLS, SCORING)]
    rest = [
        ["3", "服务方案", "20", "方案完整可行得20分"],
        ["4", "人员配置", "10", "项目经理具有高级职称得10分"],
    ]
    second = [*grid(60, COLS, rest), *lines_at(200, ["其他事项另行通知。"])]
    doc = read([first, second])
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert len(rows) == 5
    assert {b.source.table.index for b in rows} == {0}  # type: ignore[union-attr]
    last = rows[-1]
    assert last.source.page == 2
    assert [c.header for c in last.source.table.cells] == SCORING[0]  # type: ignore[union-attr]
    assert [b.source.table.row for b in rows] == [0, 1, 2, 3, 4]  # type: ignore[union-attr]


def test_page_and_bbox_on_every_block() -> None:
    doc = read([lines_at(100, WRAPPED), [*lines_at(100, FILLER), *grid(300, COLS, SCORING)]])
    assert {b.source.page for b in doc.blocks} == {1, 2}
    for block in doc.blocks:
        x0, top, x1, bottom = block.source.bbox  # type: ignore[misc]
        assert 0 <= x0 < x1 <= PAGE_W and 0 <= top < bottom <= PAGE_H
    first = doc.blocks[0]
    assert first.source.bbox[1] == pytest.approx(100, abs=4)  # type: ignore[index]
    assert first.source.bbox[0] == pytest.approx(LEFT, abs=2)  # type: ignore[index]


# --- warnings ---------------------------------------------------------------------------------------


def test_scanned_page_warning_for_image_only_page() -> None:
    doc = read([lines_at(100, FILLER), [Picture(50, 50, 495, 740)]])
    assert [(w.code, w.page) for w in doc.warnings] == [("scanned_page", 2)]
    assert "第 2 页" in doc.warnings[0].message and "Page 2" in doc.warnings[0].message


def test_blank_page_is_not_scanned() -> None:
    doc = read([lines_at(100, FILLER), []])
    assert doc.warnings == ()


# --- errors -----------------------------------------------------------------------------------------


def _pdf_bytes() -> bytes:
    return make_pdf([lines_at(100, FILLER), lines_at(100, WRAPPED)])


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyDocument),
        (_pdf_bytes()[: len(_pdf_bytes()) // 2], ExtractionFailed),
        (b"%PDF-1.7\n" + os.urandom(4000) + b"\n%%EOF\n", ExtractionFailed),
        (b"not a pdf at all", ExtractionFailed),
        (
            make_pdf([lines_at(100, FILLER)], StandardEncryption("secret", ownerPassword="owner")),
            EncryptedDocument,
        ),
    ],
    ids=["empty", "truncated", "random", "not-pdf", "encrypted"],
)
def test_errors(data: bytes, error: type[ScanError]) -> None:
    with pytest.raises(error) as info:
        ingest_pdf(data, "t.pdf", Limits())
    assert info.value.zh and info.value.en


def test_empty_user_password_opens() -> None:
    data = make_pdf([lines_at(100, FILLER)], StandardEncryption("", ownerPassword="owner"))
    assert b"/Encrypt" in data
    doc = ingest_pdf(data, "t.pdf", Limits())
    assert FILLER[0] in doc.text


@pytest.mark.parametrize("limits", [Limits(max_pages=2), Limits(max_chars=50), Limits(max_bytes=100)])
def test_too_large(limits: Limits) -> None:
    data = make_pdf([lines_at(100, FILLER)] * 3)
    with pytest.raises(DocumentTooLarge):
        ingest_pdf(data, "t.pdf", limits)


def test_document_fields() -> None:
    import hashlib

    data = _pdf_bytes()
    doc = ingest_pdf(data, "招标文件.pdf", Limits())
    assert (doc.name, doc.media_type, doc.pages) == ("招标文件.pdf", "application/pdf", 2)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert isinstance(doc.blocks, tuple) and all(b.kind == "paragraph" for b in doc.blocks)


# --- real documents ---------------------------------------------------------------------------------


def _real_pdfs() -> list[Path]:
    return sorted(REALDOCS.glob("*.pdf")) if REALDOCS.is_dir() else []


def _manifest() -> dict[str, dict]:
    path = REALDOCS / "manifest.jsonl"
    if not path.is_file():
        return {}
    return {e["file"]: e for e in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if e}


needs_realdocs = pytest.mark.skipif(not _real_pdfs(), reason=f"real documents not found at {REALDOCS}")


@functools.cache
def _extract(name: str) -> PdfExtraction:
    return extract_pdf((REALDOCS / name).read_bytes(), name, Limits())


@functools.cache
def _plumber_cjk(name: str) -> int:
    with pdfplumber.open(REALDOCS / name) as pdf:
        return sum(len(CJK.findall(page.extract_text() or "")) for page in pdf.pages)


def _has_text_layer(path: Path) -> bool:
    entry = _manifest().get(path.name, {})
    return not entry.get("looks_scanned") and not re.search("cid_garbled|vector_text", path.name)


@needs_realdocs
@pytest.mark.parametrize("path", _real_pdfs(), ids=lambda p: p.name[:24])
def test_real_pdf_ingests(path: Path) -> None:
    doc = _extract(path.name).document
    assert doc.pages and doc.pages > 0
    assert all("\n" not in b.text and b.source.page for b in doc.blocks)


@needs_realdocs
@pytest.mark.parametrize("path", [p for p in _real_pdfs() if _has_text_layer(p)], ids=lambda p: p.name[:24])
def test_real_pdf_cjk_count_matches_pdfplumber(path: Path) -> None:
    ex = _extract(path.name)
    ours = len(CJK.findall(ex.document.text)) + sum(len(CJK.findall(line.text)) for line in ex.dropped_lines)
    reference = _plumber_cjk(path.name)
    assert abs(ours - reference) <= 0.02 * reference, (ours, reference)


@needs_realdocs
@pytest.mark.parametrize(
    ("pattern", "code"), [("25_*cid_garbled*", "garbled_page"), ("18_*vector_text*", "scanned_page")]
)
def test_real_pdf_unreadable_pages_warned(pattern: str, code: str) -> None:
    paths = sorted(REALDOCS.glob(pattern + ".pdf"))
    if not paths:
        pytest.skip(f"no {pattern} in {REALDOCS}")
    doc = _extract(paths[0].name).document
    assert doc.warnings and {w.code for w in doc.warnings} == {code}
    assert [w.page for w in doc.warnings] == list(range(1, doc.pages + 1))  # type: ignore[operator]


@needs_realdocs
def test_real_pdf_tables_have_headers() -> None:
    with_headers = 0
    for path in _real_pdfs():
        for block in _extract(path.name).document.blocks:
            table = block.source.table
            if block.kind == "table_row" and table and any(c.header for c in table.cells):
                with_headers += 1
    assert with_headers > 0
