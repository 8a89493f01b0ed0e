"""Matching items across versions: renamed items pair up, unrelated ones never do, guesses say so."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipeline.diff import diff_agreements
from pipeline.diff.match import SURE, match_items
from pipeline.diff.similarity import name_similarity, word_similarity
from pipeline.diff.words import word_changes


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
