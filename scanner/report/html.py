"""Self-contained HTML report: inline CSS and SVG, no scripts, no network, prints on A4.

Works on the public JSON shape (``ScanResult.to_dict()``), so a stored result renders the same
as a fresh one. Every string from the document or the catalogue is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from typing import Any

from scanner.report.common import (
    MEDIA_ZH,
    RISK_ZH,
    SECTION_KIND_ZH,
    SECTION_SEP,
    SEVERITY_ORDER,
    SEVERITY_ZH,
    basis_label,
    where_label,
)

CONTEXT_CHARS = 120
_LABEL_W = 240
_SEV_FILL = {"high": "#c62828", "medium": "#ef8f00", "low": "#1e88e5"}

_CSS = """
@page { size: A4; margin: 16mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
  "Noto Serif CJK SC", "SimSun", sans-serif; color: #1f2328; margin: 0 auto; max-width: 190mm;
  font-size: 10.5pt; line-height: 1.6; padding: 8mm 0; background: #fff; }
h1 { font-size: 18pt; margin: 0 0 2mm; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; padding-bottom: 1mm; border-bottom: 2px solid #1f3b63;
  break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11.5pt; margin: 6mm 0 2mm; color: #1f3b63; break-after: avoid; page-break-after: avoid; }
.meta { color: #57606a; font-size: 9pt; margin: 0 0 4mm; }
.doc + .doc { break-before: page; page-break-before: always; }
table.summary { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9.5pt; }
table.summary th, table.summary td { border: 1px solid #d0d7de; padding: 1.2mm 2mm; text-align: left;
  vertical-align: top; }
table.summary th { background: #f3f6fa; width: 24%; font-weight: 600; }
.risk { display: inline-block; padding: 0 2.5mm; border-radius: 2mm; color: #fff; font-weight: 600; }
.risk-high { background: #c62828; } .risk-medium { background: #ef8f00; }
.risk-low { background: #1e88e5; } .risk-none { background: #2e7d32; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: 2mm 0 4mm; }
.chart svg { width: 100%; height: auto; }
.finding { border: 1px solid #d0d7de; border-left: 4px solid #888; border-radius: 1.5mm;
  padding: 2.5mm 3.5mm; margin: 0 0 3mm; break-inside: avoid; page-break-inside: avoid; }
.finding.sev-high { border-left-color: #c62828; } .finding.sev-medium { border-left-color: #ef8f00; }
.finding.sev-low { border-left-color: #1e88e5; }
.finding .head { font-weight: 600; margin-bottom: 1mm; }
.badge { display: inline-block; min-width: 6mm; text-align: center; border-radius: 1mm; color: #fff;
  font-size: 9pt; padding: 0 1.5mm; margin-right: 1.5mm; }
.badge.high { background: #c62828; } .badge.medium { background: #ef8f00; } .badge.low { background: #1e88e5; }
.where { color: #57606a; font-weight: normal; font-size: 9pt; margin-left: 2mm; }
.clause { background: #f6f8fa; border-radius: 1mm; padding: 1.5mm 2.5mm; margin: 1mm 0 1.5mm;
  word-break: break-all; }
mark { background: #ffe066; padding: 0 0.5mm; border-bottom: 2px solid #e0a800; }
dl { margin: 0; display: grid; grid-template-columns: 16mm 1fr; column-gap: 2mm; row-gap: 0.8mm; }
dt { color: #57606a; font-weight: 600; }
dd { margin: 0; }
.basis { margin: 0; padding-left: 4mm; }
.basis li { margin: 0 0 0.5mm; }
.basis .law { font-weight: 600; }
.basis .text { color: #444; font-size: 9.5pt; }
.small { color: #6e7781; font-size: 8.5pt; }
.warnings { margin: 0; padding-left: 5mm; color: #9a6700; }
.none { padding: 4mm; background: #eef8f0; border: 1px solid #b7dfc0; border-radius: 1.5mm; }
footer { margin-top: 8mm; color: #6e7781; font-size: 8.5pt; border-top: 1px solid #d0d7de; padding-top: 2mm; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


# --------------------------------------------------------------------------- chart


def _category_counts(findings: Sequence[dict[str, Any]]) -> list[tuple[str, dict[str, int]]]:
    """(category name, counts by severity) sorted by total, largest first."""
    counts: dict[str, dict[str, int]] = {}
    for f in findings:
        row = counts.setdefault(f["category_name"], {})
        row[f["severity"]] = row.get(f["severity"], 0) + 1
    return sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))


def _label_lines(name: str, width: int = 18) -> list[str]:
    """A category name on at most two lines of ``width`` chars (the second one ellipsised)."""
    if len(name) <= width:
        return [name]
    if len(name) <= 2 * width:
        half = (len(name) + 1) // 2
        return [name[:half], name[half:]]
    return [name[:width], name[width : 2 * width - 1] + "…"]


def _label_svg(name: str, x: int, y: int) -> str:
    lines = _label_lines(name)
    first_y = y + 16 - (7 if len(lines) > 1 else 0)
    spans = "".join(
        f'<tspan x="{x}" y="{first_y + 14 * i}">{_e(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text text-anchor="end" fill="#1f2328"><title>{_e(name)}</title>{spans}</text>'


def svg_chart(findings: Sequence[dict[str, Any]]) -> str:
    """Horizontal stacked bars: findings per category, split by severity (inline SVG)."""
    rows = _category_counts(findings)
    if not rows:
        return ""
    label_w, bar_w, row_h, top = _LABEL_W, 400, 32, 30
    peak = max(sum(c.values()) for _, c in rows)
    height = top + row_h * len(rows) + 6
    width = label_w + bar_w + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="按类别和风险等级统计的问题数量" font-size="12">'
    ]
    parts.append(_legend())
    for i, (name, counts) in enumerate(rows):
        y = top + i * row_h
        parts.append(_label_svg(name, label_w - 8, y))
        x = float(label_w)
        for sev in SEVERITY_ORDER:
            n = counts.get(sev, 0)
            if not n:
                continue
            w = bar_w * n / peak
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 6}" width="{w:.1f}" height="{row_h - 12}" fill="{_SEV_FILL[sev]}">'
                f"<title>{_e(name)}：{SEVERITY_ZH[sev]}风险 {n} 处</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 20}" fill="#1f2328">{sum(counts.values())}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _legend() -> str:
    out = []
    for i, sev in enumerate(SEVERITY_ORDER):
        x = _LABEL_W + i * 90
        out.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{_SEV_FILL[sev]}"/>')
        out.append(f'<text x="{x + 17}" y="16" fill="#1f2328">{SEVERITY_ZH[sev]}风险</text>')
    return "".join(out)


# --------------------------------------------------------------------------- findings


def clause_excerpt(clause: str, evidence: str, context: int = CONTEXT_CHARS) -> str:
    """The clause as HTML with the evidence in ``<mark>``, trimmed to ``context`` chars each side."""
    pos = clause.find(evidence) if evidence else -1
    if pos < 0:
        shown = clause if len(clause) <= 2 * context else clause[: 2 * context] + "…"
        return f"{_e(shown)}<br><mark>{_e(evidence)}</mark>" if evidence else _e(shown)
    before, after = clause[:pos], clause[pos + len(evidence) :]
    if len(before) > context:
        before = "…" + before[-context:]
    if len(after) > context:
        after = after[:context] + "…"
    return f"{_e(before)}<mark>{_e(evidence)}</mark>{_e(after)}"


def _basis_html(items: Sequence[dict[str, Any]]) -> str:
    if not items:
        return "—"
    lis = [
        f'<li><span class="law">{_e(basis_label(b))}</span>'
        + (f'<br><span class="text">{_e(b["text"])}</span>' if b.get("text") else "")
        + "</li>"
        for b in items
    ]
    return f'<ul class="basis">{"".join(lis)}</ul>'


def _finding_html(n: int, f: dict[str, Any]) -> str:
    sev = f["severity"]
    where = where_label(f.get("page"), f.get("table"))
    where_html = f'<span class="where">{_e(where)}</span>' if where else ""
    return (
        f'<article class="finding sev-{_e(sev)}" id="f-{_e(f["id"])}">'
        f'<div class="head"><span class="badge {_e(sev)}">{_e(SEVERITY_ZH.get(sev, sev))}</span>'
        f"{n}. {_e(f['category_name'])}{where_html}</div>"
        f'<div class="clause">{clause_excerpt(f["clause"], f["text"])}</div>'
        "<dl>"
        f"<dt>问题说明</dt><dd>{_e(f['explanation'])}</dd>"
        f"<dt>法律依据</dt><dd>{_basis_html(f['legal_basis'])}</dd>"
        f"<dt>修改建议</dt><dd>{_e(f['suggestion']) or '—'}</dd>"
        "</dl>"
        f'<div class="small">规则 {_e(f["rule_id"])} · 置信度 {float(f["score"]):.2f} · '
        f"检测器 {_e('、'.join(f['detectors']))} · 编号 {_e(f['id'])}</div>"
        "</article>"
    )


def _sections_html(findings: Sequence[dict[str, Any]]) -> str:
    out: list[str] = []
    current: tuple[str, ...] | None = None
    for n, f in enumerate(findings, 1):
        section = tuple(f.get("section") or ())
        if section != current:
            current = section
            kind = SECTION_KIND_ZH.get(f.get("section_kind") or "", "")
            label = SECTION_SEP.join(section) or "（无章节）"
            out.append(f"<h3>§ {_e(label)}{f' <span class=small>［{_e(kind)}］</span>' if kind else ''}</h3>")
        out.append(_finding_html(n, f))
    return "".join(out)


# --------------------------------------------------------------------------- document


def _counts_line(summary: dict[str, Any], total: int) -> str:
    by_sev = summary.get("by_severity", {})
    parts = [f"{SEVERITY_ZH[s]}风险 {by_sev.get(s, 0)} 处" for s in SEVERITY_ORDER]
    return f"共 {total} 处（{'，'.join(parts)}）"


def _warning_html(w: dict[str, Any]) -> str:
    page = f"第{w['page']}页：" if w.get("page") else ""
    return f"<li>{_e(page)}{_e(w.get('message', ''))}</li>"


def _summary_table(payload: dict[str, Any]) -> str:
    doc, summary = payload["document"], payload["summary"]
    risk = summary.get("risk", "none")
    warnings = doc.get("warnings") or []
    warn_html = (
        '<ul class="warnings">' + "".join(_warning_html(w) for w in warnings) + "</ul>" if warnings else "无"
    )
    rows = [
        ("文件名", _e(doc["name"])),
        ("文件类型", _e(MEDIA_ZH.get(doc.get("media_type", ""), doc.get("media_type", "")))),
        ("页数", _e(doc.get("pages") or "—")),
        ("字数", _e(doc.get("chars", 0))),
        ("SHA-256", f'<span class="small">{_e(doc.get("sha256", ""))}</span>'),
        ("总体风险", f'<span class="risk risk-{_e(risk)}">{_e(RISK_ZH.get(risk, risk))}</span>'),
        ("问题数量", _e(_counts_line(summary, len(payload["findings"])))),
        ("提取警告", warn_html),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="summary">{body}</table>'


def _document_html(payload: dict[str, Any]) -> str:
    findings = payload["findings"]
    parts = [f'<section class="doc"><h2>{_e(payload["document"]["name"])}</h2>', _summary_table(payload)]
    if findings:
        parts.append('<h3>问题分布（按类别、风险等级）</h3><div class="chart">')
        parts.append(svg_chart(findings))
        parts.append("</div><h3>问题清单（按章节）</h3>")
        parts.append(_sections_html(findings))
    else:
        parts.append('<p class="none">未发现限制或排斥潜在投标人的条款。</p>')
    parts.append("</section>")
    return "".join(parts)


def render_html(payloads: Sequence[dict[str, Any]], generated: datetime | None = None) -> str:
    """One HTML report for one or more scan results (JSON shape)."""
    when = (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")
    versions = payloads[0].get("versions", {}) if payloads else {}
    version_text = "，".join(f"{k} {v}" for k, v in versions.items())
    title = "招标文件公平竞争审查报告"
    if len(payloads) == 1:
        title += f" · {payloads[0]['document']['name']}"
    total = sum(len(p["findings"]) for p in payloads)
    docs = "".join(_document_html(p) for p in payloads)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>招标文件公平竞争审查报告</h1>"
        f'<p class="meta">生成时间 {_e(when)} · 文档 {len(payloads)} 份 · 问题 {total} 处</p></header>'
        f"{docs}"
        f"<footer>本报告由自动审查工具生成，仅供参考，不构成法律意见；请结合项目实际情况复核。"
        f"版本：{_e(version_text)}</footer>"
        "</body></html>\n"
    )
