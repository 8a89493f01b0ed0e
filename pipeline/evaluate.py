"""How right the extraction is: an ``Agreement`` compared with a hand-written gold file.

Gold files (``tests/gold/<document>.yaml``) are written by reading the document; the format is in
the README ("Accuracy"). Four entities are scored, each as precision, recall and F1 over items:

- ``values``: (indicator name, table number, year, kind, cell text) — one per indicator value;
- ``targets``: (goal title, year), counted right only when the extracted text starts and ends with
  the gold's ``starts`` and ``ends`` words (a target cut short or run on is a miss and a false hit);
- ``goals``: the titles of the goals that have yearly targets;
- ``metadata``: title, agency, each ministry, period, date, each diary number, each signatory.

Texts are compared after light normalisation (whitespace, quotes, a trailing full stop), never
case-folded or fuzzily: a wrong word is wrong. Every miss and every false hit is listed.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from pipeline.errors import AgreementError
from pipeline.extract.coverage import LOW_SHARE, describe, is_low
from schemas.agreement import Agreement, AgreementInfo, Coverage

ENTITIES = ("values", "targets", "goals", "metadata")
KINDS = {"actual", "estimate", "target", "preliminary_target", "budget", "budget_proposal", "frame", "other"}


class GoldError(AgreementError):
    """A gold file that cannot be read or does not follow the format."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldTarget(_Model):
    year: int
    starts: str
    ends: str


class GoldGoal(_Model):
    title: str
    targets: list[GoldTarget]


class GoldIndicator(_Model):
    name: str
    table: int | None = None
    values: list[tuple[int, str, str]]


class GoldSignatory(_Model):
    name: str
    title: str | None = None
    organization: str | None = None


class GoldMetadata(_Model):
    title: str
    agency: str | None
    ministries: list[str]
    period: tuple[int, int] | None
    signed_on: str | None
    reference_numbers: list[str]
    signatories: list[GoldSignatory]


class Gold(_Model):
    document: str = Field(description="the file stem of the documents this gold applies to")
    metadata: GoldMetadata
    goals: list[GoldGoal]
    indicators: list[GoldIndicator]


class Score(_Model):
    gold: int
    extracted: int
    correct: int
    precision: float
    recall: float
    f1: float


class Finding(_Model):
    entity: str
    item: str
    note: str | None = None


class Evaluation(_Model):
    document: str
    source: str
    format: str
    scores: dict[str, Score]
    misses: list[Finding] = Field(description="in the gold, not (rightly) extracted")
    false_hits: list[Finding] = Field(description="extracted, not in the gold")
    coverage: Coverage = Field(description="the extraction's own coverage: it needs no gold")
    low_coverage: bool = Field(description="a table-like region gave no values, or the share read is below LOW_SHARE")


def load_gold(path: Path) -> Gold:
    import yaml
    from pydantic import ValidationError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        gold = Gold.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise GoldError(f"{path}: cannot read ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise GoldError(f"{path}: {where}: {first['msg']}") from exc
    for indicator in gold.indicators:
        for year, kind, _ in indicator.values:
            if kind not in KINDS:
                raise GoldError(f"{path}: {indicator.name!r} {year}: unknown kind {kind!r}")
    return gold


def norm(text: str | None) -> str:
    """Whitespace collapsed, quotes straightened, soft hyphens and a trailing full stop dropped."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    for curly, straight in (("”", '"'), ("“", '"'), ("„", '"'), ("’", "'"), ("‘", "'")):
        text = text.replace(curly, straight)
    return " ".join(text.split()).rstrip(".").rstrip()


def _score(gold: int, extracted: int, correct: int) -> Score:
    precision = correct / extracted if extracted else 1.0
    recall = correct / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(
        gold=gold,
        extracted=extracted,
        correct=correct,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
    )


def _compare(entity: str, gold: Counter, got: Counter, misses: list, false_hits: list) -> Score:
    correct = gold & got
    misses.extend(Finding(entity=entity, item=item) for item in sorted((gold - correct).elements()))
    false_hits.extend(Finding(entity=entity, item=item) for item in sorted((got - correct).elements()))
    return _score(sum(gold.values()), sum(got.values()), sum(correct.values()))


def evaluate(agreement: Agreement, gold: Gold) -> Evaluation:
    misses: list[Finding] = []
    false_hits: list[Finding] = []
    scores = {
        "values": _compare("values", _gold_values(gold), _values(agreement), misses, false_hits),
        "targets": _targets(agreement, gold, misses, false_hits),
        "goals": _compare(
            "goals",
            Counter(norm(g.title) for g in gold.goals if g.targets),
            Counter(norm(g.title) for g in agreement.goals if g.targets),
            misses,
            false_hits,
        ),
        "metadata": _compare("metadata", _gold_metadata(gold), _metadata(agreement), misses, false_hits),
    }
    return Evaluation(
        document=gold.document,
        source=agreement.source.path,
        format=agreement.source.format,
        scores=scores,
        misses=misses,
        false_hits=false_hits,
        coverage=agreement.coverage,
        low_coverage=is_low(agreement.coverage),
    )


def _values(agreement: Agreement) -> Counter:
    numbers = {t.id: t.number for t in agreement.tables}
    return Counter(
        f"{norm(i.name)} | Taulukko {numbers.get(i.table_id)} | {v.year} {v.kind} | {norm(v.text)}"
        for i in agreement.indicators
        for v in i.values
    )


def _gold_values(gold: Gold) -> Counter:
    return Counter(
        f"{norm(i.name)} | Taulukko {i.table} | {year} {kind} | {norm(text)}"
        for i in gold.indicators
        for year, kind, text in i.values
    )


def _targets(agreement: Agreement, gold: Gold, misses: list, false_hits: list) -> Score:
    """Targets pair by (goal title, year); a pair is right when the text starts and ends as the gold says."""
    extracted: dict[tuple[str, int], list[str]] = {}
    for goal in agreement.goals:
        for target in goal.targets:
            extracted.setdefault((norm(goal.title), target.year), []).append(norm(target.text))
    total_extracted = sum(len(texts) for texts in extracted.values())
    total_gold = correct = 0
    for goal in gold.goals:
        for target in goal.targets:
            total_gold += 1
            key = (norm(goal.title), target.year)
            label = f"{key[0]} | {target.year}"
            texts = extracted.get(key, [])
            starts, ends = norm(target.starts), norm(target.ends)
            right = next((t for t in texts if t.startswith(starts) and t.endswith(ends)), None)
            if right is not None:
                texts.remove(right)
                correct += 1
                continue
            note = f"extracted: {texts[0][:80]!r}…{texts[0][-60:]!r}" if texts else "not extracted"
            misses.append(Finding(entity="targets", item=label, note=note))
    for (title, year), texts in sorted(extracted.items()):
        false_hits.extend(Finding(entity="targets", item=f"{title} | {year}", note=t[:80]) for t in texts)
    return _score(total_gold, total_extracted, correct)


def _metadata_items(meta: GoldMetadata | AgreementInfo, period: tuple | None, signed_on: str | None) -> Counter:
    """The metadata as items; ``meta`` is the gold's or the extraction's (the same field names)."""
    items = [
        f"title: {norm(meta.title)}",
        f"agency: {norm(meta.agency)}",
        f"period: {period}",
        f"signed_on: {signed_on}",
    ]
    items += [f"ministry: {norm(m)}" for m in meta.ministries]
    items += [f"reference: {norm(r)}" for r in meta.reference_numbers]
    items += [f"signatory: {norm(s.name)}, {norm(s.title)}, {norm(s.organization)}" for s in meta.signatories]
    return Counter(items)


def _metadata(agreement: Agreement) -> Counter:
    info = agreement.agreement
    period = (info.period.start, info.period.end) if info.period else None
    return _metadata_items(info, period, info.signed_on.isoformat() if info.signed_on else None)


def _gold_metadata(gold: Gold) -> Counter:
    meta = gold.metadata
    return _metadata_items(meta, tuple(meta.period) if meta.period else None, meta.signed_on)


def gold_for(path: Path, gold_dir: Path) -> Path | None:
    """The gold file for a document (by its stem, e.g. ``valtori-tulossopimus-2024-2027``)."""
    candidate = gold_dir / f"{path.name.split('.')[0]}.yaml"
    return candidate if candidate.is_file() else None


def render_table(evaluations: list[Evaluation]) -> str:
    """A Markdown table: one row per document and entity."""
    lines = [
        "| document | format | entity | gold | extracted | correct | precision | recall | F1 |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for ev in evaluations:
        for entity in ENTITIES:
            s = ev.scores[entity]
            lines.append(
                f"| {ev.document} | {ev.format} | {entity} | {s.gold} | {s.extracted} | {s.correct} | "
                f"{s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |"
            )
    return "\n".join(lines) + "\n"


def render_coverage(evaluations: list[Evaluation]) -> str:
    """The documents with low coverage, one line each; empty when there are none.

    Coverage needs no gold: it says where a layout was not read even in a document nobody has scored.
    """
    low = [ev for ev in evaluations if ev.low_coverage]
    if not low:
        return ""
    lines = [f"\nLow coverage (a table-like region without values, or under {LOW_SHARE:.0%} of the numbers read):"]
    lines += [f"  {ev.source} ({ev.format}): {describe(ev.coverage)}" for ev in low]
    return "\n".join(lines) + "\n"
