"""Bad input: every broken, empty, encrypted or foreign file gives one clear error, never a traceback.

All inputs are generated in ``tmp_path``; ``extract_file`` is checked for the specific error class,
the real ``agreements`` command for its exit code, its single stderr line and untouched output files.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pdfplumber
import pytest
from clitools import assert_one_error_line, run_cli
from pdfgen import text_pdf
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException
from PIL import Image, ImageDraw

from pipeline.errors import (
    AgreementError,
    DocumentTooLarge,
    DocumentTooSlow,
    EmptyDocument,
    EncryptedDocument,
    NotAnAgreement,
    UnreadableDocument,
)
from pipeline.extract import extract_file

FIXTURES = Path(__file__).parent / "fixtures"
VALTORI_PDF = FIXTURES / "valtori-tulossopimus-2024-2027.pdf"
VALTORI_TXT = FIXTURES / "valtori-tulossopimus-2024-2027.txt"
EXIT_BAD_INPUT = 3
PASSWORD = "salasana"


# --- generated inputs -----------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def scanned_pdf(path: Path) -> Path:
    """An image-only PDF, as a scanner makes it: a picture of a page, no text layer."""
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 540, 120), fill="black")
    for top in range(180, 700, 40):
        draw.line((60, top, 520, top), fill="gray", width=6)
    draw.ellipse((380, 620, 520, 760), outline="blue", width=5)
    image.save(path, "PDF", resolution=72)
    return path


def random_bytes(size: int, seed: int = 20240101) -> bytes:
    return random.Random(seed).randbytes(size)


def many_pages_pdf(path: Path, pages: int) -> Path:
    """A PDF of ``pages`` text pages: an agreement's title, then filler."""
    title = ["Valtiovarainministeriön ja Testiviraston välinen tulossopimus vuosille 2024–2027"]
    body = [[f"Sivu {n}. Tämä sivu on täytettä, jota julkaisija on lisännyt.", "Toinen rivi."] for n in range(pages)]
    return _write(path, text_pdf([title, *body[1:]]))


HOSTILE_MARKDOWN = "\n".join(
    [
        "> " * 400 + "syvä lainaus",
        "  " * 200 + "- syvä lista",
        "**lihava ilman loppua " * 50,
        "*" * 5000,
        "[" * 2000 + "linkki" + "(" * 2000,
        "<div><table><tr><td>" * 300,
        "#" * 12 + " liian syvä otsikko",
        "| a | b |\n|---|\n" * 200,
        "`" * 999,
    ]
)


class Case(NamedTuple):
    make: Callable[[Path], Path]
    error: type[AgreementError]
    says: str  # regex the message must match once the path is taken out of it
    max_pages: int | None = None
    max_seconds: float | None = None


CASES: dict[str, Case] = {
    "zero-byte-pdf": Case(lambda d: _write(d / "empty.pdf", b""), EmptyDocument, r"empty|no text"),
    "zero-byte-txt": Case(lambda d: _write(d / "empty.txt", b""), EmptyDocument, r"empty|no text"),
    "whitespace-txt": Case(lambda d: _write(d / "blank.txt", b"  \n\t\r\n   \n"), EmptyDocument, r"empty|no text"),
    "truncated-pdf": Case(
        lambda d: _write(d / "truncated.pdf", VALTORI_PDF.read_bytes()[: int(VALTORI_PDF.stat().st_size * 0.3)]),
        UnreadableDocument,
        r"",
    ),
    "random-bytes-pdf": Case(lambda d: _write(d / "noise.pdf", random_bytes(4096)), UnreadableDocument, r""),
    "pdf-header-then-garbage": Case(
        lambda d: _write(d / "garbage.pdf", b"%PDF-1.7\n" + random_bytes(4096)), UnreadableDocument, r""
    ),
    "text-named-pdf": Case(
        lambda d: _write(d / "notes.pdf", "Tämä on tavallinen tekstitiedosto.\n".encode()),
        UnreadableDocument,
        r"",
    ),
    "encrypted-pdf": Case(
        lambda d: _write(d / "locked.pdf", text_pdf(["Tulossopimus 2024", "Salainen"], user_password=PASSWORD)),
        EncryptedDocument,
        r"encrypted",
    ),
    "scanned-pdf": Case(lambda d: scanned_pdf(d / "scan.pdf"), EmptyDocument, r"text layer|scanned"),
    "not-an-agreement-pdf": Case(
        lambda d: _write(d / "shopping.pdf", text_pdf(["Kauppalista: maitoa, leipää", "Muista myös kahvi."])),
        NotAnAgreement,
        r"",
    ),
    "missing-path": Case(lambda d: d / "does-not-exist.pdf", UnreadableDocument, r""),
    "directory-path": Case(lambda d: d, UnreadableDocument, r"director"),
    "too-many-pages": Case(lambda d: VALTORI_PDF, DocumentTooLarge, r"page", max_pages=2),
    "600-page-pdf": Case(
        lambda d: many_pages_pdf(d / "pitka.pdf", 600), DocumentTooLarge, r"600 pages.*limit of 500", max_pages=500
    ),
    # A time limit already past when the first page is due: the check between pages stops it, whatever
    # the machine's speed (a limit the reading may or may not overrun would make the test a race).
    "slow-300-page-pdf": Case(
        lambda d: many_pages_pdf(d / "hidas.pdf", 300), DocumentTooSlow, r"time limit", max_seconds=1e-6
    ),
    "hostile-markdown": Case(
        lambda d: _write(d / "sotku.md", HOSTILE_MARKDOWN.encode()), NotAnAgreement, r"", max_seconds=10
    ),
}


# --- the generators make what they claim ----------------------------------------------------------


def test_pdfgen_makes_a_text_pdf_pdfplumber_reads():
    data = text_pdf([["Kauppalista: maitoa, leipää", "(sulut) ja \\ kenoviiva"], ["Toinen sivu"]])
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        texts = [page.extract_text() for page in pdf.pages]
    assert texts == ["Kauppalista: maitoa, leipää\n(sulut) ja \\ kenoviiva", "Toinen sivu"]


def test_pdfgen_encrypted_pdf_opens_only_with_its_password():
    data = text_pdf(["Tulossopimus 2024"], user_password=PASSWORD)
    with pdfplumber.open(io.BytesIO(data), password=PASSWORD) as pdf:
        assert pdf.pages[0].extract_text() == "Tulossopimus 2024"
    with pytest.raises(PdfminerException) as raised, pdfplumber.open(io.BytesIO(data)) as pdf:
        _ = pdf.pages
    assert isinstance(raised.value.args[0], PDFPasswordIncorrect)


def test_scanned_pdf_has_an_image_and_no_text(tmp_path):
    with pdfplumber.open(scanned_pdf(tmp_path / "scan.pdf")) as pdf:
        assert len(pdf.pages) == 1
        assert pdf.pages[0].images
        assert not pdf.pages[0].chars


def assert_explains(message: str, path: Path, says: str) -> None:
    """The message names the file and, apart from its path, says what is wrong."""
    assert path.name in message, message
    assert re.search(says, message.replace(str(path), "<path>"), re.IGNORECASE), message


# --- extract_file raises the specific error ---------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_extract_file_raises(name, tmp_path):
    case = CASES[name]
    path = case.make(tmp_path)
    with pytest.raises(case.error) as raised:
        extract_file(path, max_pages=case.max_pages, max_seconds=case.max_seconds)
    assert_explains(str(raised.value), path, case.says)


# --- the command: exit 3, one line on stderr, no traceback -----------------------------------------


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """Every case through the command, a few at a time (each start-up costs ~0.6 s of imports)."""
    paths, commands = {}, {}
    for name, case in CASES.items():
        paths[name] = case.make(tmp_path_factory.mktemp("case"))
        extra = ["--max-pages", str(case.max_pages)] if case.max_pages is not None else []
        extra += ["--timeout", str(case.max_seconds)] if case.max_seconds is not None else []
        commands[name] = ["extract", paths[name], *extra]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda args: run_cli(*args), commands.values())
        return {name: (paths[name], result) for name, result in zip(commands, results, strict=True)}


@pytest.mark.parametrize("name", CASES)
def test_cli_bad_input_exits_3_with_one_line(name, cli_results):
    path, result = cli_results[name]
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    line = assert_one_error_line(result)
    assert_explains(line, path, CASES[name].says)
    assert result.stdout == ""


def test_cli_several_paths_writes_the_good_one_only(tmp_path):
    bad = _write(tmp_path / "broken.pdf", b"%PDF-1.7\n" + random_bytes(2048))
    out = tmp_path / "out"
    result = run_cli("extract", bad, VALTORI_TXT, "-o", out)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    line = assert_one_error_line(result)
    assert "broken.pdf" in line
    assert sorted(p.name for p in out.iterdir()) == ["valtori-tulossopimus-2024-2027-txt.json"]
    document = json.loads((out / "valtori-tulossopimus-2024-2027-txt.json").read_text(encoding="utf-8"))
    assert document["indicators"]


@pytest.mark.parametrize("old", [None, "old"], ids=["absent", "pre-existing"])
def test_cli_bad_input_leaves_output_file_alone(old, tmp_path):
    bad = _write(tmp_path / "broken.pdf", b"%PDF-1.7\n" + random_bytes(2048))
    target = tmp_path / "result" / "out.json"
    if old is not None:
        target.parent.mkdir()
        target.write_text(old, encoding="utf-8")
    result = run_cli("extract", bad, "-o", target)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert_one_error_line(result)
    if old is None:
        assert not target.exists()
        assert not target.parent.exists() or not any(target.parent.iterdir())  # no temporary file either
    else:
        assert target.read_text(encoding="utf-8") == old
        assert [p.name for p in target.parent.iterdir()] == ["out.json"]  # no temporary file left


# --- other encodings of a good text file give the same indicators ---------------------------------


def indicator_values(path: Path) -> list:
    agreement = extract_file(path)
    return [(i.name, [(v.year, v.kind, v.value) for v in i.values]) for i in agreement.indicators]


@pytest.fixture(scope="module")
def original_values() -> list:
    values = indicator_values(VALTORI_TXT)
    assert values
    return values


def windows_1252(text: str) -> bytes:
    # cp1252 has only the superscripts ¹²³: the fixture's footnote markers ⁴⁵⁶ become those, which
    # are footnote markers all the same. Anything else not encodable fails loudly here.
    data = text.translate(str.maketrans("⁴⁵⁶", "¹²³")).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # so the reader's fallback is what is tested
    return data


def crlf_bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize("encode", [windows_1252, crlf_bom], ids=["windows-1252", "crlf-utf8-bom"])
def test_other_encodings_give_the_same_indicators(encode, original_values, tmp_path):
    copy = _write(tmp_path / VALTORI_TXT.name, encode(VALTORI_TXT.read_text(encoding="utf-8")))
    assert indicator_values(copy) == original_values
