"""Finnish vocabulary of performance agreements, as data in one place.

Every entry here has a test in ``tests/test_finnish.py``. Patterns are matched case-insensitively
against normalised text (see ``pipeline.textnorm``).
"""

from __future__ import annotations

import regex

# Column header word → value kind. Order matters: the first match wins ("Alustava tavoite"
# before "Tavoite", "TAE" before "TA").
COLUMN_KINDS: list[tuple[str, str]] = [
    (r"alustava\s+tavoite|alust\.\s*tavoite", "preliminary_target"),
    (r"tavoite(?:taso)?", "target"),
    (r"toteuma|toteutunut|tilinpäätös|\btp\b", "actual"),
    (r"arvio|ennuste", "estimate"),
    (r"\btae\b|talousarvioesitys", "budget"),
    (r"\blta\b|lisätalousarvio", "budget"),
    (r"\bta\b|talousarvio", "budget"),
    (r"kehys", "frame"),
]

# The header of the column that flags a budget target (TAE) for each indicator.
BUDGET_FLAG_HEADER = regex.compile(r"^talous\s*-?\s*arvio\s*-?\s*tavo?\s*-?\s*ite$", regex.I)

# Name-column headers of indicator tables.
NAME_HEADERS = regex.compile(r"^(mittari|indikaattori|tunnusluku|mittarit)$", regex.I)

# Units: (pattern in an indicator name or header, normalised unit, scale). First match wins.
UNITS: list[tuple[str, str, float]] = [
    (r"milj\.?\s*(?:euroa|€)|m€|meur", "EUR", 1_000_000),
    (r"(?:1\s?000|t)\s*(?:euroa|€)|1000\s*eur\b|t€", "EUR", 1000),
    (r"\beuroa\b|€|\beur\b", "EUR", 1),
    (r"%", "%", 1),
    (r"asteikko\s*1\s*-\s*5|\(1\s*-\s*5\)", "scale 1-5", 1),
    (r"asteikko\s*1\s*-\s*4|\(1\s*-\s*4\)", "scale 1-4", 1),
    (r"asteikko\s*1\s*-\s*10|\(1\s*-\s*10\)", "scale 1-10", 1),
    (r"kpl\s*/\s*kk", "kpl/kk", 1),
    (r"työpäivää\s*/\s*htv", "työpäivää/htv", 1),
    (r"\btuntia\b|\btunteina\b|\(h\)", "h", 1),
    (r"\bhtv\b|henkilötyövuo", "htv", 1),
    (r"\(\d{4}\s*=\s*100\)|indeksi", "index", 1),
    (r"\bkpl\b", "kpl", 1),
    (r"\bpäivää\b|\bvrk\b", "d", 1),
]

# Scale stated in a table header or caption without a unit word of its own.
SCALE_IN_HEADER = regex.compile(r"\((?:1\s?000|tuhatta)\s*(?:euroa|€)\)|1000\s*euroa", regex.I)

# Headings and paragraphs with a fixed meaning.
TOC_TITLES = regex.compile(r"^(sisällys|sisällysluettelo|sisältö)$", regex.I)
CAPTION = regex.compile(r"^Taulukko\s+(\d+)\s*[.:]?\s*(.*)$", regex.I)
TARGET_START = regex.compile(r"^Tavoite\s+((?:19|20)\d\d)\b[\s:.–-]*(.*)$", regex.S)
TARGET_LEVEL = regex.compile(r"^Tavoitetaso\s*:?\s*(.*)$", regex.I | regex.S)
SATISFACTORY_LEVEL = regex.compile(r"^Tyydyttävä\s+taso\s*:?\s*(.*)$", regex.I | regex.S)

# Goal rows of goal tables: "1. Valtorin rooli …", "Hanke 2. PATO-ohjelma".
GOAL_ROW = regex.compile(r"^(?:(Hanke|Projekti|Tavoite)\s+)?(\d+)\s*\.\s+(.+)$", regex.S)
PARENT_GOAL_REF = regex.compile(r"^(?:Vaikuttavuustavoite|Tavoite)\s+(\d+)\s*:\s*(.+)$", regex.S)
YEAR = regex.compile(r"^(?:19|20)\d\d$")
# A goal table's year cell that says "no target this year".
NO_TARGET = regex.compile(r"^\s*[-–—]?\s*$")

# Organisations.
MINISTRY = regex.compile(r"\b(?:[\p{Lu}][\p{L}]*-\s+ja\s+)?[\p{Lu}]?[\p{L}]*ministeriö\b", regex.I)
AGREEMENT_TITLE = regex.compile(
    r"^(?P<left>.+?)\s+(?:ja|sekä)\s+(?P<right>.+?)\s+välinen\s+tulossopimus\b(?P<rest>.*)$",
    regex.I | regex.S,
)
AGREEMENT_WORD = regex.compile(r"tulossopimu|tulostavoite|tavoiteasiakirja|tulossuunnitelma", regex.I)
SIGNING_HINT = regex.compile(r"allekirjoit", regex.I)


def column_kind(header: str) -> str | None:
    """The value kind a column header names, or None when it names none."""
    text = header.lower()
    for pattern, kind in COLUMN_KINDS:
        if regex.search(pattern, text):
            return kind
    return None


def unit_of(name: str) -> tuple[str | None, float]:
    """Normalised unit and scale named in an indicator name or header, else (None, 1)."""
    for pattern, unit, scale in UNITS:
        if regex.search(pattern, name, regex.I):
            return unit, scale
    return None, 1
