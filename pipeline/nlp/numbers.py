"""Finnish numbers: decimal comma, space (also NBSP) as thousands separator, Unicode minus."""

from __future__ import annotations

from dataclasses import dataclass

import regex

_MINUS = "-\u2212\u2013"
_NUMBER = regex.compile(
    rf"^(?P<sign>[{_MINUS}+])?\s?(?P<int>\d{{1,3}}(?:[ \u00a0\u202f\u2009]\d{{3}})+|\d+)(?:,(?P<frac>\d+))?$"
)


def parse_fi_number(text: str) -> float | None:
    """``93,5`` → 93.5, ``465 668`` → 465668, ``-272 090`` → -272090; None if not a number.

    A trailing ``%`` is allowed (``4,5 %``); anything else makes it text, never a guess.
    """
    s = text.strip().rstrip("%").strip()
    match = _NUMBER.match(s)
    if not match:
        return None
    digits = regex.sub(r"\D", "", match.group("int"))
    value = float(f"{digits}.{match.group('frac')}" if match.group("frac") else digits)
    if match.group("sign") and match.group("sign") != "+":
        value = -value
    return value


def format_fi_number(value: float, decimals: int | None = None) -> str:
    """Write a number the Finnish way (``-272 090``, ``93,5``); the inverse of ``parse_fi_number``."""
    if decimals is None:
        text = repr(float(value))
        decimals = 0 if text.endswith(".0") else len(text.split(".")[1])
    formatted = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",")
    return ("-" if value < 0 else "") + formatted


@dataclass(frozen=True)
class CellValue:
    """What a table cell says as a number: ``>88`` → 88 and ``>``, ``90–95`` → 90 up to 95."""

    value: float | None
    comparator: str | None = None
    value_max: float | None = None


# Words and signs that make a cell a comparison target. Longer forms first.
_COMPARATORS: list[tuple[str, str]] = [
    (r"≥|>=|=>|vähintään|väh\.|min\.", ">="),
    (r"≤|<=|=<|enintään|enint\.|max\.", "<="),
    (r">|yli", ">"),
    (r"<|alle", "<"),
    (r"noin|n\.|ca\.?|c\.|~|≈|arviolta", "~"),
]
_COMPARATOR = regex.compile(
    r"^(?:" + "|".join(f"(?P<c{i}>{pattern})" for i, (pattern, _) in enumerate(_COMPARATORS)) + r")\s*(?P<rest>.+)$",
    regex.I,
)
_RANGE = regex.compile(
    r"^(?P<low>\d[\d \u00a0\u202f\u2009]*(?:,\d+)?)\s*[-–—]\s*(?P<high>\d[\d \u00a0\u202f\u2009]*(?:,\d+)?)$"
)
_UNIT_TAIL = regex.compile(r"\s*(?:%|prosenttia|euroa|€|kpl|htv|pv|h|min)\.?$", regex.I)


def parse_cell(text: str) -> CellValue:
    """A table cell's number with its comparison or range; ``value`` None when it holds no number.

    ``vähintään 90 %`` → 90, ``>=``; ``alle 18`` → 18, ``<``; ``n. 100`` → 100, ``~``;
    ``90–95`` → 90, value_max 95; ``-272 090`` stays one negative number.
    """
    s = " ".join(text.split())
    plain = parse_fi_number(s)
    if plain is not None:
        return CellValue(plain)
    comparator = None
    match = _COMPARATOR.match(s)
    if match:
        comparator = next(op for i, (_, op) in enumerate(_COMPARATORS) if match.group(f"c{i}"))
        s = match.group("rest").strip()
    s = _UNIT_TAIL.sub("", s).strip()
    value = parse_fi_number(s)
    if value is not None:
        return CellValue(value, comparator)
    span = _RANGE.match(s)
    if span:
        low, high = parse_fi_number(span.group("low")), parse_fi_number(span.group("high"))
        if low is not None and high is not None and low <= high:
            return CellValue(low, comparator, high)
    return CellValue(None)
