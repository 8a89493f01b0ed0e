"""Agreement metadata: title, parties, period, date, diary numbers, signatories, series id.

Agencies write their agreements in their own templates, so nothing here assumes one layout:

- The title is the line (or two) of the first page that carries the agreement word, never a
  paragraph: a line that only says what kind of document this is (``TULOSSOPIMUSASIAKIRJA
  30.10.2019 VN/1234/2019``) gives way to one that names the parties, and a title longer than a
  heading is cut after its period and said so.
- The title names two or three parties in the genitive, with or without ``välinen``, in capitals
  or not (``Maa- ja metsätalousministeriön ja Maanmittauslaitoksen``, ``…MINISTERIÖN, …VIRASTON
  JA …TOIMISTON TULOSSOPIMUS``); each party's nominative comes from Voikko and Finnish genitive
  rules, checked against the document's own words (``Valtorin`` → ``Valtori``), and a party in
  capitals gets the case the document (or Voikko) gives it (``SOSIAALI- JA TERVEYSMINISTERIÖN`` →
  ``Sosiaali- ja terveysministeriö``).
- Dates and diary numbers come from the spaCy entity component on the first page only: the
  lines before the title and the metadata lines right after it. The agreement's date is a date
  on a line of its own (or beside a label, a place, a diary number), on the first page or next
  to the signatures; a date in running text (``ennen 1.1.2019 perustettujen``, ``Lähde:
  Tilastokeskus 25.3.2024``) never dates the agreement.
- Signatures are parsed from the end of the signing section, whether laid out in columns, in a
  table (by rows or by columns) or run together in one paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import regex

from pipeline.nlp import vocab
from pipeline.nlp.entities import entities
from pipeline.nlp.lexicon import voikko
from pipeline.segment.outline import NUMBERED, Outline
from pipeline.textnorm import clean_spaces, join_lines, slugify

# First name and surname, either may be hyphenated (Anna-Kaisa Ikonen).
PERSON = regex.compile(
    r"^([\p{Lu}][\p{Ll}]+(?:-[\p{Lu}][\p{Ll}]+)?\s+[\p{Lu}][\p{Ll}]+(?:-[\p{Lu}][\p{Ll}]+)?)(?=$|\s*,|\s)"
)
# A title is heading-sized: at most this many characters and source lines.
TITLE_MAX_CHARS = 250
TITLE_MAX_LINES = 3
SERIES_ID_MAX = 60

# A line that goes on the title of the line before: it starts in lower case or with a conjunction,
# or the line before ends in one (``Maa- ja metsätalousministeriön ja`` / ``Maanmittauslaitoksen …``).
_CONTINUES = regex.compile(r"^(?:\p{Ll}|(?i:ja|sekä|välinen)\b)")
_OPEN_END = regex.compile(r"(?:\s(?:ja|sekä|välinen)|[,\-–])$", regex.I)
_PERIOD_START = regex.compile(r"^(?:\(|(?:19|20)\d\d\b|vuo(?:sille|delle|siksi)\b)", regex.I)
# The period after the agreement word, where a title too long for a heading is cut.
_PERIOD = regex.compile(
    r"(?:(?:19|20)\d\d(?:\s*[–—-]\s*(?:19|20)\d\d)?)(?:\s*\([^()]{1,60}\))?",
)
# Running text: a word and a full stop (``…tulossopimuksella.``); a heading-like line ends the first page.
_SENTENCE_END = regex.compile(r"(\p{L}+)[.!?](?=\s|$)")
_HEADING_LIKE = regex.compile(r"^\d{1,2}(?:\.\d{1,2}){0,4}\.?\s+\p{Lu}")
_PLACE_CLASSES = {"paikannimi"}
_PLACE_CASES = {"nimento", "sisaolento", "ulkoolento"}
_PROPER_CLASSES = {"paikannimi", "etunimi", "sukunimi"}
_ADJECTIVE_CLASSES = {"laatusana", "nimisana_laatusana"}


@dataclass
class Metadata:
    title: str = ""
    agency: str | None = None
    agencies: list[str] = field(default_factory=list)
    ministries: list[str] = field(default_factory=list)
    period: tuple[int, int] | None = None
    signed_on: date | None = None
    reference_numbers: list[str] = field(default_factory=list)
    signatories: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    series_id: str = ""


# --- Parties -------------------------------------------------------------------------------------


def _analyses(word: str) -> list[dict]:
    analyser = voikko()
    return analyser.analyze(word) if analyser is not None and word else []


def _is_capitals(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) > 1 and all(ch.isupper() for ch in letters)


def _document_form(phrase: str, document_text: str) -> str | None:
    """The phrase as the document writes it (not in capitals), matched case-insensitively as whole words."""
    pattern = rf"(?<![\p{{L}}-]){regex.escape(phrase)}(?![\p{{L}}])"
    fallback = None
    for count, found in enumerate(regex.finditer(pattern, document_text, regex.I)):
        text = found.group(0)
        if _is_capitals(text) and sum(ch.isalpha() for ch in text) > 5:
            continue  # a title or heading in capitals says nothing of the case (but KEHA, VTV are acronyms)
        if text[:1].isupper() == phrase[:1].isupper():
            return text
        fallback = fallback or text
        if count > 50:
            break
    return fallback


def _case_of_capitals(phrase: str) -> str:
    """Normal case for a phrase in capitals, word by word from Voikko.

    Common words go to lower case and names of places and people keep their capital (``SUOMEN
    YMPÄRISTÖKESKUKSEN`` → ``Suomen ympäristökeskuksen``); an unknown part before a hyphen is an
    acronym and stays in capitals (``KEHA-KESKUKSEN`` → ``KEHA-keskuksen``), a shared compound part
    does not (``SOSIAALI- JA TERVEYSMINISTERIÖN``). The phrase starts
    with a capital, as a name does.
    """
    words = []
    for word in phrase.split():
        parts = word.split("-")
        cased = []
        for index, part in enumerate(parts):
            lower = part.lower()
            analyses = _analyses(lower) if lower else []
            if not lower:
                cased.append(part)
            elif not analyses and parts[index + 1 :] not in ([], [""]) and voikko() is not None:
                cased.append(part)  # KEHA-keskuksen, ELY-keskuksen; but SOSIAALI- JA … is a shared compound part
            elif any(a.get("CLASS") in _PROPER_CLASSES for a in analyses):
                cased.append(lower[:1].upper() + lower[1:])
            else:
                cased.append(lower)
        words.append("-".join(cased))
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _nominative(word: str) -> list[str]:
    """Nominative candidates of a genitive word, keeping its first letter's case."""
    candidates: list[str] = []
    for analysis in _analyses(word):
        form = analysis.get("BASEFORM")
        if form and analysis.get("SIJAMUOTO") in (None, "omanto"):
            candidates.append(form[0].upper() + form[1:] if word[:1].isupper() else form[0].lower() + form[1:])
    for pattern, replacement in ((r"ksen$", "s"), (r"isen$", "inen"), (r"den$", ""), (r"n$", "")):
        if regex.search(pattern, word, regex.I):
            candidates.append(regex.sub(pattern, replacement, word, flags=regex.I))
    return list(dict.fromkeys(candidates)) or [word]


def base_form(genitive: str, document_text: str) -> str:
    """Nominative of a party named in the genitive, preferring forms the document itself uses.

    The last word is the head (``…nuorisoarkiston`` → ``…nuorisoarkisto``); an adjective before it
    agrees with it and goes to the nominative too (``Kansallisen`` → ``Kansallinen``), a genitive
    attribute does not (``Suomen ympäristökeskus``). A party in capitals is first given its normal
    case, from the document or from Voikko.
    """
    genitive = " ".join(genitive.split())
    if _is_capitals(genitive):
        genitive = _document_form(genitive, document_text) or _case_of_capitals(genitive)
    words = genitive.split()
    lead = []
    for word in words[:-1]:
        adjective = next(
            (
                a
                for a in _analyses(word.lower())
                if a.get("CLASS") in _ADJECTIVE_CLASSES and a.get("SIJAMUOTO") == "omanto"
            ),
            None,
        )
        if adjective is not None:
            form = adjective["BASEFORM"]
            word = form[0].upper() + form[1:] if word[:1].isupper() else form
        lead.append(word)
    candidates = [" ".join([*lead, head]) for head in _nominative(words[-1])]
    for candidate in candidates:
        found = _document_form(candidate, document_text)
        if found:
            return found
    return candidates[0]


def title_parties(title: str) -> tuple[list[str], str] | None:
    """The parties a title names, in the genitive as written, and the rest after the agreement word.

    ``Maa- ja metsätalousministeriön ja Maanmittauslaitoksen tulossopimus vuosille 2024–2027`` →
    (``Maa- ja metsätalousministeriön``, ``Maanmittauslaitoksen``), `` vuosille 2024–2027``. None when
    the words before the agreement word are not a list of genitive names.
    """
    title = " ".join(title.split())
    for pattern in (vocab.AGREEMENT_TITLE, vocab.AGREEMENT_TITLE_BETWEEN):
        match = pattern.match(title)
        if not match:
            continue
        parties = [p for p in vocab.PARTY_SEPARATOR.split(match.group("parties")) if p]
        if parties and all(vocab.PARTY.match(p) for p in parties):
            return parties, match.group("rest")
    return None


def _is_ministry(party: str) -> bool:
    return "ministeri" in party.lower()


# --- Title ---------------------------------------------------------------------------------------


@dataclass
class _Line:
    """One source line of the document with the block it stands in (a table row counts as a line)."""

    text: str
    block: int
    index: int
    short: bool  # its block is no table and no longer than a title: a title may go on into the next one


@dataclass
class _Title:
    text: str
    first: int  # positions in the list of lines
    last: int
    parties: tuple[list[str], str] | None
    doctype: bool
    cut: bool


def _lines(outline: Outline, front_only: bool) -> list[_Line]:
    """The document's lines in reading order; the front matter ends at the contents or a numbered heading."""
    lines: list[_Line] = []
    for number, block in enumerate(outline.blocks):
        if front_only and (number in outline.consumed or (block.kind == "heading" and NUMBERED.match(block.text))):
            break
        if number in outline.consumed:
            continue
        if block.kind == "table":
            texts = [" ".join(c.text for c in row if c.text) for row in block.rows]
        else:
            texts = block.lines or ([block.text] if block.text else [])
        short = block.kind != "table" and len(texts) <= TITLE_MAX_LINES
        lines.extend(_Line(clean_spaces(t), number, i, short) for i, t in enumerate(texts) if t.strip())
    return lines


def _is_running_text(line: str) -> bool:
    """A sentence ends on the line (``…viestinnästä.``); a label's abbreviation (``Dnro.``, ``Pvm.``) is none."""
    return any(
        len(word) > 2 and not word.isupper() and not vocab.DATE_LINE_WORDS.match(word)
        for word in (m.group(1) for m in _SENTENCE_END.finditer(line))
    )


def _ends_first_page(line: str) -> bool:
    """Running text, the contents or a numbered heading: the first page's metadata is behind."""
    return bool(_is_running_text(line) or vocab.TOC_TITLES.match(line.strip()) or _HEADING_LIKE.match(line))


def _together(before: _Line, after: _Line) -> bool:
    """Two lines that may hold one title: the same block, or two short blocks one after the other."""
    return before.block == after.block or (after.block == before.block + 1 and before.short and after.short)


def _has_period(text: str) -> bool:
    word = vocab.AGREEMENT_WORD.search(text)
    return bool(word and regex.search(r"(?:19|20)\d\d", text[word.end() :]))


def _span(lines: list[_Line], at: int) -> tuple[int, int]:
    """The lines of one title around the line carrying the agreement word (a PDF may set it as two blocks)."""
    first = last = at
    while first > 0 and _together(lines[first - 1], lines[first]) and last - first + 1 < TITLE_MAX_LINES:
        previous, current = lines[first - 1].text, lines[first].text
        if _CONTINUES.match(current) or _OPEN_END.search(previous):
            first -= 1
        elif (
            first == at
            and vocab.AGREEMENT_WORD.match(current)
            and not _date_or_diary(previous)
            and title_parties(f"{previous} {current}")
        ):
            first -= 1  # ``YMPÄRISTÖMINISTERIÖN JA VESIHALLITUKSEN`` / ``TULOSSOPIMUS 2021–2024``
        else:
            break
    while last + 1 < len(lines) and _together(lines[last], lines[last + 1]) and last - first + 1 < TITLE_MAX_LINES:
        text = " ".join(line.text for line in lines[first : last + 1])
        following = lines[last + 1].text
        if _has_period(text):
            break
        if _CONTINUES.match(following) or _OPEN_END.search(text) or _PERIOD_START.match(following):
            last += 1
        else:
            break
    return first, last


def _date_or_diary(text: str) -> list[tuple[str, str]]:
    return [(label, t) for label, t in entities(text) if label in ("DATE", "DIARY")]


def cut_title(text: str) -> tuple[str, bool]:
    """A heading-sized title from a text that may run on: (title, whether it was cut).

    A title longer than a heading ends after the period that follows the agreement word (``…
    tulossopimus vuosille 2024–2027``), else at the first full stop, else at the last word that fits.
    """
    if len(text) <= TITLE_MAX_CHARS:
        return text, False
    word = vocab.AGREEMENT_WORD.search(text)
    start = word.end() if word else 0
    period = _PERIOD.search(text, start)
    if period and period.end() <= TITLE_MAX_CHARS:
        return text[: period.end()].rstrip(" ,;:"), True
    stop = regex.compile(r"[.!?](?=\s|$)").search(text, start)
    if stop and stop.start() <= TITLE_MAX_CHARS:
        return text[: stop.start()].rstrip(), True
    space = text.rfind(" ", 0, TITLE_MAX_CHARS + 1)
    return text[: space if space > 0 else TITLE_MAX_CHARS].rstrip(" ,;:-"), True


def _title_at(lines: list[_Line], at: int, outline: Outline) -> _Title:
    first, last = _span(lines, at)
    text = join_lines([line.text for line in lines[first : last + 1]], outline.lexicon)
    found = _date_or_diary(text)
    doctype = False
    if found:
        # ``TULOSSOPIMUSASIAKIRJA 30.10.2019 VN/1234/2019 [title]``: the title follows the metadata.
        end = text.rfind(found[-1][1]) + len(found[-1][1])
        after = text[end:].strip(" ,;:–-")
        if vocab.AGREEMENT_WORD.search(after):
            text = after
        else:
            remainder = text
            for _, entity in found:
                remainder = remainder.replace(entity, " ")
            text = " ".join(remainder.split()).strip(" ,;:–-")  # a date or number beside the title is no part of it
            doctype = len(text.split()) <= 2 and not regex.search(r"(?:19|20)\d\d", text)
    text, cut = cut_title(" ".join(text.split()))
    return _Title(text, first, last, title_parties(text), doctype, cut)


def _find_title(lines: list[_Line], outline: Outline, stop_at_body: bool) -> _Title | None:
    """The best title among the lines: one naming the parties, else any but a document-type line."""
    candidates: list[_Title] = []
    index = 0
    while index < len(lines):
        line = lines[index].text
        if vocab.AGREEMENT_WORD.search(line):
            candidate = _title_at(lines, index, outline)
            if candidate.parties:
                return candidate  # the first title naming the parties is the one
            candidates.append(candidate)
            index = candidate.last + 1
            continue
        if stop_at_body and candidates and _ends_first_page(line):
            break
        index += 1
    return next((c for c in candidates if not c.doctype), None) or (candidates[0] if candidates else None)


# --- Dates and the first page ------------------------------------------------------------------


def parse_date(text: str) -> date | None:
    """A DATE entity as a date: ``13.12.2023`` or ``13. joulukuuta 2023``; None for an impossible one."""
    numeric = regex.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text.strip())
    if numeric:
        day, month, year = (int(x) for x in numeric.groups())
    else:
        written = regex.fullmatch(r"(\d{1,2})\.\s*(\p{L}+?)kuuta\s+(\d{4})", text.strip(), regex.I)
        if not written or written.group(2).lower() not in vocab.MONTHS:
            return None
        day, month, year = (
            int(written.group(1)),
            vocab.MONTHS.index(written.group(2).lower()) + 1,
            int(written.group(3)),
        )
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _is_place(word: str) -> bool:
    analyses = _analyses(word)
    if voikko() is None:
        return bool(regex.fullmatch(r"\p{Lu}\p{Ll}+(?:ssa|ssä|lla|llä)?", word))
    return any(a.get("CLASS") in _PLACE_CLASSES and a.get("SIJAMUOTO") in _PLACE_CASES for a in analyses)


def date_of_line(line: str) -> date | None:
    """The date a line gives the agreement: the line holds a date and nothing but labels beside it.

    ``13.12.2023``, ``Helsingissä 13.12.2023``, ``Päivämäärä: 13.12.2023``, ``TULOSSOPIMUSASIAKIRJA
    30.10.2019 VN/1234/2019`` date the agreement; ``Lähde: Tilastokeskus 25.3.2024`` and ``ennen
    1.1.2019 perustettujen`` are running text.
    """
    found = entities(line)
    dates = [t for label, t in found if label == "DATE"]
    if not dates:
        return None
    rest = line
    for label, text in found:
        if label in ("DATE", "DIARY"):
            rest = rest.replace(text, " ")
    for word in regex.findall(r"[\p{L}][\p{L}\-]*", rest):
        if not (vocab.DATE_LINE_WORDS.match(word) or vocab.AGREEMENT_WORD.search(word) or _is_place(word)):
            return None
    if regex.search(r"\d", regex.sub(r"[\p{L}\p{P}\s]", "", rest)):
        return None  # other numbers beside the date: a table row, a range of dates
    return parse_date(dates[0])


def _first_date(text: str) -> date | None:
    return next((d for label, t in entities(text) if label == "DATE" and (d := parse_date(t))), None)


def _first_page(lines: list[_Line], title: _Title | None) -> list[str]:
    """The first page's lines: everything before the title, the title, then lines until the body starts."""
    end = title.last + 1 if title else 0
    page = [line.text for line in lines[:end]]
    for line in lines[end:]:
        if _ends_first_page(line.text):
            break
        page.append(line.text)
    return page


# --- Signatures ----------------------------------------------------------------------------------


def _ends_sentence(line: str) -> bool:
    return bool(regex.search(r"\p{L}{2,}\.$", line.rstrip()))


def _names_on_own_lines(lines: list[str]) -> bool:
    """A block of names and titles one per line (``Petri Laaksonen`` / ``kansliapäällikkö`` / ``Hanna Juvonen``)."""
    return any((m := PERSON.match(line)) and m.end() == len(line.rstrip()) for line in lines[1:])


def _signature_region(outline: Outline, organizations: list[str] | None = None) -> list[tuple[str, list[str]]]:
    """The signature block after the signing heading (or near the end), after the last sentence.

    Each piece is (text, its source lines): a run-on paragraph of names stays one text for the
    signatory parser, while dates are looked for line by line. A table whose first row names the
    parties is read by columns (each column one party's names and titles), any other by rows.
    """
    signing = [s for s in outline.sections if s.number and vocab.SIGNING_HINT.search(s.title)]
    start = signing[-1].block_index + 1 if signing else max(0, len(outline.blocks) - 20)
    known = {o for o in organizations or [] if o}
    region: list[tuple[str, list[str]]] = []
    for block in outline.blocks[start:]:
        if block.kind == "heading":
            break
        if block.kind == "table":
            heads = [c.text for c in block.rows[0] if c.text] if block.rows else []
            if len(heads) > 1 and all(h in known or vocab.MINISTRY.fullmatch(h) for h in heads):
                width = max(len(row) for row in block.rows)
                cells = [row[i].text for i in range(width) for row in block.rows if i < len(row) and row[i].text]
            else:
                cells = [" ".join(c.text for c in row if c.text) for row in block.rows]
            region.extend((cell, [cell]) for cell in cells)
            continue
        lines = [clean_spaces(line) for line in block.lines] or [block.text]
        sentence_ends = [i for i, line in enumerate(lines) if _ends_sentence(line)]
        if sentence_ends:
            region = [(line, [line]) for line in lines[sentence_ends[-1] + 1 :]]  # the signatures follow the text
        elif _names_on_own_lines(lines):
            region.extend((line, [line]) for line in lines)
        else:
            region.append((block.text, lines))
    return [(text.strip(), lines) for text, lines in region if text.strip()]


def _signature_lines(outline: Outline, organizations: list[str] | None = None) -> list[str]:
    """The texts of the signature block, for the signatory parser."""
    return [text for text, _ in _signature_region(outline, organizations)]


def parse_signatories(lines: list[str], organizations: list[str]) -> list[tuple[str, str | None, str | None]]:
    """(name, title, organization) of each signatory, from the lines of a signature block."""
    orgs = sorted({o for o in organizations if o}, key=len, reverse=True)
    org_pattern = regex.compile("|".join(regex.escape(o) for o in orgs)) if orgs else None
    items: list[tuple[str, str]] = []
    for line in lines:
        position = 0
        for match in org_pattern.finditer(line) if org_pattern else []:
            if line[position : match.start()].strip():
                items.append(("text", line[position : match.start()].strip()))
            items.append(("org", match.group(0)))
            position = match.end()
        if line[position:].strip():
            items.append(("text", line[position:].strip()))
    people: list[list] = []
    header_orgs: list[str] = []
    last_org: str | None = None
    after_org = False
    for kind, value in items:
        if kind == "org":
            if not people:
                header_orgs.append(value)
            last_org, after_org = value, True
            continue
        person = PERSON.match(value)
        if person:
            rest = value[person.end() :].strip(" ,") or None
            if after_org and (len(header_orgs) < 2 or people):
                org = last_org
            else:
                org = header_orgs[len(people) % len(header_orgs)] if header_orgs else None
            people.append([person.group(1), rest, org])
        elif people and people[-1][1] is None and date_of_line(value) is None:
            people[-1][1] = value.strip(" ,")
        after_org = False
    return [tuple(p) for p in people]


# --- Series --------------------------------------------------------------------------------------


def series_id(agency: str | None, rest: str, title: str) -> str:
    """Agency + scope (``keha-keskus-yleishallinto``), the same for every version; at most 60 characters.

    Without an agency the title stands in, without its years, dates and diary numbers.
    """
    scope = next(
        (s for s in regex.findall(r"\(([^()]+)\)", rest) if regex.search(r"\p{L}{2,}", s)),
        None,
    )
    if agency:
        base = agency + (f" {scope}" if scope else "")
    else:
        base = title
        for _, text in _date_or_diary(title):
            base = base.replace(text, " ")
        base = regex.sub(r"\b(?:19|20)\d\d\b|\bvuo(?:sille|delle|siksi)\b", " ", base, flags=regex.I)
    slug = slugify(base)
    if len(slug) > SERIES_ID_MAX:
        cut = slug.rfind("-", 0, SERIES_ID_MAX + 1)
        slug = slug[: cut if cut > 0 else SERIES_ID_MAX]
    return slug


# --- All together ----------------------------------------------------------------------------------


def extract_metadata(outline: Outline, warnings: list[str]) -> Metadata:
    meta = Metadata()
    all_text = "\n".join(b.text for b in outline.blocks if b.text)
    front = _lines(outline, front_only=True)
    title = _find_title(front, outline, stop_at_body=True)
    page = _first_page(front, title)
    title_lines = range(title.first, title.last + 1) if title else range(0)
    if title is None:
        title = _find_title(_lines(outline, front_only=False), outline, stop_at_body=False)
    if title is None:
        warnings.append("no agreement title found")
        first = page[0] if page else next((b.text for b in outline.blocks if b.kind != "table" and b.text), "")
        meta.title = cut_title(first)[0] if first else ""
    else:
        meta.title = title.text
        if title.cut:
            warnings.append(f"the title was cut to a heading's length from a longer text: '{meta.title}'")

    parsed = title.parties if title else None
    rest = parsed[1] if parsed else meta.title
    if parsed:
        for party in parsed[0]:
            if _is_ministry(party):
                if not vocab.GENERIC_PARTY.match(party):
                    meta.ministries.append(base_form(party, all_text))
            else:
                meta.agencies.append(base_form(party, all_text))
        meta.ministries = list(dict.fromkeys(meta.ministries))
        meta.agencies = list(dict.fromkeys(meta.agencies))
        meta.agency = meta.agencies[0] if meta.agencies else None
    else:
        warnings.append("the title does not name the parties ('X:n ja Y:n välinen tulossopimus')")

    labelled = entities("\n".join(page))
    title_years = [t for label, t in entities(rest) if label in ("YEAR", "YEAR_RANGE")]
    ranges = [t for label, t in labelled if label == "YEAR_RANGE"]
    span = (title_years or ranges or [None])[0]
    if span:
        years = [int(y) for y in regex.findall(r"(?:19|20)\d\d", span)]
        meta.period = (years[0], years[-1])
    else:
        warnings.append("no agreement period found in the title")

    meta.reference_numbers = list(dict.fromkeys(t for label, t in labelled if label == "DIARY"))
    if not meta.reference_numbers:
        warnings.append("no diary number (e.g. VN/17411/2023) found on the first page")

    parties = [*meta.ministries, *meta.agencies]
    region = _signature_region(outline, parties)
    signature_lines = [text for text, _ in region]
    ministries_in_signatures = [m.group(0).strip() for line in signature_lines for m in vocab.MINISTRY.finditer(line)]
    meta.signatories = parse_signatories(signature_lines, [*parties, *ministries_in_signatures])
    for _, _, org in meta.signatories:
        if org and "ministeriö" in org.lower() and org not in meta.ministries:
            meta.ministries.append(org)
    if not meta.signatories:
        warnings.append("no signatories found")
    if not meta.ministries:
        warnings.append("no ministry identified as a party")

    # A date on the title's own line (``… TULOSSOPIMUS 2020–2023 18.12.2019``) is the first page's too.
    page_dates = (_first_date(line) if i in title_lines else date_of_line(line) for i, line in enumerate(page))
    meta.signed_on = next((d for d in page_dates if d), None)
    has_signing_section = any(s.number and vocab.SIGNING_HINT.search(s.title) for s in outline.sections)
    if meta.signed_on is None and (meta.signatories or has_signing_section):
        meta.signed_on = next((d for _, lines in region for d in map(date_of_line, lines) if d), None)
    if meta.signed_on is None:
        warnings.append("no date of the agreement found (on the first page or next to the signatures)")

    meta.series_id = series_id(meta.agency, rest, meta.title)
    return meta
