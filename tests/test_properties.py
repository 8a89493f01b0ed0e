"""Property-based tests (hypothesis): Finnish numbers round-trip, and no text or Markdown — however
odd — makes the pipeline raise anything but its own declared errors."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.errors import AgreementError
from pipeline.extract import extract_file
from pipeline.nlp.numbers import format_fi_number, parse_fi_number
from pipeline.readers.markdown import read_markdown
from pipeline.readers.text import read_text

# Pieces real agreements are made of, so that random documents reach the deep paths (tables,
# targets, captions, footnotes), mixed with arbitrary text.
FRAGMENTS = [
    "Valtiovarainministeriön ja Valtorin välinen tulossopimus vuosille 2024–2027",
    "Ohjaavien ministeriöiden ja KEHA-keskuksen välinen tulossopimus vuodelle 2025",
    "1 Strategiset linjaukset",
    "3.2.1 Toiminnallinen tehokkuus",
    "Taulukko 4. Tuottavuuden tavoitteet",
    "mittari\tToteuma 2022\tArvio 2023\tTavoite 2024\tAlustava tavoite 2025\ttalous-arvio-tavoite",
    "Laskutusaste, % ¹\t72\t72\t72\t73\t-",
    "- Tori-yksikköhintojen kehitys (2023=100)\t100,3\t100\t98,5\t96,5\t-",
    "\t1. Valtorin rooli vahvistuu",
    "2024\tKaikki käsitelty (100%)",
    "2027\t-",
    "Tavoite 2025 KEHA-keskus on toteuttanut 90 % muutoksista.",
    "Tyydyttävä taso:",
    "Tavoitetaso:",
    "## **Hallinnon prosessit ovat tehostuneet**",
    "### Menojen käsittely on tehokasta",
    "| mittari | Tavoite 2025 |\n|---|---|\n| Työllisyysaste | 75 % |",
    "¹ Alaviite, joka selittää.",
    "13.12.2023",
    "VN/17411/2023",
    "Sisällys",
    "Anna-Kaisa Ikonen",
    "Kunta- ja alueministeri",
    "vähene-",
    '<ol style="list-style-type: none">',
    "465 668",
    "-272 090",
    "\u00a0",
    "",
]
documents = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=40).map("\n".join)


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=4),
)
def test_finnish_numbers_round_trip(value, decimals):
    text = format_fi_number(value, decimals)
    assert "." not in text and ("," in text) == (decimals > 0)
    parsed = parse_fi_number(text)
    assert parsed is not None
    assert math.isclose(parsed, round(value, decimals), abs_tol=10 ** -(decimals + 1)) or parsed == -0.0


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_finnish_integers_round_trip_exactly(value):
    assert parse_fi_number(format_fi_number(value, 0)) == value


@given(st.text(max_size=60))
def test_parse_fi_number_never_raises(text):
    result = parse_fi_number(text)
    assert result is None or math.isfinite(result)


@given(documents)
@settings(max_examples=150, deadline=None)
def test_readers_take_any_text(text):
    for read in (read_text, read_markdown):
        layout = read(text)
        for block in layout.blocks:
            assert block.prov.line is None or block.prov.line >= 1


@given(documents, st.sampled_from([".txt", ".md"]))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_extraction_raises_only_declared_errors(text, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"sopimus{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            agreement = extract_file(path, max_seconds=30)
        except AgreementError as exc:
            event(f"refused: {type(exc).__name__}")
            return
        event(f"extracted: {'indicators' if agreement.indicators else 'no indicators'}, "
              f"{'targets' if any(g.targets for g in agreement.goals) else 'no targets'}")  # fmt: skip
        assert agreement.agreement.title  # an agreement that was accepted has a title
        for indicator in agreement.indicators:
            assert all(v.value is None or math.isfinite(v.value) for v in indicator.values)
