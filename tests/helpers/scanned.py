"""Make an image-only ("scanned") PDF from a text PDF, for OCR tests and benchmarks.

Pages are rendered in a child process with pdfium's system fonts enabled (the sample PDF
uses a non-embedded CJK font, and the scanner's own process disables system fonts for
speed), then re-assembled with Pillow as a PDF whose pages are just images.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

_RENDER = r"""
import sys, pypdfium2 as pdfium
src, out, scale, pages = sys.argv[1], sys.argv[2], float(sys.argv[3]), [int(p) for p in sys.argv[4].split(",")]
pdf = pdfium.PdfDocument(src)
for p in pages:
    pdf[p - 1].render(scale=scale, grayscale=True).to_pil().save(f"{out}/{p:04d}.png")
"""


def image_only_pdf(pdf_path: str | Path, pages: Sequence[int], scale: float = 2.0) -> bytes:
    """An image-only PDF of the given 1-based pages of ``pdf_path``."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TENDERSCAN_PDF_SYSTEM_FONTS": "1"}
        subprocess.run(
            [sys.executable, "-c", _RENDER, str(pdf_path), tmp, str(scale), ",".join(map(str, pages))],
            check=True,
            env=env,
        )
        images = [Image.open(Path(tmp) / f"{p:04d}.png").convert("L") for p in pages]
        buf = io.BytesIO()
        images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=72 * scale)
        return buf.getvalue()
