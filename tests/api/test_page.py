"""End-to-end: drive the upload page in headless Chromium (Debian package) with Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.api.conftest import LiveServer, build_docx

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (apt-get install chromium)"
    ),
]


def test_upload_highlight_filter_detail_screenshot(server: LiveServer, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    from PIL import Image

    sample = Path(__file__).resolve().parents[2] / "corpus" / "samples" / "sample_20p.docx"
    if not sample.is_file():
        sample = tmp_path / "招标文件.docx"
        sample.write_bytes(build_docx())
    errors: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server.url + "/")
            assert "招标文件公平竞争审查" in page.title()
            page.set_input_files("#file-input", str(sample))
            page.wait_for_selector("mark.hl", timeout=90_000)

            total = int(page.inner_text("#count-total"))
            assert total > 0
            assert page.locator("#finding-list > li").count() == total
            assert page.locator("mark.hl").count() >= 1
            assert page.locator("#doc-text").inner_text().count("\n") > 5  # paragraph breaks

            # filter by the second option (a real category)
            option = page.locator("#filter-category option").nth(1)
            category_value = option.get_attribute("value")
            page.select_option("#filter-category", category_value)
            shown = page.locator("#finding-list > li")
            assert 0 < shown.count() < total or total == shown.count()
            names = {
                shown.nth(i).locator(".finding-title span").nth(1).inner_text() for i in range(shown.count())
            }
            assert len(names) == 1

            # severity filter: hiding every severity empties the list
            for sev in ("high", "medium", "low"):
                page.uncheck(f"#sev-filters input[value={sev}]")
            assert page.locator("#finding-list > li").count() == 0
            for sev in ("high", "medium", "low"):
                page.check(f"#sev-filters input[value={sev}]")

            # open a finding's detail and its legal basis
            first = page.locator("#finding-list > li").first
            first.click()
            assert "open" in (first.get_attribute("class") or "")
            detail = first.locator(".finding-detail")
            assert detail.is_visible()
            assert "建议改写" in detail.inner_text()
            basis = detail.locator("details.basis").first
            basis.locator("summary").click()
            assert basis.locator(".basis-text").is_visible()
            assert page.locator("mark.hl.active").count() >= 1

            shot = tmp_path / "page.png"
            page.screenshot(path=str(shot), full_page=False)
        finally:
            browser.close()
    assert errors == []
    img = Image.open(shot).convert("RGB")
    small = img.resize((img.width // 4, img.height // 4))
    colours = small.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50
    non_white = sum(n for n, c in colours if sum(c) < 720) / (small.width * small.height)
    assert non_white > 0.1
    keep = Path("/tmp/tenderscan_page.png")
    shutil.copyfile(shot, keep)
