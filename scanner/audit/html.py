"""The HTML audit report: one self-contained page (inline CSS and SVG charts, no network, Chinese UI)."""

from __future__ import annotations

import re
from html import escape

from scanner.audit.report import UNKNOWN, ReportData, Table

_SEV_COLOURS = {"高": "#c0392b", "中": "#e67e22", "低": "#d4ac0d"}
_BAR = "#1f4e79"
_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_FONT = "'Noto Sans CJK SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif"


def _text_width(s: str) -> float:
    """Approximate rendered width in ems (CJK = 1, ASCII = 0.55)."""
    return sum(1.0 if ord(c) > 0x2E7F else 0.55 for c in s)


def _clip(s: str, ems: float) -> str:
    out, w = "", 0.0
    for c in s:
        w += 1.0 if ord(c) > 0x2E7F else 0.55
        if w > ems:
            return out + "…"
        out += c
    return out


def svg_hbar(
    items: list[tuple[str, float]],
    *,
    colours: list[str] | None = None,
    width: int = 560,
    label_ems: float = 15,
    title: str = "",
) -> str:
    """Horizontal bar chart: one labelled bar per item, value at the end of the bar."""
    if not items:
        return '<p class="empty">无数据</p>'
    fs, row = 13, 24
    label_w = int((label_ems + 1) * fs) + 12
    plot_w = width - label_w - 50
    top = max(v for _, v in items) or 1
    h = row * len(items) + 8
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}"'
        f'width="{width}" height="{h}" viewBox="0 0 {width} {h}" font-family="{_FONT}" font-size="{fs}">'
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        bw = max(1.0, plot_w * value / top)
        colour = (colours or [])[i] if colours and i < len(colours) else _BAR
        parts.append(
            f"<g><title>{escape(label)}：{value:g}</title>"
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" fill="#333">{escape(_clip(label, label_ems - 1))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bw:.1f}" height="{row - 8}" rx="2" fill="{colour}"/>'
            f'<text x="{label_w + bw + 6:.1f}" y="{y + 16}" fill="#333">{value:g}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_vbar(items: list[tuple[str, float]], *, width: int = 560, height: int = 220, title: str = "") -> str:
    """Vertical bars (e.g. findings per month), labels under the bars."""
    if not items:
        return '<p class="empty">无数据</p>'
    fs = 12
    left, bottom, top_pad = 36, 48, 18
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max(v for _, v in items) or 1
    step = plot_w / len(items)
    bw = max(4.0, min(40.0, step * 0.7))
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}"'
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="{_FONT}" font-size="{fs}">',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" y2="{top_pad + plot_h}" stroke="#999"/>',
    ]
    for i, (label, value) in enumerate(items):
        x = left + i * step + (step - bw) / 2
        bh = plot_h * value / top
        y = top_pad + plot_h - bh
        parts.append(
            f"<g><title>{escape(label)}：{value:g}</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{bh:.1f}" fill="{_BAR}"/>'
            f'<text x="{x + bw / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="#333">{value:g}</text>'
            f'<text x="{x + bw / 2:.1f}" y="{top_pad + plot_h + 16}" text-anchor="end" fill="#333" '
            f'transform="rotate(-35 {x + bw / 2:.1f} {top_pad + plot_h + 16})">{escape(label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(t: Table, *, numeric_from: int = 1, wide: bool = False) -> str:
    if not t.rows:
        return '<p class="empty">无数据</p>'
    head = "".join(f"<th>{escape(str(c))}</th>" for c in t.columns)
    body = []
    for row in t.rows:
        cells = []
        for i, v in enumerate(row):
            if isinstance(v, int | float) and i >= numeric_from:
                cls = ' class="num"'
            elif isinstance(v, str) and _DATE.fullmatch(v):
                cls = ' class="nowrap"'
            else:
                cls = ""
            cells.append(f"<td{cls}>{escape('' if v is None else str(v))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    cls = "data wide" if wide else "data"
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


_CSS = f"""
body{{font-family:{_FONT};margin:0;background:#f4f6f9;color:#222;}}
header{{background:#1f4e79;color:#fff;padding:20px 32px;}}
header h1{{margin:0 0 6px;font-size:24px;}} header p{{margin:0;opacity:.85;font-size:13px;}}
main{{padding:16px 32px 40px;max-width:1220px;}}
section{{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:14px 20px;margin:14px 0;}}
h2{{font-size:18px;margin:4px 0 10px;color:#1f4e79;}} .note{{color:#777;font-size:12px;margin:-6px 0 8px;}}
.cards{{display:flex;flex-wrap:wrap;gap:12px;}}
.card{{flex:1 1 110px;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:12px 16px;}}
.card .v{{font-size:26px;font-weight:bold;}} .card .k{{color:#666;font-size:13px;}}
.card.high .v{{color:#c0392b;}} .card.medium .v{{color:#e67e22;}} .card.low .v{{color:#b7950b;}}
.grid{{display:grid;grid-template-columns:1fr 1fr;gap:14px;align-items:start;}} .grid section{{margin:0;}}
table.data{{border-collapse:collapse;width:100%;font-size:13px;}}
table.data th{{background:#eaf0f6;text-align:left;padding:6px 8px;border-bottom:2px solid #c9d6e3;white-space:nowrap;}}
table.data td{{padding:5px 8px;border-bottom:1px solid #eee;vertical-align:top;word-break:break-all;}}
table.data td.num{{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;}}
table.data tr:nth-child(even) td{{background:#fafbfc;}}
.empty{{color:#999;}} td.nowrap{{white-space:nowrap;}} svg.chart{{max-width:100%;height:auto;}}
footer{{color:#888;font-size:12px;padding:0 32px 24px;}}
"""


def render_html(data: ReportData) -> str:
    """The whole report page."""
    t, tot = data.tables, data.totals
    cards = "".join(
        f'<div class="card {cls}"><div class="v">{v}</div><div class="k">{escape(k)}</div></div>'
        for cls, k, v in (
            ("", "审计文档", tot["documents"]),
            ("", "存在问题的文档", tot["flagged_documents"]),
            ("", "问题总数", tot["findings"]),
            ("high", "高风险", tot["high"]),
            ("medium", "中风险", tot["medium"]),
            ("low", "低风险", tot["low"]),
            ("", "扫描失败", tot["failures"]),
        )
    )
    cat_items = [(f"{r[1]}", float(r[2])) for r in t["by_category"].rows]
    sev_rows = t["by_severity"].rows
    sev_chart = svg_hbar(
        [(r[0], float(r[1])) for r in sev_rows],
        colours=[_SEV_COLOURS.get(r[0], _BAR) for r in sev_rows],
        width=520,
        label_ems=3,
        title="按严重程度",
    )
    month_items = [(r[0], float(r[2])) for r in t["by_month"].rows if r[0] != "未知"]
    buyer_items = [(r[0], float(r[2])) for r in t["by_buyer"].rows if r[2] and r[0] != UNKNOWN][:10]
    agency_items = [(r[0], float(r[2])) for r in t["by_agency"].rows if r[2] and r[0] != UNKNOWN][:10]

    def sec(title: str, body: str, note: str = "") -> str:
        n = f'<p class="note">{escape(note)}</p>' if note else ""
        return f"<section><h2>{escape(title)}</h2>{n}{body}</section>"

    parts = [
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>招标文件公平竞争审计报告</title><style>{_CSS}</style></head><body>",
        "<header><h1>招标文件公平竞争审计报告</h1>",
        f"<p>数据库：{escape(data.db)} ｜ 生成时间：{escape(data.generated_at)} ｜ 筛选：{escape(data.filters.describe())}"
        f" ｜ 发布日期：{escape(str(tot['date_from'] or '—'))} 至 {escape(str(tot['date_to'] or '—'))}</p></header><main>",
        f'<div class="cards">{cards}</div>',
        sec(
            "按问题类别",
            svg_hbar(cat_items, width=1100, label_ems=26, title="按问题类别")
            + _table(t["by_category"], numeric_from=2),
        ),
        '<div class="grid">',
        sec("按严重程度", sev_chart + _table(t["by_severity"])),
        sec(
            "按发布月份（问题数）",
            svg_vbar(month_items, width=520, title="按发布月份") + _table(t["by_month"]),
            "发布日期取自文档中的发布日期/公告日期；未识别日期的文档计入“未知”",
        ),
        "</div>",
        '<div class="grid">',
        sec(
            "问题最多的采购人/招标人（前 10）",
            svg_hbar(buyer_items, width=520, label_ems=14, title="按采购人"),
        ),
        sec(
            "问题最多的代理机构（前 10）", svg_hbar(agency_items, width=520, label_ems=14, title="按代理机构")
        ),
        "</div>",
        sec(t["by_buyer"].title, _table(t["by_buyer"]), t["by_buyer"].note),
        sec(t["by_agency"].title, _table(t["by_agency"]), t["by_agency"].note),
        sec(t["phrasings"].title, _table(t["phrasings"], wide=True), t["phrasings"].note),
        sec(
            t["top_documents"].title,
            _table(t["top_documents"], numeric_from=3, wide=True),
            t["top_documents"].note,
        ),
        sec(t["failures"].title, _table(t["failures"], numeric_from=99, wide=True)),
        sec(t["totals"].title, _table(t["totals"])),
        "</main><footer>由 tenderscan audit 生成。每个问题的原文、位置、法律依据与修改建议见 XLSX/CSV 问题明细"
        "（tenderscan audit report --format xlsx）。</footer></body></html>",
    ]
    return "\n".join(parts)


def chart_count(html_text: str) -> int:
    """Number of inline SVG charts in a rendered page (used by tests)."""
    return html_text.count("<svg ")


__all__ = ["chart_count", "render_html", "svg_hbar", "svg_vbar"]
