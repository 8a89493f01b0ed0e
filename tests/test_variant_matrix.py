"""Every layout of the table-layout matrix gives the indicators, goals and targets of the text.

``fixtures/matrix`` holds the Valtori tables (``valtori-tables.txt``) laid out 24 ways by
``tests/tools/make_matrix.py`` (see its README): no rules, horizontal rules only, shaded rows, a
grid; no, Word's or wide cell padding; three fonts at 8–11 pt; portrait or landscape; flat or
spanned headers, printed once or on every page; numbers left or right. The property is the same for
every PDF in the folder: what the PDF reader gets equals what the text reader gets — every
indicator's name, unit and values (year, kind, value as parsed and cell as written), every goal's
number and title and every target (year, text).
"""

from __future__ import annotations

import itertools
import re

import pytest
from conftest import FIXTURES, VALTORI_TXT, extracted

MATRIX = FIXTURES / "matrix"
REFERENCE = MATRIX / "valtori-tables.txt"
PDFS = sorted(MATRIX.glob("*.pdf"))
NAME = re.compile(
    r"^\d\d-(?P<rules>none|hrules|shaded|grid)-(?P<padding>pad0|padword|padwide)-(?P<font>serif|dejavu|carlito)"
    r"(?P<size>8|9|10|11)-(?P<page>portrait|landscape)-(?P<header>flat|spanned)-(?P<repeat>once|repeated)"
    r"-(?P<numbers>left|right)\.pdf$"
)


def indicator_facts(agreement) -> list[tuple]:
    return [(i.name, i.unit, [(v.year, v.kind, v.value, v.text) for v in i.values]) for i in agreement.indicators]


def goal_facts(agreement) -> list[tuple]:
    return [(g.number, g.title, [(t.year, t.text) for t in g.targets]) for g in agreement.goals]


@pytest.fixture(scope="module")
def reference():
    return extracted(REFERENCE)


def test_the_compact_text_holds_every_value_and_target_of_the_agreement(reference):
    whole = extracted(VALTORI_TXT)
    assert indicator_facts(reference) == indicator_facts(whole)
    assert goal_facts(reference) == goal_facts(whole)
    assert (len(reference.indicators), sum(len(i.values) for i in reference.indicators)) == (52, 277)
    assert (len(reference.goals), sum(len(g.targets) for g in reference.goals)) == (11, 27)


def test_the_matrix_covers_every_pair_of_levels():
    """At least 24 PDFs; every pair of levels of two factors in one of them; the borderless case
    (no rules, no padding, 8 pt) among them."""
    rows = [NAME.match(p.name).groupdict() for p in PDFS]
    assert len(rows) >= 24
    levels = {factor: {row[factor] for row in rows} for factor in rows[0]}
    assert {k: len(v) for k, v in levels.items()} == {
        "rules": 4, "padding": 3, "font": 3, "size": 4, "page": 2, "header": 2, "repeat": 2, "numbers": 2,
    }  # fmt: skip
    for a, b in itertools.combinations(levels, 2):
        seen = {(row[a], row[b]) for row in rows}
        assert seen == set(itertools.product(levels[a], levels[b])), (a, b)
    assert any(r["rules"] == "none" and r["padding"] == "pad0" and r["size"] == "8" for r in rows)


@pytest.mark.parametrize("pdf", PDFS, ids=[p.stem for p in PDFS])
def test_indicators_are_those_of_the_text(pdf, reference):
    assert indicator_facts(extracted(pdf)) == indicator_facts(reference)


def test_the_borderless_case_reads_like_the_text(reference):
    """The issue's case: no rules, no cell padding (cells one space apart, or touching), 8 pt."""
    pdf = MATRIX / "01-none-pad0-serif8-portrait-flat-once-left.pdf"
    agreement = extracted(pdf)
    assert (len(agreement.indicators), sum(len(i.values) for i in agreement.indicators)) == (52, 277)
    assert (len(agreement.goals), sum(len(g.targets) for g in agreement.goals)) == (11, 27)
    assert indicator_facts(agreement) == indicator_facts(reference)
    assert goal_facts(agreement) == goal_facts(reference)


@pytest.mark.parametrize("pdf", PDFS, ids=[p.stem for p in PDFS])
def test_goals_and_targets_are_those_of_the_text(pdf, reference):
    assert goal_facts(extracted(pdf)) == goal_facts(reference)
