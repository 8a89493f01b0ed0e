"""Agency sections of the state budget proposal (talousarvioesitys) as a second kind of document.

The budget proposal is organised in main titles (``10. Verotus ja tulli``) and items
(``01. Verohallinnon toimintamenot (siirtomääräraha 2 v)``), each with an explanation
(``Selvitysosa:``) holding the agency's performance tables for the year and its operational
goals (``… asettaa Poliisille seuraavat alustavat toiminnalliset tulostavoitteet:`` and a dash
list). Such a section is recognised by its items' appropriation types and their wording, and
read as:

- agency: the genitive of the operating-expenses item's title (``Verohallinnon toimintamenot``
  → Verohallinto), else of the main title;
- year: the year of the ``esitys`` (proposal) or ``tavoite`` columns of its tables;
- budget item: ``28.10.01`` from the running page headers (``28.10 291``) and the item number;
- goals: the dash lists after a line naming ``tavoitteet``;
- series_id: ``<agency>-talousarvioesitys``, so every year's section of one agency is one series.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import regex

from pipeline.extract.goals import RawGoal
from pipeline.extract.indicators import RawIndicator
from pipeline.extract.metadata import Metadata, base_form
from pipeline.segment.outline import Outline
from pipeline.textnorm import slugify

KIND = "talousarvioesitys"
# An item of the budget: "01. Verohallinnon toimintamenot (siirtomääräraha 2 v)".
ITEM = regex.compile(
    r"^(?P<number>\d{2})\.\s+(?P<title>\p{Lu}.*?)\s*"
    r"\((?P<type>(?:siirto|arvio|kiinteä\s+)määräraha[^)]*|siirtomääräraha[^)]*)\)\s*$",
    regex.I,
)
# A main title: "10. Verotus ja tulli", "40. Rangaistusten täytäntöönpano".
MAIN_TITLE = regex.compile(r"^(?P<number>\d{2})\.\s+(?P<title>\p{Lu}[^.()]{2,80})$")
OPERATING = regex.compile(r"^(?P<agency>.+?)\s+toimintamenot\b", regex.I)
# Wording only the budget proposal uses.
SIGNALS = regex.compile(
    r"^(?:Selvitysosa\s*:|Momentille\s+myönnetään|Määrärahaa\s+saa\s+käyttää|Määrärahan\s+mitoituksessa)", regex.I
)
AGREEMENT = regex.compile(r"tulossopimu", regex.I)
GOAL_INTRO = regex.compile(r"tavoitteet|tulostavoitteet", regex.I)
RUNNING_ITEM = regex.compile(r"^(?P<item>\d{2}\.\d{2})\s?\d{1,4}$")
# "Sisäministeriö asettaa Poliisille …", "Liikenne- ja viestintäministeriö on asettanut …"
MINISTRY_SETS = regex.compile(
    r"\b(?P<ministry>(?:\p{L}+-\s+ja\s+)?\p{L}+ministeriö)\s+(?:asettaa|on\s+asettanut|asetti)\b", regex.I
)


@dataclass
class BudgetInfo:
    item: str | None  # "28.10.01"
    year: int | None


def is_budget_proposal(outline: Outline) -> bool:
    """Whether the document is an agency section of the budget proposal: no agreement title at its
    head, and an item with its appropriation type or two of the proposal's fixed phrases."""
    texts = [b.text for b in outline.blocks if b.kind != "table" and b.text]
    if any(AGREEMENT.search(t) for t in texts[:3]):
        return False  # an agreement that quotes a budget item is still an agreement
    return any(ITEM.match(t) for t in texts) or sum(1 for t in texts if SIGNALS.match(t)) >= 2


def _items(outline: Outline) -> list[regex.Match]:
    return [m for b in outline.blocks if b.kind != "table" and (m := ITEM.match(b.text or ""))]


def budget_year(indicators: list[RawIndicator]) -> int | None:
    """The budget's year: the year of its proposal columns, else the latest target year."""
    proposals = Counter(v.year for r in indicators for v in r.values if v.kind == "budget_proposal")
    if proposals:
        return proposals.most_common(1)[0][0]
    targets = [v.year for r in indicators for v in r.values if v.kind == "target"]
    return max(targets) if targets else None


def budget_metadata(
    outline: Outline, indicators: list[RawIndicator], warnings: list[str]
) -> tuple[Metadata, BudgetInfo]:
    """Metadata of a budget-proposal section; see the module docstring."""
    meta = Metadata()
    all_text = "\n".join(b.text for b in outline.blocks if b.text)
    items = _items(outline)
    operating = next((m for m in items if OPERATING.match(m.group("title"))), None)
    main = next(
        (
            m
            for b in outline.blocks
            if b.kind != "table" and (m := MAIN_TITLE.match(b.text or "")) and not ITEM.match(b.text)
        ),
        None,
    )
    if operating is not None:
        meta.agency = base_form(OPERATING.match(operating.group("title")).group("agency"), all_text)
    elif main is not None:
        meta.agency = main.group("title").strip()
    else:
        warnings.append("budget proposal: no item title (`01. … toimintamenot (siirtomääräraha 2 v)`) names the agency")
    meta.agencies = [meta.agency] if meta.agency else []
    item = operating or (items[0] if items else None)
    year = budget_year(indicators)
    if year is None:
        warnings.append("budget proposal: no year found (no `esitys` or `tavoite` column)")
    running = Counter(m.group("item") for text in outline.layout.running if (m := RUNNING_ITEM.match(text)))
    code = None
    if item is not None and running:
        code = f"{running.most_common(1)[0][0]}.{item.group('number')}"
    if item is not None:
        heading = f"{item.group('title')} ({item.group('type')})"
    else:
        heading = main.group("title").strip() if main is not None else ""
    parts = [f"Talousarvioesitys {year}" if year else "Talousarvioesitys", f"{code} {heading}" if code else heading]
    meta.title = ", ".join(p for p in parts if p.strip())
    meta.period = (year, year) if year else None
    ministry = MINISTRY_SETS.search(all_text)
    if ministry:
        name = ministry.group("ministry")
        meta.ministries = [name[:1].upper() + name[1:]]
    meta.series_id = slugify(f"{meta.agency or heading} {KIND}", 60)
    return meta, BudgetInfo(code, year)


def budget_goals(outline: Outline) -> list[RawGoal]:
    """The operational goals: the dash list after a line naming ``tavoitteet`` (``Sisäministeriö
    asettaa Poliisille seuraavat alustavat toiminnalliset tulostavoitteet:``). A table, its
    caption or its footnotes printed inside the list (a page's layout) do not end it."""
    goals: list[RawGoal] = []
    blocks = outline.blocks
    index = 0
    while index < len(blocks):
        block = blocks[index]
        last = regex.split(r"(?<=[.!?])\s+(?=\p{Lu})", block.text or "")[-1]  # an intro may close a paragraph
        intro = block.kind in ("paragraph", "heading") and GOAL_INTRO.search(last) and len(last) <= 250
        if not intro or index + 1 >= len(blocks):
            index += 1
            continue
        follow = index + 1
        found: list[RawGoal] = []
        while follow < len(blocks):
            item = blocks[follow]
            if item.kind == "list_item":
                found.append(
                    RawGoal(
                        title=item.text.strip(),
                        number=None,
                        section_id=outline.section_of[follow],
                        prov=item.prov,
                    )
                )
            elif item.kind != "table" and follow not in outline.consumed:
                break
            follow += 1
        goals.extend(found)
        index = follow if found else index + 1
    return goals
