"""Join a block's source lines into clean text, the same way for every format.

Finnish documents break words at line ends in three ways, and converted documents keep the
debris: soft hyphenation (``vähene-`` / ``misessä``), a real hyphen that happens to fall at the
line end (``strategia-`` / ``asiakirja``, ``KEHA-`` / ``keskuksen``), and, in narrow PDF table
cells, a word cut with no hyphen at all (``suunnitelm`` / ``an``). Text extracted from an older
PDF carries the same breaks inside lines (``mukais- ten``). Each break is decided by asking the
``Lexicon`` which joined form is a word; Finnish's ``Tori- ja Tuve-`` (a shared compound part
before a conjunction) is kept as written.
"""

from __future__ import annotations

import regex

from pipeline.nlp.lexicon import Lexicon

CONJUNCTIONS = frozenset({"ja", "tai", "sekä", "eli", "että", "kuin", "tahi", "taikka", "ynnä", "and", "or"})
FOOTNOTE_MARKS = "¹²³⁴⁵⁶⁷⁸⁹⁰"

_SPACES = regex.compile(r"[ \t\u00a0\u2007\u202f\u2009\u200a]+")
_HTML_TAG = regex.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s+[a-zA-Z-]+=\"[^\"]*\")*\s*/?>")
_INLINE_HYPHEN = regex.compile(r"(\S*\p{L})- (\p{Ll}[\p{L}\-]*)")
_TRAILING_HYPHEN = regex.compile(r"(\S*\p{L})-$")
_SOFT_HYPHEN = regex.compile(r"(?<![\p{L}-])\p{Ll}{2,}(?:-\p{Ll}{2,})+(?![\p{L}-])")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"', "‘": "'", "’": "'"})


def clean_spaces(text: str) -> str:
    """Unify spaces (NBSP, narrow NBSP as thousands separator) and quotes (word processors curl them)."""
    return _SPACES.sub(" ", text.translate(_QUOTES)).strip()


def strip_debris(text: str) -> str:
    """Remove HTML tags left by converters (``<ol style="list-style-type: none">``)."""
    return _HTML_TAG.sub(" ", text)


def _decide_hyphen(prefix: str, following: str, lex: Lexicon) -> str | None:
    """Join ``prefix-`` + ``following`` across a break; None keeps the break (``Tori- ja``)."""
    word = following.rstrip(".,;:!?)”\"'")
    if following.lower() in CONJUNCTIONS or word.lower() in CONJUNCTIONS:
        return None
    last_part = prefix.rsplit("-", 1)[-1]
    hyphenated = f"{prefix}-{following}"
    joined = f"{prefix}{following}"
    if not last_part or last_part.isupper() or any(ch.isdigit() for ch in last_part):
        return hyphenated  # TE-uudistus, EU-R, 2023-luvulla
    if last_part[:1].isupper():
        # A name before the hyphen: Tori-yksikköhintojen, Senaatti-kiinteistöjen; but Val-torin is Valtorin.
        return joined if lex.in_document(last_part + following) else hyphenated
    if lex.known(last_part + following) or lex.known(regex.sub(r"^\W+", "", joined)):
        return joined
    if lex.known(f"{last_part}-{following}") or lex.known(regex.sub(r"^\W+", "", hyphenated)):
        return hyphenated
    if last_part[:1].isupper() or "/" in prefix or "." in prefix:
        return hyphenated  # Senaatti-kiinteistöjen, URLs
    return joined  # a soft hyphen is the likelier reading of an unknown word


def _join_pair(left: str, right: str, lex: Lexicon) -> str:
    """Join two consecutive source lines of one block."""
    if not left:
        return right
    if not right:
        return left
    hyphen = _TRAILING_HYPHEN.search(left)
    first = right.split(" ", 1)
    if hyphen and first[0][:1].islower():
        decided = _decide_hyphen(hyphen.group(1), first[0], lex)
        if decided is not None:
            rest = f" {first[1]}" if len(first) > 1 else ""
            return left[: hyphen.start()] + decided + rest
        return f"{left} {right}"
    if left.endswith(("-", "–")) and left[-2:-1] in (" ", ""):
        return left + right  # "ja –" + "toiminnan": a dash bound to the next word
    if left.endswith("/"):
        return left + right  # "Nettokäyttö-/" + "käyttöarvio"
    if regex.search(r"[\p{L}\d][-–]$", left) and right[:1].isdigit():
        return left + right  # "(1-" + "5)", "VN/21300/2020-VM-" + "8"
    tail = regex.search(r"(\p{L}+)$", left)
    head = regex.match(r"\p{Ll}+", right)
    if tail and head and _cut_word(tail.group(1), head.group(0), lex):
        return left + right  # a word cut in a narrow cell: "suunnitelm" + "an", "toimintamalli" + "n"
    return f"{left} {right}"


def _cut_word(tail: str, head: str, lex: Lexicon) -> bool:
    """Whether ``tail`` + ``head`` is one word cut at a line end without a hyphen."""
    if not lex.in_dictionary(tail + head):
        return False
    return len(head) == 1 or not lex.known(tail)  # no Finnish word is one letter ("toimintamalli" + "n")


_TAIL_KEEP = 200  # a join looks at most at the last word of the text so far; keep that much at hand


def join_lines(lines: list[str], lex: Lexicon) -> str:
    """The clean text of a block from its source lines, in time linear in their length: each join
    only looks at the end of the text so far, so only that end is carried from line to line."""
    done: list[str] = []
    tail = ""
    for raw in lines:
        tail = _join_pair(tail, clean_spaces(strip_debris(raw)), lex)
        cut = tail.rfind(" ", 0, len(tail) - _TAIL_KEEP)
        if cut <= 0 and len(tail) > 2 * _TAIL_KEEP:
            cut = len(tail) - _TAIL_KEEP - 1  # no word is that long: a run without spaces is cut all the same
        if cut > 0:
            done.append(tail[: cut + 1])
            tail = tail[cut + 1 :]
    return fix_inline_breaks("".join(done) + tail, lex)


def fix_inline_breaks(text: str, lex: Lexicon) -> str:
    """Mend hyphenation that a conversion left inside a line.

    ``mukais- ten`` is a line-end break kept as text; ``tulos-sopimusvuoden`` is a soft hyphen
    kept as a hyphen: it is joined when the dictionary knows the joined word and not the
    hyphenated one, since a PDF of the same text cannot show the difference.
    """

    def repl(match: regex.Match) -> str:
        decided = _decide_hyphen(match.group(1), match.group(2), lex)
        return match.group(0) if decided is None else decided

    def soft(match: regex.Match) -> str:
        parts = match.group(0).split("-")
        text = parts[0]
        for part in parts[1:]:
            joined = text.rsplit("-", 1)[-1] + part
            if lex.in_dictionary(joined) and not lex.in_dictionary(f"{text.rsplit('-', 1)[-1]}-{part}"):
                text += part
            else:
                text += "-" + part
        return text

    for _ in range(3):  # "talous- arvio- tavoite": each pass mends one break of a chain
        mended = _INLINE_HYPHEN.sub(repl, text)
        if mended == text:
            break
        text = mended
    return mend_split_words(_SOFT_HYPHEN.sub(soft, text), lex)


_LETTERS = regex.compile(r"^\p{L}+$")
_TAIL = regex.compile(r"^(\p{Ll}+)([-.,;:!?)]*)$")


def mend_split_words(text: str, lex: Lexicon) -> str:
    """Join a word a converter split with a space (``tavaratu rvallisuus``, ``talo uden``,
    ``nuoris o- ja``): two pieces that are not both words, whose join the dictionary knows.

    Text extracted from justified PDF lines carries such splits; only the dictionary (Voikko)
    decides, never the document's own words, which hold the pieces themselves.
    """
    if not lex.has_dictionary or " " not in text:
        return text
    tokens = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        left = tokens[i]
        if i + 1 < len(tokens) and _LETTERS.match(left):
            tail = _TAIL.match(tokens[i + 1])
            if tail:
                piece, rest = tail.group(1), tail.group(2)
                whole = lex.in_dictionary(left) and lex.in_dictionary(piece)
                if not whole and lex.in_dictionary(left + piece):
                    out.append(left + piece + rest)
                    i += 2
                    continue
        out.append(left)
        i += 1
    return " ".join(out)


def slugify(text: str, limit: int | None = None) -> str:
    """Letters and digits joined by hyphens: ``KEHA-keskus (yleishallinto)`` → ``keha-keskus-yleishallinto``."""
    slug = regex.sub(r"[^\p{L}\p{N}]+", "-", " ".join(text.lower().split())).strip("-")
    return slug[:limit].strip("-") if limit else slug


def strip_footnote_marks(text: str) -> tuple[str, list[str]]:
    """Split footnote marks off a label: ``Laskutusaste, % ¹`` → (``Laskutusaste, %``, [``¹``]).

    Besides superscripts and ``*`` at the end, marks written ``1)`` are found anywhere, glued to
    the word they annotate: ``Häiriöindeksi1), enintään`` → ``Häiriöindeksi, enintään``, ``1)``;
    ``asteikolla 1—42)`` → ``asteikolla 1—4``, ``2)``. Such a mark is a ``)`` that closes no
    ``(``; after a dash or a digit only its last digit is the mark.
    """
    text, marks = _strip_paren_marks(text)
    text = text.rstrip()
    trailing: list[str] = []
    while text and (text[-1] in FOOTNOTE_MARKS or text[-1] == "*"):
        trailing.insert(0, text[-1])
        text = text[:-1].rstrip()
    return text, trailing + marks


def _strip_paren_marks(text: str) -> tuple[str, list[str]]:
    if ")" not in text:
        return text, []
    out: list[str] = []
    marks: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            if depth:
                depth -= 1
            else:
                digits = ""
                while out and out[-1].isdigit() and len(digits) < 2:
                    digits = out.pop() + digits
                if not digits:
                    out.append(char)
                    continue
                before = out[-1] if out else " "
                if len(digits) == 2 and not (before.isalpha() or before in ").%]" or before.isspace()):
                    out.append(digits[0])  # "1—42)": the scale 1—4 and the mark 2)
                    digits = digits[1:]
                marks.append(digits + ")")
                continue
        out.append(char)
    if not marks:
        return text, []
    return " ".join("".join(out).split()).replace(" ,", ","), marks
