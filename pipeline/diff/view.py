"""What the reports show: an ``AgreementDiff``'s changes triaged and grouped the way a reviewer reads them.

``triage`` sorts the changes into substantive ones (a figure that moved, a target reworded, a goal
or indicator added, removed or renamed) and routine ones (the years rolling on: the oldest year
leaving a table, a figure confirmed or moved on to a later kind unchanged; a revision's new signing
date and diary numbers; a yearly document's period and title moving on; a heading reworded), each
with the reason it went where it went. Within each part, a goal's own change (renamed, moved) and
the changes of its yearly targets form one group; so do an indicator and its yearly values. The
Markdown and HTML reports render the same triage and groups, so they never disagree about what
changed or what matters.
"""

from __future__ import annotations

import difflib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath

import regex

from pipeline.nlp.numbers import format_fi_number
from schemas.agreement import Provenance
from schemas.diff import CHANGE_KINDS, ENTITIES, AgreementDiff, Change, VersionRef

SECTION_TITLES = {
    "agreement": "Agreement",
    "goals": "Goals and targets",
    "indicators": "Indicators and values",
    "outline": "Tables and sections",
}
_SECTION_OF = {
    "agreement": "agreement",
    "goal": "goals",
    "target": "goals",
    "indicator": "indicators",
    "value": "indicators",
    "table": "outline",
    "section": "outline",
}
_OWNER = {"target": "goal", "value": "indicator"}
FIELD_NAMES = {
    "title": "Title",
    "agency": "Agency",
    "agencies": "Agencies",
    "ministries": "Ministries",
    "period": "Period",
    "signed_on": "Signed on",
    "reference_numbers": "Reference numbers",
    "signatories": "Signatories",
    "unit": "Unit",
    "scale": "Scale",
    "budget_target": "Budget target flag",
    "footnotes": "Footnotes",
    "table_id": "Table",
    "parent_id": "Belongs to",
    "text": "Target",
    "satisfactory": "Satisfactory level",
    "kind": "Kind of value",
    "comparator": "Comparison",
    "value_max": "Upper bound",
}
LIST_FIELDS = frozenset({"agencies", "ministries", "reference_numbers", "signatories"})
PART_TITLES = {"substantive": "Substantive changes", "routine": "Routine changes"}


@dataclass
class Group:
    """One goal, indicator, table or section with its changes, or the agreement's metadata."""

    entity: str
    id: str
    title: str
    own: list[Change] = field(default_factory=list)  # changes of the item itself
    rows: list[Change] = field(default_factory=list)  # its targets or values

    @property
    def changes(self) -> list[Change]:
        return self.own + self.rows

    @property
    def anchor(self) -> str:
        return f"{self.entity}-{self.id}"


def grouped(changes: Sequence[Change]) -> dict[str, list[Group]]:
    """Changes by report section, grouped by the goal or indicator they concern (in the diff's order)."""
    sections: dict[str, list[Group]] = {name: [] for name in SECTION_TITLES}
    index: dict[tuple[str, str], Group] = {}
    for change in changes:
        section = _SECTION_OF[change.entity]
        owner = _OWNER.get(change.entity, change.entity)
        key = (owner, change.id) if section != "agreement" else ("agreement", "agreement")
        group = index.get(key)
        if group is None:
            title = "Agreement" if section == "agreement" else (change.title or change.id)
            group = index[key] = Group(owner, change.id, title)
            sections[section].append(group)
        (group.rows if change.entity in _OWNER else group.own).append(change)
    return sections


def counts_table(diff: AgreementDiff) -> list[tuple[str, list[int]]]:
    """Rows of (entity, counts per change kind) for the entities that changed."""
    return [
        (entity, [diff.summary.by_entity.get(entity, {}).get(kind, 0) for kind in CHANGE_KINDS])
        for entity in ENTITIES
        if entity in diff.summary.by_entity
    ]


def fi_date(value: date | str | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day}.{value.month}.{value.year}"


def show(value: object) -> str:
    """A field's value as a reviewer reads it: Finnish numbers and dates, lists joined."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_fi_number(value)
    if isinstance(value, list):
        return "; ".join(show(v) for v in value) if value else "–"
    if isinstance(value, dict):
        if set(value) == {"start", "end"}:
            return f"{value['start']}–{value['end']}" if value["start"] != value["end"] else str(value["start"])
        if "name" in value:
            return ", ".join(str(value[k]) for k in ("name", "title", "organization") if value.get(k))
        return ", ".join(f"{k}: {show(v)}" for k, v in value.items())
    text = str(value)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return fi_date(text)
        except ValueError:
            return text
    return text


def cell(change: Change, side: str) -> str:
    """A value as written in its cell on one side (``93,5``), or – where the side has none."""
    text = change.detail.old_text if side == "old" else change.detail.new_text
    if text is not None:
        return " ".join(text.split())
    return show(change.old if side == "old" else change.new)


def where(provenance: Provenance | None) -> str | None:
    """``p. 5`` for a PDF, ``line 123`` for text, None when unknown (``place`` names the document too)."""
    if provenance is None:
        return None
    if provenance.page is not None:
        return f"p. {provenance.page}"
    if provenance.line is not None:
        return f"line {provenance.line}"
    return None


def link(base: str | None, provenance: Provenance | None) -> str | None:
    """A link to the place in the source: ``file.pdf#page=5`` (PDF viewers open that page)."""
    if base is None or provenance is None:
        return None
    if provenance.page is not None:
        return f"{base}#page={provenance.page}"
    return base


def version_line(version: VersionRef) -> str:
    parts = [f"signed {fi_date(version.signed_on)}" if version.signed_on else "no date"]
    parts.append(f"sha256 {version.sha256[:12]}")
    if version.extractor:
        parts.append(f"{version.extractor.name} {version.extractor.version}")
    return f"{PurePosixPath(version.path).name} ({', '.join(parts)})"


def place(change: Change, side: str) -> str | None:
    """Where one side of a change stands, naming the document: ``old p. 7``, ``new line 218``."""
    spot = where(change.old_provenance if side == "old" else change.new_provenance)
    return f"{side} {spot}" if spot else None


def places(change: Change) -> list[str]:
    """Both sides' places (``old p. 7``, ``new p. 6``), those that are known."""
    return [p for p in (place(change, "old"), place(change, "new")) if p]


# --- how much a figure moved ------------------------------------------------------------

MINUS = "\N{MINUS SIGN}"


def signed(value: float, unit: str | None = None) -> str:
    """A signed difference the Finnish way: ``+3``, ``−3 663``, ``+0,5 pp`` (a change of a % is in points)."""
    sign = "+" if value > 0 else MINUS if value < 0 else "±"
    text = f"{sign}{format_fi_number(abs(value))}"
    return f"{text} pp" if unit == "%" else text


def percent_text(value: float) -> str:
    """``+3,5 %``, ``−0,7 %``; small changes keep two significant digits (``+0,0024 %``)."""
    size = abs(value)
    decimals = 1 if size >= 0.1 or size == 0 else 1 - math.floor(math.log10(size))
    sign = "+" if value > 0 else MINUS if value < 0 else "±"
    return f"{sign}{format_fi_number(round(size, decimals), decimals)} %"


def movement(change: Change) -> str | None:
    """How far a figure moved: ``−3 663 (−0,7 %)``; None for a figure that stayed."""
    detail = change.detail
    if detail.delta is None:
        return None
    text = signed(detail.delta, detail.unit)
    return f"{text} ({percent_text(detail.percent)})" if detail.percent is not None else text


def number_moves(change: Change) -> list[str]:
    """The numbers of a reworded target that moved, each with its difference: ``80% → 78% (−2 pp, −2,5 %)``.

    Only when both texts give as many numbers, pairwise in the same unit: otherwise which number
    became which is a guess, and the reports show the two lists as they are.
    """
    old, new = change.detail.old_numbers, change.detail.new_numbers
    if old is None or new is None or len(old) != len(new):
        return []
    moves = []
    for a, b in zip(old, new, strict=True):
        if a.unit != b.unit:
            return []
        if abs(a.value - b.value) < 1e-9:
            continue
        delta = float(f"{b.value - a.value:.12g}")
        parts = [signed(delta, a.unit)]
        if a.value:
            parts.append(percent_text(float(f"{100 * delta / abs(a.value):.4g}")))
        moves.append(f"{' '.join(a.text.split())} → {' '.join(b.text.split())} ({', '.join(parts)})")
    return moves


# --- lists item by item -----------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One item of a list field (a diary number, a signatory): kept, removed or added."""

    op: str  # "equal", "delete" or "insert", as in a word change
    text: str


def list_items(change: Change) -> list[Item] | None:
    """A list field's change item by item (``VN/17411/2023`` kept, one diary number replaced by
    another), in the new list's order with each removed item where it stood; None for other fields."""
    if change.detail.field not in LIST_FIELDS and not isinstance(change.old, list) and not isinstance(change.new, list):
        return None
    old = [show(v) for v in change.old or []]
    new = [show(v) for v in change.new or []]
    items: list[Item] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            items.extend(Item("equal", text) for text in old[i1:i2])
            continue
        items.extend(Item("delete", text) for text in old[i1:i2])
        items.extend(Item("insert", text) for text in new[j1:j2])
    return items


# --- triage -----------------------------------------------------------------------------

YEAR_LEFT = "the oldest year left the table"
YEAR_CAME = "a new year came into the table"
CONFIRMED_SAME = "confirmed, same figure"
KIND_ROLLED = "kind moved on, same figure"
SIGNED_ANEW = "a revision's new signing date"
FILED_ANEW = "a revision's new diary numbers"
HEADING = "a heading reworded"
PERIOD_ROLLED = "the period moved on, as long as before"
TITLE_YEARS = "the title names later years, nothing else"
SPELLING_FIX = "spelling fix"
UNCERTAIN = "the matching is a guess: please check"


@dataclass(frozen=True)
class Verdict:
    """Where a change goes on the review page, and why (one phrase a reviewer reads beside it)."""

    routine: bool
    reason: str


@dataclass
class Triage:
    """The changes split into the substantive ones and the routine ones, each in the diff's order."""

    substantive: list[Change]
    routine: list[Change]
    verdicts: dict[int, Verdict]  # by id() of the change: changes are not hashable

    def verdict(self, change: Change) -> Verdict:
        return self.verdicts[id(change)]

    def routine_reasons(self) -> list[tuple[str, int]]:
        """How many routine changes each reason covers, most first (ties in the order first met)."""
        counts = Counter(self.verdict(c).reason for c in self.routine)
        return sorted(counts.items(), key=lambda item: -item[1])


def triage(changes: Sequence[Change]) -> Triage:
    """Sort changes into substantive and routine, each with its reason.

    Routine is what every revision brings whatever the parties agreed: the years rolling on
    (``detail.rollover``: the oldest year leaving a table, a new year coming in at its end, a
    figure confirmed or moved on to a later kind with its number unchanged), a later signing date,
    new diary numbers, a period and a title that only moved on to later years (a yearly budget
    proposal), a table or section heading reworded. Everything else is substantive: a
    figure that moved (also when it was confirmed: ``103 Arvio`` → ``102 Toteuma``), a target
    reworded, goals and indicators added, removed or renamed (a spelling fix is named as such), any
    other metadata, and any change whose matching is a guess.
    """
    whole = {(c.entity, c.id): c.change for c in changes if c.entity in ("goal", "indicator")}
    verdicts = {id(c): _verdict(c, whole) for c in changes}
    substantive = [c for c in changes if not verdicts[id(c)].routine]
    routine = [c for c in changes if verdicts[id(c)].routine]
    return Triage(substantive, routine, verdicts)


def _verdict(change: Change, whole: dict[tuple[str, str], str]) -> Verdict:
    detail = change.detail
    if detail.uncertain:
        return Verdict(False, f"{change.change}; {UNCERTAIN}")
    if detail.rollover:
        return Verdict(True, _rollover_reason(change))
    kind, entity = change.change, change.entity
    if entity == "agreement":
        return _metadata_verdict(change)
    if kind == "renamed":
        if entity in ("table", "section"):
            return Verdict(True, SPELLING_FIX if detail.spelling_fix else HEADING)
        return Verdict(False, SPELLING_FIX if detail.spelling_fix else f"{entity} renamed")
    if entity in ("value", "target"):
        owner = "indicator" if entity == "value" else "goal"
        if kind in ("added", "removed"):
            if whole.get((owner, change.id)) == kind:
                return Verdict(False, f"{kind} with its {owner}")
            return Verdict(False, f"{'figure' if entity == 'value' else 'target'} {kind}")
        if entity == "target":
            if detail.spelling_fix:
                return Verdict(False, SPELLING_FIX)
            what = "satisfactory level" if detail.field == "satisfactory" else "target"
            return Verdict(False, f"{what} reworded")
        return Verdict(False, _value_reason(change))
    if kind in ("added", "removed"):
        return Verdict(False, f"{entity} {kind}")
    name = FIELD_NAMES.get(detail.field or "", detail.field or entity)
    return Verdict(False, detail.note or f"{name.lower()} changed")


def _rollover_reason(change: Change) -> str:
    if change.change == "removed":
        return YEAR_LEFT
    if change.change == "added":
        return YEAR_CAME
    if change.change == "confirmed":
        return CONFIRMED_SAME
    return KIND_ROLLED


def _value_reason(change: Change) -> str:
    detail = change.detail
    moved = detail.delta is not None or change.old != change.new
    if change.change == "confirmed":
        return "confirmed at another figure" if moved else f"confirmed; {detail.note or 'its figure changed'}"
    if detail.field == "kind":
        return "the kind and the figure changed" if moved else "the kind changed"
    if detail.field in ("comparator", "value_max"):
        return detail.note or "the comparison changed"
    return "the figure moved"


def _metadata_verdict(change: Change) -> Verdict:
    field_name = change.detail.field
    if field_name == "period" and _period_rolled_on(change.old, change.new):
        return Verdict(True, PERIOD_ROLLED)
    if field_name == "title" and _only_years_later(change.old, change.new):
        return Verdict(True, TITLE_YEARS)
    if field_name == "signed_on" and change.new is not None and (change.old is None or change.new > change.old):
        return Verdict(True, SIGNED_ANEW)
    if field_name == "reference_numbers" and change.new:
        return Verdict(True, FILED_ANEW)
    return Verdict(False, f"{FIELD_NAMES.get(field_name or '', field_name or 'metadata').lower()} changed")


_YEAR = regex.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _period_rolled_on(old: object, new: object) -> bool:
    """``2024–2027`` → ``2025–2028``: the same length, later (a yearly document's period moves on)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    try:
        shift = int(new["end"]) - int(old["end"])
        return shift > 0 and int(new["start"]) - int(old["start"]) == shift
    except (KeyError, TypeError, ValueError):
        return False


def _only_years_later(old: object, new: object) -> bool:
    """Two titles that differ only in years, each later in the new one (``Talousarvioesitys 2025, …`` →
    ``Talousarvioesitys 2026, …``)."""
    if not isinstance(old, str) or not isinstance(new, str):
        return False
    old_years, new_years = _YEAR.findall(old), _YEAR.findall(new)
    if _YEAR.sub("#", old) != _YEAR.sub("#", new) or len(old_years) != len(new_years) or old_years == new_years:
        return False
    return all(int(b) >= int(a) for a, b in zip(old_years, new_years, strict=True))
