"""An agency's section of the state budget proposal (talousarvioesitys), read from plain converter text.

``fixtures/budget/saaristovirasto-2025.txt`` and ``-2026.txt`` are invented sections of an invented
agency, written the way a PDF-to-text converter writes the real proposals: header cells one word
per line (``2023`` / `` toteutuma``), row names wrapped before their values with a trailing space,
no blank lines but around ``=== PAGE BREAK ===`` markers, page headers (``32.30140``), sub-heading
rows, ``1)`` footnote marks glued to names, a comparison target (``>98``, ``alle 320 000``), a
share column after the years (``arvio osuus (%)``), a number whose spaces the converter misplaced
(``61 5 62 0 62 5``), rows a page break moved below prose with the table's header repeated after
them, and lists of single amounts that are no table. Every expectation below was written by
reading the fixture.
"""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from pipeline.extract import extract_file

BUDGET = FIXTURES / "budget"
Y2025 = BUDGET / "saaristovirasto-2025.txt"
Y2026 = BUDGET / "saaristovirasto-2026.txt"

PERFORMANCE = "t-toiminnallisen-tuloksellisuuden-tavoitte"
MONEY = "t-toiminnan-menot-ja-tulot-1-000-euroa"
SHARES = "t-toimintamenojen-kohdentuminen-milj-euroa"

# (name, unit, scale, table, group, parent name, footnotes, [(year, kind, value, comparator, text)])
VALUES_2025 = [
    ("Vuorojen toteutumisaste, %", "%", 1, PERFORMANCE, "Palvelukyky ja laatu", None, [],
     [(2023, "actual", 98.7, None, "98,7"), (2024, "estimate", 98, ">", ">98"), (2025, "target", 98, ">", ">98")]),
    ("Asiakastyytyväisyys (asteikko 1—5)", "scale 1-5", 1, PERFORMANCE, "Palvelukyky ja laatu", None,
     ["Asiakaskysely tehdään joka toinen vuosi."],
     [(2023, "actual", 4.1, None, "4,1"), (2024, "estimate", 4.0, None, "4,0"), (2025, "target", 4.2, None, "4,2")]),
    ("Matkustajia yhteysaluksilla, hlöä", "henkilöä", 1, PERFORMANCE, "Palvelukyky ja laatu", None, [],
     [(2023, "actual", 1204330, None, "1 204 330"), (2024, "estimate", 1150000, None, "1 150 000"),
      (2025, "target", 1180000, None, "1 180 000")]),
    ("Ajoneuvoja yhteysaluksilla, kpl", "kpl", 1, PERFORMANCE, "Palvelukyky ja laatu", None, [],
     [(2023, "actual", 312450, None, "312 450"), (2024, "estimate", 300000, None, "300 000"),
      (2025, "target", 320000, "<", "alle 320 000")]),
    ("Kustannukset per matkustaja, euroa", "EUR", 1, PERFORMANCE, "Toiminnallinen tehokkuus", None, [],
     [(2023, "actual", 18.4, None, "18,4"), (2024, "estimate", 19.0, None, "19,0"),
      (2025, "target", 18.5, None, "18,5")]),
    ("Sähkö- ja hybridialusten osuus liikennöidystä kapasiteetista, %", "%", 1, PERFORMANCE,
     "Toiminnallinen tehokkuus", None, [],
     [(2023, "actual", 22, None, "22"), (2024, "estimate", 28, None, "28"), (2025, "target", 35, None, "35")]),
    # after the page break, below a paragraph of prose; the table's header is repeated after them
    ("Henkilötyövuodet (31.12.)", "htv", 1, PERFORMANCE, "Panokset", None, ["Sisältää määräaikaiset työntekijät."],
     [(2023, "actual", 412, None, "412"), (2024, "estimate", 418, None, "418"), (2025, "target", 420, None, "420")]),
    # "61 5 62 0 62 5": the converter misplaced the spaces of 615 | 620 | 625
    ("josta aluksilla, htv", "htv", 1, PERFORMANCE, "Panokset", "Henkilötyövuodet (31.12.)", [],
     [(2023, "actual", 615, None, "615"), (2024, "estimate", 620, None, "620"), (2025, "target", 625, None, "625")]),
    ("Bruttomenot", "EUR", 1000, MONEY, None, None, [],
     [(2023, "actual", 52877, None, "52 877"), (2024, "budget", 53410, None, "53 410"),
      (2025, "budget_proposal", 52910, None, "52 910")]),
    ("Bruttotulot", "EUR", 1000, MONEY, None, None, [],
     [(2023, "actual", 4120, None, "4 120"), (2024, "budget", 4700, None, "4 700"),
      (2025, "budget_proposal", 4700, None, "4 700")]),
    ("Nettomenot", "EUR", 1000, MONEY, None, None, [],
     [(2023, "actual", 48757, None, "48 757"), (2024, "budget", 48710, None, "48 710"),
      (2025, "budget_proposal", 48210, None, "48 210")]),
    # the share column ("osuus (%)") after the years names no year: its cells are no values
    ("Henkilöstömenot", "EUR", 1_000_000, SHARES, None, None, [],
     [(2023, "actual", 24, None, "24"), (2024, "estimate", 25, None, "25"), (2025, "estimate", 25, None, "25")]),
    ("Alusten käyttömenot", "EUR", 1_000_000, SHARES, None, None, [],
     [(2023, "actual", 18, None, "18"), (2024, "estimate", 19, None, "19"), (2025, "estimate", 18, None, "18")]),
    ("Muut menot", "EUR", 1_000_000, SHARES, None, None, [],
     [(2023, "actual", 6, None, "6"), (2024, "estimate", 5, None, "5"), (2025, "estimate", 6, None, "6")]),
    # the name on one line, the footnote mark and the values on the next
    ("Yhteensä", "EUR", 1_000_000, SHARES, None, None, ["Luvut sisältävät siirrettyjen määrärahojen osuuden."],
     [(2023, "actual", 48, None, "48"), (2024, "estimate", 49, None, "49"), (2025, "estimate", 49, None, "49")]),
]  # fmt: skip


@pytest.fixture(scope="module")
def y2025():
    return extract_file(Y2025, root=FIXTURES)


@pytest.fixture(scope="module")
def y2026():
    return extract_file(Y2026, root=FIXTURES)


def facts(agreement) -> list[tuple]:
    names = {i.id: i.name for i in agreement.indicators}
    return [
        (
            i.name,
            i.unit,
            i.scale,
            i.table_id,
            i.group,
            names.get(i.parent_id),
            i.footnotes,
            [(v.year, v.kind, v.value, v.comparator, v.text) for v in i.values],
        )
        for i in agreement.indicators
    ]


def test_every_value_of_the_2025_section(y2025):
    assert facts(y2025) == VALUES_2025


def test_document_kind_and_metadata(y2025, y2026):
    assert y2025.document.kind == "talousarvioesitys"
    assert (y2025.document.budget_item, y2025.document.year) == ("32.30.01", 2025)
    info = y2025.agreement
    assert info.title == "Talousarvioesitys 2025, 32.30.01 Saaristoviraston toimintamenot (siirtomääräraha 2 v)"
    assert info.agency == "Saaristovirasto"
    assert info.ministries == ["Liikenne- ja viestintäministeriö"]
    assert (info.period.start, info.period.end) == (2025, 2025)
    assert info.signed_on is None and info.reference_numbers == [] and info.signatories == []
    assert info.series_id == "saaristovirasto-talousarvioesitys"
    # the next year's section is the next version of the same series
    assert y2026.agreement.series_id == info.series_id
    assert (y2026.document.year, y2026.agreement.period.start) == (2026, 2026)


def test_operational_goals_are_the_dash_list(y2025, y2026):
    assert [g.title for g in y2025.goals] == [
        "Yhteysalusliikenne on luotettavaa ja aikataulut pitävät kaikkina vuodenaikoina.",
        "Alusten päästöt vähenevät siirtymällä sähkö- ja hybridikäyttöön.",
        "Henkilöstö voi hyvin.",
    ]
    assert len(y2026.goals) == 4 and y2026.goals[2].title.startswith("Saariston asukkaiden asiointi")
    assert all(g.provenance.line for g in y2025.goals)


def test_tables_are_captioned_by_the_line_above_and_a_repeated_header_is_no_table(y2025):
    tables = [(t.id, t.caption, t.header, len(t.rows)) for t in y2025.tables]
    assert tables == [
        (
            PERFORMANCE,
            "Toiminnallisen tuloksellisuuden tavoitteet",
            ["Tunnusluku/mittari", "2023 toteutuma", "2024 arvio", "2025 tavoite"],
            12,  # 3 sub-headings, 9 rows (2 of them after the page break)
        ),
        (MONEY, "Toiminnan menot ja tulot (1 000 euroa)", ["", "2023 toteutuma", "2024 varsinainen talousarvio",
                                                           "2025 esitys"], 3),
        (SHARES, "Toimintamenojen kohdentuminen (milj. euroa)", ["", "2023 toteutuma", "2024 arvio", "2025 arvio",
                                                                   "osuus (%)"], 4),
    ]  # fmt: skip
    assert y2025.tables[0].footnotes == ["1) Asiakaskysely tehdään joka toinen vuosi.",
                                         "2) Sisältää määräaikaiset työntekijät."]  # fmt: skip
    # The share column's cells stay in the table as written.
    assert y2025.tables[2].rows[-1] == ["Yhteensä 1)", "48", "49", "49", "100"]


def test_provenance_is_the_line_of_each_cell(y2025):
    by_name = {i.name: i for i in y2025.indicators}
    wrapped = by_name["Sähkö- ja hybridialusten osuus liikennöidystä kapasiteetista, %"]
    assert (wrapped.provenance.line, wrapped.values[0].provenance.line) == (41, 42)
    assert [v.provenance.line for v in by_name["Yhteensä"].values] == [87, 87, 87]
    assert by_name["Henkilötyövuodet (31.12.)"].values[0].provenance.line == 50


def test_what_could_not_be_read_is_said(y2025):
    assert "line 51: the numbers '61 5 62 0 62 5' have misplaced spaces; read as 615 | 620 | 625" in y2025.warnings
    assert any(
        w.startswith("line 74: '— siirtynyt edelliseltä vuodelta 6 204' has fewer numbers") for w in y2025.warnings
    )
    # lists of single amounts and the appropriation's history are no tables: nothing is made of them
    assert not any(i.name.startswith(("Jäänmurto", "Palkkausten", "2025 talousarvio")) for i in y2025.indicators)


def test_year_rolls_over_in_the_next_section(y2026):
    values = {i.name: [(v.year, v.kind, v.text) for v in i.values] for i in y2026.indicators}
    assert values["Asiakastyytyväisyys, keskiarvo (asteikko 1—5)"] == [
        (2024, "actual", "4,0"),
        (2025, "estimate", "-"),
        (2026, "target", "4,2"),
    ]
    assert values["Sähköisen ajanvarauksen käyttöaste, %"][-1] == (2026, "target", "yli 60,0")
    assert values["Bruttomenot"] == [
        (2024, "actual", "53 398"),
        (2025, "budget", "53 710"),
        (2026, "budget_proposal", "53 720"),
    ]
    assert "Ajoneuvoja yhteysaluksilla, kpl" not in values


@pytest.mark.parametrize(
    "variant",
    ["no trailing spaces", "CRLF", "NBSP thousands", "form feeds", "blank lines", "no page markers"],
)
def test_converter_variants_read_the_same(tmp_path, y2025, variant):
    """What other converters (or settings) make of the same text gives the same values."""
    text = Y2025.read_text(encoding="utf-8")
    if variant == "no trailing spaces":
        text = "\n".join(line.rstrip() for line in text.split("\n"))
    elif variant == "CRLF":
        text = text.replace("\n", "\r\n")
    elif variant == "NBSP thousands":
        import re

        text = re.sub(r"(?<=\d) (?=\d{3}\b)", "\u00a0", text)
    elif variant == "form feeds":
        text = text.replace("\n=== PAGE BREAK ===\n\n", "\f")
    elif variant == "blank lines":
        text = text.replace("\n", "\n\n")
    elif variant == "no page markers":
        text = text.replace("\n=== PAGE BREAK ===\n", "\n")
    path = tmp_path / "saaristovirasto-2025.txt"
    path.write_text(text, encoding="utf-8")
    got = extract_file(path, root=tmp_path)
    assert [(i.name, [(v.year, v.kind, v.value) for v in i.values]) for i in got.indicators] == [
        (i.name, [(v.year, v.kind, v.value) for v in i.values]) for i in y2025.indicators
    ]


SHORT_ROW = """01. Kuvitteellisen viraston toimintamenot (siirtomääräraha 2 v)
Selvitysosa:
Tunnuslukutaulukko
2024
toteutuma
2025
arvio
2026
tavoite
Käsitellyt hakemukset, kpl 1 200 1 300 1 350
Uusi verkkopalvelu, käyttäjiä 4 000 5 000
Asiakastyytyväisyys (1—5) .. 3,9 4,0
Käsittelyaika, pv 30 28 tbd
"""


def test_a_row_short_of_cells_inside_a_table_is_left_out_and_the_table_goes_on(tmp_path):
    path = tmp_path / "kuvitteellinen-virasto-2026.txt"
    path.write_text(SHORT_ROW, encoding="utf-8")
    got = extract_file(path, root=tmp_path)
    rows = [(i.name, [(v.year, v.value, v.text) for v in i.values]) for i in got.indicators]
    assert rows == [
        ("Käsitellyt hakemukset, kpl", [(2024, 1200, "1 200"), (2025, 1300, "1 300"), (2026, 1350, "1 350")]),
        ("Asiakastyytyväisyys (1—5)", [(2024, None, ".."), (2025, 3.9, "3,9"), (2026, 4.0, "4,0")]),
        ("Käsittelyaika, pv", [(2024, 30, "30"), (2025, 28, "28"), (2026, None, "tbd")]),
    ]
    assert any(
        w.startswith("line 11: 'Uusi verkkopalvelu, käyttäjiä 4 000 5 000' has fewer numbers") and "left out" in w
        for w in got.warnings
    )
    # the row left out is seen and not read: coverage says so
    assert (got.coverage.cells_seen, got.coverage.cells_extracted) == (10, 7)


def test_a_header_naming_a_year_in_every_column_still_has_names():
    """A misread header (the name column's cell taken for a year) gives rows with names and a warning."""
    from pipeline.extract.indicators import indicators_from_table
    from pipeline.layout import Block, Cell, Provenance
    from pipeline.segment.outline import TableInfo

    where = Provenance(line=1)
    rows = [
        [Cell(lines=[t], prov=where, text=t) for t in row]
        for row in (["2023", "2024", "2025"], ["Kävijät", "10", "12"])
    ]
    table = TableInfo("t", None, None, None, None, 0, Block(kind="table", prov=where, rows=rows))
    warnings: list[str] = []
    found = indicators_from_table(table, warnings)
    assert [(i.name, [(v.year, v.value) for v in i.values]) for i in found] == [("Kävijät", [(2024, 10), (2025, 12)])]
    assert warnings == ["table t: every header cell names a year; the first column is read as the names"]


def test_an_agreement_that_quotes_a_budget_item_stays_an_agreement(tmp_path):
    text = (
        "Valtiovarainministeriön ja Kuvitteellisen Palvelukeskuksen välinen tulossopimus vuosille 2025–2027\n\n"
        "Helsinki 12.12.2024\n\n"
        "Toiminta rahoitetaan momentilta:\n\n"
        "01. Kuvitteellisen Palvelukeskuksen toimintamenot (siirtomääräraha 2 v)\n\n"
        "Momentille myönnetään nettomäärärahaa 12 000 000 euroa.\n"
    )
    path = tmp_path / "palvelukeskus.txt"
    path.write_text(text, encoding="utf-8")
    got = extract_file(path, root=tmp_path)
    assert got.document.kind == "tulossopimus"
    assert got.agreement.agency == "Kuvitteellinen Palvelukeskus"
