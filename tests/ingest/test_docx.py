"""Tests of the DOCX reader, on fixtures built with python-docx plus hand-written XML."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from scanner.errors import DocumentTooLarge, ExtractionFailed, ScanError, UnsupportedFormat
from scanner.ingest.docx import MEDIA_TYPE, format_number, ingest_docx
from scanner.limits import Limits
from scanner.normalize import is_cjk
from scanner.types import Block, Document

LIMITS = Limits()
REALDOCS = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdocs"

_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'mc:Ignorable="wps"'
)


# --------------------------------------------------------------------------- helpers


def _save(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """Copy a zip, replacing (or with None removing) some members."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in replace:
                continue
            dst.writestr(info.filename, src.read(info.filename))
        for name, content in replace.items():
            if content is not None:
                dst.writestr(name, content)
    return out.getvalue()


def _xml_docx(body: str, numbering: str | None = None, styles: str | None = None) -> bytes:
    """A python-docx package whose body (and optionally numbering/styles) is ``body``."""
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"<w:document {_NS}><w:body>{body}</w:body></w:document>"
    )
    replace: dict[str, bytes | None] = {"word/document.xml": document.encode()}
    if numbering is not None:
        replace["word/numbering.xml"] = numbering.encode()
    if styles is not None:
        replace["word/styles.xml"] = styles.encode()
    return _rezip(_save(docx.Document()), replace)


def _ingest(data: bytes, limits: Limits = LIMITS) -> Document:
    return ingest_docx(data, "t.docx", limits)


def _p(text: str, ppr: str = "") -> str:
    return f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t xml:space='preserve'>{text}</w:t></w:r></w:p>"


def _num_p(text: str, num_id: int, ilvl: int = 0, style: str | None = None) -> str:
    pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
    return _p(text, f'{pstyle}<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>')


def _tc(text: str, tcpr: str = "") -> str:
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{_p(text) if text else '<w:p/>'}</w:tc>"


def _tbl(*rows: str) -> str:
    return "<w:tbl><w:tblPr/>" + "".join(f"<w:tr>{row}</w:tr>" for row in rows) + "</w:tbl>"


def _texts(doc: Document, kind: str | None = None) -> list[str]:
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


def _cjk_count(text: str) -> int:
    return sum(1 for c in text if is_cjk(c))


# --------------------------------------------------------------------------- body order, headings


def test_body_order_paragraphs_and_tables() -> None:
    d = docx.Document()
    d.add_paragraph("第一段 文字")
    table = d.add_table(rows=2, cols=3)
    for col, text in enumerate(["序号", "评分项目", "分值"]):
        table.cell(0, col).text = text
    for col, text in enumerate(["1", "业绩", "10分"]):
        table.cell(1, col).text = text
    d.add_paragraph("第二段")
    doc = _ingest(_save(d))
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("paragraph", "第一段文字"),
        ("table_row", "序号｜评分项目｜分值"),
        ("table_row", "1｜业绩｜10分"),
        ("paragraph", "第二段"),
    ]
    row = doc.blocks[2].source.table
    assert row is not None and row.index == 0 and row.row == 1
    assert [c.header for c in row.cells] == ["序号", "评分项目", "分值"]
    assert doc.media_type == MEDIA_TYPE and doc.name == "t.docx" and len(doc.sha256) == 64
    assert doc.warnings == () and "\n" not in "".join(_texts(doc))


def _heading_doc() -> bytes:
    d = docx.Document()
    d.add_heading("招标文件", level=0)
    d.add_heading("第一章 招标公告", level=1)
    d.add_heading("一、项目概况", level=2)
    custom = d.styles.add_style("我的标题", WD_STYLE_TYPE.PARAGRAPH)
    custom.base_style = d.styles["Heading 3"]
    d.add_paragraph("based on heading 3", style="我的标题")
    d.styles.add_style("标题 4", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("中文样式名", style="标题 4")
    p = d.add_paragraph("大纲级别二")
    lvl = OxmlElement("w:outlineLvl")
    lvl.set(qn("w:val"), "1")
    p._p.get_or_add_pPr().append(lvl)
    q = d.add_heading("正文级别", level=1)
    body = OxmlElement("w:outlineLvl")
    body.set(qn("w:val"), "9")
    q._p.get_or_add_pPr().append(body)
    d.add_paragraph("普通段落")
    return _save(d)


@pytest.mark.parametrize(
    ("text", "kind", "level", "style"),
    [
        ("招标文件", "heading", None, "Title"),
        ("第一章招标公告", "heading", 1, "heading 1"),
        ("一、项目概况", "heading", 2, "heading 2"),
        ("based on heading 3", "heading", 3, "我的标题"),
        ("中文样式名", "heading", 4, "标题 4"),
        ("大纲级别二", "heading", 2, "Normal"),
        ("正文级别", "paragraph", None, "heading 1"),
        ("普通段落", "paragraph", None, "Normal"),
    ],
)
def test_heading_styles_and_outline_levels(text: str, kind: str, level: int | None, style: str) -> None:
    blocks = {b.text: b for b in _ingest(_heading_doc()).blocks}
    block = blocks[text]
    assert (block.kind, block.level, block.style) == (kind, level, style)


# --------------------------------------------------------------------------- numbering


def _lvl(ilvl: int, fmt: str, text: str, start: int = 1, pstyle: str = "") -> str:
    ps = f'<w:pStyle w:val="{pstyle}"/>' if pstyle else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{ps}'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


NUMBERING = (
    f"<w:numbering {_NS}>"
    '<w:abstractNum w:abstractNumId="0">'
    + _lvl(0, "chineseCounting", "第%1章", pstyle="Heading1")
    + _lvl(1, "chineseCountingThousand", "%2、")
    + _lvl(2, "chineseCounting", "（%3）")
    + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="1">'
    + _lvl(0, "decimal", "%1.")
    + _lvl(1, "decimal", "%1.%2")
    + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="2">' + _lvl(0, "decimalEnclosedCircle", "%1") + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="3">' + _lvl(0, "bullet", "\uf06c") + "</w:abstractNum>"
    '<w:abstractNum w:abstractNumId="4">'
    + _lvl(0, "upperLetter", "%1)", start=3)
    + _lvl(1, "ideographTraditional", "%2.")
    + "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>'
    '<w:num w:numId="4"><w:abstractNumId w:val="3"/></w:num>'
    '<w:num w:numId="5"><w:abstractNumId w:val="1"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/></w:lvlOverride></w:num>'
    '<w:num w:numId="6"><w:abstractNumId w:val="4"/></w:num>'
    '<w:num w:numId="7"><w:abstractNumId w:val="2"/></w:num>'
    "</w:numbering>"
)

NUMBERED_BODY = [
    (_num_p("总则", 1, 0), "第一章"),
    (_num_p("适用范围", 1, 1), "一、"),
    (_num_p("甲项", 1, 2), "（一）"),
    (_num_p("乙项", 1, 2), "（二）"),
    (_num_p("定义", 1, 1), "二、"),
    (_num_p("丙项", 1, 2), "（一）"),
    (_num_p("招标公告", 1, 0), "第二章"),
    (_num_p("资格要求", 1, 1), "一、"),
    (_num_p("一般规定", 2, 0), "1."),
    (_num_p("条款甲", 2, 1), "1.1"),
    (_num_p("条款乙", 2, 1), "1.2"),
    (_num_p("其他规定", 2, 0), "2."),
    (_num_p("条款丙", 2, 1), "2.1"),
    (_num_p("圈一", 3, 0), "①"),
    (_num_p("圈二", 3, 0), "②"),
    (_num_p("要点", 4, 0), None),
    (_num_p("同一抽象列表继续", 2, 0), "3."),
    (_num_p("重新开始于七", 5, 0), "7."),
    (_num_p("其后", 5, 0), "8."),
    (_num_p("字母", 6, 0), "C)"),
    (_num_p("天干", 6, 1), "甲."),
    (_num_p("天干二", 6, 1), "乙."),
    (_p("样式编号", '<w:pStyle w:val="Heading1"/><w:numPr><w:numId w:val="1"/></w:numPr>'), "第三章"),
    (_p("无编号"), None),
]


def test_numbering_labels_with_restart() -> None:
    doc = _ingest(_xml_docx("".join(xml for xml, _ in NUMBERED_BODY), NUMBERING))
    assert [b.label for b in doc.blocks] == [label for _, label in NUMBERED_BODY]
    assert [b.text for b in doc.blocks][:3] == ["总则", "适用范围", "甲项"]  # labels stay out of text
    heading = doc.blocks[-2]
    assert (heading.text, heading.kind, heading.level, heading.label) == ("样式编号", "heading", 1, "第三章")


def test_numbering_inherited_from_style_and_empty_paragraph_counts() -> None:
    styles_xml = (
        f"<w:styles {_NS}>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="L1"><w:name w:val="list one"/>'
        '<w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="L1b"><w:name w:val="list child"/>'
        '<w:basedOn w:val="L1"/></w:style>'
        "</w:styles>"
    )
    body = (
        _p("一", '<w:pStyle w:val="L1"/>')
        + '<w:p><w:pPr><w:pStyle w:val="L1"/></w:pPr></w:p>'
        + _p("三", '<w:pStyle w:val="L1b"/>')
        + _p("off", '<w:pStyle w:val="L1"/><w:numPr><w:numId w:val="0"/></w:numPr>')
    )
    doc = _ingest(_xml_docx(body, NUMBERING, styles_xml))
    assert [(b.text, b.label) for b in doc.blocks] == [("一", "1."), ("三", "3."), ("off", None)]


@pytest.mark.parametrize(
    ("n", "fmt", "expected"),
    [
        (1, "decimal", "1"),
        (5, "decimalZero", "05"),
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (11, "chineseCounting", "十一"),
        (20, "chineseCountingThousand", "二十"),
        (105, "chineseCountingThousand", "一百零五"),
        (110, "chineseCounting", "一百一十"),
        (10001, "chineseCounting", "一万零一"),
        (12, "chineseLegalSimplified", "壹拾贰"),
        (1, "ideographTraditional", "甲"),
        (10, "ideographTraditional", "癸"),
        (1, "upperLetter", "A"),
        (27, "upperLetter", "AA"),
        (2, "lowerLetter", "b"),
        (14, "upperRoman", "XIV"),
        (4, "lowerRoman", "iv"),
        (3, "decimalEnclosedCircle", "③"),
        (21, "decimalEnclosedCircle", "㉑"),
        (3, "decimalFullWidth", "３"),
        (7, "somethingUnknown", "7"),
    ],
)
def test_format_number(n: int, fmt: str, expected: str) -> None:
    assert format_number(n, fmt) == expected


# --------------------------------------------------------------------------- text model

_RUN = "<w:r><w:t xml:space='preserve'>{}</w:t></w:r>"


TEXT_CASES = [
    (
        "tracked changes accepted",
        "<w:p>"
        + _RUN.format("投标人")
        + "<w:ins w:id='1' w:author='a'>"
        + _RUN.format("须")
        + "</w:ins><w:del w:id='2' w:author='a'><w:r><w:delText>不得</w:delText></w:r></w:del>"
        + "<w:moveFrom w:id='3' w:author='a'>"
        + _RUN.format("旧位置")
        + "</w:moveFrom><w:moveTo w:id='4' w:author='a'>"
        + _RUN.format("具备资质")
        + "</w:moveTo></w:p>",
        "投标人须具备资质",
    ),
    (
        "complex field: code skipped, result kept",
        "<w:p>"
        + _RUN.format("见第")
        + "<w:r><w:fldChar w:fldCharType='begin'/></w:r>"
        + "<w:r><w:instrText> PAGEREF _Toc1 \\h </w:instrText></w:r>"
        + "<w:r><w:t>CODE</w:t></w:r><w:r><w:fldChar w:fldCharType='separate'/></w:r>"
        + _RUN.format("5")
        + "<w:r><w:fldChar w:fldCharType='end'/></w:r>"
        + _RUN.format("页")
        + "</w:p>",
        "见第5页",
    ),
    (
        "hyperlink, smartTag, sdt, fldSimple",
        "<w:p><w:hyperlink r:id='x'>"
        + _RUN.format("链接")
        + "</w:hyperlink><w:smartTag w:uri='u' w:element='e'>"
        + _RUN.format("标记")
        + "</w:smartTag><w:sdt><w:sdtPr><w:alias w:val='控件'/></w:sdtPr><w:sdtContent>"
        + _RUN.format("内容")
        + "</w:sdtContent></w:sdt><w:fldSimple w:instr=' DATE '>"
        + _RUN.format("结果")
        + "</w:fldSimple></w:p>",
        "链接标记内容结果",
    ),
    (
        "spaces between CJK removed, tabs and breaks",
        "<w:p>"
        + _RUN.format("投 标  人")
        + "<w:r><w:tab/></w:r>"
        + _RUN.format("须知")
        + "<w:r><w:br/></w:r>"
        + _RUN.format("ISO")
        + "<w:r><w:br/></w:r>"
        + _RUN.format("9001 certificate")
        + "</w:p>",
        "投标人须知 ISO 9001 certificate",
    ),
]


@pytest.mark.parametrize(("case", "paragraph", "expected"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_paragraph_text(case: str, paragraph: str, expected: str) -> None:
    assert _texts(_ingest(_xml_docx(paragraph))) == [expected], case


def test_field_result_spanning_paragraphs() -> None:
    """A TOC field: its result runs over several paragraphs; nested PAGEREF codes are skipped."""
    begin, sep, end = (f"<w:r><w:fldChar w:fldCharType='{k}'/></w:r>" for k in ("begin", "separate", "end"))
    toc = (
        f"<w:p>{begin}<w:r><w:instrText>TOC \\o</w:instrText></w:r>{sep}"
        + _RUN.format("第一章 总则")
        + f"<w:r><w:tab/></w:r>{begin}<w:r><w:instrText>PAGEREF _Toc1</w:instrText></w:r>{sep}"
        + _RUN.format("3")
        + f"{end}</w:p><w:p>"
        + _RUN.format("第二章 须知")
        + f"</w:p><w:p>{end}</w:p>"
        + _p("正文")
    )
    assert _texts(_ingest(_xml_docx(toc))) == ["第一章总则 3", "第二章须知", "正文"]


def test_empty_paragraphs_skipped() -> None:
    body = (
        "<w:p/>"
        + _p("   ")
        + "<w:p><w:del w:id='1' w:author='a'><w:r><w:delText>删</w:delText></w:r></w:del></w:p>"
    )
    assert _ingest(_xml_docx(body + _p("正文"))).blocks == (Block(text="正文", style="Normal"),)


def _text_box(text: str) -> str:
    inner = f"<w:txbxContent>{_p(text)}</w:txbxContent>"
    return (
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><wp:anchor><a:graphic>"
        f"<a:graphicData><wps:wsp><wps:txbx>{inner}</wps:txbx></wps:wsp></a:graphicData>"
        "</a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape>"
        f"<v:textbox>{inner}</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )


def test_text_box_text_once_after_anchor() -> None:
    body = (
        "<w:p>" + _RUN.format("锚定段落") + _text_box("框内文字") + "</w:p>"
        "<w:p><w:r><w:pict><v:shape><v:textbox><w:txbxContent>"
        + _p("旧式文本框")
        + "</w:txbxContent></v:textbox></v:shape></w:pict></w:r></w:p>"
        + _p("下一段")
    )
    assert _texts(_ingest(_xml_docx(body))) == ["锚定段落", "框内文字", "旧式文本框", "下一段"]


def test_text_box_in_table_cell_follows_row() -> None:
    cell = "<w:tc><w:p>" + _RUN.format("单元格") + _text_box("框内") + "</w:p></w:tc>"
    doc = _ingest(_xml_docx(_tbl(cell + _tc("x"), _tc("a") + _tc("b"))))
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("table_row", "单元格｜x"),
        ("paragraph", "框内"),
        ("table_row", "a｜b"),
    ]


# --------------------------------------------------------------------------- tables


def test_merged_cells_reported_once() -> None:
    body = _tbl(
        _tc("序号") + _tc("评分项目") + _tc("评分标准") + _tc("分值"),
        _tc("1", '<w:vMerge w:val="restart"/>') + _tc("业绩", '<w:gridSpan w:val="2"/>') + _tc("10分"),
        _tc("", "<w:vMerge/>") + _tc("资质") + _tc("具备ISO9001") + _tc("5分"),
    )
    doc = _ingest(_xml_docx(body))
    assert _texts(doc) == ["序号｜评分项目｜评分标准｜分值", "1｜业绩｜10分", "资质｜具备ISO9001｜5分"]
    second = doc.blocks[1].source.table
    assert second is not None
    assert [(c.col, c.header) for c in second.cells] == [(0, "序号"), (1, "评分项目"), (3, "分值")]
    third = doc.blocks[2].source.table
    assert third is not None and [c.col for c in third.cells] == [1, 2, 3]


def test_nested_table_rows_follow_parent_row() -> None:
    inner = _tbl(_tc("子项") + _tc("要求"), _tc("甲") + _tc("乙"))
    body = (
        _tbl(
            _tc("项目") + _tc("内容"),
            _tc("外层") + f"<w:tc>{_p('说明')}{inner}<w:p/></w:tc>",
            _tc("末行") + _tc("结束"),
        )
        + _p("表后")
        + _tbl(_tc("第三表") + _tc("x"))
    )
    doc = _ingest(_xml_docx(body))
    rows = [(b.text, b.source.table.index if b.source.table else None) for b in doc.blocks]
    assert rows == [
        ("项目｜内容", 0),
        ("外层｜说明", 0),
        ("子项｜要求", 1),
        ("甲｜乙", 1),
        ("末行｜结束", 0),
        ("表后", None),
        ("第三表｜x", 2),
    ]


def test_cell_paragraphs_joined_without_newlines() -> None:
    cell = "<w:tc>" + _p("第一条。") + _p("第二条") + _p("ISO") + _p("9001") + "</w:tc>"
    doc = _ingest(_xml_docx(_tbl(cell + _tc("备注"))))
    assert _texts(doc) == ["第一条。第二条 ISO 9001｜备注"]


def test_header_footer_and_comment_text_absent() -> None:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "页眉机密文字"
    d.sections[0].footer.paragraphs[0].text = "页脚页码文字"
    para = d.add_paragraph("正文内容")
    d.add_comment(para.runs, text="批注内容", author="审阅人")
    doc = _ingest(_save(d))
    assert doc.text == "正文内容"


def test_pages_from_app_properties() -> None:
    data = _save(docx.Document())
    app = (
        '<?xml version="1.0" encoding="UTF-8"?><Properties xmlns='
        '"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Pages>42</Pages></Properties>'
    )
    assert _ingest(_rezip(data, {"docProps/app.xml": app.encode()})).pages == 42


# --------------------------------------------------------------------------- errors and limits

_BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    f"<w:document {_NS}><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"
)
_EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f"<w:document {_NS}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)


def _patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``member`` in the zip central directory."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46 : pos + 46 + name_len]) == member.encode():
            struct.pack_into("<I", buf, pos + 24, size)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)


def _ratio_bomb() -> bytes:
    return _rezip(_save(docx.Document()), {"word/media/zeros.bin": b"\0" * (20 << 20)})


def _long_doc() -> bytes:
    d = docx.Document()
    d.add_paragraph("很长的文字" * 10)
    return _save(d)


def _deep_doc() -> bytes:
    tag = "<w:smartTag w:uri='u' w:element='e'>"
    return _xml_docx("<w:p>" + tag * 3000 + _RUN.format("深") + "</w:smartTag>" * 3000 + "</w:p>")


def _utf16_doctype() -> bytes:
    xml = _EXTERNAL_ENTITY.replace('"1.0"?', '"1.0" encoding="UTF-16"?').encode("utf-16")
    return _rezip(_save(docx.Document()), {"word/document.xml": xml})


ERROR_CASES: list[tuple[str, Callable[[], bytes], type[ScanError], Limits]] = [
    ("empty bytes", lambda: b"", ExtractionFailed, LIMITS),
    ("not a zip", lambda: b"PK\x03\x04 definitely not a zip file", ExtractionFailed, LIMITS),
    ("truncated zip", lambda: _save(docx.Document())[:5000], ExtractionFailed, LIMITS),
    (
        "zip without document.xml",
        lambda: _rezip(_save(docx.Document()), {"word/document.xml": None}),
        UnsupportedFormat,
        LIMITS,
    ),
    (
        "malformed xml",
        lambda: _rezip(_save(docx.Document()), {"word/document.xml": b"<w:document"}),
        ExtractionFailed,
        LIMITS,
    ),
    (
        "entity expansion",
        lambda: _rezip(_save(docx.Document()), {"word/document.xml": _BILLION_LAUGHS.encode()}),
        ExtractionFailed,
        LIMITS,
    ),
    (
        "external entity",
        lambda: _rezip(_save(docx.Document()), {"word/document.xml": _EXTERNAL_ENTITY.encode()}),
        ExtractionFailed,
        LIMITS,
    ),
    ("utf-16 doctype", _utf16_doctype, ExtractionFailed, LIMITS),
    (
        "doctype in styles.xml",
        lambda: _rezip(_save(docx.Document()), {"word/styles.xml": _EXTERNAL_ENTITY.encode()}),
        ExtractionFailed,
        LIMITS,
    ),
    (
        "zip bomb: member of 600 MB declared",
        lambda: _patch_declared_size(_save(docx.Document()), "word/styles.xml", 600 << 20),
        DocumentTooLarge,
        LIMITS,
    ),
    ("zip bomb: compression ratio", _ratio_bomb, DocumentTooLarge, LIMITS),
    ("too many characters", _long_doc, DocumentTooLarge, Limits(max_chars=20)),
    ("nesting too deep", _deep_doc, ExtractionFailed, LIMITS),
]


@pytest.mark.parametrize(("case", "make", "error", "limits"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors(case: str, make: Callable[[], bytes], error: type[ScanError], limits: Limits) -> None:
    data = make()
    started = time.perf_counter()
    with pytest.raises(error) as info:
        ingest_docx(data, "bad.docx", limits)
    assert time.perf_counter() - started < 1.0, case
    assert info.value.zh and info.value.en and info.value.zh != info.value.en


def test_hundred_page_document_is_fast() -> None:
    d = docx.Document()
    for chapter in range(10):
        d.add_heading(f"第{chapter + 1}章 招标要求", level=1)
        for i in range(250):
            d.add_paragraph(f"投标人须具备第{i}项资格条件，并提供相关证明材料，否则其投标无效。")
        table = d.add_table(rows=20, cols=4)
        for row in table.rows:
            for cell in row.cells:
                cell.text = "评分标准内容"
    data = _save(d)
    started = time.perf_counter()
    doc = _ingest(data)
    elapsed = time.perf_counter() - started
    assert len(doc.blocks) == 10 * (1 + 250 + 20)
    assert elapsed < 1.0, f"{elapsed:.2f}s"


# --------------------------------------------------------------------------- real documents


def _realdocs() -> list[Path]:
    return sorted(REALDOCS.glob("*.docx")) if REALDOCS.is_dir() else []


def _manifest() -> dict[str, dict[str, object]]:
    path = REALDOCS / "manifest.jsonl"
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {str(r["file"]): r for r in rows}


def _python_docx_cjk(path: Path) -> int:
    """CJK characters of python-docx paragraphs plus table cells (merged cells counted once)."""
    document = docx.Document(str(path))
    total = sum(_cjk_count(p.text) for p in document.paragraphs)
    seen: set[object] = set()

    def walk(tables: list[docx.table.Table]) -> int:
        count = 0
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    if cell._tc in seen:
                        continue
                    seen.add(cell._tc)
                    count += sum(_cjk_count(p.text) for p in cell.paragraphs) + walk(cell.tables)
        return count

    return total + walk(document.tables)


@pytest.mark.skipif(not _realdocs(), reason=f"real documents not found at {REALDOCS}")
@pytest.mark.parametrize("path", _realdocs(), ids=lambda p: p.name[:40])
def test_real_documents(path: Path) -> None:
    started = time.perf_counter()
    doc = ingest_docx(path.read_bytes(), path.name, LIMITS)
    elapsed = time.perf_counter() - started
    ours, baseline = _cjk_count(doc.text), _python_docx_cjk(path)
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    with_headers = [b for b in rows if b.source.table and any(c.header for c in b.source.table.cells)]
    print(
        f"\n{path.name}: {elapsed * 1000:.0f} ms, blocks={len(doc.blocks)}, cjk={ours}, "
        f"python-docx cjk={baseline}, ratio={ours / max(baseline, 1):.3f}, "
        f"table rows={len(rows)} (with headers {len(with_headers)})"
    )
    assert doc.text.strip()
    assert all("\n" not in b.text and b.text for b in doc.blocks)
    assert ours >= 0.95 * baseline
    if _manifest().get(path.name, {}).get("has_tables"):
        assert rows and with_headers
