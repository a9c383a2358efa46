"""HTML report: parses, self-contained, every evidence shown, everything escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from scanner.report import render
from scanner.report.html import clause_excerpt, render_html
from tests.report.conftest import SAMPLE_DOCX, SAMPLE_PDF


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls.extend(v or "" for k, v in attrs if k in ("src", "href"))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Collector:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("path", [SAMPLE_DOCX, SAMPLE_PDF], ids=lambda p: p.name)
def test_html_contains_every_evidence_and_no_external_urls(path: Path, scan) -> None:
    _, result = scan(path)
    body, media_type, filename = render([result], "html")
    assert media_type.startswith("text/html") and filename.endswith(".html")
    html = body.decode("utf-8")
    parsed = parse(html)
    text = "".join(parsed.text)
    for f in result.findings:
        assert f.text in text
        assert f.category_name in text
    assert not [u for u in parsed.urls if u.lower().startswith(("http:", "https:", "//"))]
    assert "script" not in parsed.tags and "svg" in parsed.tags
    assert "@page" in html and "break-inside: avoid" in html
    assert result.document.name in text


def test_several_documents_in_one_report(scan) -> None:
    results = [scan(SAMPLE_DOCX)[1], scan(SAMPLE_PDF)[1]]
    text = "".join(parse(render(results, "html")[0].decode("utf-8")).text)
    assert SAMPLE_DOCX.name in text and SAMPLE_PDF.name in text


def test_everything_is_escaped(engine) -> None:
    result = engine.scan_text(
        "投标人须在本市注册<script>alert(1)</script>，并具有本市同类项目业绩。", name="<b>x</b>.txt"
    )
    assert result.findings
    html = render_html([result.to_dict()])
    assert "<script>" not in html and "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;.txt" in html


def test_no_findings_message(engine) -> None:
    html = render_html([engine.scan_text("投标人应具有良好的商业信誉。").to_dict()])
    assert "未发现限制或排斥潜在投标人的条款" in html


@pytest.mark.parametrize(
    ("clause", "evidence", "expected"),
    [
        ("投标人须在本市注册。", "在本市注册", "投标人须<mark>在本市注册</mark>。"),
        ("甲" * 200 + "乙" + "丙" * 200, "乙", "…" + "甲" * 120 + "<mark>乙</mark>" + "丙" * 120 + "…"),
        ("a<b", "<", "a<mark>&lt;</mark>b"),
    ],
)
def test_clause_excerpt(clause: str, evidence: str, expected: str) -> None:
    assert clause_excerpt(clause, evidence) == expected
