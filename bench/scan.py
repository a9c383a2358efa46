"""Detection-stage throughput (after ingestion) on the 64-page sample.

    python bench/scan.py [DOCUMENT] [--repeat 5]

Ingests once, then times ScanEngine.scan_document (segmentation, detectors, context, merge,
findings) for the rules-only engine and for the full engine with the classifier, on one
core (the scan is single-threaded). Prints chars/s for both; target ≥ 200,000 chars/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from scanner.engine import ScanEngine

DEFAULT = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "sample_tender.docx"


def bench(engine: ScanEngine, doc, repeat: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    engine.scan_document(doc)  # warm-up (lazy tokenizer, regex caches)
    times = []
    n = 0
    for _ in range(repeat):
        t = time.perf_counter()
        n = len(engine.scan_document(doc).findings)
        times.append(time.perf_counter() - t)
    return statistics.median(times), n


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("document", nargs="?", default=str(DEFAULT))
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    rules_only = ScanEngine(model=False)
    doc = rules_only.read(a.document)
    chars = len(doc.text)
    print(f"document: {Path(a.document).name}, {chars} chars, {len(doc.blocks)} blocks")
    for name, engine in (("rules+spec", rules_only), ("rules+spec+model", ScanEngine())):
        secs, n = bench(engine, doc, a.repeat)
        print(f"{name:<18} {secs * 1000:8.1f} ms  {chars / secs:12,.0f} chars/s  findings={n}")


if __name__ == "__main__":
    main()
