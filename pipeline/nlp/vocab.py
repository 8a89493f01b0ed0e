"""Finnish vocabulary of performance agreements, as data in one place.

Every entry here has a test in ``tests/test_finnish.py``. Patterns are matched case-insensitively
against normalised text (see ``pipeline.textnorm``).
"""

from __future__ import annotations

import regex

# Column header word → value kind. Order matters: the first match wins ("Alustava tavoite"
# before "Tavoite", "TAE" before "TA", "varsinainen talousarvio" before "arvio": a word matched
# at its start only, so "arvio" inside "talousarvio" is no estimate).
COLUMN_KINDS: list[tuple[str, str]] = [
    (r"\balustava\s+tavoite|\balust\.\s*tavoite", "preliminary_target"),
    (r"\btavoite(?:taso)?\b", "target"),
    (r"\btoteutuma|\btoteuma|\btoteutunut|\btilinpäätös|\btp\b", "actual"),
    (r"\btae\b|\btalousarvioesity|\besitys\b|\bhe\b", "budget_proposal"),
    (r"\blta\b|\blisätalousarvio", "budget"),
    (r"\bta\b|\bvarsinainen\s+talousarvio|\btalousarvio\b", "budget"),
    (r"\barvio|\bennuste", "estimate"),
    (r"\bkehys", "frame"),
]

# The header of the column that flags a budget target (TAE) for each indicator.
BUDGET_FLAG_HEADER = regex.compile(r"^talous\s*-?\s*arvio\s*-?\s*tavo?\s*-?\s*ite$", regex.I)

# Name-column headers of indicator tables ("Mittari", "Tunnusluku/mittari").
NAME_HEADERS = regex.compile(r"^(?:tunnusluku|mittari|mittarit|indikaattori|tunnusluvut)(?:\s*/\s*\w+)?:?$", regex.I)

# The words a table header holds besides its years, one word a line in converter text
# ("2025" / "varsinainen" / "talousarvio"); a header line holds nothing else.
HEADER_KIND_WORDS = frozenset(
    {
        "toteutuma", "toteuma", "toteutunut", "toteutumat", "tilinpäätös", "tp", "arvio", "ennuste",
        "tavoite", "tavoitetaso", "tulostavoite", "alustava", "alust.", "varsinainen", "talousarvio",
        "talousarvioesitys", "esitys", "he", "ta", "tae", "lta", "lisätalousarvio", "i", "ii", "iii",
        "iv", "kehys", "v.", "vuosi", "vuonna", "suunnitelma",
    }
)  # fmt: skip
# Words of a header column that is no year ("arvio osuus (%)": a share column after the years).
HEADER_EXTRA_WORDS = frozenset({"osuus", "(%)", "%", "muutos", "muutos-%", "muutos,", "ero"})
# Kinds of more than one word, kept together when a header's kinds pair with its years by position.
HEADER_KIND_PHRASES = frozenset(
    {"alustava tavoite", "alust. tavoite", "varsinainen talousarvio", "i lisätalousarvio", "ii lisätalousarvio",
     "iii lisätalousarvio"}
)  # fmt: skip

# Units: (pattern in an indicator name or header, normalised unit). First match wins.
UNITS: list[tuple[str, str]] = [
    (r"milj\.?\s*(?:euroa|€)|m€|meur|(?:1\s?000|t)\s*(?:euroa|€)|1000\s*eur\b|t€|\beuroa\b|€|\beur\b", "EUR"),
    (r"%", "%"),
    (r"asteik\w*\s*1\s*[-–—]\s*5\b|\(1\s*[-–—]\s*5\)", "scale 1-5"),
    (r"asteik\w*\s*1\s*[-–—]\s*4\b|\(1\s*[-–—]\s*4\)", "scale 1-4"),
    (r"asteik\w*\s*1\s*[-–—]\s*10\b|\(1\s*[-–—]\s*10\)", "scale 1-10"),
    (r"kpl\s*/\s*kk", "kpl/kk"),
    (r"työpäivää\s*/\s*htv", "työpäivää/htv"),
    (r"\b(?:kalenteri)?pv\s*/\s*htv", "pv/htv"),
    (r"\btuntia\b|\btunteina\b|\(h\)|\bmilj\.\s*h\b|\(tunnit", "h"),
    (r"\bhtv\b|henkilötyövuo", "htv"),
    (r"\(\d{4}\s*=\s*100\)|indeksi|\(ind\)", "index"),
    (r"\bkpl\b|\blkm\b", "kpl"),
    (r"\bhlö", "henkilöä"),
    (r"\bpäivää\b|\bvrk\b", "d"),
    (r"\bmin\.|\bminuuttia\b", "min"),
    (r"\bkk\b", "kk"),
]

# Multipliers stated with a unit (`1 000 euroa`, `milj. euroa`, `(milj. h)`, `t€`).
SCALES: list[tuple[str, float]] = [
    (r"\bmilj\.?\s*(?=\p{L}|€)|\bmiljoonaa\b|m€|\bmeur\b", 1_000_000),
    (r"(?<![\d,])1\s?000\s*(?=euroa|€|eur\b|\p{L})|\btuhatta\b|\bt€|\btuhatta\s+euroa", 1000),
]

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
AGREEMENT_WORD = regex.compile(r"tulossopimu|tulostavoite|tavoiteasiakirja|tulossuunnitelma", regex.I)
# The agreement word standing as a word of the title (``tulossopimus``, ``TULOSSOPIMUS``).
_TITLE_WORD = r"(?P<word>tulossopimu\w*|tulostavoite\w*|tavoiteasiakirja\w*|tulossuunnitelma\w*)"
# The parties in the genitive before the agreement word, ``välinen`` optional: ``Valtiovarainministeriön ja
# Valtorin välinen tulossopimus …``, ``MAA- JA METSÄTALOUSMINISTERIÖN, X:N JA Y:N TULOSSOPIMUS 2020–2023``.
AGREEMENT_TITLE = regex.compile(
    rf"^(?P<parties>.+?)\s+(?:väli(?:nen|set)\s+)?{_TITLE_WORD}\b(?P<rest>.*)$", regex.I | regex.S
)
# The parties after the agreement word: ``Tulossopimus X:n ja Y:n välillä vuosille 2024–2027``.
AGREEMENT_TITLE_BETWEEN = regex.compile(
    rf"^{_TITLE_WORD}\s+(?P<parties>.+?)\s+välillä\b(?P<rest>.*)$", regex.I | regex.S
)
# Between parties: a comma, ``ja`` or ``sekä``, but not after a shared compound part (``Maa- ja metsätalous…``).
PARTY_SEPARATOR = regex.compile(r"(?<!-)\s*,\s*|(?<!-)\s+(?:ja|sekä)\s+", regex.I)
# A party in the genitive: a few words, the first capitalised, the last in -n (``Kansallisen nuorisoarkiston``,
# ``Elinkeino-, liikenne- ja ympäristökeskusten kehittämis- ja hallintokeskuksen``).
PARTY = regex.compile(r"^[\p{Lu}][\p{L}\-]*(?:(?<=-),)?(?:\s+[\p{L}][\p{L}\-]*(?:(?<=-),)?){0,7}(?<=[nN])$")
# Parties that name no one: ``Ohjaavien ministeriöiden``, ``Ministeriön``.
GENERIC_PARTY = regex.compile(r"^(?:ohjaavi|ohjaava|ministeriö)", regex.I)
SIGNING_HINT = regex.compile(r"allekirjoit", regex.I)

# Words that may stand beside a date on a line that dates the agreement (``Päivämäärä 13.12.2023``,
# ``Dnro VN/17411/2023 13.12.2023``, ``Allekirjoitettu sähköisesti 27.1.2025``); a place (``Helsingissä``)
# and a document-type word (``TULOSSOPIMUSASIAKIRJA``) are recognised apart.
DATE_LINE_WORDS = regex.compile(
    r"^(?:pvm|päivämäärä|päiväys|dnro|dno|diaarinumero|diaarinro|asianumero|nro|allekirjoitettu|allekirjoitus|"
    r"sähköisesti|hyväksytty|luonnos|versio|asiakirja|sopimus|sopimusasiakirja)$",
    regex.I,
)
# Month stems of written dates (``13. joulukuuta 2023``), in order.
MONTHS = ("tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo", "syys", "loka", "marras", "joulu")


def column_kind(header: str) -> str | None:
    """The value kind a column header names, or None when it names none."""
    text = header.lower()
    for pattern, kind in COLUMN_KINDS:
        if regex.search(pattern, text):
            return kind
    return None


def unit_of(name: str) -> tuple[str | None, float]:
    """Normalised unit and scale named in an indicator name, header or caption, else (None, 1)."""
    unit = next((u for pattern, u in UNITS if regex.search(pattern, name, regex.I)), None)
    if unit is None:
        return None, 1
    scale = next((f for pattern, f in SCALES if regex.search(pattern, name, regex.I)), 1)
    return unit, scale
