"""Cells at the end of a line of converter text: ``Bruttomenot 437 275 418 379 406 891``.

A PDF-to-text converter writes a table row as one line: the row name, then the cells separated
by single spaces. Finnish numbers use a space as thousands separator, so the spaces do not say
where one cell ends: ``514 705 500 000 500 000`` is ``514 705 | 500 000 | 500 000`` for a table of
three columns. The tokens are split into exactly as many cells as the table has columns, every
cell a valid Finnish number (a head of one to three digits, then groups of three; no leading
zeros), a dash, a comparison (``>88``, ``yli 50,0``, ``alle 8 000``) or a range; among the
splits that fit, the one whose numbers have the most similar magnitudes wins (a row's cells
measure one thing over the years).

A converter sometimes misplaces the spaces of a number (``76 4 4 78 3 0 79 0 0`` for
``7 644 | 7 830 | 7 900``): when no valid split exists, the tokens are all one or two digits,
and their digits divide evenly, the digits are regrouped into equal cells and the caller warns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import regex

_NUMBER = regex.compile(r"^[-−+]?\d+(?:,\d+)?%?$")
_GROUP = regex.compile(r"^\d{3}(?:,\d+)?%?$")
# A cell that holds no number: a dash, or the marks statistics use for "not available" / "to be decided".
_DASH = regex.compile(r"^(?:[-–—]|\.\.|…|x|tbd|n/a)$", regex.I)
_GLUED = regex.compile(r"^(?:>=|<=|≥|≤|>|<|~|≈)\s?[-−]?\d+(?:,\d+)?%?$")
_RANGE = regex.compile(r"^\d+(?:,\d+)?[-–—]\d+(?:,\d+)?%?$")
_COMPARATOR_WORDS = frozenset(
    {">", "<", ">=", "<=", "≥", "≤", "~", "≈", "yli", "alle", "vähintään", "enintään", "n.", "noin", "ca", "ca."}
)
_PERCENT = "%"
_LEADING_ZERO = regex.compile(r"^[-−+]?0\d")
MAX_TAIL = 64  # tokens of cells at a line's end: 16 cells of numbers in the billions (the samples: 9)
MAX_SPLITS = 1000  # splits of a line's cells weighed (the samples: at most 10)


@dataclass(frozen=True)
class TrailingCells:
    """A line split into its name and its cells (each the cell's text as written)."""

    name: str
    cells: list[str]
    regrouped: bool = False  # the cells were rebuilt from misplaced spaces: warn


def _kind(token: str) -> str | None:
    if _DASH.match(token):
        return "dash"
    if _GROUP.match(token):
        return "group"  # also a number of its own ("705"), decided by position
    if _NUMBER.match(token):
        return "number"
    if _GLUED.match(token):
        return "glued"
    if _RANGE.match(token):
        return "range"
    if token.lower() in _COMPARATOR_WORDS:
        return "word"
    if token == _PERCENT:
        return "percent"
    return None


def numeric_tail(tokens: list[str]) -> int:
    """Index where the run of cell tokens at the end of ``tokens`` starts (len(tokens) if none).

    A comparison word can only stand inside the run, after a number: at its start it belongs to
    the name (``Rikoslakirikosten määrä, enintään 514 705 …``). The run is at most ``MAX_TAIL``
    tokens: what stands before is the name, however numeric (a line of thousands of numbers is no
    table row, and splitting it would cost time without bound)."""
    start = len(tokens)
    while start > max(len(tokens) - MAX_TAIL, 0) and _kind(tokens[start - 1]) is not None:
        start -= 1
    while start < len(tokens) and _kind(tokens[start]) in ("word", "percent"):
        start += 1
    return start


def _cell_ends(tokens: tuple[str, ...], i: int) -> list[int]:
    """Where a cell starting at token ``i`` may end (exclusive)."""
    if i >= len(tokens):
        return []
    kind = _kind(tokens[i])
    if kind in ("dash", "range"):
        return [i + 1]
    if kind == "word":
        return _number_ends(tokens, i + 1)
    return _number_ends(tokens, i)


def _number_ends(tokens: tuple[str, ...], i: int) -> list[int]:
    if i >= len(tokens):
        return []
    head = tokens[i]
    kind = _kind(head)
    if kind not in ("number", "group", "glued"):
        return []
    digits = regex.sub(r"^(?:>=|<=|≥|≤|>|<|~|≈)\s?", "", head)
    if _LEADING_ZERO.match(digits):
        return []
    ends = [i + 1]
    integer = regex.sub(r"[^\d,]", "", digits)
    if "," not in integer and not head.endswith("%") and 1 <= len(integer) <= 3:
        j = i + 1
        while j < len(tokens) and _kind(tokens[j]) == "group":
            ends.append(j + 1)
            if "," in tokens[j] or tokens[j].endswith("%"):
                break
            j += 1
    result = []
    for end in ends:
        result.append(end)
        if end < len(tokens) and tokens[end] == _PERCENT:
            result.append(end + 1)
    return result


def _magnitude(cell: tuple[str, ...]) -> int | None:
    text = " ".join(cell)
    if _DASH.match(text):
        return None
    integer = regex.sub(r",\d+", "", text)
    digits = regex.sub(r"\D", "", integer)
    return len(digits) or None


def _splits(tokens: tuple[str, ...], count: int) -> Iterator[tuple[int, ...]]:
    """Every split of ``tokens`` into ``count`` cells (each given by its cells' ends), in order.

    Only splits that can be completed are followed (``reach[i]``: the bit ``k`` is set when the tokens
    from ``i`` on form ``k`` cells), so each split costs ``count`` steps however many dead ends there
    are, and no recursion deepens with the line."""
    size = len(tokens)
    ends = [_cell_ends(tokens, i) for i in range(size)]
    reach = [0] * (size + 1)
    reach[size] = 1
    for i in range(size - 1, -1, -1):
        for end in ends[i]:
            reach[i] |= reach[end] << 1
    if not reach[0] >> count & 1:
        return
    stack = [(0, count, ())]
    while stack:
        i, left, done = stack.pop()
        if left == 0:
            yield done
            continue
        stack.extend((end, left - 1, (*done, end)) for end in reversed(ends[i]) if reach[end] >> (left - 1) & 1)


def split_cells(tokens: list[str], count: int) -> list[list[str]] | None:
    """``tokens`` (a line's numeric tail) split into exactly ``count`` cells, or None.

    Of the first ``MAX_SPLITS`` splits: a row of a few cells has a few splits (at most ten in the
    sample agreements), a run of ambiguous groups (``100 100 100 …``) into many cells has
    combinatorially many."""
    if not tokens or count <= 0:
        return None
    frozen = tuple(tokens)
    candidates = list(itertools.islice(_splits(frozen, count), MAX_SPLITS))
    if not candidates:
        return None

    def spread(ends: tuple[int, ...]) -> tuple[float, int]:
        starts = (0, *ends[:-1])
        sizes = [m for s, e in zip(starts, ends, strict=True) if (m := _magnitude(frozen[s:e])) is not None]
        if not sizes:
            return (0.0, 0)
        middle = sorted(sizes)[len(sizes) // 2]
        return (sum(abs(m - middle) for m in sizes), max(sizes) - min(sizes))

    best = min(candidates, key=spread)
    starts = (0, *best[:-1])
    return [list(frozen[s:e]) for s, e in zip(starts, best, strict=True)]


def regroup_digits(tokens: list[str], count: int) -> list[str] | None:
    """Cells rebuilt from a number whose spaces a converter misplaced (``83 5 1 - -`` → ``8351``,
    ``-``, ``-``), or None when the tokens do not read that way."""
    dashes = [t for t in tokens if _DASH.match(t)]
    digits = [t for t in tokens if not _DASH.match(t)]
    if not digits or any(not regex.fullmatch(r"\d{1,2}", t) for t in digits):
        return None
    numbers = count - len(dashes)
    if numbers <= 0 or len(digits) <= numbers:
        return None
    # dashes may only stand before or after the run of digits, not inside it
    first = next(i for i, t in enumerate(tokens) if not _DASH.match(t))
    last = max(i for i, t in enumerate(tokens) if not _DASH.match(t))
    if any(_DASH.match(t) for t in tokens[first:last]):
        return None
    joined = "".join(digits)
    if len(joined) % numbers:
        return None
    width = len(joined) // numbers
    parts = [joined[k : k + width] for k in range(0, len(joined), width)]
    if any(_LEADING_ZERO.match(p) for p in parts):
        return None
    grouped = [_with_thousands(p) for p in parts]
    return [*tokens[:first], *grouped, *tokens[last + 1 :]]


def _with_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[k : k + 3] for k in range(head, len(digits), 3)]
    return " ".join(groups)


def trailing_cells(line: str, counts: tuple[int, ...]) -> TrailingCells | None:
    """The name and cells of a table row written as one line, for a table whose rows hold one of
    ``counts`` cells (e.g. 3 year columns and an optional share column: (4, 3)); None when the
    line does not end with that many cells.

    The cells are the longest run of tokens at the line's end that splits into that many cells:
    a name may end in something that looks like a cell (``Työtyytyväisyysindeksi, 1—5 3,8 >3,7
    >3,7``). Misplaced spaces are mended only over the whole run.
    """
    tokens = line.split()
    start = numeric_tail(tokens)
    if start == len(tokens):
        return None
    for count in counts:
        cells = split_cells(tokens[start:], count)
        if cells is not None:
            return TrailingCells(" ".join(tokens[:start]), [" ".join(c) for c in cells])
    for count in counts:
        regrouped = regroup_digits(tokens[start:], count)
        if regrouped is not None:
            return TrailingCells(" ".join(tokens[:start]), regrouped, regrouped=True)
    for later in range(start + 1, len(tokens)):
        if _kind(tokens[later]) in ("word", "percent"):
            continue
        for count in counts:
            cells = split_cells(tokens[later:], count)
            if cells is not None:
                return TrailingCells(" ".join(tokens[:later]), [" ".join(c) for c in cells])
    return None


def has_cells(line: str) -> bool:
    """Whether a line ends with something that reads as a cell holding a number."""
    tokens = line.split()
    tail = tokens[numeric_tail(tokens) :]
    return any(regex.search(r"\d", token) for token in tail)


def fewer_cells(line: str, count: int) -> bool:
    """Whether the line's numbers read as fewer than ``count`` valid cells (a row with gaps, or a
    list of single amounts), rather than as unreadable ones."""
    tokens = line.split()
    start = numeric_tail(tokens)
    if start > 0 and not regex.search(r"\p{L}", tokens[start - 1]):
        return False  # "asteikolla 1—42) -3 , 4 -": numbers on both sides of debris are unreadable
    return any(split_cells(tokens[start:], k) is not None for k in range(1, count))
