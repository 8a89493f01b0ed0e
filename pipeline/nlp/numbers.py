"""Finnish numbers: decimal comma, space (also NBSP) as thousands separator, Unicode minus."""

from __future__ import annotations

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
