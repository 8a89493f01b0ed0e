"""Pair the tables of two versions by what they are: their caption and the rows they hold.

A table's header names years, and the years roll on from one version to the next (``2023
toteutuma | 2024 arvio | 2025 tavoite`` becomes ``2024 toteutuma | 2025 arvio | 2026 tavoite``), so
the header says nothing about which table is which. What stays is the caption (the line above the
table that names it, ``Toiminnan menot ja tulot (1 000 euroa)``) and the rows (the indicators'
names). In this order, each table at most once:

1. a numbered table (``Taulukko 4.``) pairs with the table of the same number when their names are
   alike (the agreements' own numbering, as before);
2. then every remaining pair is weighed by two kinds of evidence: how alike the captions are (with
   the table's own years left out, so ``Tavoitteet 2025`` is ``Tavoitteet 2026``), and the share of
   rows the two have in common (the same name, or a sure renaming). Two tables are the same table
   - when more than one row and at least half of their rows are shared (the caption may have been
     reworded: ``Poliisitoimen tunnuslukuja`` → ``Poliisitoimen vaikuttavuus``);
   - when they have the same caption and it names only them in each version;
   - when their captions are alike and their rows do not contradict that (a row alike, or no
     rows to compare); with middling captions and a row shared, as an uncertain guess.
   The best-supported pairs go first. Where two are as good (two tables ``Toiminnan menot ja
   tulot`` with the same three rows), the place decides: the pair whose neighbours are paired
   with each other. What is still a tie is left to the reviewer, with a note.

So a caption that occurs twice (two tables ``Valvonta``) is told apart by the rows, then by place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex

from pipeline.diff.match import ID_NAMES, IN_PLACE, MARGIN, MAYBE, SURE, Match, Matching, places
from pipeline.diff.similarity import content_similarity, name_similarity, normal
from schemas import agreement as s

_CAPTION_NUMBER = regex.compile(r"^\s*Taulukko\s+\d+\s*[.:]?\s*", regex.I)
_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def caption_name(table: s.Table) -> str:
    """A table's caption without ``Taulukko N.``, and the sub-heading it is printed under."""
    caption = _CAPTION_NUMBER.sub("", table.caption or "")
    return " – ".join(part for part in (caption, table.group) if part)


def table_years(table: s.Table) -> set[str]:
    """The years the table's columns name."""
    return {year for cell in table.header for year in _YEAR.findall(cell)}


def comparable_name(table: s.Table) -> str:
    """What names a table across versions: its caption (or, without one, its header) in plain
    words, without the years its columns name, which roll on from one version to the next."""
    years = table_years(table)
    name = caption_name(table) or " ".join(table.header)
    return normal(_YEAR.sub(lambda m: " " if m.group(1) in years else m.group(1), name))


def _rows_in_common(old: list[str], new: list[str]) -> tuple[int, int]:
    """(shared, alike): rows with the same name or a sure renaming, and rows at least alike in what
    they measure (``content_similarity`` ≥ ``IN_PLACE``, as a row renamed in place)."""
    left, right = list(old), list(new)
    shared = 0
    for name in list(left):
        same = next((other for other in right if normal(other) == normal(name)), None)
        if same is not None:
            right.remove(same)
            left.remove(name)
            shared += 1
    alike = shared
    for name in left:
        best = max(right, key=lambda other: name_similarity(name, other), default=None)
        if best is not None and name_similarity(name, best) >= SURE:
            right.remove(best)
            shared += 1
            alike += 1
        elif any(content_similarity(name, other) >= IN_PLACE for other in right):
            alike += 1
    return shared, alike


@dataclass
class _Candidate:
    i: int
    j: int
    score: float  # the mean of the evidence there is: caption similarity, share of rows in common
    similarity: float  # the captions' similarity (the rows' share without captions), reported on a renaming
    uncertain: bool


def match_tables(
    old: Sequence[s.Table],
    new: Sequence[s.Table],
    *,
    old_rows: Callable[[s.Table], list[str]],
    new_rows: Callable[[s.Table], list[str]],
) -> Matching[s.Table]:
    """Pair the tables of two versions; see the module docstring for the rules."""
    pairs: dict[int, tuple[int, float, bool]] = {}  # old index → (new index, similarity, uncertain)
    taken: dict[int, int] = {}  # new index → old index

    for i, table in enumerate(old):
        if table.number is None:
            continue
        for j, other in enumerate(new):
            if j in taken or other.number != table.number or other.id != table.id:
                continue
            similarity = name_similarity(caption_name(table), caption_name(other))
            if similarity >= ID_NAMES:
                pairs[i], taken[j] = (j, similarity, False), i
                break

    names_old = Counter(comparable_name(t) for t in old if caption_name(t))
    names_new = Counter(comparable_name(t) for t in new if caption_name(t))
    rows_old = [old_rows(t) for t in old]
    rows_new = [new_rows(t) for t in new]
    candidates: list[_Candidate] = []
    notes: list[tuple[int, int, str]] = []
    for i, table in enumerate(old):
        for j, other in enumerate(new):
            if i in pairs or j in taken:
                continue
            name = comparable_name(table)
            unique = names_old[name] == 1 and names_new[comparable_name(other)] == 1
            candidate = _evidence(i, j, table, other, rows_old[i], rows_new[j], unique)
            if candidate is not None:
                candidates.append(candidate)
            elif caption_name(table) and name == comparable_name(other):
                notes.append(
                    (i, j, f"table {caption_name(table)!r} stands twice or more under this caption, and this one "
                     "has no row in common with its namesake in the other version; reported as removed and added")
                )  # fmt: skip

    # Best-supported pairs first; where two are as good, the place decides: a pair whose neighbours
    # are paired with each other (the tables above and below it) wins over one that stands elsewhere.
    while True:
        free = [c for c in candidates if c.i not in pairs and c.j not in taken]
        place = _place_agreement(free, pairs, places(len(old), sorted(pairs)), places(len(new), sorted(taken)))
        chosen = None
        for c in sorted(free, key=lambda c: (-c.score, -place[id(c)], c.i, c.j)):
            if not any(
                (r.i == c.i) != (r.j == c.j) and r.score >= c.score - MARGIN and place[id(r)] >= place[id(c)]
                for r in free
            ):
                chosen = c
                break
        if chosen is None:
            break
        pairs[chosen.i], taken[chosen.j] = (chosen.j, chosen.similarity, chosen.uncertain), chosen.i
    for c in candidates:
        if c.i not in pairs and c.j not in taken:
            name = caption_name(old[c.i]) or comparable_name(old[c.i])
            notes.append(
                (c.i, c.j, f"table {name!r} has more than one counterpart as likely; reported as removed and added")
            )

    result: Matching[s.Table] = Matching(old_items=old, new_items=new)
    for i, (j, similarity, uncertain) in sorted(pairs.items(), key=lambda p: p[1][0]):
        result.matches.append(Match(old[i], new[j], similarity, uncertain))
    result.removed = [t for i, t in enumerate(old) if i not in pairs]
    result.added = [t for j, t in enumerate(new) if j not in taken]
    result.notes = list(dict.fromkeys(text for i, j, text in notes if i not in pairs and j not in taken))
    return result


def _place_agreement(
    candidates: list[_Candidate],
    pairs: dict[int, tuple[int, float, bool]],
    old_places: list[tuple[int, int]],
    new_places: list[tuple[int, int]],
) -> dict[int, int]:
    """For each candidate (by ``id``), how many of its neighbours (the nearest paired tables above
    and below, or the document's ends) are paired with the other's: 0, 1 or 2."""
    agreement = {}
    for c in candidates:
        (above, below), (new_above, new_below) = old_places[c.i], new_places[c.j]
        partner_above = pairs[above][0] if above >= 0 else above
        partner_below = pairs[below][0] if below >= 0 else below
        agreement[id(c)] = (partner_above == new_above) + (partner_below == new_below)
    return agreement


def _evidence(
    i: int, j: int, old: s.Table, new: s.Table, old_rows: list[str], new_rows: list[str], unique: bool
) -> _Candidate | None:
    """The pair as a candidate when the evidence allows it to be one table, else None."""
    has_captions = bool(caption_name(old)) and bool(caption_name(new))
    same_caption = has_captions and comparable_name(old) == comparable_name(new)
    caption = (
        (1.0 if same_caption else name_similarity(comparable_name(old), comparable_name(new))) if has_captions else None
    )
    has_rows = bool(old_rows) and bool(new_rows)
    shared, alike = _rows_in_common(old_rows, new_rows) if has_rows else (0, 0)
    rows = 2 * shared / (len(old_rows) + len(new_rows)) if has_rows else None
    by_rows = rows is not None and rows >= 0.5 and shared >= 2
    by_caption = caption is not None and (
        (same_caption and unique) or (caption >= SURE and (not has_rows or alike >= 1))
    )
    middling = caption is not None and caption >= MAYBE and shared >= 1
    if not (by_rows or by_caption or middling):
        return None
    evidence = [e for e in (caption, rows) if e is not None]
    similarity = caption if caption is not None else rows
    return _Candidate(i, j, sum(evidence) / len(evidence), similarity, not (by_rows or by_caption))
