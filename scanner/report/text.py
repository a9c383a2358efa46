"""Terminal report: findings grouped by section, page numbers, evidence highlighted."""

from __future__ import annotations

from scanner.types import Finding, ScanResult

_SEV_ZH = {"high": "高", "medium": "中", "low": "低"}
_SEV_COLOUR = {"high": "\033[31;1m", "medium": "\033[33;1m", "low": "\033[36m"}
_HL = "\033[7m"
_RESET = "\033[0m"
_DIM = "\033[2m"


def _where(f: Finding) -> str:
    parts = []
    if f.page is not None:
        parts.append(f"第{f.page}页")
    if f.table:
        header = f"“{f.table['header']}”列" if f.table.get("header") else ""
        parts.append(f"表{f.table['index'] + 1} 第{f.table['row'] + 1}行{header}")
    return " · ".join(parts)


def _highlight(f: Finding, colour: bool) -> str:
    clause = f.clause
    rel = clause.find(f.text)
    if rel < 0:
        return clause
    before, ev, after = clause[:rel], clause[rel : rel + len(f.text)], clause[rel + len(f.text) :]
    if colour:
        return f"{before}{_HL}{ev}{_RESET}{after}"
    return f"{before}【{ev}】{after}"


def render_text(result: ScanResult, colour: bool = False) -> str:
    doc = result.document
    c = (lambda code: code) if colour else (lambda code: "")
    lines = [
        f"{c(_DIM)}== {doc.name}（{doc.media_type}，{doc.pages or '-'} 页，{len(doc.text)} 字）=={c(_RESET)}"
    ]
    for w in doc.warnings:
        page = f"第{w.page}页：" if w.page else ""
        lines.append(f"  ! {page}{w.message}")
    if not result.findings:
        lines.append("  未发现限制或排斥潜在投标人的条款。 No restrictive clauses found.")
        return "\n".join(lines) + "\n"
    current: tuple[str, ...] | None = None
    for i, f in enumerate(result.findings, 1):
        if f.section != current:
            current = f.section
            lines.append("")
            lines.append(f"{c(_DIM)}§ {' › '.join(f.section) or '（无章节）'}{c(_RESET)}")
        sev = f"{c(_SEV_COLOUR[f.severity])}[{_SEV_ZH[f.severity]}]{c(_RESET)}"
        where = _where(f)
        lines.append(
            f"  {i}. {sev} {f.category_name}（{f.category}，置信度 {f.score:.2f}）{' ' + where if where else ''}"
        )
        lines.append(f"     原文：{_highlight(f, colour)}")
        lines.append(f"     说明：{f.explanation}")
        basis = "；".join(f"《{b.law}》{b.article}{b.item}" for b in f.legal_basis)
        lines.append(f"     依据：{basis}")
        lines.append(f"     建议：{f.suggestion}")
    s = result.summary()
    by_sev = "，".join(f"{_SEV_ZH[k]} {v}" for k, v in sorted(s["by_severity"].items(), key=lambda kv: kv[0]))
    lines.append("")
    lines.append(f"共 {len(result.findings)} 处问题（{by_sev}）。 {len(result.findings)} finding(s).")
    return "\n".join(lines) + "\n"
