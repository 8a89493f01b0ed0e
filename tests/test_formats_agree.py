"""The same agreement read from its PDF and from its text gives the same goals, targets and values."""

from __future__ import annotations

import pytest


def _facts(agreement):
    goals = [
        (
            g.id,
            g.number,
            g.title,
            g.parent_id,
            [(t.year, t.text, t.satisfactory, [q.value for q in t.numbers]) for t in g.targets],
        )
        for g in agreement.goals
    ]
    indicators = [
        (
            i.id,
            i.name,
            i.unit,
            i.scale,
            i.budget_target,
            i.footnotes,
            i.parent_id,
            i.group,
            [(v.year, v.kind, v.label, v.value, v.text) for v in i.values],
        )
        for i in agreement.indicators
    ]
    tables = [(t.id, t.number, t.caption, t.header, t.rows, t.footnotes) for t in agreement.tables]
    sections = [(s.id, s.number, s.title, s.level, s.parent_id) for s in agreement.sections]
    return {
        "goals": goals,
        "indicators": indicators,
        "tables": tables,
        "sections": sections,
        "agreement": agreement.agreement.model_dump(),
    }


@pytest.mark.parametrize("part", ["goals", "indicators", "tables", "sections", "agreement"])
def test_valtori_pdf_equals_text(valtori_txt, valtori_pdf, part):
    assert _facts(valtori_pdf)[part] == _facts(valtori_txt)[part]


@pytest.mark.parametrize("part", ["goals", "indicators", "sections", "agreement"])
def test_keha_pdf_equals_markdown(keha_md, keha_pdf, part):
    assert _facts(keha_pdf)[part] == _facts(keha_md)[part]


def test_formats_recorded(valtori_txt, valtori_pdf, keha_md):
    assert (valtori_pdf.source.format, valtori_pdf.source.pages) == ("pdf", 11)
    assert (valtori_txt.source.format, valtori_txt.source.pages) == ("text", None)
    assert keha_md.source.format == "markdown"
    assert valtori_txt.source.path == "valtori-tulossopimus-2024-2027.txt"
    assert len(valtori_pdf.source.sha256) == 64 and valtori_pdf.source.sha256 != valtori_txt.source.sha256
