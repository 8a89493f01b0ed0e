"""The diff of one agency's budget section in two years: tables whose years rolled on are the same
tables, rows renamed in place are renamed, and every value change is the one the documents show.

The fixtures in ``tests/fixtures/budget-versions/`` are invented: the section of a made-up agency
(Sisävesivartiosto) in the budget proposals for 2025 and 2026, tables as tab-separated text with
their caption on the line above. Between the years:

- every table's columns roll on a year (``2023 toteutuma | 2024 arvio | 2025 tavoite`` →
  ``2024 toteutuma | 2025 arvio | 2026 tavoite``; money ``… | 2024 varsinainen talousarvio | 2025
  esitys`` → ``… | 2025 varsinainen talousarvio | 2026 esitys``);
- the two tables captioned ``Valvonta`` (lakes, rivers) swap places;
- in the first table three rows are renamed where they stand (one slightly, two so much that their
  names alone would not pair them), one row is dropped and a new one stands in its slot;
- in the lakes' table a row is new, and a row moved to the end and was renamed (an uncertain pair).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from clitools import run_cli
from conftest import FIXTURES, extracted

from pipeline.diff import diff_agreements
from pipeline.diff.html import render_html
from pipeline.diff.markdown import render_markdown
from pipeline.diff.view import triage
from schemas import agreement as s
from schemas.diff import AgreementDiff

BUDGET = FIXTURES / "budget-versions"
OLD, NEW = BUDGET / "sisavesivartiosto-2025.txt", BUDGET / "sisavesivartiosto-2026.txt"
CAPTIONS = [
    "Toiminnallisen tuloksellisuuden tavoitteet",
    "Valvonta",
    "Valvonta",
    "Toiminnan menot ja tulot (1 000 euroa)",
]

LUOTTAMUS_2025 = "Kansalaisten luottamus vartioston toimintaan (1—5)"
LUOTTAMUS = "Kansalaisten luottamus vartioston toimintaan, keskiarvo (1—5)"
KAYNNIT = "Vesiliikenteen valvontakäynnit, kpl"
VALMIUS = "Pelastustehtävien toimintavalmiusaika, min"
VENEET_2025 = "Valvontaveneiden käyttöaste, %"
VENEET = "Valvontaveneiden käyttöaste kesäkaudella (touko—syyskuu), %"
TYYTYVAISYYS = "Työtyytyväisyysindeksi (1—5)"
VAIHTUVUUS = "Henkilöstön vaihtuvuus, %"
POISSAOLOT_2025 = "Sairauspoissaolot, pv/htv"
POISSAOLOT = "Sairauspoissaolot (kalenteripv/htv), enintään"
JOET = "Valvontakäynnit joilla, kpl"
UOMAT = "Kartoitetut jokiuomat, km"
RIKKEET = "Havaitut rikkeet, kpl"
JARVET = "Valvontakäynnit järvillä, kpl"
PUHALLUTUKSET = "Alkoholivalvonnan puhallutukset, kpl"
ALUKSET_2025 = "Tarkastetut alukset, kpl"
ALUKSET = "Tarkastetut alukset ja veneet, kpl"


def _rolled(name: str, gone: float, estimate: tuple, target: tuple, came: float) -> list[tuple]:
    """A performance row whose table rolled on: 2023 left, the 2024 estimate became the actual
    (confirmed), the 2025 target is now the estimate (a change of kind), 2026 came in. The last
    field says whether the change is nothing but the years rolling on."""
    return [
        ("removed", "value", name, None, 2023, gone, None, True),
        ("confirmed", "value", name, None, 2024, *estimate, estimate[0] == estimate[1]),
        ("changed", "value", name, "kind", 2025, *target),
        ("added", "value", name, None, 2026, None, came, True),
    ]


def _money(name: str, gone: float, budget: tuple, proposal: tuple, came: float) -> list[tuple]:
    """A money row: the 2024 budget gave way to the actual (a change of kind, not a confirmation:
    the outcome does not confirm a plan), and the 2025 proposal became the budget (confirmed)."""
    return [
        ("removed", "value", name, None, 2023, gone, None, True),
        ("changed", "value", name, "kind", 2024, *budget, budget[0] == budget[1]),
        ("confirmed", "value", name, None, 2025, *proposal, proposal[0] == proposal[1]),
        ("added", "value", name, None, 2026, None, came, True),
    ]


# (change, entity, title, field, year, old, new, rollover) in the diff's order: the new version's.
CHANGES = [
    ("renamed", "indicator", LUOTTAMUS, None, None, LUOTTAMUS_2025, LUOTTAMUS, False),
    # >4,0 → 4,0: the same number, the comparison dropped: not merely the years rolling on
    *_rolled(LUOTTAMUS, 3.9, (4.0, 4.1), (4.0, 4.0, False), 4.0),
    *_rolled(KAYNNIT, 4120, (4300, 4350), (4500, 4500, True), 4700),
    *_rolled(VALMIUS, 18, (17, 17), (17, 17, False), 16),
    ("renamed", "indicator", VENEET, None, None, VENEET_2025, VENEET, False),
    *_rolled(VENEET, 61, (63, 64), (65, 66, False), 68),  # the range 65—70 became the estimate 66
    ("removed", "indicator", TYYTYVAISYYS, None, None, TYYTYVAISYYS, None, False),
    *[("removed", "value", TYYTYVAISYYS, None, y, v, None, False) for y, v in ((2023, 3.5), (2024, 3.6), (2025, 3.6))],
    ("added", "indicator", VAIHTUVUUS, None, None, None, VAIHTUVUUS, False),
    *[("added", "value", VAIHTUVUUS, None, y, None, v, False) for y, v in ((2024, 6.1), (2025, 6.0), (2026, 6.0))],
    ("renamed", "indicator", POISSAOLOT, None, None, POISSAOLOT_2025, POISSAOLOT, False),
    *_rolled(POISSAOLOT, 9.8, (9.5, 9.2), (9.0, 9.0, False), 9.0),
    # the rivers' table, first in 2026: its rows keep their values although the two tables swapped
    *_rolled(JOET, 1170, (1300, 1320), (1400, 1400, True), 1450),
    *_rolled(UOMAT, 420, (450, 455), (480, 480, True), 500),
    *_rolled(RIKKEET, 95, (90, 88), (85, 85, True), 80),
    *_rolled(JARVET, 2950, (3000, 3020), (3100, 3100, True), 3150),
    ("added", "indicator", PUHALLUTUKSET, None, None, None, PUHALLUTUKSET, False),
    *[("added", "value", PUHALLUTUKSET, None, y, None, v, False) for y, v in ((2024, 5400), (2025, 5500), (2026, 5600))],
    *_rolled(RIKKEET, 310, (300, 305), (290, 290, True), 280),
    ("renamed", "indicator", ALUKSET, None, None, ALUKSET_2025, ALUKSET, False),
    *_rolled(ALUKSET, 1480, (1500, 1510), (1550, 1550, True), 1600),
    *_money("Bruttomenot", 43610, (42900, 42750), (43480, 43480), 44020),
    *_money("Bruttotulot", 2140, (2200, 2190), (2100, 2150), 2200),
    *_money("Nettomenot", 41470, (40700, 40560), (41380, 41330), 41820),
]  # fmt: skip


def with_captions(agreement: s.Agreement, path: Path) -> s.Agreement:
    """Each table captioned by the line above it, where the outline did not tie that caption yet:
    the diff's rules are pinned whichever reader and outline produced the tables."""
    lines = path.read_text(encoding="utf-8").split("\n")
    copy = agreement.model_copy(deep=True)
    for table in copy.tables:
        if table.caption is None:
            table.caption = lines[table.provenance.line - 2].strip()
    return copy


def without_captions(agreement: s.Agreement) -> s.Agreement:
    copy = agreement.model_copy(deep=True)
    for table in copy.tables:
        table.caption = None
    return copy


def facts(diff: AgreementDiff) -> list[tuple]:
    """The changes of tables, indicators and values. The metadata of a budget section (its title
    and year) is the extractor's to read and is left out here."""
    return [
        (c.change, c.entity, c.title, c.detail.field, c.detail.year, c.old, c.new, c.detail.rollover)
        for c in diff.changes
        if c.entity != "agreement"
    ]


@pytest.fixture(scope="module")
def sections() -> tuple[s.Agreement, s.Agreement]:
    return with_captions(extracted(OLD), OLD), with_captions(extracted(NEW), NEW)


@pytest.fixture(scope="module")
def budget_diff(sections) -> AgreementDiff:
    return diff_agreements(*sections)


def test_the_fixtures_read_as_four_captioned_tables_of_rolling_years(sections):
    old, new = sections
    assert [t.caption for t in old.tables] == [t.caption for t in new.tables] == CAPTIONS
    assert next(i.name for i in old.indicators if i.table_id == old.tables[1].id) == JARVET
    assert next(i.name for i in new.indicators if i.table_id == new.tables[1].id) == JOET
    assert old.tables[3].header[1:] == ["2023 toteutuma", "2024 varsinainen talousarvio", "2025 esitys"]
    assert [v.kind for v in new.indicators[-1].values] == ["actual", "budget", "budget_proposal"]


def test_every_change_between_the_years_and_nothing_else(budget_diff):
    assert facts(budget_diff) == CHANGES
    assert budget_diff.warnings == []
    values = budget_diff.summary.by_entity["value"]
    assert values == {"added": 20, "removed": 17, "changed": 14, "confirmed": 14}
    assert budget_diff.summary.by_entity["indicator"] == {"added": 2, "removed": 1, "renamed": 4}
    assert "table" not in budget_diff.summary.by_entity  # every table paired, none renamed: only years rolled
    assert budget_diff.summary.rollover == sum(1 for f in CHANGES if f[-1]) == 37


def test_tables_pair_by_their_rows_when_captions_repeat_or_are_missing(sections, budget_diff):
    """The two ``Valvonta`` tables swapped places: the rows say which is which. Without any
    caption (an outline that ties none) the rows alone pair every table, with the same result."""
    plain = diff_agreements(without_captions(sections[0]), without_captions(sections[1]))
    assert facts(plain) == CHANGES and plain.warnings == []
    rikkeet = [c for c in budget_diff.changes if c.title == RIKKEET and c.detail.year == 2024]
    assert [(c.old, c.new) for c in rikkeet] == [(90, 88), (300, 305)]  # rivers 90 → 88, lakes 300 → 305


def test_rows_renamed_in_place_are_renamed_with_their_values(budget_diff):
    renamed = {c.new: c for c in budget_diff.changes if c.change == "renamed"}
    # Half of the words that say what is measured are shared, and the row stands where the old one
    # stood (both neighbours): renamed, and sure, although the names alone are only 0.57 alike.
    for name in (VENEET, POISSAOLOT):
        change = renamed[name]
        assert (change.detail.similarity, change.detail.uncertain) == (0.571, False)
        assert change.old_id != change.id and change.old_id.startswith("i-")
        value = next(c for c in budget_diff.changes if c.entity == "value" and c.id == change.id)
        assert value.old_id == change.old_id and value.path == f"indicators/{change.id}/values/2023"
    assert [(w.op, w.text) for w in renamed[VENEET].detail.words] == [
        ("equal", "Valvontaveneiden"),
        ("delete", "käyttöaste,"),
        ("insert", "käyttöaste kesäkaudella (touko—syyskuu),"),
        ("equal", "%"),
    ]
    # A row that moved to the end of its table and was renamed: paired by its name, as a guess.
    assert renamed[ALUKSET].detail.uncertain and renamed[ALUKSET].detail.similarity == 0.75
    assert budget_diff.summary.uncertain == 1


def test_kinds_and_comparisons_between_the_years(budget_diff):
    def change(title: str, year: int):
        return next(c for c in budget_diff.changes if c.title == title and c.detail.year == year)

    proposal = change("Bruttotulot", 2025)
    d = proposal.detail
    assert (proposal.change, d.old_kind, d.new_kind, d.old_label, d.new_label) == (
        "confirmed", "budget_proposal", "budget", "2025 esitys", "2025 varsinainen talousarvio"
    )  # fmt: skip
    assert (d.old_text, d.new_text, d.rollover) == ("2 100", "2 150", False)
    spent = change("Bruttomenot", 2024)
    assert (spent.change, spent.detail.field, spent.detail.old_kind, spent.detail.new_kind) == (
        "changed", "kind", "budget", "actual"
    )  # fmt: skip
    target = change(LUOTTAMUS, 2025)
    d = target.detail
    assert (d.old_kind, d.new_kind, d.old_comparator, d.new_comparator) == ("target", "estimate", ">", None)
    assert d.note == "the number is the same; comparison > → none"
    ranged = change(VENEET, 2025).detail
    assert (ranged.old_text, ranged.old_value_max, ranged.new_value_max, ranged.note) == ("65—70", 70, None, None)


def test_the_reports_put_the_years_rolling_on_below_what_moved(budget_diff):
    """The 37 rollover changes and the title and period naming the next year are routine, folded below;
    the figures that moved come first, each with how far it moved."""
    plan = triage(budget_diff.changes)
    assert (len(plan.substantive), len(plan.routine)) == (35, 39)
    assert {c.path for c in plan.routine} == {c.path for c in budget_diff.changes if c.detail.rollover} | {
        "agreement/title",
        "agreement/period",
    }
    markdown = render_markdown(budget_diff)
    substantive, routine = markdown.split("## Routine changes")
    assert (
        "**35 substantive** changes first, then **39 routine** ones: the oldest year left the table (14); " in markdown
    )
    assert (
        "| 2024 | 4 300 (2024 arvio) | 4 350 (2024 toteutuma) | +50 (+1,2 %) | confirmed at another figure "
        "(old line 14, new line 14) |"
    ) in substantive
    assert (
        "| 2025 | 4 500 (2025 tavoite) | 4 500 (2025 arvio) | kind moved on, same figure (old line 14, new line 14) |"
        in (routine)
    )
    assert "- Period: 2025 → 2026 *(the period moved on, as long as before)*" in routine
    assert "- indicator renamed, similarity 0.57 (old line 16, new line 16): Valvontaveneiden ~~käyttöaste,~~" in (
        substantive
    )
    # A range (65—70) is no one figure: the change of kind and figure has no delta.
    assert "| 2025 | 65—70 (2025 tavoite) | 66 (2025 arvio) |  | the kind and the figure changed" in substantive
    html = render_html(budget_diff)
    assert '<a class="card routine" data-count="routine" href="#routine"><b>39</b>' in html
    assert html.count('data-rollover="true"') == 37
    assert "the number is the same; comparison &gt; → none" in html


def test_agreements_diff_of_the_two_sections(sections, budget_diff, tmp_path):
    """The command on the two years' extractions: exit 1, the three reports, the same diff."""
    for agreement, name in zip(sections, ("2025.json", "2026.json"), strict=True):
        (tmp_path / name).write_text(agreement.model_dump_json(), encoding="utf-8")
    out = tmp_path / "review"
    result = run_cli("diff", tmp_path / "2025.json", tmp_path / "2026.json", "-o", out)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"{budget_diff.summary.total} changes (")
    document = AgreementDiff.model_validate_json((out / "diff.json").read_text(encoding="utf-8"))
    assert document == budget_diff
    assert f"#### {POISSAOLOT}" in (out / "diff.md").read_text(encoding="utf-8")
    assert 'data-count="routine"' in (out / "diff.html").read_text(encoding="utf-8")


def test_a_comparison_or_a_range_that_changed_is_a_value_change(sections):
    """The same kind in both versions: a new number, a comparison added or dropped, a range widened;
    and kinds that gave way to the outcome once the year was over."""
    old = sections[0]
    new = old.model_copy(deep=True)
    values = {(i.name, v.year): v for i in new.indicators for v in i.values}
    values[(VALMIUS, 2025)].value, values[(VALMIUS, 2025)].text = 16, "<16"  # < kept, the number moved
    kaynnit = values[(KAYNNIT, 2025)]
    kaynnit.comparator, kaynnit.text = ">=", "vähintään 4 500"  # the same number, now a floor
    veneet = values[(VENEET_2025, 2025)]
    veneet.value_max, veneet.text = 75, "65—75"  # the range widened
    values[(VALMIUS, 2024)].kind = "actual"  # the 2024 estimate was the outcome: confirmed, nothing new
    values[(TYYTYVAISYYS, 2025)].kind = "actual"  # the 2025 target was met exactly: the year is over
    values[("Bruttomenot", 2024)].kind = "actual"  # the 2024 budget was spent to the euro
    diff = diff_agreements(old, new)
    assert [
        (c.change, c.title, c.detail.field, c.detail.year, c.old, c.new, c.detail.rollover, c.detail.note)
        for c in diff.changes
    ] == [
        ("changed", KAYNNIT, "comparator", 2025, 4500, 4500, False, "the number is the same; comparison none → >="),
        ("confirmed", VALMIUS, None, 2024, 17, 17, True, None),
        ("changed", VALMIUS, None, 2025, 17, 16, False, None),
        ("changed", VENEET_2025, "value_max", 2025, 65, 65, False, "the number is the same; upper bound 70 → 75"),
        ("changed", TYYTYVAISYYS, "kind", 2025, 3.6, 3.6, True, None),
        ("changed", "Bruttomenot", "kind", 2024, 42900, 42900, True, None),
    ]  # fmt: skip
    kaynnit_change = diff.changes[0].detail
    assert (kaynnit_change.old_comparator, kaynnit_change.new_comparator) == (None, ">=")
    valmius = diff.changes[2].detail
    assert (valmius.old_comparator, valmius.new_comparator, valmius.old_text, valmius.new_text) == (
        "<",
        "<",
        "<17",
        "<16",
    )
    assert (diff.changes[3].detail.old_value_max, diff.changes[3].detail.new_value_max) == (70, 75)
    assert diff.summary.rollover == 3
