"""OCR throughput: pages/minute on an image-only version of the sample tender.

    python bench/ocr.py [--pages 8]

Renders the first N pages of corpus/samples/sample_tender.pdf to an image-only PDF (like a
scanned tender), then OCRs them (a) in this process, one page after another, and (b) split
over 2 worker processes, and prints pages/minute for both and the mean recognition confidence.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _ocr_pages(args: tuple[bytes, list[int]]) -> list[float]:
    import pypdfium2 as pdfium

    from scanner.ingest.ocr import recognise_page

    data, pages = args
    pdf = pdfium.PdfDocument(data)
    scores = []
    for p in pages:
        lines = recognise_page(pdf, p)
        scores.append(statistics.fmean(ln.score for ln in lines) if lines else 0.0)
    return scores


def main() -> None:
    from tests.helpers.scanned import image_only_pdf

    p = argparse.ArgumentParser()
    p.add_argument("--pages", type=int, default=8)
    a = p.parse_args()
    data = image_only_pdf(REPO / "corpus" / "samples" / "sample_tender.pdf", list(range(1, a.pages + 1)))
    pages = list(range(a.pages))
    _ocr_pages((data, [0]))  # warm-up: model load
    t = time.perf_counter()
    scores = _ocr_pages((data, pages))
    one = time.perf_counter() - t
    halves = [pages[0::2], pages[1::2]]
    with cf.ProcessPoolExecutor(2) as pool:
        list(pool.map(_ocr_pages, [(data, [0]), (data, [1])]))  # warm both workers
        t = time.perf_counter()
        list(pool.map(_ocr_pages, [(data, h) for h in halves]))
        two = time.perf_counter() - t
    print(f"{a.pages} pages, mean confidence {statistics.fmean(scores):.3f}")
    print(f"1 process : {one:6.1f} s  {a.pages / one * 60:6.1f} pages/min")
    print(f"2 processes: {two:6.1f} s  {a.pages / two * 60:6.1f} pages/min")


if __name__ == "__main__":
    main()
