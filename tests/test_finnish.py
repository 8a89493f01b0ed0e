"""Finnish text handling with the real strings of the samples: numbers, hyphenation, entities, vocabulary."""

from __future__ import annotations

import pytest
from conftest import KEHA_MD, VALTORI_TXT

from pipeline.nlp import vocab
from pipeline.nlp.cells import trailing_cells
from pipeline.nlp.entities import entities, quantities
from pipeline.nlp.lexicon import Lexicon, voikko
from pipeline.nlp.numbers import format_fi_number, parse_cell, parse_fi_number
from pipeline.textnorm import join_lines, mend_split_words, strip_footnote_marks


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("93,5", 93.5),
        ("465 668", 465668.0),
        ("-272 090", -272090.0),
        ("465\u00a0668", 465668.0),
        ("1\u202f368", 1368.0),
        ("\u2212493", -493.0),
        ("0", 0.0),
        ("3,75", 3.75),
        ("4,5 %", 4.5),
        ("100", 100.0),
    ],
)
def test_finnish_numbers(text, value):
    assert parse_fi_number(text) == value


@pytest.mark.parametrize("text", ["tbd", "-", "Viite: Taulukko 7", "Uusi mittari, ei toteumaa", "1.5", "12 34", ""])
def test_non_numbers_stay_text(text):
    assert parse_fi_number(text) is None


@pytest.mark.parametrize("value", [-272090.0, 93.5, 465668.0, 0.0, 3.75, 1234567.25])
def test_numbers_round_trip(value):
    assert parse_fi_number(format_fi_number(value)) == value


needs_voikko = pytest.mark.skipif(voikko() is None, reason="Voikko is not installed")


@needs_voikko
@pytest.mark.parametrize(
    ("lines", "text"),
    [
        (["numerossa ja määrän vähene-", "misessä, automaation"], "numerossa ja määrän vähenemisessä, automaation"),
        (["ELY-keskusten strategia-", "asiakirja"], "ELY-keskusten strategia-asiakirja"),
        (["huomioidaan käynnissä oleva TE-", "uudistus."], "huomioidaan käynnissä oleva TE-uudistus."),
        (["kehittämisohjelmassa (Valo-", "ohjelma)."], "kehittämisohjelmassa (Valo-ohjelma)."),
        (["Tori- ja Tuve-", "tuotteistetut"], "Tori- ja Tuve-tuotteistetut"),
        (["YTS-", "(yhteiskunnan turvallisuusstrategia)"], "YTS- (yhteiskunnan turvallisuusstrategia)"),
        (
            ["Tuve-", "palvelukehit", "ys-", "suunnitelm", "an mukais-", "ten"],
            "Tuve-palvelukehityssuunnitelman mukaisten",
        ),
        (["Valtorin", "toimintamalli", "n", "kehittäminen"], "Valtorin toimintamallin kehittäminen"),
        (["asteikko (1-", "5)"], "asteikko (1-5)"),
        (['<ol style="list-style-type: none"> Valtori tuottaa'], "Valtori tuottaa"),
    ],
)
def test_line_joining(lines, text):
    assert join_lines(lines, Lexicon()) == text


@needs_voikko
def test_breaks_left_inside_lines_by_a_text_conversion():
    lex = Lexicon(["Valtorin"])
    assert join_lines(["suunnitelman mukais- ten projektien sekä Val- torin"], lex) == (
        "suunnitelman mukaisten projektien sekä Valtorin"
    )
    assert join_lines(["Tori- ja Tuve-luvuista"], lex) == "Tori- ja Tuve-luvuista"
    assert join_lines(["tulos-sopimusvuoden"], lex) == "tulossopimusvuoden"
    assert join_lines(["osa-alueet ja e-oppivan"], lex) == "osa-alueet ja e-oppivan"


def test_spaces_and_quotes_unified():
    assert join_lines(["VA-kokonaisuuden “hallinnoivastuksia.fi”\u00a0osion"], Lexicon()) == (
        'VA-kokonaisuuden "hallinnoivastuksia.fi" osion'
    )


def test_footnote_marks():
    assert strip_footnote_marks("Laskutusaste, % ¹") == ("Laskutusaste, %", ["¹"])
    assert strip_footnote_marks("investointimenot 28.20.10 sekä 4.21.28.20.10.*") == (
        "investointimenot 28.20.10 sekä 4.21.28.20.10.",
        ["*"],
    )
    assert strip_footnote_marks("Tukipyyntöjen SLA, %") == ("Tukipyyntöjen SLA, %", [])


def test_entities_through_spacy():
    found = entities("13.12.2023 VN/17411/2023 Valtori/2192/01 07 00/2023 vuosille 2024–2027, 15 000 euroa, 90 %")
    assert found == [
        ("DATE", "13.12.2023"),
        ("DIARY", "VN/17411/2023"),
        ("DIARY", "Valtori/2192/01 07 00/2023"),
        ("YEAR_RANGE", "2024–2027"),
        ("MONEY", "15 000 euroa"),
        ("PERCENT", "90 %"),
    ]
    assert entities("toimeksiannon VN/9303/2021-VM-10 mukaiset") == [("DIARY", "VN/9303/2021-VM-10")]


def test_quantities_in_target_texts():
    (first, second, third) = quantities(
        [
            "projekteista 70% valmistuu aikataulussa",
            "Käytettävissä oleva määräraha 24 483 289 euroa, 3,3 kpl/kk",
            "Tavoite vuodelle 2025 ilman lukuja",
        ]
    )
    assert [(q.value, q.unit) for q in first] == [(70.0, "%")]
    assert [(q.value, q.unit) for q in second] == [(24483289.0, "EUR"), (3.3, "kpl/kk")]
    assert third == []


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("Toteuma 2022", "actual"),
        ("2022 TP", "actual"),
        ("Arvio 2023", "estimate"),
        ("2023 Arvio", "estimate"),
        ("Tavoite 2024", "target"),
        ("Alustava tavoite 2025", "preliminary_target"),
        ("2024 TA", "budget"),
        ("2025 TAE", "budget_proposal"),
        ("2025 LTA", "budget"),
        ("2025 Kehys", "frame"),
        ("Ennuste 2024", "estimate"),
        # the budget proposal's headers, cells one word per line joined
        ("2024 toteutuma", "actual"),
        ("2023 tilinpäätös", "actual"),
        ("2025 varsinainen talousarvio", "budget"),
        ("2025 talousarvio", "budget"),
        ("2026 esitys", "budget_proposal"),
        ("2026 arvio1)", "estimate"),
        ("v. 2024", None),
        ("2024*", None),
    ],
)
def test_column_kinds(header, kind):
    assert vocab.column_kind(header) == kind


@pytest.mark.parametrize(
    ("name", "unit", "scale"),
    [
        ("Toiminnan kokonaiskustannukset, 1000 euroa", "EUR", 1000),
        ("Toiminnan kustannusvastaavuus, euroa", "EUR", 1),
        ("Menot, milj. euroa", "EUR", 1_000_000),
        ("Laskutusaste, %", "%", 1),
        ("Asiakastyytyväisyys, käyttäjät (asteikko 1-5)", "scale 1-5", 1),
        ("Palaute (asteikko 1-4)", "scale 1-4", 1),
        ("Arvosana (asteikko 1-10)", "scale 1-10", 1),
        ("Häiriöiden määrä, kpl/kk", "kpl/kk", 1),
        ("Sairauspoissaolot, työpäivää/htv", "työpäivää/htv", 1),
        ("Ratkaisuaika, tuntia", "h", 1),
        ("Henkilötyövuodet (htv)", "htv", 1),
        ("Yksikköhintojen kehitys, (2023=100)", "index", 1),
        ("Hankkeet, kpl", "kpl", 1),
        ("Käsittelyaika, päivää", "d", 1),
        ("Yhdenvertaisuus (VMBaro 5.5.)", None, 1),
        ("Toiminnan menot ja tulot (1 000 euroa)", "EUR", 1000),
        ("Kustannukset (milj. euroa)", "EUR", 1_000_000),
        ("Sairauspoissaolot, pv/htv", "pv/htv", 1),
        ("Sairauspoissaolot (kalenteripv/htv), enintään", "pv/htv", 1),
        ("Tarkastusten laatu (1—5)", "scale 1-5", 1),
        ("Luottamus, keskiarvo asteikolla 1–4", "scale 1-4", 1),
        ("Valvonta (milj. h)", "h", 1_000_000),
        ("Tarkastettuja matkustajia (milj. hlöä)", "henkilöä", 1_000_000),
        ("Taloudellisuus (ind)", "index", 1),
        ("Asiointiaika, min.", "min", 1),
        ("Koulutuksen käyttämä työaika (tunnit/1 640 htv)", "h", 1),
    ],
)
def test_units(name, unit, scale):
    assert vocab.unit_of(name) == (unit, scale)


@pytest.mark.parametrize(
    ("cell", "value", "comparator", "value_max"),
    [
        ("93,5", 93.5, None, None),
        ("-272 090", -272090, None, None),
        (">88", 88, ">", None),
        ("<8,5", 8.5, "<", None),
        ("≥ 90", 90, ">=", None),
        ("vähintään 90 %", 90, ">=", None),
        ("enintään 5", 5, "<=", None),
        ("yli 50,0", 50, ">", None),
        ("alle 8\u00a0000", 8000, "<", None),
        ("n. 100", 100, "~", None),
        ("90–95", 90, None, 95),
        ("1,5 - 2,0 %", 1.5, None, 2.0),
        ("-", None, None, None),
        ("tbd", None, None, None),
        ("Viite: Taulukko 7", None, None, None),
        ("yliopisto", None, None, None),
    ],
)
def test_cell_values(cell, value, comparator, value_max):
    parsed = parse_cell(cell)
    assert (parsed.value, parsed.comparator, parsed.value_max) == (value, comparator, value_max)


def test_fixed_phrases():
    assert vocab.TOC_TITLES.match("Sisällys") and vocab.TOC_TITLES.match("Sisällysluettelo")
    assert vocab.CAPTION.match("Taulukko 9. Keskeiset hankkeet tavoitteineen").group(1) == "9"
    assert vocab.TARGET_START.match("Tavoite 2025 YT-prosessi on toteutettu").groups() == (
        "2025",
        "YT-prosessi on toteutettu",
    )
    assert vocab.TARGET_LEVEL.match("Tavoitetaso:") and vocab.SATISFACTORY_LEVEL.match("Tyydyttävä taso:")
    assert vocab.GOAL_ROW.match("Hanke 2. PATO-ohjelma").groups() == ("Hanke", "2", "PATO-ohjelma")
    assert vocab.NO_TARGET.match("-") and vocab.NO_TARGET.match(" – ") and not vocab.NO_TARGET.match("- 50 %")
    assert vocab.PARENT_GOAL_REF.match("Vaikuttavuustavoite 4: Valtorin toimintamallin kehittäminen").group(1) == "4"
    assert vocab.BUDGET_FLAG_HEADER.match("talous-arvio-tavoite") and vocab.BUDGET_FLAG_HEADER.match(
        "talousarviotavoite"
    )
    assert vocab.NAME_HEADERS.match("mittari") and vocab.NAME_HEADERS.match("Indikaattori")
    assert vocab.MINISTRY.search("Työ- ja elinkeinoministeriö Tiina Korhonen").group(0) == "Työ- ja elinkeinoministeriö"
    assert vocab.AGREEMENT_TITLE.match("Valtiovarainministeriön ja Valtorin välinen tulossopimus vuosille 2024–2027")


def test_title_and_party_vocabulary():
    title = vocab.AGREEMENT_TITLE.match("Maa- ja metsätalousministeriön ja Maanmittauslaitoksen tulossopimus 2024–2027")
    assert title.group("parties") == "Maa- ja metsätalousministeriön ja Maanmittauslaitoksen"
    assert (title.group("word"), title.group("rest")) == ("tulossopimus", " 2024–2027")
    capitals = vocab.AGREEMENT_TITLE.match("SISÄMINISTERIÖN JA PELASTUSVIRASTON VÄLINEN TULOSSOPIMUS 2020–2023")
    assert capitals.group("parties") == "SISÄMINISTERIÖN JA PELASTUSVIRASTON"  # "välinen" is no party
    between = vocab.AGREEMENT_TITLE_BETWEEN.match("Tulossopimus Sisäministeriön ja Pelastusviraston välillä 2024")
    assert between.group("parties") == "Sisäministeriön ja Pelastusviraston"
    assert vocab.PARTY_SEPARATOR.split("Maa- ja metsätalousministeriön, Ruokaviraston ja Metsäviraston") == [
        "Maa- ja metsätalousministeriön",
        "Ruokaviraston",
        "Metsäviraston",
    ]
    assert vocab.PARTY_SEPARATOR.split("SOSIAALI- JA TERVEYSMINISTERIÖN SEKÄ LÄÄKEVIRASTON") == [
        "SOSIAALI- JA TERVEYSMINISTERIÖN",
        "LÄÄKEVIRASTON",
    ]
    assert vocab.PARTY.match("Kansallisen nuorisoarkiston") and vocab.PARTY.match("KEHA-keskuksen")
    assert vocab.PARTY.match("Elinkeino-, liikenne- ja ympäristökeskusten kehittämis- ja hallintokeskuksen")
    assert not vocab.PARTY.match("Sopimus, jonka")
    assert not vocab.PARTY.match("30.10.2019 VN/1234/2019 Oikeusministeriön") and not vocab.PARTY.match("sopimus")
    assert vocab.GENERIC_PARTY.match("Ohjaavien ministeriöiden") and vocab.GENERIC_PARTY.match("Ministeriön")
    assert not vocab.GENERIC_PARTY.match("Sisäministeriön")


def test_date_line_vocabulary():
    assert all(vocab.DATE_LINE_WORDS.match(w) for w in ("Päivämäärä", "pvm", "Dnro", "sähköisesti", "LUONNOS"))
    assert not any(vocab.DATE_LINE_WORDS.match(w) for w in ("Lähde", "ennen", "Tilastokeskus"))
    assert vocab.MONTHS.index("joulu") == 11 and len(vocab.MONTHS) == 12


def test_agency_diary_numbers_and_written_dates():
    assert entities("VN/4321/2020 VH/6764/00.00.07/2020 MML/1234/00 00 01/2023") == [
        ("DIARY", "VN/4321/2020"),
        ("DIARY", "VH/6764/00.00.07/2020"),
        ("DIARY", "MML/1234/00 00 01/2023"),
    ]
    assert entities("Dnro 12/010/2023") == [("DIARY", "12/010/2023")]  # a bare number only after its label
    assert entities("Dnro: 45/2019") == [("DIARY", "45/2019")]
    assert ("DIARY", "12/010/2023") not in entities("osuus 12/010/2023")
    assert entities("Helsingissä 13. joulukuuta 2023") == [("DATE", "13. joulukuuta 2023")]


@pytest.mark.skipif(voikko() is None, reason="needs Voikko")
@pytest.mark.parametrize(
    ("split", "mended"),
    [
        ("varmistamalla tavaratu rvallisuus ja", "varmistamalla tavaraturvallisuus ja"),
        ("julkisen talo uden rahoitus", "julkisen talouden rahoitus"),
        ("nuoris o- ja jengirikollisuus", "nuoriso- ja jengirikollisuus"),
        ("vahvisteta an lisäämällä", "vahvistetaan lisäämällä"),
        # two words stay two words; a name or an abbreviation is never glued to a word
        ("sen jälkeen kun", "sen jälkeen kun"),
        ("Valtorin palvelut ja ICT palvelut", "Valtorin palvelut ja ICT palvelut"),
        ("Tori- ja Tuve- palvelut", "Tori- ja Tuve- palvelut"),
    ],
)
def test_words_a_converter_split_with_a_space(split, mended):
    assert mend_split_words(split, Lexicon()) == mended


@pytest.mark.parametrize(
    ("label", "clean", "marks"),
    [
        ("Häiriöindeksi1), enintään", "Häiriöindeksi, enintään", ["1)"]),
        ("Luottamus, vähintään asteikolla 1—42)", "Luottamus, vähintään asteikolla 1—4", ["2)"]),
        ("Valvontaindeksi (2014=100)2)", "Valvontaindeksi (2014=100)", ["2)"]),
        ("Rajaturvallisuus (1—5)1)", "Rajaturvallisuus (1—5)", ["1)"]),
        ("Tehtävien määrä yhteensä1) (A, B ja C)", "Tehtävien määrä yhteensä (A, B ja C)", ["1)"]),
        ("Taloudellisuus (ind) 5)", "Taloudellisuus (ind)", ["5)"]),
        ("Kustannusvastaavuus (tuotot - kustannukset)", "Kustannusvastaavuus (tuotot - kustannukset)", []),
    ],
)
def test_footnote_marks_written_with_a_parenthesis(label, clean, marks):
    assert strip_footnote_marks(label) == (clean, marks)


@pytest.mark.parametrize(
    ("line", "counts", "name", "cells"),
    [
        # spaces group thousands: the split that fills the columns with like magnitudes wins
        ("Rikoksia, enintään 514 705 500 000 500 000", (3,), "Rikoksia, enintään", ["514 705", "500 000", "500 000"]),
        (
            "Lupa-asiat (kpl) 1 442 165 924 000 1 119 000",
            (3,),
            "Lupa-asiat (kpl)",
            ["1 442 165", "924 000", "1 119 000"],
        ),
        ("Tehtävät, % 48,9 50,0 yli 50,0", (3,), "Tehtävät, %", ["48,9", "50,0", "yli 50,0"]),
        ("Tapaamiset, lkm. 7 600 7 800 alle 8 000", (3,), "Tapaamiset, lkm.", ["7 600", "7 800", "alle 8 000"]),
        ("henkilöasiakkaat, % 91 >88 >88", (3,), "henkilöasiakkaat, %", ["91", ">88", ">88"]),
        ("Tulos -10 050 -9 466 -8 822", (3,), "Tulos", ["-10 050", "-9 466", "-8 822"]),
        ("Luottamus (asteikko 1—4) - 2,8 -", (3,), "Luottamus (asteikko 1—4)", ["-", "2,8", "-"]),
        # a name ending in something cell-like: the longest run that fills the columns
        ("Työtyytyväisyys, 1—5 3,8 >3,7 >3,7", (3,), "Työtyytyväisyys, 1—5", ["3,8", ">3,7", ">3,7"]),
        # a share column after the years is optional
        ("Henkilöstömenot 695 711 725 68", (4, 3), "Henkilöstömenot", ["695", "711", "725", "68"]),
        ("1) 939 993 1 006 100", (4, 3), "1)", ["939", "993", "1 006", "100"]),
        # misplaced spaces, digits regrouped into equal cells
        ("Määrä, htv 76 4 4 78 3 0 79 0 0", (3,), "Määrä, htv", ["7 644", "7 830", "7 900"]),
        ("Vastaavuus 83 5 1 - -", (3,), "Vastaavuus", ["8 351", "-", "-"]),
        # no way to fill three columns: no row
        ("— siirtynyt edelliseltä vuodelta 75 685", (3,), None, None),
        ("2026 talousarvio 402 191 000", (3,), None, None),
    ],
)
def test_cells_at_the_end_of_a_converted_line(line, counts, name, cells):
    found = trailing_cells(line, counts)
    assert (found.name, found.cells) == (name, cells) if found else (name, cells) == (None, None)


def test_the_spacy_pipeline_and_the_direct_patterns_find_the_same_entities():
    """Extraction applies the patterns directly; the spaCy component must say exactly the same."""
    from pipeline.nlp.entities import nlp

    texts = [
        VALTORI_TXT.read_text(encoding="utf-8")[:6000],
        KEHA_MD.read_text(encoding="utf-8")[:6000],
        "Helsingissä 13.12.2023, VN/17411/2023 ja VH/6764/00.00.07/2020; 90 % ja 15 000 euroa, 3,3 kpl/kk.",
    ]
    for text in texts:
        through_spacy = [(ent.label_, ent.text) for ent in nlp()(text).ents]
        assert entities(text) == through_spacy
