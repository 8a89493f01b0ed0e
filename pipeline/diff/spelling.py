"""Whether a renamed item or reworded text differs only in spelling: a typo fixed, capitals, punctuation.

A reviewer reads ``hallitusohjelmataavoitteiden`` → ``hallitusohjelmatavoitteiden`` as a typo fixed
and moves on; ``Automaattisten`` → ``Automaattisesti`` (another word form) or ``yhteisiin`` →
``yhteiseen`` (plural → singular) change what the text says, however few letters differ. Finnish
inflects at the word's end, so the number of letters that changed cannot tell the two apart; the
dictionary can: a word that is no Finnish word (Voikko does not know it) replaced by one that is,
and that Voikko suggests for it or that keeps nearly all its letters, is a spelling fix. Without
Voikko no word is called misspelt, and only changes of capitals or punctuation count.
"""

from __future__ import annotations

import difflib
import functools

from pipeline.diff.words import word_changes
from pipeline.nlp.lexicon import voikko

_PUNCTUATION = ".,;:!?()[]{}\"'”“’«»-–—/"
_MIN_LETTERS = 5  # shorter words (``on``/``ei``, ``Tori``/``Tuve``) are different words, not typos
_CLOSE = 0.85  # letters two spellings of one long word share (difflib's ratio)


def spelling_fix(old: str, new: str) -> bool:
    """True when ``new`` is ``old`` with only its spelling corrected, word for word.

    Each run of replaced words must be as many words on both sides, and each pair the same word
    but for capitals and punctuation, or a misspelling and its correction. Numbers never change
    in a spelling fix (``2023`` → ``2024`` is a new fact).
    """
    runs = word_changes(old, new)
    if all(run.op == "equal" for run in runs):
        return False
    index = 0
    while index < len(runs):
        run = runs[index]
        if run.op == "equal":
            index += 1
            continue
        following = runs[index + 1] if index + 1 < len(runs) else None
        if run.op != "delete" or following is None or following.op != "insert":
            return False  # a word added or dropped: a rewording
        before, after = run.text.split(), following.text.split()
        if len(before) != len(after) or not all(_same_word(a, b) for a, b in zip(before, after, strict=True)):
            return False
        index += 2
    return True


def _same_word(old: str, new: str) -> bool:
    a, b = old.strip(_PUNCTUATION), new.strip(_PUNCTUATION)
    if a.casefold() == b.casefold():
        return True
    if any(c.isdigit() for c in a + b) or not a.replace("-", "").isalpha() or not b.replace("-", "").isalpha():
        return False
    # A hyphenated compound part by part: ``Tori-palvelut`` and ``Tuve-palvelut`` are two services.
    parts_a, parts_b = a.split("-"), b.split("-")
    if len(parts_a) != len(parts_b):
        return False
    return all(x == y or _corrected(x, y) for x, y in zip(parts_a, parts_b, strict=True))


@functools.lru_cache(maxsize=4096)
def _corrected(old: str, new: str) -> bool:
    """``old`` is misspelt and ``new`` is its correction, by Voikko's dictionary."""
    checker = voikko()
    if checker is None or min(len(old), len(new)) < _MIN_LETTERS:
        return False
    if checker.spell(old) or not checker.spell(new):
        return False
    if new.casefold() in {s.casefold() for s in checker.suggest(old)}:
        return True
    return difflib.SequenceMatcher(None, old.casefold(), new.casefold(), autojunk=False).ratio() >= _CLOSE
