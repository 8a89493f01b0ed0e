"""Pair the items of two versions (goals, indicators, tables, sections): same thing, or not.

Ids are stable within a series (a slug and hash of the name), so most items pair by id. What is
left pairs by name, and only then by similarity of names (``similarity.name_similarity``), in
this order, each item at most once:

1. the same id, when the names are alike too (section and table ids come from their numbers,
   and a renumbered document must not pair ``3.2 Tehokkuus`` with ``3.2 Laatu``) and the context
   agrees (the same name twice in one document gets ids ``…-2``; the context tells them apart);
2. the same name in the same context, then the same name anywhere (a goal renumbered or an
   indicator moved to another table);
3. alike names: paired as a renaming when the similarity is high, or when it is middling and the
   context is the same (then marked uncertain). A pairing is refused when another candidate is
   nearly as good: a guess between two is the reviewer's call, and a note says so.

The context is whatever places an item in its document, already translated into the new
version's terms (the new id of an indicator's old table), so it compares directly.

Rows of tables that are the same table in both versions (``match_rows``) pair within their table
first, and there the place of a row is evidence too: a row that stands where the old one stood
(the same neighbours, or the same position) and shares half of its words is that row renamed
(``Henkilötyövuodet`` → ``Henkilötyövuodet (31.12.)``), even below the bar names must reach on
their own. Rows that moved and were renamed too are paired by the rules above, as anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pipeline.diff.similarity import content_similarity, name_similarity, normal

T = TypeVar("T")

SURE = 0.85  # similarity from which two names are the same item renamed (a word swapped in five: 0.8)
MAYBE = 0.6  # similarity from which they may be, when their context agrees
MARGIN = 0.05  # a runner-up this close makes the choice a guess
ID_NAMES = 0.5  # the least similarity of two names that share an id
IN_PLACE = 0.5  # the least content similarity of a row and the row in its place: half of their words shared

START, END = -1, -2  # the ends of a table (or a document), neighbours of its first and last rows


@dataclass(frozen=True)
class Match(Generic[T]):
    old: T
    new: T
    similarity: float
    uncertain: bool = False


@dataclass
class Matching(Generic[T]):
    matches: list[Match[T]] = field(default_factory=list)
    removed: list[T] = field(default_factory=list)
    added: list[T] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    old_items: Sequence[T] = ()
    new_items: Sequence[T] = ()


class _Pairer(Generic[T]):
    """One pairing of two lists, built stage by stage; each item is paired at most once.

    A note about a pair that was refused is kept only if both items are still unpaired at the
    end: a later stage may have found either a better partner.
    """

    def __init__(
        self,
        old: Sequence[T],
        new: Sequence[T],
        *,
        key: Callable[[T], str],
        name: Callable[[T], str],
        old_context: Callable[[T], object],
        new_context: Callable[[T], object],
        what: str,
    ) -> None:
        self.old, self.new, self.key, self.name, self.what = old, new, key, name, what
        self.old_context, self.new_context = old_context, new_context
        self.pairs: dict[int, tuple[int, float, bool]] = {}  # old index → (new index, similarity, uncertain)
        self.taken: dict[int, int] = {}  # new index → old index
        self.notes: list[tuple[int, int, str]] = []

    def free_old(self) -> list[int]:
        return [i for i in range(len(self.old)) if i not in self.pairs]

    def free_new(self) -> list[int]:
        return [j for j in range(len(self.new)) if j not in self.taken]

    def pair(self, i: int, j: int, similarity: float, uncertain: bool = False) -> None:
        self.pairs[i] = (j, similarity, uncertain)
        self.taken[j] = i

    def same_context(self, i: int, j: int) -> bool:
        a, b = self.old_context(self.old[i]), self.new_context(self.new[j])
        return a is None or b is None or a == b

    def note(self, i: int, j: int, similarity: float, why: str) -> None:
        """A pairing refused, for the reviewer; one note per pair of items (the first reason)."""
        if any((i, j) == (i2, j2) for i2, j2, _ in self.notes):
            return
        old_name, new_name = self.name(self.old[i]), self.name(self.new[j])
        self.notes.append(
            (i, j, f"{self.what} {old_name!r} may have become {new_name!r} (similarity {similarity:.2f}), {why}")
        )

    def by_key(self) -> None:
        new_by_key: dict[str, list[int]] = {}
        for j in self.free_new():
            new_by_key.setdefault(self.key(self.new[j]), []).append(j)
        for i in self.free_old():
            for j in new_by_key.get(self.key(self.old[i]), []):
                if j in self.taken or not self.same_context(i, j):
                    continue
                similarity = name_similarity(self.name(self.old[i]), self.name(self.new[j]))
                if similarity >= ID_NAMES:
                    self.pair(i, j, similarity)
                    break

    def by_name(self) -> None:
        for strict in (True, False):
            new_by_name: dict[str, list[int]] = {}
            for j in self.free_new():
                new_by_name.setdefault(normal(self.name(self.new[j])), []).append(j)
            for i in self.free_old():
                candidates = [
                    j
                    for j in new_by_name.get(normal(self.name(self.old[i])), [])
                    if j not in self.taken and (not strict or self.same_context(i, j))
                ]
                if candidates:
                    self.pair(i, candidates[0], 1.0)

    def by_similarity(self, floor: float) -> None:
        """Alike names, best first: from ``SURE`` anywhere, from ``floor`` in the same context.

        Below ``SURE`` the names must share a word that says what is measured: ``Rajaturvallisuus
        (1—5)`` and ``Meriturvallisuus (1—5)`` are alike only in their scale (0.67 by all words).
        """
        free_new = self.free_new()
        scored = sorted(
            (
                (name_similarity(self.name(self.old[i]), self.name(self.new[j])), i, j)
                for i in self.free_old()
                for j in free_new
            ),
            key=lambda t: (-t[0], t[1], t[2]),
        )
        scored = [
            (similarity, i, j)
            for similarity, i, j in scored
            if similarity >= SURE
            or (similarity >= floor and content_similarity(self.name(self.old[i]), self.name(self.new[j])) > 0)
        ]
        for similarity, i, j in scored:
            if i in self.pairs or j in self.taken:
                continue
            rivals = [
                s
                for s, i2, j2 in scored
                if (i2 == i) != (j2 == j) and i2 not in self.pairs and j2 not in self.taken and s >= similarity - MARGIN
            ]
            if rivals:
                self.note(i, j, similarity, "but another candidate is as likely; reported as removed and added")
                continue
            context = self.same_context(i, j)
            if similarity >= SURE:
                self.pair(i, j, similarity, uncertain=not context)
            elif context:
                self.pair(i, j, similarity, uncertain=True)
            else:
                self.note(i, j, similarity, "but they stand in different places; reported as removed and added")

    def in_place(self) -> None:
        """Rows that stand where the other version's row stood, with half of their words shared.

        Both lists are the rows of one table in their order. A row's place is its nearest paired
        rows above and below (or the table's start and end) and its position; a new row is in an
        old row's place when a neighbour's partner is its neighbour, or the position is the same.
        The names are compared by the words that say what is measured, without numbers and units
        (``content_similarity``: ``Rajaturvallisuus (1—5)`` is no renaming of ``Meriturvallisuus
        (1—5)``, and ``Henkilötyövuodet`` is all of ``Henkilötyövuodet (31.12.)``). A pairing that
        rests on one neighbour alone and names less alike than ``MAYBE`` is marked uncertain; the
        similarity reported is the names', as for every renaming.
        """
        old_places = places(len(self.old), sorted(self.pairs))
        new_places = places(len(self.new), sorted(self.taken))

        def partner(i: int) -> int:
            return i if i < 0 else self.pairs[i][0]

        candidates: list[tuple[float, int, bool, int, int, float]] = []
        for i in self.free_old():
            above, below = old_places[i]
            for j in self.free_new():
                new_above, new_below = new_places[j]
                neighbours = (partner(above) == new_above, partner(below) == new_below)
                strength = sum(neighbours) + (i == j)
                if not strength:
                    continue
                old_name, new_name = self.name(self.old[i]), self.name(self.new[j])
                content = content_similarity(old_name, new_name)
                if content >= IN_PLACE:
                    similarity = name_similarity(old_name, new_name)
                    candidates.append((content, strength, all(neighbours), i, j, similarity))
        candidates.sort(key=lambda c: (-c[0], -c[1], c[3], c[4]))
        for content, strength, slot, i, j, similarity in candidates:
            if i in self.pairs or j in self.taken:
                continue
            rivals = [
                c
                for c in candidates
                if (c[3] == i) != (c[4] == j)
                and c[3] not in self.pairs
                and c[4] not in self.taken
                and c[0] >= content - MARGIN
                and c[1] >= strength
            ]
            if rivals:
                self.note(i, j, similarity, "in its place, but another row is as likely; reported as removed and added")
                continue
            self.pair(i, j, similarity, uncertain=content < MAYBE and not slot)

    def open_notes(self) -> list[tuple[T, T, str]]:
        """The notes about two items that are both still unpaired, with the items."""
        return [
            (self.old[i], self.new[j], text) for i, j, text in self.notes if i not in self.pairs and j not in self.taken
        ]

    def result(self) -> Matching[T]:
        result: Matching[T] = Matching(old_items=self.old, new_items=self.new)
        for i, (j, similarity, uncertain) in sorted(self.pairs.items(), key=lambda p: p[1][0]):
            result.matches.append(Match(self.old[i], self.new[j], similarity, uncertain))
        result.removed = [self.old[i] for i in self.free_old()]
        result.added = [self.new[j] for j in self.free_new()]
        result.notes = list(dict.fromkeys(text for _, _, text in self.open_notes()))
        return result


def places(length: int, paired: list[int]) -> list[tuple[int, int]]:
    """For each index, its nearest paired index above and below (``START``/``END`` at the ends)."""
    places = []
    for index in range(length):
        above = max((p for p in paired if p < index), default=START)
        below = min((p for p in paired if p > index), default=END)
        places.append((above, below))
    return places


def match_items(
    old: Sequence[T],
    new: Sequence[T],
    *,
    key: Callable[[T], str],
    name: Callable[[T], str],
    old_context: Callable[[T], object] = lambda _: None,
    new_context: Callable[[T], object] = lambda _: None,
    what: str = "item",
) -> Matching[T]:
    """Pair ``old`` with ``new`` items; the result keeps each side's order."""
    pairer = _Pairer(old, new, key=key, name=name, old_context=old_context, new_context=new_context, what=what)
    pairer.by_key()
    pairer.by_name()
    pairer.by_similarity(MAYBE)
    return pairer.result()


def match_rows(
    old: Sequence[T],
    new: Sequence[T],
    *,
    table_pairs: Sequence[tuple[Hashable, Hashable]],
    old_table: Callable[[T], Hashable],
    new_table: Callable[[T], Hashable],
    key: Callable[[T], str],
    name: Callable[[T], str],
    old_context: Callable[[T], object] = lambda _: None,
    new_context: Callable[[T], object] = lambda _: None,
    what: str = "item",
) -> Matching[T]:
    """Pair the rows of tables (indicators), within each pair of matched tables first.

    Within a table pair, in this order: the same id or name, a sure renaming (``SURE``), a row
    renamed in place (``IN_PLACE``), a middling renaming (uncertain). What is left of every
    table then pairs with ``match_items`` across the whole document, as rows that moved.
    """
    paired: dict[int, Match[T]] = {}  # id(old item) → match
    notes: list[tuple[T, T, str]] = []
    for old_id, new_id in table_pairs:
        rows_old = [x for x in old if old_table(x) == old_id]
        rows_new = [x for x in new if new_table(x) == new_id]
        if not rows_old or not rows_new:
            continue
        pairer = _Pairer(
            rows_old, rows_new, key=key, name=name, old_context=old_context, new_context=new_context, what=what
        )
        pairer.by_key()
        pairer.by_name()
        pairer.by_similarity(SURE)
        pairer.in_place()
        pairer.by_similarity(MAYBE)
        paired.update({id(m.old): m for m in pairer.result().matches})
        notes.extend(pairer.open_notes())
    taken = {id(m.new) for m in paired.values()}
    rest = _Pairer(
        [x for x in old if id(x) not in paired],
        [x for x in new if id(x) not in taken],
        key=key,
        name=name,
        old_context=old_context,
        new_context=new_context,
        what=what,
    )
    rest.by_key()
    rest.by_name()
    rest.by_similarity(MAYBE)
    moved = rest.result().matches
    paired.update({id(m.old): m for m in moved})
    taken |= {id(m.new) for m in moved}
    position = {id(x): j for j, x in enumerate(new)}
    reasons: dict[tuple[int, int], str] = {}  # one note per pair of rows, the first reason
    for a, b, text in [*notes, *rest.open_notes()]:
        if id(a) not in paired and id(b) not in taken:
            reasons.setdefault((id(a), id(b)), text)
    return Matching(
        matches=sorted(paired.values(), key=lambda m: position[id(m.new)]),
        removed=[x for x in old if id(x) not in paired],
        added=[x for x in new if id(x) not in taken],
        notes=list(dict.fromkeys(reasons.values())),
        old_items=old,
        new_items=new,
    )
