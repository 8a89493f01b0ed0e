"""The Valtori 2024–2027 agreement, text and PDF: values transcribed by hand from the document.

Each table below is written as the document prints it: the column kinds, then one row per
indicator with its unit, scale, budget-target flag and cells (a number, a text cell as a string,
or ``_`` where the cell is empty). Both formats must give exactly these, in this order.
"""

from __future__ import annotations

import pytest

_ = object()  # an empty cell: no value
A, E, T, P, B, F = "actual", "estimate", "target", "preliminary_target", "budget", "frame"
YEARS = [2022, 2023, 2024, 2025, 2026, 2027]
PLAN = [A, E, T, P, P, P]  # Toteuma 2022 | Arvio 2023 | Tavoite 2024 | Alustava tavoite 2025–2027
BUDGET = [A, E, B, F, F, F]  # 2022 TP | 2023 Arvio | 2024 TA | 2025–2027 Kehys

TABLES = {
    "t1": (
        [2024],
        [E],
        [
            ("Julkishallinnon luottamusindeksi (1-5)", "scale 1-5", 1, None, [3.5]),
        ],
    ),
    "t2": (
        YEARS,
        PLAN,
        [
            ("Kehitykseen käytetty osuus kokonaiskustannuksista, %", "%", 1, "TAE", [2.6, 3.0, 3.5, 4.0, 4.3, 4.5]),
            (
                "Kehitykseen käytetty osuus kokonaishenkilötyövuosimäärästä, %",
                "%",
                1,
                None,
                [4.0, 3.7, 4.3, 4.7, 4.8, 4.8],
            ),
        ],
    ),
    "t2-2": (
        YEARS,
        PLAN,
        [
            (
                "Käytössä olevien ja tulossopimusvuoden aikana käyttöön otettujen tuotteistettujen palveluiden "
                "vaatimustenmukaisuus todennettu, %",
                "%",
                1,
                None,
                ["Viite: Taulukko 7"] * 6,
            ),
            (
                "Valtorin itsearvioinnin sekä ANK:n antaman arvon (asteikko 1-5), keskiarvo",
                "scale 1-5",
                1,
                None,
                ["Uusi mittari, ei toteumaa", "Uusi mittari, ei toteumaa", 3.0, 3.1, 3.2, 3.2],
            ),
        ],
    ),
    "t4": (
        YEARS,
        PLAN,
        [
            ("Tuottavuusindeksi, suorite per työpanos", "index", 1, "TAE", [100, 103, 103, 104, 105, 106]),
            ("Laskutusaste, %", "%", 1, None, [72, 72, 72, 73, 74, 75]),
            ("Yksikköhintojen kehitys, (2023=100)", "index", 1, None, [97.1, 100, 98.9, 97.6, 96.9, 96.8]),
            ("Tori-yksikköhintojen kehitys (2023=100)", "index", 1, None, [100.3, 100, 98.5, 96.5, 96.1, 96]),
            ("Tuve-yksikköhintojen kehitys (2023=100)", "index", 1, None, [90.5, 100, 100, 100, 100, 100]),
        ],
    ),
    "t5": (
        YEARS,
        PLAN,
        [
            (
                "Toiminnan kokonaiskustannukset, 1000 euroa",
                "EUR",
                1000,
                None,
                [419078, 454652, 465668, 513533, 525419, 542080],
            ),
            ("Välillisten kustannusten osuus kokonaiskuluista, %", "%", 1, None, [12.1, 12.4, 12.3, 12.2, 12.2, 12.2]),
        ],
    ),
    "t6": (
        YEARS,
        PLAN,
        [
            ("Toiminnan kustannusvastaavuus, euroa", "EUR", 1, None, [-272090, -493000, 0, 0, 0, 0]),
            ("Toiminnan kustannusvastaavuus, %", "%", 1, None, [99.9, 99.9, 100, 100, 100, 100]),
        ],
    ),
    "t7": (
        YEARS,
        PLAN,
        [
            (
                "Asiakkaan tyytyväisyys Valtorin palveluihin, päättäjät ja yhteyshenkilöt (asteikko 1-5)",
                "scale 1-5",
                1,
                "TAE",
                [3.9, 3.8, 3.6, 3.5, 3.6, 3.6],
            ),
            ("Asiakastyytyväisyys, käyttäjät (asteikko 1-5)", "scale 1-5", 1, "TAE", [4.0, 4.2, 3.5, 3.5, 3.6, 3.6]),
            (
                "Asiakkaan tyytyväisyys asiakasprojekteihin (projektikohtainen arvio, asteikko 1-5)",
                "scale 1-5",
                1,
                None,
                [3.7, 3.7, 3.5, 3.5, 3.6, 3.6],
            ),
            ("Asiakkaiden tyytyväisyys palvelukehitykseen (1-5)", "scale 1-5", 1, None, [3.5, 3.6, 3.5, 3.5, 3.6, 3.6]),
            ("Tukipyyntöjen SLA, %", "%", 1, None, [96, 96, 93, 93.5, 93.5, 93.5]),
            (
                "Laajavaikutteisten häiriöiden määrä, tuotteistetut palvelut, kpl/kk",
                "kpl/kk",
                1,
                "TAE",
                [4.1, 3.5, 3.3, 3.1, 2.8, 2.8],
            ),
            (
                "Laajavaikutteisten häiriöiden keskimääräinen ratkaisuaika, tuotteistetut palvelut, tuntia",
                "h",
                1,
                "TAE",
                [5.9, 3.5, 4.3, 4.0, 3.75, 3.75],
            ),
            ("Käyttäjien menetetty työaika laajavaikutteisten häiriötilanteiden takia", None, 1, None, ["tbd"] * 6),
            (
                "Käytössä olevien ja tulossopimusvuoden aikana käyttöön otettujen tuotteistettujen palveluiden "
                "vaatimustenmukaisuus todennettu, %",
                "%",
                1,
                None,
                [63, 75, 92, 96, 97, 100],
            ),
            (
                "Tori-tuotteistettujen palveluiden vaatimusten mukaisuus todennettu, %",
                "%",
                1,
                None,
                [53, 65, 95, 98, 98, 100],
            ),
            (
                "Tuve-tuotteistettujen palveluiden vaatimusten mukaisuus todennettu, %",
                "%",
                1,
                None,
                [74, 85, 90, 95, 97, 100],
            ),
            ("Automaattisten muodostettujen myyntilaskujen osuus, %", "%", 1, None, [60, 75, 80, 85, 90, 95]),
            ("Hyvityslaskujen osuus vuoden myyntilaskuista, %", "%", 1, None, [2.8, 3.0, 2.0, 2.0, 2.0, 2.0]),
        ],
    ),
    "t10": (
        YEARS,
        PLAN,
        [
            (
                "Työtyytyväisyys (VMBaro, kokonaisindeksi Y, asteikko 1-5)",
                "scale 1-5",
                1,
                "TAE",
                [3.69, 3.82, 3.8, 3.8, 3.9, 3.9],
            ),
            ("Sairauspoissaolot, työpäivää/htv", "työpäivää/htv", 1, "TAE", [9.4, 7.0, 8.0, 8.0, 8.0, 8.0]),
            ("Johtajuusindeksi (VMBaro, JO)", "index", 1, None, [3.64, 3.70, 3.6, 3.6, 3.6, 3.6]),
            (
                "Yhdenvertaisuuden toteutuminen työyhteisössä (VMBaro 5.5.)",
                None,
                1,
                None,
                [4.23, 4.21, 4.2, 4.2, 4.2, 4.2],
            ),
            ("Kokemus oppimisesta ja uudistumisesta (VMBaro 4.1)", None, 1, None, [3.91, 4.01, 3.9, 3.9, 3.9, 3.9]),
            (
                "Työnantajakuva ja arvot (keskiarvo VMBaron kohdista 8.2-8.4)",
                None,
                1,
                None,
                [3.86, 4.01, 3.9, 3.9, 3.9, 3.9],
            ),
        ],
    ),
    "t11": (
        YEARS,
        BUDGET,
        [
            ("Henkilöstökulut", "EUR", 1000, None, [89293, 102977, 111664, 117426, 120958, 124595]),
            ("Toimitilavuokrat", "EUR", 1000, None, [7249, 7961, 8502, 8581, 9481, 9981]),
            ("Palvelujen ostokulut", "EUR", 1000, None, [197045, 211907, 211197, 246767, 251569, 259187]),
            ("Muut kulut", "EUR", 1000, None, [116327, 121111, 123985, 129749, 132208, 136756]),
            ("Investointimenot", "EUR", 1000, None, [9164, 10697, 10319, 11010, 11203, 11562]),
            ("Bruttomenot", "EUR", 1000, None, [419078, 454652, 465668, 513533, 525419, 542080]),
            ("Maksullisen toiminnan tuotot", "EUR", 1000, None, [_, _, 21114, 13000, 13500, 14000]),
            ("Muut tuotot", "EUR", 1000, None, [_, _, 432677, 490915, 502301, 518757]),
            ("Bruttotulot", "EUR", 1000, None, [418806, 455145, 453791, 503915, 515801, 532757]),
            ("Nettokäyttö-/käyttöarvio", "EUR", 1000, None, [272, -493, 11877, 9618, 9618, 9323]),
            ("Siirtynyt/siirtyy (arvio)", "EUR", 1000, None, [5000, _, _, 0, 0, 0]),
            ("TP/TA/TAE", "EUR", 1000, None, [5000, _, _, 9618, 9618, 9323]),
            ("Käytettävissä yhteensä", "EUR", 1000, None, [10000, _, _, 9618, 9618, 9323]),
            ("Siirtyy seuraavalle vuodelle (arvio)", "EUR", 1000, None, [5000, _, _, _, _, _]),
        ],
    ),
    "t12": (
        YEARS,
        BUDGET,
        [
            (
                "Valtion tieto- ja viestintätekniikkakeskuksen investointimenot 28.20.10 sekä 4.21.28.20.10.",
                "EUR",
                1000,
                None,
                [6167, 4593, 15000, 15000, 15000, 15000],
            ),
            ("Hallinnon palveluiden digitalisoinnin tuki 4.20.28.70.22.", "EUR", 1000, None, [73, _, _, _, _, _]),
            ("Kyberturvallisuusohjelman toimeenpano 4.21.31.01.01.4.", "EUR", 1000, None, [945, _, _, _, _, _]),
            ("Julkisen hallinnon ICT:n ohjaus ja kehittäminen 4.22.28.70.01.", "EUR", 1000, None, [_, 75, _, _, _, _]),
        ],
    ),
    "t13": (
        YEARS,
        [A, E, E, E, E, E],
        [
            ("Henkilötyövuodet (htv)", "htv", 1, None, [1368, 1527, 1664, 1670, 1675, 1680]),
        ],
    ),
}


def _expected(table_id):
    years, kinds, rows = TABLES[table_id]
    result = []
    for name, unit, scale, flag, cells in rows:
        values = []
        for year, kind, cell in zip(years, kinds, cells, strict=True):
            if cell is _:
                continue
            if isinstance(cell, str):
                values.append((year, kind, None, cell))
            else:
                values.append((year, kind, float(cell), None))
        result.append((name, unit, scale, flag, values))
    return result


def _actual(agreement, table_id):
    rows = []
    for ind in agreement.indicators:
        if ind.table_id != table_id:
            continue
        values = [(v.year, v.kind, v.value, None if v.value is not None else v.text) for v in ind.values]
        rows.append((ind.name, ind.unit, ind.scale, ind.budget_target, values))
    return rows


@pytest.mark.parametrize("table_id", sorted(TABLES))
def test_indicator_table_is_complete(valtori, table_id):
    assert _actual(valtori, table_id) == _expected(table_id)


def test_no_other_indicators(valtori):
    assert {i.table_id for i in valtori.indicators} == set(TABLES)
    assert len(valtori.indicators) == sum(len(rows) for _, _, rows in TABLES.values()) == 52


def test_value_labels_and_text_as_written(valtori):
    cost = next(i for i in valtori.indicators if i.name.startswith("Toiminnan kustannusvastaavuus, euroa"))
    first = cost.values[0]
    assert (first.label, first.text, first.value) == ("Toteuma 2022", "-272 090", -272090.0)
    assert cost.values[3].label == "Alustava tavoite 2025"
    budget = next(i for i in valtori.indicators if i.name == "Henkilöstökulut")
    assert [v.label for v in budget.values] == [
        "2022 TP",
        "2023 Arvio",
        "2024 TA",
        "2025 Kehys",
        "2026 Kehys",
        "2027 Kehys",
    ]


def test_footnotes_follow_their_marks(valtori):
    by_name = {i.name: i for i in valtori.indicators}
    assert by_name["Laskutusaste, %"].footnotes == [
        "Henkilöstön kasvu sekä Valtorin toimintamallin kehittämisohjelman läpivienti lisäävät panostuksia "
        "hallinnollisiin tehtäviin, minkä arvioidaan pienentävän vuoden 2024 laskutusastetta yhdellä prosentilla "
        "vuoden 2023 tulossopimustavoitteesta (73%)."
    ]
    assert by_name["Asiakkaiden tyytyväisyys palvelukehitykseen (1-5)"].footnotes == [
        "Mittari muodostuu kahden kysymyksen keskiarvosta."
    ]
    invest = by_name["Valtion tieto- ja viestintätekniikkakeskuksen investointimenot 28.20.10 sekä 4.21.28.20.10."]
    assert invest.footnotes[0].startswith("Käytettävissä oleva määräraha 24 483 289 euroa")
    assert by_name["Tukipyyntöjen SLA, %"].footnotes == []


def test_breakdown_rows_point_to_their_total(valtori):
    by_name = {i.name: i for i in valtori.indicators}
    total = by_name["Yksikköhintojen kehitys, (2023=100)"]
    assert by_name["Tori-yksikköhintojen kehitys (2023=100)"].parent_id == total.id
    assert by_name["Tuve-yksikköhintojen kehitys (2023=100)"].parent_id == total.id
    assert total.parent_id is None


def test_table_two_groups_are_its_goals(valtori):
    groups = {i.group for i in valtori.indicators if i.table_id in ("t2", "t2-2")}
    assert groups == {
        "Valtori tuottaa palvelustrategiatyön avulla pitkäkätäimen kattavan suunnitelman palveluvalikoiman "
        "ja -toiminnan kehittämiseksi",
        "Valtorin rooli hallitusohjelmatavoitteiden mukaisessa kyberturvallisuuden kehittämisessä ja yhteiskunnan "
        "kriisinkestävyden varmistamisessa vahvistuu. (HO)",
    }


GOALS = [  # (table, number, title start, target years, parent number)
    ("t3", "1", "Valtorin rooli valtiokonsernin IT-palvelujen tuottajana", [2024, 2025, 2026, 2027], None),
    ("t3", "2", "Valtori tuottaa palvelustrategiatyön avulla pitkäjähtäimen", [2024, 2025, 2026, 2027], None),
    ("t3", "3", "Valtorin rooli hallitusohjelmataavoitteiden mukaisessa", [2024, 2025], None),  # 2026, 2027: "-"
    ("t3", "4", "Valtorin toimintamallien kehittäminen", [2024], None),
    ("t8", "1", "Asiakasreklaamatioiden käsittely johtoryhmässä", [2024, 2025, 2026, 2027], None),
    ("t8", "2", "Turvallisuusverkkoympäristön vaatimuksenmukaisuuden", [2024, 2025, 2026], None),  # 2027: "-"
    (
        "t9",
        "Hanke 1",
        "Tuve-palvelukehityssuunnitelman mukaisten projektien sekä Valtorin asiakasprojektien toimeenpano",
        [2024, 2025, 2026, 2027],
        "2",
    ),
    ("t9", "Hanke 2", "PATO-ohjelma", [2024], "3"),
    (
        "t9",
        "Hanke 3",
        "EU-R hyväksyntä VM:n ja Valtorin yhdessä määrittelemälle Tuve-palveluympäristölle",
        [2024],
        "3",
    ),
    ("t9", "Hanke 4", "Yhteisen tietojenkäsittelyratkaisun toteuttaminen", [2024, 2025], "3"),
    ("t9", "Hanke 5", "Valtorin toimintamallin kehittäminen", [2024], "4"),
]  # Years whose cell is only "-" have no target (Hanke 2, 3 and 5 from 2025 on, Hanke 4 from 2026).


def test_goal_tables_give_goals_with_yearly_targets(valtori):
    by_id = {g.id: g for g in valtori.goals}
    got = [
        (g.table_id, g.number, g.title, [t.year for t in g.targets], by_id[g.parent_id].number if g.parent_id else None)
        for g in valtori.goals
    ]
    assert len(got) == len(GOALS)
    for (table, number, title, years, parent), actual in zip(GOALS, got, strict=True):
        assert actual[:2] == (table, number)
        assert actual[2].startswith(title)
        assert actual[3:] == (years, parent)
    assert all(by_id[g.parent_id].table_id == "t3" for g in valtori.goals if g.parent_id)


def test_target_texts_as_written(valtori):
    goals = {(g.table_id, g.number): g for g in valtori.goals}
    hanke1 = {t.year: t for t in goals[("t9", "Hanke 1")].targets}
    assert hanke1[2025].text == "Ko. vuonna valmistuvaksi määritetyistä projekteista 75% valmistuu aikataulussa"
    assert [(q.value, q.unit, q.text) for q in hanke1[2025].numbers] == [(75.0, "%", "75%")]
    safety = {t.year: t for t in goals[("t8", "2")].targets}
    assert safety[2025].text.endswith("korjaustoimenpiteet on toteutettu 50 %")
    assert [(q.value, q.unit) for q in safety[2025].numbers] == [(50.0, "%")]
    assert 2027 not in safety  # its cell is "-": no target
    # The 2026 target of goal 1 is cut by a page break: its second half follows the repeated goal row.
    role = {t.year: t for t in goals[("t3", "1")].targets}
    assert role[2026].text.startswith("Valtori tuottaa asiakkaille, ANK:lle ja Tuve Asrylle vuosikellon mukaisesti")
    assert "Valtori tuottaa asiakkaille, ANK ja Asry alaisiin Tori- ja Tuve-kehitysryhmiin" in role[2026].text
    assert "<ol" not in role[2026].text
    assert role[2027].text.startswith("Valtori tuottaa asiakkaille ANK:lle ja Asry:lle")


def test_metadata(valtori):
    meta = valtori.agreement
    assert meta.title == "Valtiovarainministeriön ja Valtorin välinen tulossopimus vuosille 2024–2027"
    assert meta.agency == "Valtori"
    assert meta.ministries == ["Valtiovarainministeriö"]
    assert (meta.period.start, meta.period.end) == (2024, 2027)
    assert meta.signed_on.isoformat() == "2023-12-13"
    assert meta.reference_numbers == ["VN/17411/2023", "Valtori/2192/01 07 00/2023"]
    assert [(s.name, s.title, s.organization) for s in meta.signatories] == [
        ("Anna-Kaisa Ikonen", "Kunta- ja alueministeri", "Valtiovarainministeriö"),
        ("Marja Rantala", "Toimitusjohtaja", "Valtori"),
        ("Juha Majanen", "Valtiosihteeri kansliapäällikkönä", "Valtiovarainministeriö"),
        ("Sakari Marttila", "Johtaja, Tuve-palvelut", "Valtori"),
    ]
    assert meta.series_id == "valtori"


def test_sections_and_contents(valtori):
    assert [(s.number, s.title, s.level) for s in valtori.sections] == [
        ("1", "Strategiset linjaukset", 1),
        ("2", "Yhteiskunnallinen vaikuttavuus", 1),
        ("3", "Tulostavoitteet", 1),
        ("3.1", "Vaikuttavuustavoitteet", 2),
        ("3.2", "Toiminnallinen tuloksellisuus", 2),
        ("3.2.1", "Toiminnallinen tehokkuus", 3),
        ("3.2.2", "Tuotokset ja laadunhallinta", 3),
        ("3.2.3", "Hankkeet", 3),
        ("4", "Voimavarojen hallinta", 1),
        ("5", "Voimassaolo, seuranta ja allekirjoitukset", 1),
    ]
    parents = {s.number: s.parent_id for s in valtori.sections}
    assert parents["3.2.1"] == "s-3.2" and parents["3.2"] == "s-3"
    tables = {t.id: t for t in valtori.tables}
    assert tables["t7"].section_id == "s-3.2.2"
    assert tables["t7"].caption == "Taulukko 7. Palvelukyvyn ja laadun tavoitteet"
    assert tables["t9"].number == 9 and len(tables["t9"].rows) == 24  # split in two, one table


def test_provenance_points_into_the_source(valtori):
    value = next(i for i in valtori.indicators if i.name == "Bruttomenot").values[0]
    if valtori.source.format == "pdf":
        assert value.provenance.page == 10 and value.provenance.bbox is not None
        x0, top, x1, bottom = value.provenance.bbox
        assert x0 < x1 and top < bottom
    else:
        assert value.provenance.line == 298 and value.provenance.page is None
    assert all(v.provenance.page or v.provenance.line for i in valtori.indicators for v in i.values)
    assert all(t.provenance.page or t.provenance.line for g in valtori.goals for t in g.targets)
