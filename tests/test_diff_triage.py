"""What a reviewer reads first: the Valtori and KEHA revisions triaged into substantive and routine
changes (exactly which, by path, and why), the figures that moved with their delta and percentage,
list fields item by item, spelling fixes named, and every page or line naming its document."""

from __future__ import annotations

import regex
from test_diff import INDEX, LASKUTUS

from pipeline.diff import diff_agreements
from pipeline.diff.markdown import render_markdown
from pipeline.diff.spelling import spelling_fix
from pipeline.diff.view import list_items, movement, number_moves, percent_text, signed, triage

TUOTTAVUUS = "indicators/i-tuottavuusindeksi-suorite-per-työpanos-bdb2e7"
LASKUTUSASTE = "indicators/i-laskutusaste-915819"
YKSIKKOHINNAT = "indicators/i-yksikköhintojen-kehitys-2023-100-c4d641"
TORI = "indicators/i-tori-yksikköhintojen-kehitys-2023-100-c5a319"
TUVE = "indicators/i-tuve-yksikköhintojen-kehitys-2023-100-54cdce"
KUSTANNUKSET = "indicators/i-toiminnan-kokonaiskustannukset-1000-euro-5bae29"
VALILLISET = "indicators/i-välillisten-kustannusten-osuus-kokonaisk-ee7793"
SLA = "indicators/i-tukipyyntöjen-sla-ae54c5"
LASKUT = "indicators/i-automaattisesti-muodostettujen-myyntilas-84d279"
VAIHTUVUUS = "indicators/i-henkilöstön-vaihtuvuus-3f9dab"
YEARS = range(2022, 2028)

# The Valtori revision (tests/versions.py) by path, in the diff's order, with the reason each is where it is.
VALTORI_SUBSTANTIVE = [
    ("goals/g-3-valtorin-rooli-hallitusohjelmatavoitte-b9e8e4", "spelling fix"),
    ("goals/g-1-asiakasreklaamatioiden-käsittely-johto-93fcf2/targets/2027", "target removed"),
    ("goals/g-2-turvallisuusverkkoympäristön-vaatimuks-48eb91/targets/2025", "target reworded"),
    ("goals/g-hanke-1-tuve-palvelukehityssuunnitelman-fe23f2/targets/2026", "target reworded"),
    ("goals/g-hanke-4-yhteisen-tietojenkäsittelyratkai-08ea96/targets/2026", "target added"),
    (f"{TUOTTAVUUS}/values/2023", "confirmed at another figure"),  # 103 Arvio → 102 Toteuma
    (f"{LASKUTUSASTE}/values/2023", "confirmed at another figure"),  # 72 Arvio → 71 Toteuma
    (f"{KUSTANNUKSET}/values/2025", "the figure moved"),
    (VALILLISET, "indicator removed"),
    *[(f"{VALILLISET}/values/{year}", "removed with its indicator") for year in YEARS],
    (f"{SLA}/values/2026", "the figure moved"),
    (LASKUT, "indicator renamed"),  # Automaattisten → Automaattisesti: another word, not a typo
    (f"{LASKUT}/values/2025", "the figure moved"),
    (VAIHTUVUUS, "indicator added"),
    *[(f"{VAIHTUVUUS}/values/{year}", "added with its indicator") for year in YEARS],
]
VALTORI_ROUTINE = [
    ("agreement/signed_on", "a revision's new signing date"),
    ("agreement/reference_numbers", "a revision's new diary numbers"),
    (f"{TUOTTAVUUS}/values/2022", "the oldest year left the table"),
    (f"{TUOTTAVUUS}/values/2024", "kind moved on, same figure"),  # Tavoite 2024 → Arvio 2024, 103
    (f"{TUOTTAVUUS}/values/2025", "confirmed, same figure"),  # Alustava tavoite 2025 → Tavoite 2025, 104
    (f"{LASKUTUSASTE}/values/2022", "the oldest year left the table"),
    (f"{LASKUTUSASTE}/values/2024", "kind moved on, same figure"),
    (f"{LASKUTUSASTE}/values/2025", "confirmed, same figure"),
    *[
        item
        for indicator in (YKSIKKOHINNAT, TORI, TUVE)
        for item in (
            (f"{indicator}/values/2022", "the oldest year left the table"),
            (f"{indicator}/values/2023", "confirmed, same figure"),  # 100 Arvio → 100 Toteuma
            (f"{indicator}/values/2024", "kind moved on, same figure"),
            (f"{indicator}/values/2025", "confirmed, same figure"),
        )
    ],
    ("tables/t13", "a heading reworded"),  # Henkilöstövoimavarat → Henkilöstövoimavarojen kehitys
    ("sections/s-3.2.3", "a heading reworded"),  # Hankkeet → Keskeiset hankkeet
]


def test_valtori_revision_splits_into_substantive_and_routine(valtori_txt, valtori_revision_txt):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    plan = triage(diff.changes)
    assert [(c.path, plan.verdict(c).reason) for c in plan.substantive] == VALTORI_SUBSTANTIVE
    assert [(c.path, plan.verdict(c).reason) for c in plan.routine] == VALTORI_ROUTINE
    assert plan.routine_reasons() == [
        ("confirmed, same figure", 8),
        ("the oldest year left the table", 5),
        ("kind moved on, same figure", 5),
        ("a heading reworded", 2),
        ("a revision's new signing date", 1),
        ("a revision's new diary numbers", 1),
    ]
    # Every change is in one part; every rollover is routine, and a confirmation whose figure moved is not.
    assert len(plan.substantive) + len(plan.routine) == diff.summary.total == 47
    assert all(plan.verdict(c).routine for c in diff.changes if c.detail.rollover)
    assert sum(1 for c in plan.substantive if c.change == "confirmed") == 2


def test_keha_revision_splits_into_substantive_and_routine(keha_md, keha_revision_md):
    diff = diff_agreements(keha_md, keha_revision_md)
    plan = triage(diff.changes)
    assert [c.path for c in plan.routine] == ["agreement/signed_on"]
    reasons = [(c.change, c.entity, plan.verdict(c).reason) for c in plan.substantive]
    assert reasons == [
        ("added", "target", "target added"),
        ("renamed", "goal", "goal renamed"),  # yhteisiin työympäristöihin → yhteiseen työympäristöön: plural → singular
        ("changed", "target", "target reworded"),
        ("removed", "goal", "goal removed"),
        ("removed", "target", "removed with its goal"),
        ("added", "goal", "goal added"),
        ("added", "target", "added with its goal"),
        ("changed", "target", "target reworded"),
    ]


def test_figures_that_moved_carry_delta_and_percent(valtori_txt, valtori_revision_txt):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    moved = {
        (c.title, c.detail.year): (c.old, c.new, c.detail.delta, c.detail.percent, movement(c))
        for c in diff.changes
        if c.detail.delta is not None
    }
    # By hand: 1/103 = 0,97 %; 1/72 = 1,39 %; 3 663/513 533 = 0,713 %; 0,5/93,5 = 0,535 %; 3/85 = 3,53 %.
    assert moved == {
        (INDEX, 2023): (103, 102, -1, -0.9709, "−1 (−1,0 %)"),
        (LASKUTUS, 2023): (72, 71, -1, -1.389, "−1 pp (−1,4 %)"),  # a % moves in percentage points
        ("Toiminnan kokonaiskustannukset, 1000 euroa", 2025): (513533, 509870, -3663, -0.7133, "−3 663 (−0,7 %)"),
        ("Tukipyyntöjen SLA, %", 2026): (93.5, 94, 0.5, 0.5348, "+0,5 pp (+0,5 %)"),
        ("Automaattisesti muodostettujen myyntilaskujen osuus, %", 2025): (85, 88, 3, 3.529, "+3 pp (+3,5 %)"),
    }
    # Figures that only rolled on, came or went carry none.
    assert all(c.detail.percent is None for c in diff.changes if c.detail.delta is None)
    # A reworded target's numbers, each with how far it moved.
    targets = {c.detail.year: number_moves(c) for c in diff.changes if c.entity == "target" and c.change == "changed"}
    assert targets == {2025: ["50 % → 60 % (+10 pp, +20,0 %)"], 2026: ["80% → 78% (−2 pp, −2,5 %)"]}


def test_signed_differences_read_the_finnish_way():
    assert (signed(-3663), signed(0.5, "%"), signed(-1.1), signed(0)) == ("−3 663", "+0,5 pp", "−1,1", "±0")
    assert (percent_text(-0.7133), percent_text(20), percent_text(0.0024)) == ("−0,7 %", "+20,0 %", "+0,0024 %")


def test_diary_numbers_are_compared_item_by_item(valtori_txt, valtori_revision_txt):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    numbers = next(c for c in diff.changes if c.path == "agreement/reference_numbers")
    assert [(item.op, item.text) for item in list_items(numbers)] == [
        ("equal", "VN/17411/2023"),
        ("delete", "Valtori/2192/01 07 00/2023"),
        ("insert", "Valtori/2310/01 07 00/2024"),
    ]
    assert list_items(next(c for c in diff.changes if c.path == "agreement/signed_on")) is None
    markdown = render_markdown(diff)
    assert (
        "- Reference numbers: VN/17411/2023; ~~Valtori/2192/01 07 00/2023~~; **Valtori/2310/01 07 00/2024** "
        "*(a revision's new diary numbers)*"
    ) in markdown


def test_a_spelling_fix_is_named_as_such(valtori_txt, valtori_revision_txt, keha_md, keha_revision_md):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    renames = {c.entity: c.detail.spelling_fix for c in diff.changes if c.change == "renamed"}
    assert renames == {"goal": True, "indicator": False, "table": False, "section": False}
    keha = diff_agreements(keha_md, keha_revision_md)
    assert [c.detail.spelling_fix for c in keha.changes if c.change == "renamed"] == [False]
    markdown = render_markdown(diff)
    assert (
        "- spelling fix (old line 166, new line 166): Valtorin rooli ~~hallitusohjelmataavoitteiden~~ "
        "**hallitusohjelmatavoitteiden** mukaisessa"
    ) in markdown
    assert "similarity 1.00" not in markdown
    assert "- indicator renamed, similarity 0.97 (old line 219, new line 218): ~~Automaattisten~~" in markdown


def test_spelling_fix_needs_a_misspelt_word_and_its_correction():
    """Invented phrases: a typo corrected, capitals and punctuation, against changes of meaning."""
    assert spelling_fix("Palvelut on tuotettu kustannustehokkaastii", "Palvelut on tuotettu kustannustehokkaasti")
    assert spelling_fix("Asiakastyytyväisyys, %", "asiakastyytyväisyys %")
    assert not spelling_fix("Palvelut tuotetaan verkkopalveluissa", "Palvelut tuotetaan verkkopalveluista")  # case
    assert not spelling_fix("Käsittelyaika on 30 päivää", "Käsittelyaika on 20 päivää")  # a number
    assert not spelling_fix("Hankkeet", "Keskeiset hankkeet")  # a word added
    assert not spelling_fix("Hanke on valmis", "Hanke ei valmis")  # short words are words, not typos
    assert spelling_fix("Tori-pavelujen saatavuus", "Tori-palvelujen saatavuus")  # a compound's part mistyped
    assert not spelling_fix("Tuve-palvelujen saatavuus", "Tori-palvelujen saatavuus")  # another service
    assert not spelling_fix("Sama teksti", "Sama teksti")  # no change at all


def test_markdown_places_name_their_document(valtori_txt, valtori_revision_txt):
    markdown = render_markdown(diff_agreements(valtori_txt, valtori_revision_txt))
    places = regex.findall(r"(\S+) (?:p\.|line) \d+", markdown)
    assert places and set(places) <= {"old", "(old", "new", "(new"}
    substantive, routine = markdown.split("## Routine changes")
    assert substantive.index("## Substantive changes") < substantive.index("−3 663 (−0,7 %)")
    assert "<details>\n<summary>22 routine changes</summary>" in routine and routine.rstrip().endswith("</details>")
    assert "| 2024 | 103 (Tavoite 2024) | 103 (Arvio 2024) | kind moved on, same figure" in routine
    assert "| 2024 | 103 (Tavoite 2024)" not in substantive


def test_signatories_and_ministries_are_compared_item_by_item(valtori_txt):
    """An invented revision: one signatory replaced by another person, a second ministry added."""
    new = valtori_txt.model_copy(deep=True)
    new.agreement.signatories[1].name = "Ilmari Esimerkki"
    new.agreement.ministries.append("Liikenne- ja viestintäministeriö")
    diff = diff_agreements(valtori_txt, new)
    plan = triage(diff.changes)
    changes = {c.detail.field: c for c in diff.changes}
    assert [(item.op, item.text) for item in list_items(changes["signatories"])] == [
        ("equal", "Anna-Kaisa Ikonen, Kunta- ja alueministeri, Valtiovarainministeriö"),
        ("delete", "Marja Rantala, Toimitusjohtaja, Valtori"),
        ("insert", "Ilmari Esimerkki, Toimitusjohtaja, Valtori"),
        ("equal", "Juha Majanen, Valtiosihteeri kansliapäällikkönä, Valtiovarainministeriö"),
        ("equal", "Sakari Marttila, Johtaja, Tuve-palvelut, Valtori"),
    ]
    assert [(item.op, item.text) for item in list_items(changes["ministries"])] == [
        ("equal", "Valtiovarainministeriö"),
        ("insert", "Liikenne- ja viestintäministeriö"),
    ]
    # Who signs and who steers are what the agreement says: substantive.
    assert [(c.path, plan.verdict(c).reason) for c in plan.substantive] == [
        ("agreement/ministries", "ministries changed"),
        ("agreement/signatories", "signatories changed"),
    ]
    markdown = render_markdown(diff)
    assert "- Ministries: Valtiovarainministeriö; **Liikenne- ja viestintäministeriö**\n" in markdown
    assert "~~Marja Rantala, Toimitusjohtaja, Valtori~~; **Ilmari Esimerkki, Toimitusjohtaja, Valtori**;" in markdown
