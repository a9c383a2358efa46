"""Benchmark the PDF reader against a pdfplumber-only text extraction of the same file.

Usage: ``python bench/ingest.py [PDF] [--plumber-tables]``

Prints pages, seconds and pages/s for ``ingest_pdf`` (text by pypdfium2, ruled tables on candidate
pages) and for pdfplumber ``extract_text()`` of every page, measured in the same run, and their ratio
(target: ≥ 10×). ``--plumber-tables`` also times ``table_engine="pdfplumber"`` (pdfplumber parses each
candidate table page itself) for comparison. Without PDF the sample tender is used; if it does not exist
yet, the largest text PDF of ../shared/realdocs is used instead (and the script says so).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.ingest.pdf import extract_pdf  # noqa: E402
from scanner.limits import Limits  # noqa: E402

DEFAULT = ROOT / "corpus" / "samples" / "sample_tender.pdf"
REALDOCS = ROOT.parent / "shared" / "realdocs"


def largest_text_pdf() -> Path | None:
    """The biggest real PDF with a usable text layer (not scanned, garbled or outlined)."""
    manifest = REALDOCS / "manifest.jsonl"
    scanned = set()
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line) if line.strip() else {}
            if entry.get("looks_scanned"):
                scanned.add(entry["file"])
    candidates = [
        p
        for p in REALDOCS.glob("*.pdf")
        if p.name not in scanned and "cid_garbled" not in p.name and "vector_text" not in p.name
    ]
    return max(candidates, key=lambda p: p.stat().st_size, default=None)


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """Fastest wall time of ``runs`` calls (seconds)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def plumber_text(path: Path) -> None:
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()


def report(label: str, pages: int, seconds: float) -> None:
    print(f"{label:<34} {pages:>5} pages  {seconds:8.3f} s  {pages / seconds:8.1f} pages/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", nargs="?", type=Path)
    parser.add_argument("--plumber-tables", action="store_true", help="also time table_engine='pdfplumber'")
    parser.add_argument("--runs", type=int, default=3, help="ingest runs (best is reported)")
    args = parser.parse_args(argv)

    path = args.pdf or DEFAULT
    if args.pdf is None and not DEFAULT.is_file():
        fallback = largest_text_pdf()
        if fallback is None:
            print(f"{DEFAULT} does not exist and no real PDF found in {REALDOCS}", file=sys.stderr)
            return 2
        print(f"note: {DEFAULT.relative_to(ROOT)} does not exist yet; using {fallback.name} instead")
        path = fallback
    data = path.read_bytes()
    limits = Limits()

    extraction = extract_pdf(data, path.name, limits)
    doc = extraction.document
    pages = doc.pages or 0
    rows = sum(1 for b in doc.blocks if b.kind == "table_row")
    tables = len({b.source.table.index for b in doc.blocks if b.source.table})
    print(f"file: {path}  ({len(data) / 1e6:.1f} MB)")
    print(f"blocks: {len(doc.blocks)}  tables: {tables}  table rows: {rows}  chars: {len(doc.text)}")
    print(f"warnings: {len(doc.warnings)}  dropped header/footer lines: {len(extraction.dropped_lines)}")

    ours = best_of(args.runs, lambda: extract_pdf(data, path.name, limits))
    report("ingest_pdf (pypdfium2 + tables)", pages, ours)
    if args.plumber_tables:
        slow = best_of(1, lambda: extract_pdf(data, path.name, limits, table_engine="pdfplumber"))
        report("ingest_pdf table_engine=pdfplumber", pages, slow)
    base = best_of(1, lambda: plumber_text(path))
    report("pdfplumber extract_text (all)", pages, base)
    ratio = base / ours
    print(f"speed ratio: {ratio:.1f}x  (target >= 10x: {'met' if ratio >= 10 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
