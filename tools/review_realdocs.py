"""Scan every document in ../shared/realdocs and write all findings for human review.

    python tools/review_realdocs.py [--out out/realdocs_findings.md] [--rules-only]

Writes a Markdown file (one section per document: each finding with category, severity,
score, detectors, page/section, evidence and clause) and a JSONL file next to it, and
checks each restrictive clause quoted in manifest.jsonl notes: is a finding's clause
overlapping it? Prints a summary table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from scanner.engine import ScanEngine
from scanner.errors import ScanError

REALDOCS = Path(__file__).resolve().parents[1].parent / "shared" / "realdocs"
_QUOTE = re.compile(r"「(.+?)」")


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def quoted_clauses(notes: str) -> list[str]:
    return _QUOTE.findall(notes)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="out/realdocs_findings.md")
    p.add_argument("--rules-only", action="store_true")
    a = p.parse_args(argv)
    if not REALDOCS.is_dir():
        print(f"{REALDOCS} not found", file=sys.stderr)
        return 2
    manifest = {
        json.loads(line)["file"]: json.loads(line)
        for line in (REALDOCS / "manifest.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    }
    engine = ScanEngine(model=False) if a.rules_only else ScanEngine()
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    md, jl = [], []
    total = 0
    for path in sorted(REALDOCS.iterdir()):
        if path.name == "manifest.jsonl":
            continue
        md.append(f"\n## {path.name}\n")
        try:
            result = engine.scan_file(path)
        except ScanError as exc:
            md.append(f"- ERROR {exc.code}: {exc.message}\n")
            print(f"{path.name:<60} ERROR {exc.code}")
            continue
        findings = result.findings
        total += len(findings)
        for f in findings:
            d = f.to_dict()
            d["document"] = path.name
            jl.append(json.dumps(d, ensure_ascii=False))
            where = f"p{f.page} " if f.page else ""
            md.append(
                f"- [{f.category} / {f.severity} / {f.score:.2f} / {','.join(f.detectors)}] {where}"
                f"§{' › '.join(f.section)[-60:]}\n  - evidence: 「{f.text}」\n  - clause: {f.clause}\n"
            )
        quotes = quoted_clauses(manifest.get(path.name, {}).get("notes", ""))
        doc_text = _squash(result.document.text)
        found = 0
        for q in quotes:
            qs = _squash(q)
            hit = any(qs[:20] in _squash(f.clause) or _squash(f.clause)[:20] in qs for f in findings)
            present = qs[:20] in doc_text
            found += hit
            md.append(
                f"- manifest quote {'FOUND' if hit else 'MISSED'}{'' if present else ' (not in text)'}: 「{q}」\n"
            )
        print(f"{path.name:<60} findings={len(findings):3d} quotes={found}/{len(quotes)}")
    out.write_text("".join(md), encoding="utf-8")
    out.with_suffix(".jsonl").write_text("\n".join(jl) + "\n", encoding="utf-8")
    print(f"total findings: {total} → {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
