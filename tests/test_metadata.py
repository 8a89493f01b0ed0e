"""Metadata of templates the samples do not show: first pages written for these tests (invented content).

Each fixture in ``tests/fixtures/frontpages/`` is one first-page case of issue 9, read through the
whole pipeline (``extract_file``); the expected values were written by reading the fixture. The unit
tests below take the pieces apart: parties, capitals, titles that run on, dates by their line.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import pytest

from pipeline.extract import extract_file
from pipeline.extract.metadata import (
    SERIES_ID_MAX,
    TITLE_MAX_CHARS,
    base_form,
    cut_title,
    date_of_line,
    extract_metadata,
    parse_date,
    series_id,
    title_parties,
)
from pipeline.layout import Block, Layout, Provenance
from pipeline.nlp.lexicon import voikko
from pipeline.segment.outline import segment

FRONT = Path(__file__).parent / "fixtures" / "frontpages"
needs_voikko = pytest.mark.skipif(voikko() is None, reason="Voikko is not installed")
NO_DATE = "no date of the agreement found (on the first page or next to the signatures)"


@functools.cache
def extracted(name: str):
    return extract_file(FRONT / name, root=FRONT)


# name → title, agency, agencies, ministries, period, reference_numbers, signed_on, series_id
CASES = {
    # Three parties in capitals, no "välinen": the parties come out in their normal case.
    "three-parties-capitals.txt": (
        "LIIKENNE- JA VIESTINTÄMINISTERIÖN, MAJAKKAVIRASTON JA LUOTSAUSASIAIN TOIMISTON TULOSSOPIMUS 2020–2023",
        "Majakkavirasto",
        ["Majakkavirasto", "Luotsausasiain toimisto"],
        ["Liikenne- ja viestintäministeriö"],
        (2020, 2023),
        ["VN/8812/2019"],
        date(2019, 12, 18),
        "majakkavirasto",
    ),
    # A document-type line before the title: not the title, but its date and diary number are the agreement's.
    "document-type-line.txt": (
        "Oikeusministeriön ja Sovittelukeskuksen tulossopimus vuosille 2020–2023",
        "Sovittelukeskus",
        ["Sovittelukeskus"],
        ["Oikeusministeriö"],
        (2020, 2023),
        ["VN/1234/2019"],
        date(2019, 10, 30),
        "sovittelukeskus",
    ),
    # A hyphenated compound (Markdown); the date is by the signatures, the body's dates are not it.
    "maa-ja-metsatalous.md": (
        "Maa- ja metsätalousministeriön ja Maanmittauslaitoksen tulossopimus vuosille 2024–2027",
        "Maanmittauslaitos",
        ["Maanmittauslaitos"],
        ["Maa- ja metsätalousministeriö"],
        (2024, 2027),
        ["VN/2345/2023", "MML/1234/00 00 01/2023"],
        date(2023, 12, 13),
        "maanmittauslaitos",
    ),
    # The agency's own diary number beside VN/…, the VN number repeated, another in the body.
    "agency-diary-numbers.txt": (
        "Ympäristöministeriön ja Vesihallituksen välinen tulossopimus vuosille 2021–2024",
        "Vesihallitus",
        ["Vesihallitus"],
        ["Ympäristöministeriö"],
        (2021, 2024),
        ["VN/4321/2020", "VH/6764/00.00.07/2020"],
        date(2020, 12, 14),
        "vesihallitus",
    ),
    # Dates only in the body (a source line, "ennen 1.1.2019 perustettujen"): no date; a "Dnro" number.
    "body-dates.txt": (
        "Opetus- ja kulttuuriministeriön ja Kansallisen nuorisoarkiston välinen tulossopimus vuodelle 2025",
        "Kansallinen nuorisoarkisto",
        ["Kansallinen nuorisoarkisto"],
        ["Opetus- ja kulttuuriministeriö"],
        (2025, 2025),
        ["12/010/2023"],
        None,
        "kansallinen-nuorisoarkisto",
    ),
    # No blank line anywhere, hard line breaks, the title over two lines, body dates, a signing date.
    "no-blank-lines.txt": (
        "Sisäministeriön ja Kriisiviestintäkeskuksen välinen tulossopimus vuosille 2024–2027",
        "Kriisiviestintäkeskus",
        ["Kriisiviestintäkeskus"],
        ["Sisäministeriö"],
        (2024, 2027),
        ["VN/5555/2023", "KVK/310/00.01.00/2023"],
        date(2023, 12, 18),
        "kriisiviestintäkeskus",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_first_page(name):
    title, agency, agencies, ministries, period, references, signed_on, series = CASES[name]
    meta = extracted(name).agreement
    assert meta.title == title
    assert meta.agency == agency
    assert meta.agencies == agencies
    assert meta.ministries == ministries
    assert (meta.period.start, meta.period.end) == period
    assert meta.reference_numbers == references
    assert meta.signed_on == signed_on
    assert meta.series_id == series


def test_no_date_is_null_with_a_warning():
    agreement = extracted("body-dates.txt")
    assert agreement.agreement.signed_on is None
    assert NO_DATE in agreement.warnings
    assert not any(NO_DATE in w for w in extracted("maa-ja-metsatalous.md").warnings)


def test_signatories_of_other_layouts():
    # Three parties signing one above the other; a Markdown table read by columns; names one per line.
    assert [
        (s.name, s.title, s.organization) for s in extracted("three-parties-capitals.txt").agreement.signatories
    ] == [
        ("Kaisa Lehtinen", "kansliapäällikkö", "Liikenne- ja viestintäministeriö"),
        ("Pekka Aaltonen", "pääjohtaja", "Majakkavirasto"),
        ("Sari Mäkelä", "johtaja", "Luotsausasiain toimisto"),
    ]
    assert [(s.name, s.title, s.organization) for s in extracted("maa-ja-metsatalous.md").agreement.signatories] == [
        ("Eero Kanerva", "kansliapäällikkö", "Maa- ja metsätalousministeriö"),
        ("Liisa Hyvönen", "pääjohtaja", "Maanmittauslaitos"),
    ]
    assert [(s.name, s.title, s.organization) for s in extracted("no-blank-lines.txt").agreement.signatories] == [
        ("Petri Laaksonen", "kansliapäällikkö", "Sisäministeriö"),
        ("Hanna Juvonen", "johtaja", "Kriisiviestintäkeskus"),
    ]


def test_titles_are_headings_and_series_short():
    for name in CASES:
        meta = extracted(name).agreement
        assert len(meta.title) <= TITLE_MAX_CHARS and len(meta.series_id) <= SERIES_ID_MAX
        assert not any("title was cut" in w for w in extracted(name).warnings)


# --- The reader gives one paragraph: metadata still finds its way ------------------------------------------


def _outline(*paragraphs: list[str], kind: str = "paragraph"):
    blocks, line = [], 1
    for lines in paragraphs:
        blocks.append(Block(kind=kind, prov=Provenance(line=line), lines=list(lines)))
        line += len(lines) + 1
    return segment(Layout(format="text", blocks=blocks))


def test_whole_document_as_one_paragraph():
    # What a reader that needs blank lines makes of a converter's text: the whole file is one paragraph.
    lines = (FRONT / "no-blank-lines.txt").read_text(encoding="utf-8").splitlines()
    warnings: list[str] = []
    meta = extract_metadata(_outline(lines), warnings)
    assert meta.title == "Sisäministeriön ja Kriisiviestintäkeskuksen välinen tulossopimus vuosille 2024–2027"
    assert (meta.agency, meta.ministries, meta.period) == ("Kriisiviestintäkeskus", ["Sisäministeriö"], (2024, 2027))
    assert meta.reference_numbers == ["VN/5555/2023", "KVK/310/00.01.00/2023"]
    assert meta.signed_on == date(2023, 12, 18)  # by the signatures; not the body's 25.3.2024 or 1.1.2019
    assert meta.series_id == "kriisiviestintäkeskus"
    assert [(n, t, o) for n, t, o in meta.signatories] == [
        ("Petri Laaksonen", "kansliapäällikkö", "Sisäministeriö"),
        ("Hanna Juvonen", "johtaja", "Kriisiviestintäkeskus"),
    ]


def test_a_title_running_into_a_paragraph_is_cut_with_a_warning():
    long_line = (
        "Sisäministeriön ja Kriisiviestintäkeskuksen välinen tulossopimus vuosille 2024–2027 perustuu "
        "hallitusohjelmaan ja keskuksen strategiaan, joiden mukaan varoitusjärjestelmää kehitetään yhdessä "
        "hyvinvointialueiden ja kuntien kanssa niin, että viesti tavoittaa väestön kaikissa tilanteissa ja "
        "kaikilla kotimaisilla kielillä."
    )
    warnings: list[str] = []
    meta = extract_metadata(_outline([long_line]), warnings)
    assert meta.title == "Sisäministeriön ja Kriisiviestintäkeskuksen välinen tulossopimus vuosille 2024–2027"
    assert meta.agency == "Kriisiviestintäkeskus"
    assert any(w.startswith("the title was cut to a heading's length") for w in warnings)
    assert meta.signed_on is None and any(w.startswith("no date of the agreement found") for w in warnings)


@needs_voikko
def test_three_parties_in_capitals_over_two_lines():
    outline = _outline(
        ["13.5.2020"],
        ["SOSIAALI- JA TERVEYSMINISTERIÖN, SÄTEILYVIRASTON JA", "LÄÄKEALAN TOIMISTON TULOSSOPIMUS 2020–2023"],
        kind="paragraph",
    )
    meta = extract_metadata(outline, [])
    assert (
        meta.title == "SOSIAALI- JA TERVEYSMINISTERIÖN, SÄTEILYVIRASTON JA LÄÄKEALAN TOIMISTON TULOSSOPIMUS 2020–2023"
    )
    assert meta.ministries == ["Sosiaali- ja terveysministeriö"]
    assert (meta.agency, meta.agencies) == ("Säteilyvirasto", ["Säteilyvirasto", "Lääkealan toimisto"])
    assert (meta.period, meta.signed_on) == ((2020, 2023), date(2020, 5, 13))


def test_parties_on_the_line_before_the_agreement_word():
    meta = extract_metadata(_outline(["YMPÄRISTÖMINISTERIÖN JA VESIHALLITUKSEN", "TULOSSOPIMUS 2021–2024"]), [])
    assert meta.title == "YMPÄRISTÖMINISTERIÖN JA VESIHALLITUKSEN TULOSSOPIMUS 2021–2024"
    assert (meta.agency, meta.ministries) == ("Vesihallitus", ["Ympäristöministeriö"])


def test_a_title_set_as_two_blocks():
    # A PDF may set a large title as two paragraphs; a label's abbreviation ("Dnro.") is no running text.
    outline = _outline(
        ["Maa- ja metsätalousministeriön ja Maanmittauslaitoksen"],
        ["tulossopimus vuosille 2024–2027"],
        ["Dnro. MML/1234/00 00 01/2023", "Pvm. 13.12.2023"],
    )
    meta = extract_metadata(outline, [])
    assert meta.title == "Maa- ja metsätalousministeriön ja Maanmittauslaitoksen tulossopimus vuosille 2024–2027"
    assert (meta.agency, meta.ministries) == ("Maanmittauslaitos", ["Maa- ja metsätalousministeriö"])
    assert (meta.reference_numbers, meta.signed_on) == (["MML/1234/00 00 01/2023"], date(2023, 12, 13))


def test_a_date_on_the_titles_line():
    meta = extract_metadata(_outline(["SISÄMINISTERIÖN JA PELASTUSVIRASTON TULOSSOPIMUS 2024–2027 13.12.2023"]), [])
    assert meta.title == "SISÄMINISTERIÖN JA PELASTUSVIRASTON TULOSSOPIMUS 2024–2027"
    assert (meta.agency, meta.ministries) == ("Pelastusvirasto", ["Sisäministeriö"])
    assert (meta.period, meta.signed_on) == ((2024, 2027), date(2023, 12, 13))


def test_document_type_line_in_the_same_paragraph():
    warnings: list[str] = []
    outline = _outline(["TULOSSOPIMUSASIAKIRJA 30.10.2019 VN/1234/2019", "Tulossopimus vuosille 2020–2023"])
    meta = extract_metadata(outline, warnings)
    assert meta.title == "Tulossopimus vuosille 2020–2023"  # names no parties, but is no document-type line
    assert (meta.period, meta.signed_on, meta.reference_numbers) == ((2020, 2023), date(2019, 10, 30), ["VN/1234/2019"])
    assert meta.agency is None and "the title does not name the parties ('X:n ja Y:n välinen tulossopimus')" in warnings
    assert meta.series_id == "tulossopimus"


# --- Pieces ---------------------------------------------------------------------------------------------


def test_title_parties():
    assert title_parties("Maa- ja metsätalousministeriön ja Maanmittauslaitoksen tulossopimus vuosille 2024–2027") == (
        ["Maa- ja metsätalousministeriön", "Maanmittauslaitoksen"],
        " vuosille 2024–2027",
    )
    assert title_parties("LIIKENNE- JA VIESTINTÄMINISTERIÖN, MAJAKKAVIRASTON JA LUOTSAUSASIAIN TOIMISTON TULOSSOPIMUS")[
        0
    ] == ["LIIKENNE- JA VIESTINTÄMINISTERIÖN", "MAJAKKAVIRASTON", "LUOTSAUSASIAIN TOIMISTON"]
    assert title_parties("Tulossopimus Oikeusministeriön ja Sovittelukeskuksen välillä vuosille 2020–2023") == (
        ["Oikeusministeriön", "Sovittelukeskuksen"],
        " vuosille 2020–2023",
    )
    assert title_parties(
        "Ohjaavien ministeriöiden ja KEHA-keskuksen välinen tulossopimus (yleishallinto) vuodelle 2025"
    )
    long_name = "Elinkeino-, liikenne- ja ympäristökeskusten kehittämis- ja hallintokeskuksen"
    assert title_parties(f"Työ- ja elinkeinoministeriön sekä {long_name} tulossopimus 2025") == (
        ["Työ- ja elinkeinoministeriön", long_name],
        " 2025",
    )
    assert title_parties("TULOSSOPIMUSASIAKIRJA 30.10.2019 VN/1234/2019") is None
    assert title_parties("Tulossopimus vuosille 2020–2023") is None
    assert title_parties("Tämän sopimuksen ja sen liitteiden tulossopimus on voimassa") is None  # not genitive names


@needs_voikko
@pytest.mark.parametrize(
    ("genitive", "nominative"),
    [
        ("SOSIAALI- JA TERVEYSMINISTERIÖN", "Sosiaali- ja terveysministeriö"),
        ("MAA- JA METSÄTALOUSMINISTERIÖN", "Maa- ja metsätalousministeriö"),
        ("SUOMEN YMPÄRISTÖKESKUKSEN", "Suomen ympäristökeskus"),  # a place keeps its capital
        ("KEHA-KESKUKSEN", "KEHA-keskus"),  # an acronym before a hyphen stays
        ("LUOTSAUSASIAIN TOIMISTON", "Luotsausasiain toimisto"),
        ("Kansallisen audiovisuaalisen instituutin", "Kansallinen audiovisuaalinen instituutti"),
        ("Maanmittauslaitoksen", "Maanmittauslaitos"),
        (
            "ELINKEINO-, LIIKENNE- JA YMPÄRISTÖKESKUSTEN KEHITTÄMIS- JA HALLINTOKESKUKSEN",
            "Elinkeino-, liikenne- ja ympäristökeskusten kehittämis- ja hallintokeskus",
        ),
    ],
)
def test_base_form_without_the_document(genitive, nominative):
    assert base_form(genitive, "") == nominative


def test_base_form_prefers_the_documents_words():
    text = "VALTORI. Valtori tuottaa palveluja. KEHA-keskus hoitaa."
    assert base_form("VALTORIN", text) == "Valtori"
    assert base_form("Valtorin", text) == "Valtori"
    assert base_form("KEHA-keskuksen", text) == "KEHA-keskus"


def test_cut_title():
    title = "Valtiovarainministeriön ja Valtorin välinen tulossopimus vuosille 2024–2027"
    assert cut_title(title) == (title, False)
    assert cut_title(title + " pohjautuu " + "hallitusohjelmaan ja " * 12 + "strategiaan.") == (title, True)
    no_period = "Tulossopimus laaditaan yhdessä. " + "Sana " * 60
    assert cut_title(no_period) == ("Tulossopimus laaditaan yhdessä", True)
    words = "Tulossopimus " + "sana " * 80
    cut, was_cut = cut_title(words)
    assert was_cut and len(cut) <= TITLE_MAX_CHARS and cut.endswith("sana")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("13.12.2023", date(2023, 12, 13)),
        ("Helsingissä 13.12.2023", date(2023, 12, 13)),
        ("Helsingissä 13. joulukuuta 2023", date(2023, 12, 13)),
        ("Päivämäärä: 14.12.2020", date(2020, 12, 14)),
        ("TULOSSOPIMUSASIAKIRJA 30.10.2019 VN/1234/2019", date(2019, 10, 30)),
        ("Allekirjoitettu sähköisesti 27.1.2025", date(2025, 1, 27)),
        ("Lähde: Tilastokeskus 25.3.2024", None),
        ("ennen 1.1.2019 perustettujen yhdistysten", None),
        ("Voimassa 1.1.2024–31.12.2027", None),
        ("VN/17411/2023", None),
    ],
)
def test_date_of_line(line, expected):
    if voikko() is None and "Helsingissä" in line:
        pytest.skip("places are recognised by Voikko")
    assert date_of_line(line) == expected


def test_parse_date():
    assert parse_date("13.12.2023") == date(2023, 12, 13)
    assert parse_date("1. tammikuuta 2024") == date(2024, 1, 1)
    assert parse_date("31.2.2023") is None


def test_series_id():
    assert series_id("KEHA-keskus", " (yleishallinto) vuodelle 2025", "") == "keha-keskus-yleishallinto"
    assert series_id("Valtori", " vuosille 2024–2027", "") == "valtori"
    assert series_id("Valtori", " (2024–2027)", "") == "valtori"  # years are no scope
    long_title = "Tulossopimus " + " ".join(f"osapuoli{i}" for i in range(30)) + " vuosille 2024–2027"
    made = series_id(None, "", long_title)
    assert len(made) <= SERIES_ID_MAX and made.startswith("tulossopimus-osapuoli0-") and not made.endswith("-")
    assert "2024" not in series_id(None, "", "Tulossopimus 2024–2027 VN/1234/2023")
