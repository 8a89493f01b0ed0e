"""The HTML review page in a real browser: Debian's Chromium, driven by Playwright.

The page is opened from disk as a reviewer would open it, screenshotted at a laptop's size, and
checked in the rendered DOM (every change is there, with the right values and highlighting, the
substantive ones first and the routine ones folded until a click opens them) and in the
screenshot's pixels (the highlighted words really are coloured on screen). The screenshots in
``docs/`` are this test's: ``AGREEMENTS_SCREENSHOTS=1 pytest tests/test_review_page.py`` writes them
anew (otherwise they go to a temporary folder and are only checked).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import regex
from conftest import VALTORI_TXT, VERSIONS, extracted
from PIL import Image
from test_diff_triage import VALTORI_ROUTINE, VALTORI_SUBSTANTIVE

from pipeline.diff import diff_agreements
from pipeline.diff.html import render_html

LAPTOP = {"width": 1366, "height": 768}
NARROW = {"width": 700, "height": 900}
DOCS = Path(__file__).resolve().parent.parent / "docs"
ADDED_BG = (218, 251, 225)  # --added-bg: inserted words, new values
REMOVED_BG = (255, 235, 233)  # --removed-bg: deleted words, old values
ADDED_INK, REMOVED_INK = (26, 127, 55), (207, 34, 46)  # --added, --removed


@pytest.fixture(scope="module")
def revision_diff(valtori_txt, valtori_revision_txt):
    return diff_agreements(valtori_txt, valtori_revision_txt)


@pytest.fixture(scope="module")
def pdf_diff():
    """The real revision pair: the sample PDF and the revision laid out as another PDF."""
    old_pdf = VERSIONS.parent / "valtori-tulossopimus-2024-2027.pdf"
    new_pdf = VERSIONS / "valtori-revision-wrapped.pdf"
    return diff_agreements(extracted(old_pdf), extracted(new_pdf))


def open_page(browser, html: str, folder: Path, viewport=LAPTOP):
    """Write the page into ``folder`` and open it; returns the page and every URL it requested."""
    path = folder / "diff.html"
    path.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport=viewport)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(path.as_uri())
    return page, requested


def colours_in(image: Image.Image, box: dict) -> Counter:
    """How many pixels of each colour the screenshot has inside an element's box."""
    inner = (int(box["x"]) + 1, int(box["y"]) + 1, int(box["x"] + box["width"]) - 1, int(box["y"] + box["height"]) - 1)
    return Counter(image.convert("RGB").crop(inner).get_flattened_data())


def test_review_page_shows_every_change(browser, revision_diff, tmp_path):
    page, requested = open_page(browser, render_html(revision_diff), tmp_path)
    try:
        shot = tmp_path / "review.png"
        page.screenshot(path=str(shot), full_page=True)
        image = Image.open(shot)
        assert image.width == LAPTOP["width"] and image.height > 2000

        # Self-contained: the page asked for nothing but itself.
        assert requested == [(tmp_path / "diff.html").as_uri()]
        # Reads on a laptop without sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

        # Summary at the top, above the fold.
        assert page.inner_text("[data-count=total] b") == "47"
        for kind, n in {"added": 8, "removed": 13, "changed": 12, "renamed": 4, "confirmed": 10}.items():
            assert page.inner_text(f"[data-count={kind}] b") == str(n)
        assert page.locator("#summary").bounding_box()["y"] < LAPTOP["height"]
        assert page.inner_text("table.counts tr[data-entity=value]").split() == ["value", "6", "11", "8", "10"]

        # Every change of the JSON is one element of the page, with its kind.
        rendered = page.eval_on_selector_all("[data-change]", "els => els.map(e => [e.dataset.path, e.dataset.change])")
        assert Counter(map(tuple, rendered)) == Counter((c.path, c.change) for c in revision_diff.changes)

        # A confirmed value: old and new side by side, the new kind and the new number highlighted.
        index = next(c for c in revision_diff.changes if c.entity == "value" and c.detail.year == 2023)
        assert index.title == "Tuottavuusindeksi, suorite per työpanos"
        row = page.locator(f'[data-path="{index.path}"]')
        assert row.locator("td.old").inner_text().split()[:3] == ["103", "Arvio", "2023"]
        assert row.locator("td.new").inner_text().split()[:3] == ["102", "Toteuma", "2023"]
        assert row.locator(".badge.confirmed").inner_text().lower() == "confirmed"
        assert row.locator(".badge.moved").inner_text().lower() == "moved"  # confirmed, but not the old figure
        assert row.locator("td.delta").inner_text().split() == ["−1", "−1,0", "%"]
        new_number = row.locator("td.new .num.differs")
        assert new_number.evaluate("e => getComputedStyle(e).backgroundColor") == f"rgb{ADDED_BG}"

        # A reworded target: the deleted and inserted words, and their colours in the screenshot.
        target = page.locator('[data-entity=target][data-change=changed][data-year="2026"]')
        assert target.locator(".old del").inner_text() == "80%"
        assert [e.inner_text() for e in target.locator(".new ins").all()] == ["78%", "sovitussa"]
        marks = (
            (target.locator(".old del"), REMOVED_BG, REMOVED_INK),
            (target.locator(".new ins").first, ADDED_BG, ADDED_INK),
        )
        for element, background, ink in marks:
            element.scroll_into_view_if_needed()
            box = element.bounding_box()
            page.screenshot(path=str(shot))
            colours = colours_in(Image.open(shot), box)
            assert colours.most_common(1)[0][0] == background  # the word sits on its highlight
            assert colours[ink] > 0  # in its colour

        # The renamed indicator shows the word that changed, and where it stands in each version.
        renamed = page.locator("[data-entity=indicator][data-change=renamed]")
        assert renamed.locator("del").inner_text() == "Automaattisten"
        assert renamed.locator("ins").inner_text() == "Automaattisesti"
        assert "old line 219" in renamed.inner_text() and "new line 218" in renamed.inner_text()
    finally:
        page.close()


def test_narrow_window_stacks_old_over_new(browser, revision_diff, tmp_path):
    page, _ = open_page(browser, render_html(revision_diff), tmp_path, viewport={"width": 700, "height": 900})
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= 700
        row = page.locator("[data-entity=target][data-change=changed]").first
        old, new = row.locator(".side.old").bounding_box(), row.locator(".side.new").bounding_box()
        assert new["y"] > old["y"] + old["height"] - 1
    finally:
        page.close()


def test_links_open_the_pdf_at_the_page_of_the_change(browser, pdf_diff, tmp_path):
    diff = pdf_diff
    html = render_html(diff, old_href="old.pdf", new_href="new.pdf")
    page, _ = open_page(browser, html, tmp_path)
    try:
        sla = next(c for c in diff.changes if c.title == "Tukipyyntöjen SLA, %")
        links = page.locator(f'[data-path="{sla.path}"] a.src')
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            f"old.pdf#page={sla.old_provenance.page}",
            f"new.pdf#page={sla.new_provenance.page}",
        ]
        # Each page reference names its document, on the page and in the link's title.
        assert [links.nth(i).inner_text() for i in range(2)] == [
            f"old p. {sla.old_provenance.page}",
            f"new p. {sla.new_provenance.page}",
        ]
        assert (
            links.nth(0).get_attribute("title")
            == f"open valtori-tulossopimus-2024-2027.pdf at page {sla.old_provenance.page}"
        )
        labels = page.eval_on_selector_all(".src", "els => els.map(e => e.textContent.trim())")
        assert labels and all(regex.fullmatch(r"(old|new) (p\.|line) \d+", label) for label in labels)
    finally:
        page.close()


def test_no_changes_and_re_extraction_are_said_plainly(browser, valtori_txt, tmp_path):
    older = valtori_txt.model_copy(deep=True)
    older.extractor.version = "0.0.9"
    diff = diff_agreements(older, extracted(VALTORI_TXT))
    page, _ = open_page(browser, render_html(diff), tmp_path)
    try:
        assert page.is_visible("#no-changes")
        assert page.inner_text("[data-count=total] b") == "0"
        banner = page.inner_text("#re-extraction")
        assert "Re-extraction of the same source" in banner and "agreements 0.0.9 → agreements 0.2.0" in banner
        assert page.locator("[data-change]").count() == 0
    finally:
        page.close()


def test_routine_changes_are_folded_below_and_open_on_click(browser, pdf_diff, tmp_path):
    """The real revision pair: the substantive changes show; the routine ones wait in a closed
    ``<details>`` below them, which a click opens (no script: the page has none)."""
    html = render_html(pdf_diff, old_href="old.pdf", new_href="new.pdf")
    assert "<script" not in html
    page, requested = open_page(browser, html, tmp_path)
    try:
        paths = "(sel) => [...document.querySelectorAll(sel)].map(e => [e.dataset.path, e.dataset.reason])"
        assert [tuple(p) for p in page.evaluate(paths, "[data-triage=substantive]")] == VALTORI_SUBSTANTIVE
        assert [tuple(p) for p in page.evaluate(paths, "[data-triage=routine]")] == VALTORI_ROUTINE
        assert (
            page.inner_text("[data-count=substantive] b") == "25" and page.inner_text("[data-count=routine] b") == "22"
        )

        routine = page.locator("details#routine")
        assert routine.count() == 1 and routine.evaluate("e => e.open") is False
        substantive = page.locator("#substantive")
        assert substantive.bounding_box()["y"] < routine.bounding_box()["y"]
        assert routine.locator("[data-change]").count() == 22
        assert substantive.locator("[data-change]").count() == 25
        # Closed: the routine rows take no room; the substantive ones are all on the page.
        assert not any(row.is_visible() for row in routine.locator("[data-change]").all())
        assert all(row.is_visible() for row in substantive.locator("[data-change]").all())
        folded_height = page.evaluate("document.documentElement.scrollHeight")

        routine.locator("summary").click()
        assert routine.evaluate("e => e.open") is True
        assert all(row.is_visible() for row in routine.locator("[data-change]").all())
        assert page.evaluate("document.documentElement.scrollHeight") > folded_height + 1000
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

        # A year rolling over: in the routine part, its badge grey, not the yellow of a real change.
        rolled = routine.locator(f'[data-path="{VALTORI_ROUTINE[3][0]}"]')
        assert rolled.get_attribute("data-rollover") == "true"
        assert rolled.locator("td.new").inner_text().split()[:3] == ["103", "Arvio", "2024"]
        badge = rolled.locator(".badge")
        assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(246, 248, 250)"  # --soft

        # Diary numbers item by item: the one kept is plain on both sides, only the replaced one is marked.
        numbers = routine.locator('[data-path="agreement/reference_numbers"]')
        items = "(e) => [...e.querySelectorAll('li')].map(li => [li.dataset.item, li.textContent])"
        assert numbers.locator("td.old").evaluate(items) == [
            ["kept", "VN/17411/2023"],
            ["removed", "Valtori/2192/01 07 00/2023"],
        ]
        assert numbers.locator("td.new").evaluate(items) == [
            ["kept", "VN/17411/2023"],
            ["added", "Valtori/2310/01 07 00/2024"],
        ]
        assert numbers.locator("del").all_inner_texts() == ["Valtori/2192/01 07 00/2023"]
        assert numbers.locator("ins").all_inner_texts() == ["Valtori/2310/01 07 00/2024"]

        # A typo fixed reads as one, with no similarity score.
        fix = substantive.locator(f'[data-path="{VALTORI_SUBSTANTIVE[0][0]}"]')
        assert fix.inner_text().startswith("Spelling fixed:") and "similarity" not in fix.inner_text()
        assert page.locator(".badge.spelling").inner_text().lower() == "spelling fix"
        assert fix.locator("del").inner_text() == "hallitusohjelmataavoitteiden"

        # How far a figure moved, beside it.
        cost = substantive.locator(f'[data-path="{VALTORI_SUBSTANTIVE[7][0]}"]')
        assert cost.locator("td.delta").inner_text().split() == ["−3", "663", "−0,7", "%"]
        assert requested == [(tmp_path / "diff.html").as_uri()]
    finally:
        page.close()


def test_screenshots_of_the_review_page(browser, pdf_diff, tmp_path):
    """Viewport-sized screenshots of the real revision pair's page: the summary with the first
    substantive changes, the figures that moved, the routine part opened, and a narrow window. Each
    shows what it is for: the element it is about stands inside the shot, in its colours."""
    folder = DOCS if os.environ.get("AGREEMENTS_SCREENSHOTS") else tmp_path
    folder.mkdir(exist_ok=True)
    html = render_html(pdf_diff, old_href="old.pdf", new_href="new.pdf")

    def shoot(page, name: str, shown, viewport=LAPTOP) -> Image.Image:
        path = folder / name
        page.screenshot(path=str(path))
        image = Image.open(path)
        assert image.size == (viewport["width"], viewport["height"]), name
        box = shown.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], name
        return image

    page, _ = open_page(browser, html, tmp_path)
    try:
        shoot(page, "review-page.png", page.locator("#substantive h2"))

        page.locator("#indicators").evaluate("e => e.scrollIntoView()")
        confirmed = page.locator(f'[data-path="{VALTORI_SUBSTANTIVE[5][0]}"]')
        image = shoot(page, "review-page-values.png", confirmed)
        assert colours_in(image, confirmed.locator("td.new .num").bounding_box()).most_common(1)[0][0] == ADDED_BG

        page.locator("details#routine summary").click()
        page.locator("details#routine").evaluate("e => e.scrollIntoView()")
        numbers = page.locator('[data-path="agreement/reference_numbers"]')
        image = shoot(page, "review-page-routine.png", numbers)
        assert colours_in(image, numbers.locator("td.old del").bounding_box()).most_common(1)[0][0] == REMOVED_BG
        assert colours_in(image, numbers.locator("td.old li").first.bounding_box())[REMOVED_BG] == 0  # kept: plain
    finally:
        page.close()
    narrow, _ = open_page(browser, html, tmp_path, viewport=NARROW)
    try:
        narrow.locator("#indicators").evaluate("e => e.scrollIntoView()")
        shoot(narrow, "review-page-narrow.png", narrow.locator("#indicators h3"), NARROW)
        assert narrow.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    finally:
        narrow.close()
    if folder == DOCS:  # checked in full colour; kept in the repository as 256-colour PNGs (a third the size)
        for path in DOCS.glob("review-page*.png"):
            palette = Image.open(path).convert("RGB").quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            palette.save(path, optimize=True)
