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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pipeline.diff.similarity import name_similarity, normal

T = TypeVar("T")

SURE = 0.85  # similarity from which two names are the same item renamed (a word swapped in five: 0.8)
MAYBE = 0.6  # similarity from which they may be, when their context agrees
MARGIN = 0.05  # a runner-up this close makes the choice a guess
ID_NAMES = 0.5  # the least similarity of two names that share an id


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
    pairs: dict[int, tuple[int, float, bool]] = {}  # old index → (new index, similarity, uncertain)
    taken: set[int] = set()
    notes: list[str] = []

    def free_old() -> list[int]:
        return [i for i in range(len(old)) if i not in pairs]

    def free_new() -> list[int]:
        return [j for j in range(len(new)) if j not in taken]

    def pair(i: int, j: int, similarity: float, uncertain: bool = False) -> None:
        pairs[i] = (j, similarity, uncertain)
        taken.add(j)

    def same_context(i: int, j: int) -> bool:
        a, b = old_context(old[i]), new_context(new[j])
        return a is None or b is None or a == b

    new_by_key: dict[str, list[int]] = {}
    for j, item in enumerate(new):
        new_by_key.setdefault(key(item), []).append(j)
    for i in free_old():
        for j in new_by_key.get(key(old[i]), []):
            if j in taken or not same_context(i, j):
                continue
            similarity = name_similarity(name(old[i]), name(new[j]))
            if similarity >= ID_NAMES:
                pair(i, j, similarity)
                break

    for strict in (True, False):
        new_by_name: dict[str, list[int]] = {}
        for j in free_new():
            new_by_name.setdefault(normal(name(new[j])), []).append(j)
        for i in free_old():
            candidates = [
                j
                for j in new_by_name.get(normal(name(old[i])), [])
                if j not in taken and (not strict or same_context(i, j))
            ]
            if candidates:
                pair(i, candidates[0], 1.0)

    scored = sorted(
        ((name_similarity(name(old[i]), name(new[j])), i, j) for i in free_old() for j in free_new()),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    scored = [s for s in scored if s[0] >= MAYBE]
    for similarity, i, j in scored:
        if i in pairs or j in taken:
            continue
        rivals = [
            s
            for s, i2, j2 in scored
            if (i2 == i) != (j2 == j) and i2 not in pairs and j2 not in taken and s >= similarity - MARGIN
        ]
        old_name, new_name = name(old[i]), name(new[j])
        if rivals:
            notes.append(
                f"{what} {old_name!r} may have become {new_name!r} (similarity {similarity:.2f}), "
                "but another candidate is as likely; reported as removed and added"
            )
            continue
        context = same_context(i, j)
        if similarity >= SURE:
            pair(i, j, similarity, uncertain=not context)
        elif context:
            pair(i, j, similarity, uncertain=True)
        else:
            notes.append(
                f"{what} {old_name!r} may have become {new_name!r} (similarity {similarity:.2f}), "
                "but they stand in different places; reported as removed and added"
            )

    result: Matching[T] = Matching(notes=notes, old_items=old, new_items=new)
    for i, (j, similarity, uncertain) in sorted(pairs.items(), key=lambda p: p[1][0]):
        result.matches.append(Match(old[i], new[j], similarity, uncertain))
    result.removed = [old[i] for i in free_old()]
    result.added = [new[j] for j in free_new()]
    return result
