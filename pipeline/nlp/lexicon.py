"""Which Finnish word forms exist: Voikko's dictionary plus the document's own vocabulary.

Voikko (``libvoikko`` + Debian's ``voikko-fi``) answers in microseconds and loads in tens of
milliseconds. Where it is missing the pipeline still runs on the document's own words and says
so in the warnings. Proper nouns Voikko does not know (``Valtorin``) are found in the document.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import regex

_WORD = regex.compile(r"[\p{L}][\p{L}\-]*[\p{L}]|\p{L}")


@functools.lru_cache(maxsize=1)
def voikko():  # -> libvoikko.Voikko | None
    """The shared Voikko instance, or None when the library or dictionary is not installed."""
    try:
        import libvoikko

        return libvoikko.Voikko("fi")
    except Exception:
        return None


class Lexicon:
    """Known word forms: the document's unbroken words, then Voikko's spell check."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words = {w.lower() for w in words}
        self._voikko = voikko()
        self._cache: dict[str, bool] = {}
        self._spelled: dict[str, bool] = {}

    @property
    def has_dictionary(self) -> bool:
        return self._voikko is not None

    @classmethod
    def from_lines(cls, line_groups: Iterable[list[str]]) -> Lexicon:
        """Collect the words that stand inside lines: a line's first and last word may be broken."""
        words: list[str] = []
        for lines in line_groups:
            for line in lines:
                tokens = line.split()
                for token in tokens[1:-1]:
                    words.extend(_WORD.findall(token))
        return cls(words)

    def known(self, word: str) -> bool:
        word = word.strip(".,;:!?()[]\"'”“’-")
        if not word:
            return False
        cached = self._cache.get(word)
        if cached is None:
            cached = word.lower() in self.words or bool(self._voikko and self._voikko.spell(word))
            self._cache[word] = cached
        return cached

    def in_document(self, word: str) -> bool:
        """The document itself uses this word (inside a line, where no break can have cut it)."""
        return word.strip(".,;:!?()[]\"'”“’-").lower() in self.words

    def in_dictionary(self, word: str) -> bool:
        """Voikko alone: a piece of a broken word may still be among the document's words."""
        word = word.strip(".,;:!?()[]\"'”“’-")
        if not word or self._voikko is None:
            return False
        cached = self._spelled.get(word)
        if cached is None:
            cached = self._spelled[word] = bool(self._voikko.spell(word))
        return cached
