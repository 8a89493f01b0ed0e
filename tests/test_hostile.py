"""Odd but readable input extracts correctly, in bounded time and memory: a table of thousands of
rows, an agreement with hostile Markdown in it, a PDF of hundreds of pages read whole."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import KEHA_MD, extracted
from pdfgen import text_pdf
from test_bad_input import HOSTILE_MARKDOWN

from pipeline.extract import extract_file

ROWS = 5000


def big_table_agreement(path: Path) -> Path:
    lines = [
        "Valtiovarainministeriön ja Testiviraston välinen tulossopimus vuosille 2024–2027",
        "",
        "1 Tulostavoitteet",
        "",
        "Taulukko 1. Hyvin pitkä mittaritaulukko",
        "",
        "mittari\tToteuma 2022\tArvio 2023\tTavoite 2024",
    ]
    for n in range(1, ROWS + 1):
        thousands = f"{(n + 1) * 1000:,}".replace(",", " ")  # 5 001 000
        lines.append(f"Mittari {n}, %\t{n},5\t{thousands}\t-{n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_table_of_thousands_of_rows(tmp_path):
    start = time.monotonic()
    agreement = extract_file(big_table_agreement(tmp_path / "iso.txt"))
    elapsed = time.monotonic() - start
    assert len(agreement.indicators) == ROWS
    last = agreement.indicators[-1]
    assert last.name == f"Mittari {ROWS}, %" and last.unit == "%"
    assert [(v.year, v.kind, v.value, v.text) for v in last.values] == [
        (2022, "actual", ROWS + 0.5, f"{ROWS},5"),
        (2023, "estimate", (ROWS + 1) * 1000, "5 001 000"),
        (2024, "target", -ROWS, f"-{ROWS}"),
    ]
    assert last.provenance.line == 7 + ROWS
    assert elapsed < 60, f"{ROWS} rows took {elapsed:.1f} s"


def test_a_table_of_thousands_of_rows_in_bounded_memory(tmp_path):
    """Through the real command, in its own process: peak memory stays well under a gigabyte."""
    source = big_table_agreement(tmp_path / "iso.txt")
    script = Path(sys.executable).with_name("agreements")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]
    process = subprocess.Popen([*command, "extract", str(source), "-o", str(tmp_path / "iso.json")])
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert usage.ru_maxrss < 600 * 1024, f"peak RSS {usage.ru_maxrss // 1024} MiB"  # ru_maxrss is in KiB


def test_hostile_markdown_inside_an_agreement_changes_nothing(tmp_path):
    """Nesting 400 deep, unbalanced emphasis, a 5,000-character line: the agreement around it reads the same."""
    clean = extracted(KEHA_MD)
    text = KEHA_MD.read_text(encoding="utf-8")
    marker = "## 2 Yhteiskunnallinen vaikuttavuus"
    assert marker in text
    dirty = tmp_path / "keha-sotku.md"
    dirty.write_text(text.replace(marker, HOSTILE_MARKDOWN + "\n\n" + marker), encoding="utf-8")
    start = time.monotonic()
    agreement = extract_file(dirty, max_seconds=30)
    assert time.monotonic() - start < 30
    assert [(g.title, [(t.year, t.text) for t in g.targets]) for g in agreement.goals if g.targets] == [
        (g.title, [(t.year, t.text) for t in g.targets]) for g in clean.goals if g.targets
    ]
    assert agreement.agreement == clean.agreement


def test_a_pdf_of_hundreds_of_pages_is_read_whole(tmp_path):
    """450 pages, under the default limit of 500: read page by page, every page freed after it."""
    title = ["Valtiovarainministeriön ja Testiviraston välinen tulossopimus vuosille 2024–2027"]
    pages = [title] + [[f"Sivu {n}: täytettä."] for n in range(2, 451)]
    path = tmp_path / "pitka.pdf"
    path.write_bytes(text_pdf(pages))
    agreement = extract_file(path, max_pages=500, max_seconds=120)
    assert agreement.source.pages == 450
    assert agreement.agreement.title == title[0]
