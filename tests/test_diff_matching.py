"""Matching items across versions: renamed items pair up, unrelated ones never do, guesses say so."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipeline.diff import diff_agreements
from pipeline.diff.match import MAYBE, SURE, match_items, match_rows
from pipeline.diff.similarity import name_similarity, word_similarity
from pipeline.diff.tables import comparable_name, match_tables
from pipeline.diff.words import word_changes
from schemas.agreement import Provenance, Table


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    table: str = "t1"


def match(old: list[Item], new: list[Item]):
    return match_items(
        old,
        new,
        key=lambda x: x.id,
        name=lambda x: x.name,
        old_context=lambda x: x.table,
        new_context=lambda x: x.table,
        what="indicator",
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Automaattisten muodostettujen myyntilaskujen osuus, %", "Automaattisesti muodostettujen myyntilaskujen osuus, %"),
        ("Valtorin rooli kriisinkestävyden varmistamisessa", "Valtorin rooli kriisinkestävyyden varmistamisessa"),
        ("Virastot ovat siirtyneet valtion yhteisiin työympäristöihin", "Virastot ovat siirtyneet valtion yhteiseen työympäristöön"),
        ("Laskutusaste, % ¹", "Laskutusaste, %"),
        ("Asiakastyytyväisyys, käyttäjät", "Käyttäjien asiakastyytyväisyys"),
    ],
)  # fmt: skip
def test_inflection_spelling_and_marks_are_the_same_name(a, b):
    assert name_similarity(a, b) >= SURE


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("- Tori-tuotteistettujen palveluiden vaatimusten mukaisuus", "- Tuve-tuotteistettujen palveluiden vaatimusten mukaisuus"),
        ("Sairauspoissaolot, työpäivää/htv", "Henkilöstön vaihtuvuus, %"),
        ("Palvelujen ostokulut", "Muut kulut"),
        ("Bruttomenot", "Bruttotulot"),
    ],
)  # fmt: skip
def test_different_things_are_not_alike(a, b):
    """At most a guess (paired only in the same table, and marked uncertain), never a sure renaming."""
    assert name_similarity(a, b) < SURE


def test_word_similarity_rules():
    assert word_similarity("kehittämiseksi", "kehittämiselle") == 0.9  # one stem, two cases
    assert word_similarity("automaattisten", "automaattisesti") == 0.9  # Voikko: automaattinen
    assert word_similarity("tori", "tuve") == 0.0  # short words must be equal
    assert word_similarity("2023", "2024") == 0.0  # so must numbers
    assert 0.85 <= word_similarity("kriisinkestävyden", "kriisinkestävyyden") < 1  # a letter added


def test_same_ids_pair_and_renames_are_found():
    old = [Item("a", "Laskutusaste, %"), Item("b", "Automaattisten myyntilaskujen osuus, %")]
    new = [Item("b2", "Automaattisesti myyntilaskujen osuus, %"), Item("a", "Laskutusaste, %")]
    result = match(old, new)
    assert [(m.old.id, m.new.id, m.uncertain) for m in result.matches] == [("b", "b2", False), ("a", "a", False)]
    assert result.removed == [] and result.added == [] and result.notes == []


def test_unrelated_items_stay_removed_and_added():
    old = [Item("a", "Sairauspoissaolot, työpäivää/htv")]
    new = [Item("b", "Henkilöstön vaihtuvuus, %")]
    result = match(old, new)
    assert result.matches == [] and result.removed == old and result.added == new and result.notes == []


def test_a_middling_match_in_the_same_table_is_paired_but_uncertain():
    old = [Item("a", "Hankintaosaaminen on parantunut")]
    new = [Item("b", "Hankintaosaamista on parannettu")]
    result = match(old, new)
    assert 0.6 <= result.matches[0].similarity < 0.8
    assert result.matches[0].uncertain


def test_a_middling_match_elsewhere_is_not_paired_but_noted():
    old = [Item("a", "Hankintaosaaminen on parantunut", table="t1")]
    new = [Item("b", "Hankintaosaamista on parannettu", table="t9")]
    result = match(old, new)
    assert result.matches == []
    assert result.notes == [
        "indicator 'Hankintaosaaminen on parantunut' may have become 'Hankintaosaamista on parannettu' "
        "(similarity 0.63), but they stand in different places; reported as removed and added"
    ]


def test_two_equally_good_candidates_are_a_guess_left_to_the_reviewer():
    old = [Item("a", "Asiakastyytyväisyys, käyttäjät")]
    new = [Item("b", "Asiakastyytyväisyys, käyttäjät, Tori"), Item("c", "Asiakastyytyväisyys, käyttäjät, Tuve")]
    result = match(old, new)
    assert result.matches == [] and result.removed == old and result.added == new
    assert len(result.notes) == 2 and all("another candidate is as likely" in n for n in result.notes)


def test_a_repeated_name_pairs_within_its_own_table():
    """The same name in two tables gets ids x and x-2; when the first goes, x-2 must not become x."""
    old = [Item("x", "Vaatimustenmukaisuus, %", "t2"), Item("x-2", "Vaatimustenmukaisuus, %", "t7")]
    new = [Item("x", "Vaatimustenmukaisuus, %", "t7")]
    result = match(old, new)
    assert [(m.old.id, m.old.table, m.new.table) for m in result.matches] == [("x-2", "t7", "t7")]
    assert result.removed == [old[0]]


def test_renumbered_sections_pair_by_title_not_by_number():
    """Section ids come from their numbers: after an inserted section, 3.2 is a different section."""
    old = [Item("s-3.1", "Vaikuttavuus"), Item("s-3.2", "Tehokkuus")]
    new = [Item("s-3.1", "Vaikuttavuus"), Item("s-3.2", "Laatu"), Item("s-3.3", "Tehokkuus")]
    result = match(old, new)
    assert [(m.old.id, m.new.id) for m in result.matches] == [("s-3.1", "s-3.1"), ("s-3.2", "s-3.3")]
    assert [x.id for x in result.added] == ["s-3.2"]


def test_word_changes_ignore_rewrapping():
    assert [(w.op, w.text) for w in word_changes("tavoite  on\n75 %", "tavoite on 78 %")] == [
        ("equal", "tavoite on"),
        ("delete", "75"),
        ("insert", "78"),
        ("equal", "%"),
    ]


def test_an_uncertain_rename_is_flagged_and_counted(keha_md):
    new = keha_md.model_copy(deep=True)
    goal = next(g for g in new.goals if g.title == "Hankintaosaaminen on parantunut")
    goal.title, goal.id = "Hankintaosaamista on parannettu", "g-hankintaosaamista-on-parannettu"
    diff = diff_agreements(keha_md, new)
    [change] = diff.changes
    assert (change.change, change.entity, change.old, change.new) == (
        "renamed",
        "goal",
        "Hankintaosaaminen on parantunut",
        "Hankintaosaamista on parannettu",
    )
    assert change.detail.uncertain and change.old_id.startswith("g-hankintaosaaminen-on-parantunut")
    assert diff.summary.uncertain == 1


# --- rows of paired tables: renamed in place -----------------------------------------------


def match_in_tables(old: list[Item], new: list[Item]):
    """Rows of tables paired by id (``t1`` with ``t1``), as ``compare`` pairs indicators."""
    tables = sorted({x.table for x in old} & {x.table for x in new})
    return match_rows(
        old,
        new,
        table_pairs=[(t, t) for t in tables],
        old_table=lambda x: x.table,
        new_table=lambda x: x.table,
        key=lambda x: x.id,
        name=lambda x: x.name,
        old_context=lambda x: x.table,
        new_context=lambda x: x.table,
        what="indicator",
    )


def rows(*names: str, table: str = "t1") -> list[Item]:
    return [Item(f"{table}-{name}", name, table) for name in names]


def test_two_rows_renamed_in_place_are_renamed():
    old = rows("Rikoslakirikosten määrä", "Henkilötyövuodet", "Sairauspoissaolot, pv/htv", "Nettomenot")
    new = rows(
        "Rikoslakirikosten määrä", "Henkilötyövuodet (31.12.)", "Sairauspoissaolot (kalenteripv/htv), enintään",
        "Nettomenot",
    )  # fmt: skip
    result = match_in_tables(old, new)
    assert [(m.old.name, m.new.name, m.similarity, m.uncertain) for m in result.matches] == [
        ("Rikoslakirikosten määrä", "Rikoslakirikosten määrä", 1.0, False),
        ("Henkilötyövuodet", "Henkilötyövuodet (31.12.)", 0.667, False),
        ("Sairauspoissaolot, pv/htv", "Sairauspoissaolot (kalenteripv/htv), enintään", 0.571, False),
        ("Nettomenot", "Nettomenot", 1.0, False),
    ]
    assert result.removed == [] and result.added == [] and result.notes == []
    # By their names alone (rows anywhere) the second is a guess and the third no pair at all.
    anywhere = match(old, new)
    assert [(m.old.name, m.uncertain) for m in anywhere.matches if m.similarity < 1] == [("Henkilötyövuodet", True)]
    assert [x.name for x in anywhere.removed] == ["Sairauspoissaolot, pv/htv"]


def test_a_row_that_moved_and_was_renamed_pairs_only_by_its_name():
    old = rows("Bruttomenot", "Valvontaveneiden käyttöaste, %", "Bruttotulot", "Nettomenot")
    new = rows(
        "Bruttomenot", "Bruttotulot", "Nettomenot", "Valvontaveneiden käyttöaste kesäkaudella (touko—syyskuu), %"
    )
    result = match_in_tables(old, new)
    assert [x.name for x in result.removed] == ["Valvontaveneiden käyttöaste, %"]
    assert [x.name for x in result.added] == ["Valvontaveneiden käyttöaste kesäkaudella (touko—syyskuu), %"]
    assert len(result.matches) == 3 and result.notes == []


def test_one_neighbour_and_a_weak_name_is_an_uncertain_renaming():
    """The row below moved away: the place agrees above only, and the names share 0.57 of their words."""
    old = rows("Bruttomenot", "Valvontaveneiden käyttöaste, %", "Bruttotulot", "Nettomenot")
    new = rows(
        "Bruttomenot", "Valvontaveneiden käyttöaste kesäkaudella (touko—syyskuu), %", "Nettomenot", "Bruttotulot"
    )
    [renamed] = [m for m in match_in_tables(old, new).matches if m.old.name != m.new.name]
    assert (renamed.old.name, renamed.similarity, renamed.uncertain) == ("Valvontaveneiden käyttöaste, %", 0.571, True)


def test_numbers_and_units_alone_are_no_renaming():
    """``(1—5)`` and ``kpl`` are how, not what: neither in place nor as a middling name."""
    old = rows("Vaikuttavuus (ind)", "Rajaturvallisuus (1—5)", "Havaitut rikkeet, kpl")
    new = rows("Vaikuttavuus (ind)", "Meriturvallisuus (1—5)", "Tarkastetut alukset, kpl")
    assert name_similarity("Rajaturvallisuus (1—5)", "Meriturvallisuus (1—5)") >= MAYBE  # by all words
    for result in (match_in_tables(old, new), match(old, new)):
        assert [m.old.name for m in result.matches] == ["Vaikuttavuus (ind)"]
        assert len(result.removed) == len(result.added) == 2 and result.notes == []


def test_two_rows_as_likely_in_one_place_are_left_to_the_reviewer():
    old = rows("Bruttomenot", "Tarkastetut alukset, kpl", "Nettomenot")
    new = rows(
        "Bruttomenot", "Alkoholivalvonnan puhallutukset, kpl", "Tarkastetut alukset, järvet", "Tarkastetut alukset, joet",
        "Nettomenot",
    )  # fmt: skip
    result = match_in_tables(old, new)
    assert [x.name for x in result.removed] == ["Tarkastetut alukset, kpl"] and len(result.added) == 3
    assert result.notes == [
        "indicator 'Tarkastetut alukset, kpl' may have become 'Tarkastetut alukset, järvet' (similarity 0.67), "
        "in its place, but another row is as likely; reported as removed and added",
        "indicator 'Tarkastetut alukset, kpl' may have become 'Tarkastetut alukset, joet' (similarity 0.67), "
        "in its place, but another row is as likely; reported as removed and added",
    ]


def test_rows_pair_within_their_tables_before_anywhere():
    """``Havaitut rikkeet`` in two tables (ids ``x`` and ``x-2`` by order): the tables swapped, the rows follow them."""
    old = [Item("x", "Havaitut rikkeet, kpl", "lakes"), Item("x-2", "Havaitut rikkeet, kpl", "rivers")]
    new = [Item("x", "Havaitut rikkeet, kpl", "rivers"), Item("x-2", "Havaitut rikkeet, kpl", "lakes")]
    result = match_in_tables(old, new)
    assert sorted((m.old.id, m.new.id) for m in result.matches) == [("x", "x-2"), ("x-2", "x")]


# --- tables: by caption and rows, never by the years of the header ------------------------


def table(id: str, caption: str | None, years: range, *, number: int | None = None) -> Table:
    header = ["Mittari", *(f"{y} {kind}" for y, kind in zip(years, ("toteutuma", "arvio", "tavoite"), strict=True))]
    return Table(
        id=id, number=number, caption=caption, section_id=None, pages=[], header=header, rows=[], footnotes=[],
        provenance=Provenance(line=1),
    )  # fmt: skip


def pair_tables(old: list[tuple[Table, list[str]]], new: list[tuple[Table, list[str]]]):
    rows_of = {id(t): r for t, r in old + new}
    result = match_tables([t for t, _ in old], [t for t, _ in new], old_rows=lambda t: rows_of[id(t)],
                          new_rows=lambda t: rows_of[id(t)])  # fmt: skip
    return [(m.old.id, m.new.id) for m in result.matches], result


MONEY = ["Bruttomenot", "Bruttotulot", "Nettomenot"]
Y2025, Y2026 = range(2023, 2026), range(2024, 2027)


def test_a_table_whose_years_rolled_on_is_the_same_table():
    pairs, result = pair_tables(
        [(table("a", "Toiminnan menot ja tulot (1 000 euroa)", Y2025), MONEY),
         (table("b", "Tavoitteet vuodelle 2025", Y2025), ["Laitosten säilytysvarmuus, %"])],
        [(table("b", "Tavoitteet vuodelle 2026", Y2026), ["Vankeja keskimäärin"]),
         (table("a", "Toiminnan menot ja tulot (1 000 euroa)", Y2026), MONEY)],
    )  # fmt: skip
    assert pairs == [("b", "b"), ("a", "a")] and not any(m.uncertain for m in result.matches)
    # a caption's years are the table's own, and roll with it; other numbers in it do not
    assert comparable_name(table("b", "Tavoitteet vuodelle 2025", Y2025)) == "tavoitteet vuodelle"
    assert comparable_name(table("c", "Indeksi (2015=100)", Y2025)) == "indeksi 2015 100"
    assert (
        comparable_name(table("d", None, Y2025))
        == comparable_name(table("d", None, Y2026))
        == "mittari toteutuma arvio tavoite"
    )


def test_a_reworded_caption_pairs_by_the_rows():
    shared = ["Rikoslakirikosten määrä, enintään", "Häiriöindeksi, enintään", "Suojelupoliisin maine, %"]
    pairs, result = pair_tables(
        [(table("a", "Poliisitoimen tunnuslukuja", Y2025), shared)],
        [(table("z", "Poliisitoimen vaikuttavuus", Y2026), [*shared, "Tieliikenteessä kuolleet"])],
    )
    assert pairs == [("a", "z")] and result.matches[0].similarity == 0.5 and not result.matches[0].uncertain


def test_a_repeated_caption_is_told_apart_by_rows_then_by_place():
    lakes, rivers = (
        ["Valvontakäynnit järvillä, kpl", "Havaitut rikkeet, kpl"],
        ["Valvontakäynnit joilla, kpl", "Havaitut rikkeet, kpl"],
    )
    pairs, _ = pair_tables(
        [(table("l", "Valvonta", Y2025), lakes), (table("r", "Valvonta", Y2025), rivers)],
        [(table("r2", "Valvonta", Y2026), rivers), (table("l2", "Valvonta", Y2026), lakes)],
    )
    assert pairs == [("r", "r2"), ("l", "l2")]
    # Two money tables with the same rows (another agency's tail comes first in both years, and a
    # table of its own only in the new one): the tables around each say which is which.
    scope = ["Vankeja keskimäärin", "Vapaudesta vankilaan tulleet"]
    pairs, result = pair_tables(
        [(table("m1", "Toiminnan menot ja tulot (1 000 euroa)", Y2025), MONEY),
         (table("s", "Toiminnan laajuus", Y2025), scope),
         (table("m2", "Toiminnan menot ja tulot (1 000 euroa)", Y2025), MONEY)],
        [(table("n0", "Tunnuslukutaulukko", Y2026), ["Keskimääräinen syyteharkinta-aika, kk"]),
         (table("n1", "Toiminnan menot ja tulot (1 000 euroa)", Y2026), MONEY),
         (table("n2", "Toiminnan laajuus", Y2026), scope),
         (table("n3", "Toiminnan menot ja tulot (1 000 euroa)", Y2026), MONEY)],
    )  # fmt: skip
    assert pairs == [("m1", "n1"), ("s", "n2"), ("m2", "n3")] and [t.id for t in result.added] == ["n0"]
    assert result.notes == []


def test_a_repeated_caption_with_no_row_in_common_is_no_pair():
    pairs, result = pair_tables(
        [(table("a", "Tunnuslukutaulukko", Y2025), ["Laitosten säilytysvarmuus, %", "Vankeja keskimäärin"])],
        [(table("x", "Tunnuslukutaulukko", Y2026), ["Keskimääräinen syyteharkinta-aika, kk"]),
         (table("y", "Tunnuslukutaulukko", Y2026), ["Laitosten säilytysvarmuus, %", "Vankeja keskimäärin"])],
    )  # fmt: skip
    assert pairs == [("a", "y")] and result.notes == []
    pairs, result = pair_tables(
        [(table("a", "Tunnuslukutaulukko", Y2025), ["Laitosten säilytysvarmuus, %"])],
        [(table("x", "Tunnuslukutaulukko", Y2026), ["Keskimääräinen syyteharkinta-aika, kk"]),
         (table("y", "Tunnuslukutaulukko", Y2026), ["Yli vuoden syyteharkinnassa olleita asioita avoinna"])],
    )  # fmt: skip
    assert pairs == [] and result.notes == [
        "table 'Tunnuslukutaulukko' stands twice or more under this caption, and this one has no row in common "
        "with its namesake in the other version; reported as removed and added"
    ]
    # A caption that names one table in each version pairs it, whatever became of its rows.
    pairs, _ = pair_tables(
        [(table("a", "Henkiset voimavarat", Y2025), ["Työilmapiiri (1—5)"])],
        [(table("b", "Henkiset voimavarat", Y2026), ["Työhyvinvointi, indeksi (asteikko 1—5)"])],
    )
    assert pairs == [("a", "b")]


def test_numbered_tables_pair_by_number_as_before():
    pairs, _ = pair_tables(
        [(table("t13", "Taulukko 13. Henkilöstövoimavarat", Y2025, number=13), ["Henkilötyövuodet"])],
        [(table("t13", "Taulukko 13. Henkilöstövoimavarojen kehitys", Y2026, number=13), ["Henkilöstö"])],
    )
    assert pairs == [("t13", "t13")]
