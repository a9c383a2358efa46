"""Build the hostile-input corpus: broken, malicious and non-document files.

    python -m tests.hostile.generate OUT_DIR

Every file here must produce a clean ScanError (a stable error code, a bilingual message)
within the time limit, without affecting other scans. ``EXPECTED`` maps each file name to
the error code the scanner must return.
"""

from __future__ import annotations

import io
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

_DOC_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body>{body}</w:body></w:document>"
)
_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>'
)


def _docx(document_xml: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _text_pdf() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 720, "投标人须在本市注册。")
    c.save()
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1, encrypt=StandardEncryption("secret-user", "secret-owner"))
    c.drawString(72, 720, "confidential")
    c.save()
    return buf.getvalue()


def truncated_pdf() -> bytes:
    data = _text_pdf()
    return data[: len(data) // 2]


def corrupted_pdf() -> bytes:
    data = bytearray(_text_pdf())
    mid = len(data) // 3
    data[mid : mid + 400] = b"\x00\xff" * 200
    return bytes(data[:-40]) + b"\n%%EOF\n"


def garbage_pdf() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def many_pages_pdf(pages: int = 30000) -> bytes:
    """A syntactically valid PDF with tens of thousands of empty pages (a few MB)."""
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objs[1] = f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>"
    objs += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def huge_image_pdf() -> bytes:
    """One page whose only content is an image declaring 40000×40000 RGB pixels (4.8 GB decoded)."""
    w = h = 40000
    stream = zlib.compress(b"\x00" * (w * 3 + 1) * 64, 9)  # far too short; decoders must not trust it
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n" % (w, h, len(stream)) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def truncated_docx() -> bytes:
    data = _docx(_DOC_XML.format(body=_para("投标人须在本市注册。") * 200))
    return data[: len(data) * 2 // 3]


def corrupted_docx() -> bytes:
    return _docx("<w:document><w:body><w:p><w:r><w:t>未闭合")


def zip_bomb_docx() -> bytes:
    """document.xml of 300 MB of spaces: tiny compressed, refused by the declared-size/ratio guard."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
    return buf.getvalue()


def billion_laughs_docx() -> bytes:
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{"&lol" + (str(i - 1) if i > 1 else "") + ";" * 1}'
        + ("&lol" + (str(i - 1) if i > 1 else "") + ";") * 9
        + '">'
        for i in range(1, 10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE w:document [{ents}]>' + _DOC_XML.split("?>", 1)[1].format(
        body=_para("&lol9;")
    )
    return _docx(xml)


def external_entity_docx() -> bytes:
    xml = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        + _DOC_XML.split("?>", 1)[1].format(body=_para("&xxe;"))
    )
    return _docx(xml)


def nested_tables_docx(depth: int = 400) -> bytes:
    inner = _para("最内层")
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>" + _para("")
    return _docx(_DOC_XML.format(body=inner))


def invalid_bytes_txt() -> bytes:
    return (
        "投标人须在本市注册。".encode() + bytes([0xFF, 0xFE, 0xC0, 0x80, 0x81]) * 500 + b"\x00\x01\x02" * 300
    )


def png_image() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def elf_binary() -> bytes:
    return b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 16


def zip_of_images() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.png", png_image())
    return buf.getvalue()


def empty_file() -> bytes:
    return b""


# name → (builder, expected error code)
CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "encrypted.pdf": (encrypted_pdf, "encrypted_document"),
    "truncated.pdf": (truncated_pdf, "extraction_failed"),
    "corrupted.pdf": (corrupted_pdf, "extraction_failed"),
    "garbage_header.pdf": (garbage_pdf, "extraction_failed"),
    "many_pages.pdf": (many_pages_pdf, "document_too_large"),
    "huge_image.pdf": (huge_image_pdf, "document_too_large"),
    "truncated.docx": (truncated_docx, "extraction_failed"),
    "corrupted.docx": (corrupted_docx, "extraction_failed"),
    "zip_bomb.docx": (zip_bomb_docx, "document_too_large"),
    "billion_laughs.docx": (billion_laughs_docx, "extraction_failed"),
    "external_entity.docx": (external_entity_docx, "extraction_failed"),
    "nested_tables.docx": (nested_tables_docx, "extraction_failed"),
    "invalid_bytes.txt": (invalid_bytes_txt, "unsupported_format"),
    "image.png": (png_image, "unsupported_format"),
    "program.elf": (elf_binary, "unsupported_format"),
    "images.zip": (zip_of_images, "unsupported_format"),
    "empty.txt": (empty_file, "empty_document"),
}
EXPECTED = {name: code for name, (_, code) in CASES.items()}


def build(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, (builder, _) in CASES.items():
        path = out / name
        if not path.exists():
            path.write_bytes(builder())
        paths[name] = path
    return paths


if __name__ == "__main__":
    for name, path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "out/hostile")).items():
        print(f"{path.stat().st_size:>10}  {name}  → {EXPECTED[name]}")
