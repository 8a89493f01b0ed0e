"""Agreement metadata: title, parties, period, date, diary numbers, signatories, series id.

The title names both parties in the genitive (``Valtiovarainministeriön ja Valtorin välinen
tulossopimus vuosille 2024–2027``); their base forms come from Voikko and Finnish genitive rules,
checked against the document's own words (``Valtorin`` → ``Valtori``, ``KEHA-keskuksen`` →
``KEHA-keskus``). Dates and diary numbers come from the spaCy entity component on the front
matter; signatures are parsed from the end of the signing section, whether laid out in columns,
in a table or run together in one paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import regex

from pipeline.nlp import vocab
from pipeline.nlp.entities import entities
from pipeline.nlp.lexicon import voikko
from pipeline.segment.outline import NUMBERED, Outline
from pipeline.textnorm import slugify

# First name and surname, either may be hyphenated (Anna-Kaisa Ikonen).
PERSON = regex.compile(
    r"^([\p{Lu}][\p{Ll}]+(?:-[\p{Lu}][\p{Ll}]+)?\s+[\p{Lu}][\p{Ll}]+(?:-[\p{Lu}][\p{Ll}]+)?)(?=$|\s*,|\s)"
)


@dataclass
class Metadata:
    title: str = ""
    agency: str | None = None
    ministries: list[str] = field(default_factory=list)
    period: tuple[int, int] | None = None
    signed_on: date | None = None
    reference_numbers: list[str] = field(default_factory=list)
    signatories: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    series_id: str = ""


def base_form(genitive: str, document_text: str) -> str:
    """Nominative of a party named in the genitive, preferring forms the document itself uses."""
    words = genitive.split()
    head = words[-1]
    candidates: list[str] = []
    analyser = voikko()
    if analyser is not None:
        for analysis in analyser.analyze(head):
            form = analysis.get("BASEFORM")
            if form:
                candidates.append(form[0].upper() + form[1:] if head[:1].isupper() else form)
    for pattern, replacement in ((r"ksen$", "s"), (r"isen$", "inen"), (r"den$", ""), (r"n$", "")):
        if regex.search(pattern, head):
            candidates.append(regex.sub(pattern, replacement, head))
    for candidate in candidates:
        found = regex.search(rf"(?<![\p{{L}}-]){regex.escape(candidate)}(?![\p{{L}}])", document_text, regex.I)
        if found:
            candidate = found.group(0)
            return " ".join([*words[:-1], candidate])
    return " ".join([*words[:-1], candidates[0] if candidates else head])


def _front_matter(outline: Outline) -> list[str]:
    texts = []
    for index, block in enumerate(outline.blocks):
        if index in outline.consumed or (block.kind == "heading" and NUMBERED.match(block.text)):
            break
        texts.append(block.text if block.kind != "table" else " ".join(c.text for r in block.rows for c in r))
    return texts


def _date(text: str) -> date | None:
    day, month, year = (int(x) for x in text.split("."))
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _signature_lines(outline: Outline) -> list[str]:
    signing = [s for s in outline.sections if s.number and vocab.SIGNING_HINT.search(s.title)]
    start = signing[-1].block_index + 1 if signing else max(0, len(outline.blocks) - 20)
    region: list[str] = []
    for block in outline.blocks[start:]:
        if block.kind == "heading":
            break
        if block.kind == "table":
            region.extend(" ".join(c.text for c in row if c.text) for row in block.rows)
        elif block.text.rstrip().endswith(".") and not regex.fullmatch(r"[\d.\s]+", block.text.strip()):
            region = []  # running text: the signatures come after it
        else:
            region.append(block.text)
    return [line.strip() for line in region if line.strip()]


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
        elif people and people[-1][1] is None:
            people[-1][1] = value.strip(" ,")
        after_org = False
    return [tuple(p) for p in people]


def extract_metadata(outline: Outline, warnings: list[str]) -> Metadata:
    meta = Metadata()
    front = _front_matter(outline)
    all_text = "\n".join(b.text for b in outline.blocks if b.text)
    title = next((t for t in front if vocab.AGREEMENT_WORD.search(t)), None)
    if title is None:
        title = next((b.text for b in outline.blocks if vocab.AGREEMENT_WORD.search(b.text or "")), None)
    if title is None:
        warnings.append("no agreement title found")
        title = front[0] if front else ""
    meta.title = " ".join(title.split())

    parties = vocab.AGREEMENT_TITLE.match(meta.title)
    rest = meta.title
    if parties:
        left, right, rest = parties.group("left"), parties.group("right"), parties.group("rest")
        for side in (left, right):
            if "ministeri" in side.lower():
                if not regex.match(r"^(?:ohjaavi|ohjaava|ministeriö)", side, regex.I):
                    meta.ministries.append(base_form(side, all_text))
            else:
                meta.agency = base_form(side, all_text)
    else:
        warnings.append("the title does not name the parties ('X:n ja Y:n välinen tulossopimus')")

    labelled = entities("\n".join([meta.title, *front]))
    ranges = [t for label, t in labelled if label == "YEAR_RANGE"]
    title_years = [t for label, t in entities(rest) if label in ("YEAR", "YEAR_RANGE")]
    span = (title_years or ranges or [None])[0]
    if span:
        years = [int(y) for y in regex.findall(r"(?:19|20)\d\d", span)]
        meta.period = (years[0], years[-1])
    else:
        warnings.append("no agreement period found in the title")
    dates = [_date(t) for label, t in labelled if label == "DATE"]
    signature_lines = _signature_lines(outline)
    if not any(dates):
        tail = [b.text for b in outline.blocks[-40:] if b.kind == "paragraph" and len(b.text) < 60]
        dates = [_date(t) for label, t in entities("\n".join(tail)) if label == "DATE"]
    meta.signed_on = next((d for d in dates if d), None)
    if meta.signed_on is None:
        warnings.append("no date of the agreement found")
    meta.reference_numbers = list(dict.fromkeys(t for label, t in labelled if label == "DIARY"))
    if not meta.reference_numbers:
        warnings.append("no diary number (e.g. VN/17411/2023) found on the first page")

    ministries_in_signatures = [m.group(0).strip() for line in signature_lines for m in vocab.MINISTRY.finditer(line)]
    organizations = [*meta.ministries, *ministries_in_signatures, meta.agency or ""]
    meta.signatories = parse_signatories(signature_lines, organizations)
    for _, _, org in meta.signatories:
        if org and "ministeriö" in org.lower() and org not in meta.ministries:
            meta.ministries.append(org)
    if not meta.signatories:
        warnings.append("no signatories found")
    if not meta.ministries:
        warnings.append("no ministry identified as a party")

    scope = regex.search(r"\(([^)]+)\)", rest)
    base = meta.agency or regex.sub(r"\b(?:19|20)\d\d\b", "", meta.title)
    meta.series_id = slugify(base + (f" {scope.group(1)}" if scope else ""))
    return meta
