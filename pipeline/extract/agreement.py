"""Outline → ``schemas.Agreement``: metadata, goals, indicators, with ids and provenance.

Ids are stable within a series: a goal or indicator keeps its id in the next version when its
title or name is unchanged (a readable slug plus a short hash of the full text).
"""

from __future__ import annotations

import hashlib

import pipeline
from pipeline.errors import NotAnAgreement
from pipeline.extract import budget, coverage
from pipeline.extract.goals import RawGoal, extract_goals
from pipeline.extract.indicators import extract_indicators
from pipeline.extract.metadata import extract_metadata
from pipeline.layout import Provenance
from pipeline.nlp import vocab
from pipeline.nlp.entities import quantities
from pipeline.segment.outline import Outline
from pipeline.textnorm import slugify
from schemas import agreement as s


def stable_id(prefix: str, text: str, used: set[str]) -> str:
    """``prefix-slug-hash`` of a text; a repeat of the same text gets ``-2``, ``-3``…"""
    normal = " ".join(text.lower().split())
    slug = slugify(normal, 40)
    digest = hashlib.sha1(normal.encode("utf-8")).hexdigest()[:6]
    base = f"{prefix}-{slug}-{digest}"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _prov(prov: Provenance) -> s.Provenance:
    return s.Provenance(page=prov.page, line=prov.line, bbox=prov.bbox)


def _goals(raw: list[RawGoal]) -> list[s.Goal]:
    used: set[str] = set()
    ids = {id(g): stable_id("g", f"{g.number or ''} {g.title}", used) for g in raw}
    all_targets = [t for g in raw for t in g.targets]
    found = quantities([t.text for t in all_targets]) if all_targets else []
    numbers = {id(t): q for t, q in zip(all_targets, found, strict=True)}
    goals = []
    for g in raw:
        targets = [
            s.Target(
                year=t.year,
                text=t.text,
                satisfactory=" ".join(t.satisfactory) or None,
                numbers=[s.Quantity(value=q.value, unit=q.unit, text=q.text) for q in numbers[id(t)]],
                provenance=_prov(t.prov),
            )
            for t in g.targets
        ]
        goals.append(
            s.Goal(
                id=ids[id(g)],
                title=g.title,
                number=g.number,
                section_id=g.section_id,
                parent_id=ids.get(id(g.parent)) if g.parent is not None else None,
                table_id=g.table.id if g.table else None,
                targets=targets,
                provenance=_prov(g.prov),
            )
        )
    return goals


def build_agreement(outline: Outline, source: s.Source) -> s.Agreement:
    """Extract everything from a segmented document and validate it against the contract."""
    warnings = [*outline.layout.warnings, *outline.warnings]
    raw_indicators = extract_indicators(outline, warnings)
    document = s.DocumentInfo()
    if budget.is_budget_proposal(outline):
        raw_goals = budget.budget_goals(outline)
        meta, info = budget.budget_metadata(outline, raw_indicators, warnings)
        document = s.DocumentInfo(kind=budget.KIND, budget_item=info.item, year=info.year)
    else:
        raw_goals = extract_goals(outline, warnings)
        has_word = any(vocab.AGREEMENT_WORD.search(b.text or "") for b in outline.blocks[:60])
        if not has_word and not raw_goals and not raw_indicators:
            raise NotAnAgreement(
                f"{source.path}: not a performance agreement (no tulossopimus title, goals or indicators)"
            )
        meta = extract_metadata(outline, warnings)

    used: set[str] = set()
    indicator_ids = [stable_id("i", r.name, used) for r in raw_indicators]
    id_of = {id(r): indicator_ids[i] for i, r in enumerate(raw_indicators)}
    indicators = [
        s.Indicator(
            id=indicator_ids[i],
            name=r.name,
            unit=r.unit,
            scale=r.scale,
            table_id=r.table.id,
            parent_id=id_of[id(r.parent)] if r.parent is not None else None,
            group=r.group,
            footnotes=r.footnotes,
            budget_target=r.budget_target,
            values=[
                s.IndicatorValue(
                    year=v.year,
                    kind=v.kind,
                    label=v.label,
                    value=v.value,
                    text=v.text,
                    comparator=v.comparator,
                    value_max=v.value_max,
                    provenance=_prov(v.prov),
                )
                for v in r.values
            ],
            provenance=_prov(r.prov),
        )
        for i, r in enumerate(raw_indicators)
    ]
    goal_titles = {g.title for g in raw_goals}
    sections = [
        s.Section(
            id=sec.id,
            number=sec.number,
            title=sec.title,
            level=sec.level,
            parent_id=sec.parent_id,
            page=sec.block.prov.page,
            line=sec.block.prov.line,
        )
        for sec in outline.sections
        if sec.number or sec.title not in goal_titles
    ]
    tables = [
        s.Table(
            id=t.id,
            number=t.number,
            caption=t.caption,
            section_id=t.section_id,
            pages=sorted(set(t.block.pages or ([t.block.prov.page] if t.block.prov.page else []))),
            header=[c.text for c in t.block.rows[0]] if t.block.rows else [],
            rows=[[c.text for c in row] for row in t.block.rows[1:]],
            footnotes=[f"{mark} {text}" for mark, text in t.footnotes.items()],
            group=t.group,
            provenance=_prov(t.block.prov),
        )
        for t in outline.tables
    ]
    goals = _goals(raw_goals)
    measured, coverage_warnings = coverage.measure(outline, goals, indicators)
    warnings += coverage_warnings + ([] if goals or indicators else [coverage.NO_CONTENT])
    return s.Agreement(
        extractor=s.Extractor(name="agreements", version=pipeline.__version__),
        source=source,
        document=document,
        agreement=s.AgreementInfo(
            title=meta.title,
            agency=meta.agency,
            agencies=meta.agencies,
            ministries=meta.ministries,
            period=s.Period(start=meta.period[0], end=meta.period[1]) if meta.period else None,
            signed_on=meta.signed_on,
            reference_numbers=meta.reference_numbers,
            signatories=[s.Signatory(name=n, title=t, organization=o) for n, t, o in meta.signatories],
            series_id=meta.series_id,
        ),
        sections=sections,
        tables=tables,
        goals=goals,
        indicators=indicators,
        coverage=measured,
        warnings=list(dict.fromkeys(warnings)),
    )
