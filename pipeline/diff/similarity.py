"""How alike two Finnish names are, word by word, despite inflection and small spelling fixes.

A revised agreement renames things in small ways: a word in another case (``Automaattisten`` →
``Automaattisesti``, both ``automaattinen`` to Voikko), a typo fixed (``kriisinkestävyden`` →
``kriisinkestävyyden``), a word added. Two names are compared as lists of words; two words are
the same when they are equal, share a base form (Voikko), or share a long stem; a spelling fix
counts when only long words differ by a letter or two. Short words and numbers must be equal:
``Tori-palvelut`` and ``Tuve-palvelut`` are different things, and so are ``(2023=100)`` and
``(2024=100)``. Hyphenated compounds are compared part by part for the same reason.
"""

from __future__ import annotations

import difflib
import functools

import regex

from pipeline.nlp import vocab
from pipeline.nlp.lexicon import voikko
from pipeline.textnorm import FOOTNOTE_MARKS

_WORD = regex.compile(r"\p{L}+|\p{N}+(?:[,.]\p{N}+)?")
_MIN_STEM = 5  # letters two inflected forms must share from the start
_MIN_FUZZY = 7  # shortest word a spelling fix is allowed in
_FUZZY_RATIO = 0.85


def words(text: str) -> tuple[str, ...]:
    """Lower-case words and numbers; punctuation, footnote marks and hyphens only separate them."""
    text = "".join(ch for ch in text if ch not in FOOTNOTE_MARKS)
    return tuple(_WORD.findall(text.lower()))


def normal(text: str) -> str:
    """A name's words joined by single spaces: equal for names that differ only in punctuation."""
    return " ".join(words(text))


@functools.lru_cache(maxsize=4096)
def base_forms(word: str) -> frozenset[str]:
    """Voikko's base forms of a word (empty when it does not know the word or is not installed)."""
    analyser = voikko()
    if analyser is None or not word.isalpha():
        return frozenset()
    return frozenset(a["BASEFORM"].lower() for a in analyser.analyze(word) if a.get("BASEFORM"))


def word_similarity(a: str, b: str) -> float:
    """1 for the same word, 0.9 for another form of it, the letter ratio for a spelling fix, else 0."""
    if a == b:
        return 1.0
    if a.isdigit() or b.isdigit() or not a.isalpha() or not b.isalpha():
        return 0.0
    if base_forms(a) & base_forms(b):
        return 0.9
    shorter = min(len(a), len(b))
    prefix = len(_common_prefix(a, b))
    if prefix >= _MIN_STEM and prefix >= 0.7 * shorter:
        return 0.9
    if shorter >= _MIN_FUZZY:
        ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        if ratio >= _FUZZY_RATIO:
            return ratio
    return 0.0


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


def name_similarity(a: str, b: str) -> float:
    """0–1: twice the weight of the words the two names share, over the number of words in both.

    Words are paired greedily, best pair first, each word used once; word order does not matter
    (``Asiakastyytyväisyys, käyttäjät`` and ``Käyttäjien asiakastyytyväisyys`` are alike).
    """
    return _shared_weight(words(a), words(b))


def _shared_weight(left: tuple[str, ...], right: tuple[str, ...]) -> float:
    if not left or not right:
        return 1.0 if left == right else 0.0
    if left == right:
        return 1.0
    if not {w[:3] for w in left} & {w[:3] for w in right}:
        return 0.0  # no word starts alike: nothing below can score (most pairs of a large table stop here)
    scored = sorted(
        ((word_similarity(x, y), i, j) for i, x in enumerate(left) for j, y in enumerate(right)), reverse=True
    )
    used_left: set[int] = set()
    used_right: set[int] = set()
    total = 0.0
    for score, i, j in scored:
        if score <= 0:
            break
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        total += score
    return round(2 * total / (len(left) + len(right)), 3)


def content_words(text: str) -> tuple[str, ...]:
    """The words of a name that say what is measured: not numbers, not short words (``ja``), and not
    the words of a unit (``kpl``, ``1 000 euroa``, ``pv/htv``, ``asteikko 1—5``). A word a unit
    pattern only starts (``henkilötyövuodet``) is content: it is the thing counted."""
    text = "".join(ch for ch in text if ch not in FOOTNOTE_MARKS)
    spans = [
        m.span()
        for pattern in [p for p, _ in vocab.UNITS] + [p for p, _ in vocab.SCALES]
        for m in regex.finditer(pattern, text, regex.I)
    ]
    found = []
    for m in _WORD.finditer(text):
        word = m.group().lower()
        if not word.isalpha() or len(word) < 3:
            continue
        if any(start <= m.start() and m.end() <= end for start, end in spans):
            continue
        found.append(word)
    return tuple(found)


def content_similarity(a: str, b: str) -> float:
    """``name_similarity`` over the names' content words: ``Rajaturvallisuus (1—5)`` and
    ``Meriturvallisuus (1—5)`` share only their scale, and are not alike at all (0)."""
    left, right = content_words(a), content_words(b)
    if not left or not right:
        return 0.0
    return _shared_weight(left, right)
