"""Finnish entities of agreements with spaCy: years, ranges, dates, money, percentages, diary numbers.

No trained Finnish spaCy model can be installed here, so the pipeline is ``spacy.blank("fi")``
(Finnish tokenizer and lexical attributes) plus one registered component that applies the
patterns in ``patterns.json``. spaCy costs over a second to import: ``nlp()`` loads it on first
use and keeps one pipeline per process. Extraction itself applies the same patterns directly
(``entities``, ``quantities``), which gives the same entities without that second.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.nlp.numbers import parse_fi_number

PATTERNS_FILE = Path(__file__).with_name("patterns.json")
COMPONENT = "fi_agreement_entities"


@functools.lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, regex.Pattern]]:
    data = json.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    return [(p["label"], regex.compile(p["pattern"])) for p in data["patterns"]]


def find_spans(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, label) matches; earlier patterns, then longer spans, win."""
    candidates = []
    for priority, (label, pattern) in enumerate(_patterns()):
        for match in pattern.finditer(text):
            candidates.append((priority, -(match.end() - match.start()), match.start(), match.end(), label))
    taken: list[tuple[int, int, str]] = []
    for _, _, start, end, label in sorted(candidates):
        if all(end <= s or start >= e for s, e, _ in taken):
            taken.append((start, end, label))
    return sorted(taken)


@functools.lru_cache(maxsize=1)
def nlp():
    """The shared Finnish pipeline: ``spacy.blank("fi")`` + the entity component."""
    import spacy
    from spacy.language import Language
    from spacy.util import filter_spans

    if COMPONENT not in Language.factories:

        @Language.component(COMPONENT)
        def fi_agreement_entities(doc):
            spans = []
            for start, end, label in find_spans(doc.text):
                span = doc.char_span(start, end, label=label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
            doc.ents = filter_spans(spans)
            return doc

    pipeline = spacy.blank("fi")
    pipeline.add_pipe(COMPONENT)
    return pipeline


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None
    text: str


_UNIT_WORDS = [
    (regex.compile(r"%|prosenttia"), "%"),
    (regex.compile(r"euroa|€|EUR"), "EUR"),
    (regex.compile(r"kpl/kk"), "kpl/kk"),
    (regex.compile(r"kpl"), "kpl"),
    (regex.compile(r"htv"), "htv"),
    (regex.compile(r"tuntia|\bh\b"), "h"),
    (regex.compile(r"päivää|\bpv\b"), "d"),
    (regex.compile(r"\bkk\b"), "kk"),
    (regex.compile(r"henkilöä"), "henkilöä"),
]
_LEADING_NUMBER = regex.compile(r"^[-−]?\d{1,3}(?:[ \u00a0]\d{3})+(?:,\d+)?|^[-−]?\d+(?:,\d+)?")
_SCALE_WORDS = {"milj": 1_000_000, "miljoonaa": 1_000_000, "tuhatta": 1000}


def quantities(texts: list[str]) -> list[list[Quantity]]:
    """The quantities with units (``90 %``, ``70%``, ``3,3 kpl/kk``, ``15 000 euroa``) in each text."""
    results = []
    for text in texts:
        found = []
        for label, span in entities(text):
            if label not in ("PERCENT", "MONEY", "QUANTITY"):
                continue
            number = _LEADING_NUMBER.match(span)
            value = parse_fi_number(number.group(0)) if number else None
            if value is None:
                continue
            rest = span[number.end() :]
            unit = next((u for pattern, u in _UNIT_WORDS if pattern.search(rest)), None)
            for word, factor in _SCALE_WORDS.items():
                if word in rest:
                    value *= factor
            found.append(Quantity(value=value, unit=unit, text=span))
        results.append(found)
    return results


def entities(text: str) -> list[tuple[str, str]]:
    """(label, text) of every entity in a text: the patterns applied directly.

    The spaCy pipeline (``nlp()``) applies the same patterns as a registered component and gives the
    same entities (tested), but loading spaCy costs over a second per process and its blank Finnish
    pipeline adds nothing but tokenisation here; extraction calls the patterns directly. ``nlp()`` is
    where a trained Finnish model's entities would join them.
    """
    return [(label, text[start:end]) for start, end, label in find_spans(text)]
