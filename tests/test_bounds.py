"""Every input is bounded: inputs of a few KB that cost minutes, files that are not files, files too
large, PDF bombs. Each case is made here, small (the bombs small by their compression), and run through
the real command or the real worker process under a guard (``GUARD``): a hang fails the test, but no
test measures time. Each asserts what comes out: the one-line refusal, or an extraction that records
nothing wrong (the same agreement as without the hostile part).

Before these bounds, on the 2-core machine: 5,000 repeated headings 15.5 s (100,000 never finished:
section ids grew ``-2-2-2…``); a 9-column row of 20 ambiguous groups (``100 100 …``) 11 s, 30 groups
hours; a line of 8,000 numbers a RecursionError; 64 KB of ``a-`` lines 58 s; a FIFO or a link to
``/dev/zero`` hung; a 50 MB text file 2 minutes and 3 GB; a PDF stream of 1 GB of zeros 22 minutes.
"""

from __future__ import annotations

import os
import re
import socket
import zlib
from pathlib import Path

import pytest
from clitools import assert_one_error_line, run_cli
from conftest import KEHA_MD, VALTORI_PDF, VALTORI_TXT

from pipeline.extract import extract_file
from pipeline.layout import Block, Layout, Provenance
from pipeline.readers.pdf_bounds import MAX_DAMAGED_BYTES, MAX_DOCUMENT_BYTES, MAX_STREAM_BYTES
from pipeline.segment.outline import segment
from pipeline.workers import Limits, run_isolated

GUARD = 120  # seconds: the subprocess is killed past this and the test fails (a hang), not a measure
MiB = 1 << 20
EXIT_BAD_INPUT, EXIT_DIFF_TROUBLE = 3, 2

# An invented agreement, as Markdown and as text: two sections and a table of two indicators.
AGREEMENT_MD = """# Valtiovarainministeriön ja Testiviraston välinen tulossopimus vuosille 2025–2028

## 1 Toiminta-ajatus

Testivirasto tuottaa kokeilupalveluja valtionhallinnolle.

## 2 Tulostavoitteet

Taulukko 1. Palvelukyky

| Mittari | 2024 toteutuma | 2025 tavoite | 2026 tavoite |
|---|---|---|---|
| Asiakastyytyväisyys, % | 81,5 | 85 | 86 |
| Käsittelyaika, pv | 14 | 12 | 11 |
"""
AGREEMENT_TXT = """Valtiovarainministeriön ja Testiviraston välinen tulossopimus vuosille 2025–2028

1 Toiminta-ajatus

Testivirasto tuottaa kokeilupalveluja valtionhallinnolle.

2 Tulostavoitteet

Taulukko 1. Palvelukyky

Mittari\t2024 toteutuma\t2025 tavoite\t2026 tavoite
Asiakastyytyväisyys, %\t81,5\t85\t86
Käsittelyaika, pv\t14\t12\t11
"""
INDICATORS = [
    ("Asiakastyytyväisyys, %", [(2024, "actual", 81.5), (2025, "target", 85.0), (2026, "target", 86.0)]),
    ("Käsittelyaika, pv", [(2024, "actual", 14.0), (2025, "target", 12.0), (2026, "target", 11.0)]),
]
YEARS = " ".join(str(year) for year in range(2020, 2029))  # a header of nine year columns

# Hostile parts appended to the agreement: (suffix, text). Each cost seconds to hours before.
HOSTILE = {
    "30 KB of Markdown emphasis": (".md", "\n## 3 Liite\n\n" + "_a " * 10_000 + "\n"),
    "16 KB of [ in text": (".txt", "\n3 Liite\n\n" + "[" * 16_384 + "\n"),
    "16 KB of [ in Markdown": (".md", "\n## 3 Liite\n\n" + "[" * 16_384 + "\n"),
    "a line of 8,000 numbers": (".txt", "\n3 Liite\n\nLuvut " + "1 000 " * 4_000 + "\n"),
    "a row of ambiguous thousands groups": (
        ".txt",
        f"\n3 Liite\n\nTaulukko 2. Vuosisarja\n\nMittari {YEARS}\nKokeilu {'100 ' * 30}\n",
    ),
    "64 KB of hyphenated lines": (".txt", "\n3 Liite\n\nAlku " + "a-\n" * 21_333),
    "20,000 repeated headings": (".md", "\n## Otsikko\n\nTekstiä.\n" * 20_000),
}


def _agreement(suffix: str) -> str:
    return AGREEMENT_MD if suffix == ".md" else AGREEMENT_TXT


def _indicators(agreement: dict) -> list:
    return [(i["name"], [(v["year"], v["kind"], v["value"]) for v in i["values"]]) for i in agreement["indicators"]]


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_is_read_in_bounded_time_and_changes_nothing_else(case, tmp_path):
    import json

    suffix, hostile = HOSTILE[case]
    clean = tmp_path / f"puhdas{suffix}"
    clean.write_text(_agreement(suffix), encoding="utf-8")
    source = tmp_path / f"vihamielinen{suffix}"
    source.write_text(_agreement(suffix) + hostile, encoding="utf-8")
    out = tmp_path / "out.json"
    result = run_cli("extract", source, "-o", out, timeout=GUARD)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    agreement = json.loads(out.read_text(encoding="utf-8"))
    expected = extract_file(clean)
    assert _indicators(agreement) == INDICATORS == _indicators(json.loads(expected.model_dump_json()))
    assert [i["id"] for i in agreement["indicators"]] == [i.id for i in expected.indicators]
    sections = [(s["id"], s["title"]) for s in agreement["sections"]]
    known = len(expected.sections)
    assert sections[:known] == [(s.id, s.title) for s in expected.sections]
    assert len({s for s, _ in sections}) == len(sections)  # ids unique
    if case == "20,000 repeated headings":
        assert [s for s, _ in sections[known:]] == ["s-otsikko"] + [f"s-otsikko-{k}" for k in range(2, 20_001)]


# --- section ids: a counter per base ------------------------------------------------------------------


def _section_ids(titles: list[str]) -> list[str]:
    """The section ids ``segment`` gives headings with these titles (run in a worker process)."""
    blocks = [Block(kind="heading", prov=Provenance(line=n), lines=[t], level=1) for n, t in enumerate(titles, 1)]
    return [s.id for s in segment(Layout(format="text", blocks=blocks)).sections]


def test_100000_repeated_headings_get_numbered_ids_in_linear_time():
    titles = ["Otsikko"] * 100_000
    ids, _ = run_isolated(_section_ids, titles, limits=Limits(seconds=GUARD, memory=None), label="otsikot")
    assert ids == ["s-otsikko"] + [f"s-otsikko-{k}" for k in range(2, 100_001)]


def test_a_numbered_id_a_title_already_took_is_skipped():
    # "Otsikko 2" is s-otsikko-2 itself: the second "Otsikko" cannot be that.
    ids = _section_ids(["Otsikko", "Otsikko 2", "Otsikko", "Otsikko", "Muu"])
    assert ids == ["s-otsikko", "s-otsikko-2", "s-otsikko-3", "s-otsikko-4", "s-muu"]


# --- the time limit applies to text and Markdown ------------------------------------------------------


def _big(path: Path, fixture: Path, size: int) -> Path:
    text = fixture.read_text(encoding="utf-8")
    path.write_text(text * (size // len(text.encode()) + 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("fixture", [VALTORI_TXT, KEHA_MD], ids=["text", "markdown"])
def test_the_time_limit_stops_text_and_markdown(fixture, tmp_path):
    """8 MB of agreement text takes about 20 s on the 2-core machine: stopped at 1 s, in one line."""
    big = _big(tmp_path / f"iso{fixture.suffix}", fixture, 8_000_000)
    out = tmp_path / "out.json"
    result = run_cli("extract", big, "-o", out, "--timeout", "1", timeout=GUARD)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert assert_one_error_line(result) == f"agreements: error: {big}: stopped at the time limit of 1 s (--timeout)"
    assert not out.exists()


def test_the_time_limit_stops_text_read_in_process_by_diff(tmp_path):
    """``diff`` reads in its own process: the limit is checked between reading, segmenting and extracting."""
    big = _big(tmp_path / "iso.txt", VALTORI_TXT, 8_000_000)
    result = run_cli("diff", big, VALTORI_TXT, "--timeout", "1", "-q", timeout=GUARD)
    assert result.returncode == EXIT_DIFF_TROUBLE, result.stderr
    line = assert_one_error_line(result)
    assert re.fullmatch(
        rf"agreements: error: {re.escape(str(big))}: past the time limit once (read|segmented) \(--timeout\)", line
    )


# --- the size limit, known before reading -------------------------------------------------------------


def _fifty_megabytes(path: Path) -> Path:
    """A text file of 50 MB (its text first, then a hole the file system does not store)."""
    with path.open("wb") as handle:
        handle.write(VALTORI_TXT.read_bytes())
        handle.truncate(50_000_000)
    return path


def test_a_50_mb_text_file_is_refused_by_default_before_it_is_read(tmp_path):
    big = _fifty_megabytes(tmp_path / "iso.txt")
    out = tmp_path / "out.json"
    result = run_cli("extract", big, "-o", out, timeout=GUARD)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    says = f"agreements: error: {big}: 47.7 MiB, more than the limit of 16 MiB (--max-bytes)"
    assert assert_one_error_line(result) == says
    assert not out.exists()
    result = run_cli("diff", big, VALTORI_TXT, "-q", timeout=GUARD)
    assert result.returncode == EXIT_DIFF_TROUBLE and assert_one_error_line(result) == says


def test_max_bytes_sets_the_limit(tmp_path):
    big = _big(tmp_path / "iso.txt", VALTORI_TXT, 1_500_000)
    out = tmp_path / "out.json"
    result = run_cli("extract", big, "-o", out, "--max-bytes", "1MiB", timeout=GUARD)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    says = rf"agreements: error: {re.escape(str(big))}: 1\.\d MiB, more than the limit of 1 MiB \(--max-bytes\)"
    assert re.fullmatch(says, assert_one_error_line(result))
    assert not out.exists()
    result = run_cli("extract", big, "-o", out, timeout=GUARD)  # under the default
    assert result.returncode == 0, result.stderr
    assert out.exists()


def test_a_bad_max_bytes_is_a_usage_error():
    result = run_cli("extract", VALTORI_TXT, "--max-bytes", "paljon")
    assert result.returncode == 2 and "not a size: 'paljon'" in result.stderr and "Traceback" not in result.stderr


# --- only regular files ---------------------------------------------------------------------------------


@pytest.fixture
def not_files(tmp_path):
    """A FIFO (no writer: reading it would wait for ever), a link to /dev/zero (never ends), a socket."""
    fifo, zero, sock = tmp_path / "putki.txt", tmp_path / "nollat.txt", tmp_path / "pistoke.txt"
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    yield {
        fifo: "is a FIFO (named pipe), not a file",
        zero: "is a character device, not a file",
        sock: "is a socket, not a file",
    }
    server.close()


def test_fifos_devices_and_sockets_are_refused_at_once_each_in_one_line(not_files, tmp_path):
    out = tmp_path / "out"
    result = run_cli("extract", *not_files, VALTORI_TXT, "-o", out, timeout=GUARD)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    assert result.stderr.splitlines() == [f"agreements: error: {path}: {kind}" for path, kind in not_files.items()]
    assert [p.name for p in out.iterdir()] == ["valtori-tulossopimus-2024-2027-txt.json"]


def test_diff_refuses_them_too(not_files):
    for path, kind in not_files.items():
        result = run_cli("diff", path, VALTORI_TXT, "-q", timeout=GUARD)
        assert result.returncode == EXIT_DIFF_TROUBLE
        assert assert_one_error_line(result) == f"agreements: error: {path}: {kind}"


# --- PDF bombs ------------------------------------------------------------------------------------------


def _deflate(unit: bytes, size: int) -> bytes:
    """``unit`` repeated to ``size`` bytes, compressed a megabyte at a time (never held whole)."""
    compressor, chunk = zlib.compressobj(9), unit * (MiB // len(unit))
    pieces = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    return b"".join([*pieces, compressor.flush()])


def _stream(data: bytes, extra: bytes = b"", filters: bytes = b"/FlateDecode") -> bytes:
    return b"<< /Length %d /Filter %s %s>>\nstream\n" % (len(data), filters, extra) + data + b"\nendstream"


def _pdf(contents: list[bytes], forms: dict[bytes, bytes] | None = None) -> bytes:
    """A PDF of one page per content stream object in ``contents`` (``_stream`` bodies), each page with
    font /F1 (Helvetica) and the form XObjects ``forms`` (name: ``_stream`` body) as resources."""
    forms = forms or {}
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    form_refs = {}
    for name, body in forms.items():
        form_refs[name] = len(objects) + 2
        objects[len(objects) + 2] = body
    xobjects = b" ".join(b"/%s %d 0 R" % (name, ref) for name, ref in form_refs.items())
    kids = []
    for content in contents:
        page, stream = len(objects) + 2, len(objects) + 3
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> /XObject << %s >> >> /Contents %d 0 R >>" % (xobjects, stream)
        )
        objects[stream] = content
        kids.append(page)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(
        b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n" for n in range(1, size)
    )
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


TEXT_OPERATORS = b"BT /F1 12 Tf 72 720 Td (x) Tj ET\n"  # 5 operators
TITLE = b"BT /F1 12 Tf 72 770 Td (Tulossopimus vuosille 2024-2027) Tj ET\n"


def _zeros() -> bytes:
    """80 KB inflating to 80 MiB (the issue's 1 MB to 1 GB, smaller)."""
    return _pdf([_stream(_deflate(b"\0", MAX_STREAM_BYTES + 16 * MiB))])


def _text_operators() -> bytes:
    """260 KB of compressed text operators inflating to 100 MiB (the issue's 165 KB to 100 MB)."""
    return _pdf([_stream(_deflate(TEXT_OPERATORS, 100 * MiB))])


def _many_operators() -> bytes:
    """Under the stream limit (8 MiB), over the operator limit: 1.2 million operators on one page."""
    return _pdf([_stream(zlib.compress(TITLE + TEXT_OPERATORS * 240_000, 9))])


def _a_form_drawn_often() -> bytes:
    """A form of 1,001 operators drawn 300 times: 300,000 operators on a page of 1,200 bytes of content."""
    form = _stream(zlib.compress(b"q Q " * 500 + b"0 0 m", 9), b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] ")
    return _pdf([_stream(zlib.compress(TITLE + b"/Kuvio Do " * 300, 9))], {b"Kuvio": form})


def _streams_together() -> bytes:
    """Five pages of 60 MiB each (each under the stream limit): 300 MiB in all, one compressed stream
    repeated (300 KB)."""
    page = _stream(_deflate(b"\0", 60 * MiB))
    return _pdf([page] * 5)


def _twice_compressed() -> bytes:
    """Flate over Flate: 80 MiB of zeros in a few hundred bytes."""
    once = _deflate(b"\0", MAX_STREAM_BYTES + 16 * MiB)
    return _pdf([_stream(zlib.compress(once, 9), filters=b"[/FlateDecode /FlateDecode]")])


def _damaged() -> bytes:
    """A stream cut short (its last bytes lost): pdfminer would inflate it a byte at a time."""
    return _pdf([_stream(_deflate(TITLE, 8 * MiB)[:-64])])


BOMBS = {
    "1 GB of zeros": (
        _zeros,
        rf"a stream at byte \d+ decodes to more than {MAX_STREAM_BYTES >> 20} MiB \(a compression bomb\?\)",
    ),
    "100 MB of text operators": (
        _text_operators,
        rf"a stream at byte \d+ decodes to more than {MAX_STREAM_BYTES >> 20} MiB \(a compression bomb\?\)",
    ),
    "a million operators on a page": (_many_operators, r"page 1 has more than 200 000 drawing operators"),
    "a form drawn 300 times": (_a_form_drawn_often, r"page 1 has more than 200 000 drawing operators"),
    "streams that are too much together": (
        _streams_together,
        rf"its streams decode to more than {MAX_DOCUMENT_BYTES >> 20} MiB \(a compression bomb\?\)",
    ),
    "flate over flate": (
        _twice_compressed,
        rf"a stream at byte \d+ decodes to more than {MAX_STREAM_BYTES >> 20} MiB \(a compression bomb\?\)",
    ),
    "a damaged stream": (
        _damaged,
        rf"a damaged stream at byte \d+ decodes to \d+ MiB, more than the {MAX_DAMAGED_BYTES >> 20} MiB allowed a "
        r"damaged stream \(which pdfminer repairs slowly\)",
    ),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_a_pdf_bomb_is_refused_in_one_line_and_the_other_documents_are_extracted(bomb, tmp_path):
    make, says = BOMBS[bomb]
    path = tmp_path / "pommi.pdf"
    path.write_bytes(make())
    assert path.stat().st_size < 400_000
    out = tmp_path / "out"
    result = run_cli("extract", path, VALTORI_PDF, "-o", out, "--jobs", "1", timeout=GUARD)
    assert result.returncode == EXIT_BAD_INPUT, result.stderr
    line = assert_one_error_line(result)
    assert re.fullmatch(f"agreements: error: {re.escape(str(path))}: {says}", line), line
    assert [p.name for p in out.iterdir()] == ["valtori-tulossopimus-2024-2027-pdf.json"]


def test_a_pdf_bomb_is_refused_by_diff_too(tmp_path):
    path = tmp_path / "pommi.pdf"
    path.write_bytes(_zeros())
    result = run_cli("diff", path, VALTORI_PDF, "-q", timeout=GUARD)
    assert result.returncode == EXIT_DIFF_TROUBLE
    assert "decodes to more than 64 MiB" in assert_one_error_line(result)


# --- UTF-16 and UTF-32 with a byte order mark are text ----------------------------------------------


def _values(path: Path) -> list:
    return [(i.name, [(v.year, v.kind, v.value) for v in i.values]) for i in extract_file(path).indicators]


@pytest.mark.parametrize(
    ("codec", "bom"),
    [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-32-le", b"\xff\xfe\x00\x00")],
    ids=["utf-16-le", "utf-16-be", "utf-32-le"],
)
def test_unicode_text_with_a_byte_order_mark_reads_as_its_utf8_original(codec, bom, tmp_path):
    text = VALTORI_TXT.read_text(encoding="utf-8")
    copy = tmp_path / VALTORI_TXT.name
    copy.write_bytes(bom + text.replace("\n", "\r\n").encode(codec))
    original = _values(VALTORI_TXT)
    assert len(original) > 10
    assert _values(copy) == original


def test_utf16_without_a_known_suffix_is_text_too(tmp_path):
    copy = tmp_path / "valtori.asc"
    copy.write_bytes(b"\xff\xfe" + VALTORI_TXT.read_text(encoding="utf-8").encode("utf-16-le"))
    assert _values(copy) == _values(VALTORI_TXT)
