"""Fuzzing sniff + ingest: any bytes give a Document or a ScanError, never another exception.

CI runs a bounded number of examples. A longer local run:

    HYPOTHESIS_PROFILE=long python -m pytest tests/ingest/test_fuzz.py -q
"""

from __future__ import annotations

import io
import os
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.errors import ScanError
from scanner.ingest import ingest
from scanner.limits import Limits
from scanner.types import Document

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

LIMITS = Limits(ocr=False, max_pages=50, max_chars=200_000)


def _pdf() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 720, "第一章 投标人须在本市注册。")
    c.rect(72, 500, 300, 100)
    c.save()
    return buf.getvalue()


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("第一章 资格要求", 1)
    d.add_paragraph("投标人须在本市注册。")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "评分因素"
    t.cell(1, 1).text = "本地业绩每个得2分"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


SEEDS = [_pdf(), _docx(), "投标人须在本市注册。\n评分｜分值｜标准\n".encode("gb18030")]


def _check(data: bytes) -> None:
    try:
        doc = ingest(data, "fuzz", LIMITS)
    except ScanError as exc:
        assert exc.code and exc.zh and exc.en
        return
    assert isinstance(doc, Document)
    assert "\n" not in "".join(b.text for b in doc.blocks)


@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    _check(data)


@given(
    seed=st.sampled_from(range(len(SEEDS))),
    edits=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), max_size=6),
    cut=st.floats(0.05, 1.0),
)
def test_mutated_documents(seed: int, edits: list[tuple[float, bytes]], cut: float) -> None:
    data = bytearray(SEEDS[seed])
    for pos, chunk in edits:
        i = int(pos * (len(data) - 1))
        data[i : i + len(chunk)] = chunk
    _check(bytes(data[: max(1, int(len(data) * cut))]))


@given(
    st.dictionaries(
        st.sampled_from(["word/document.xml", "word/styles.xml", "word/numbering.xml", "x.bin"]),
        st.binary(max_size=512),
        min_size=1,
    )
)
def test_zip_containers(members: dict[str, bytes]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, payload in members.items():
            zf.writestr(name, payload)
    _check(buf.getvalue())
