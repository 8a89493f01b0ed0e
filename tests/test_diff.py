"""The diff on real agreements: every change ``tests/versions.py`` injects is found, with the right
kind, and nothing else; the same agreement in two formats or two layouts has no changes."""

from __future__ import annotations

import pytest
from conftest import VERSIONS, extracted

from pipeline.diff import SeriesMismatch, diff_agreements
from schemas.diff import AgreementDiff

TORI = "Tori-yksikköhintojen kehitys (2023=100)"
TUVE = "Tuve-yksikköhintojen kehitys (2023=100)"
INDEX = "Tuottavuusindeksi, suorite per työpanos"
LASKUTUS = "Laskutusaste, %"
HINNAT = "Yksikköhintojen kehitys, (2023=100)"
VALILLISET = "Välillisten kustannusten osuus kokonaiskuluista, %"
VAIHTUVUUS = "Henkilöstön vaihtuvuus, %"
GOAL_3 = (
    "Valtorin rooli hallitusohjelmatavoitteiden mukaisessa kyberturvallisuuden kehittämisessä ja yhteiskunnan "
    "kriisinkestävyyden varmistamisessa vahvistuu."
)
REKLAMAATIOT = "Asiakasreklaamatioiden käsittely johtoryhmässä prosessin mukaisesti (%)"
TURVAVERKKO = "Turvallisuusverkkoympäristön vaatimuksenmukaisuuden parantamistoimet on toteutettu"
HANKE_1 = "Tuve-palvelukehityssuunnitelman mukaisten projektien sekä Valtorin asiakasprojektien toimeenpano"
HANKE_4 = "Yhteisen tietojenkäsittelyratkaisun toteuttaminen"
T8_2025_OLD = (
    "VM:n toimeksiannon VN/9303/2021-VM-10 mukaisesti vuonna 2024 laaditun ja VM:n hyväksymän suunnitelman "
    "mukaiset korjaustoimenpiteet on toteutettu 50 %"
)


def _shifted(name: str, actual: tuple[float, float], estimate: float, target: float, removed: float) -> list:
    """Taulukko 4's year shift for one indicator: 2022 gone, 2023 confirmed, 2024 an estimate, 2025 confirmed."""
    return [
        ("removed", "value", name, None, 2022, removed, None),
        ("confirmed", "value", name, None, 2023, actual[0], actual[1]),
        ("changed", "value", name, "kind", 2024, estimate, estimate),
        ("confirmed", "value", name, None, 2025, target, target),
    ]


# (change, entity, title, field, year, old, new), in the diff's order: metadata, goals with their
# targets, indicators with their values, tables, sections.
VALTORI_CHANGES = [
    ("changed", "agreement", None, "signed_on", None, "2023-12-13", "2024-12-16"),
    (
        "changed", "agreement", None, "reference_numbers", None,
        ["VN/17411/2023", "Valtori/2192/01 07 00/2023"], ["VN/17411/2023", "Valtori/2310/01 07 00/2024"],
    ),
    ("renamed", "goal", GOAL_3, None, None, GOAL_3.replace("tavoitteiden", "taavoitteiden"), GOAL_3),
    (
        "removed", "target", REKLAMAATIOT, None, 2027,
        "Kaikki asiakasreklaamatiot käsitelty johtoryhmässä prosessin mukaisesti (100%)", None,
    ),
    ("changed", "target", TURVAVERKKO, "text", 2025, T8_2025_OLD, T8_2025_OLD.replace("50 %", "60 %")),
    (
        "changed", "target", HANKE_1, "text", 2026,
        "Ko. vuonna valmistuvaksi määritetyistä projekteista 80% valmistuu aikataulussa",
        "Ko. vuonna valmistuvaksi määritetyistä projekteista 78% valmistuu sovitussa aikataulussa",
    ),
    ("added", "target", HANKE_4, None, 2026, None, "Yhteinen tietojenkäsittelyratkaisu on otettu käyttöön"),
    *_shifted(INDEX, (103, 102), 103, 104, 100),
    *_shifted(LASKUTUS, (72, 71), 72, 73, 72),
    *_shifted(HINNAT, (100, 100), 98.9, 97.6, 97.1),
    *_shifted(TORI, (100, 100), 98.5, 96.5, 100.3),
    *_shifted(TUVE, (100, 100), 100, 100, 90.5),
    ("changed", "value", "Toiminnan kokonaiskustannukset, 1000 euroa", None, 2025, 513533, 509870),
    ("removed", "indicator", VALILLISET, None, None, VALILLISET, None),
    *[
        ("removed", "value", VALILLISET, None, year, value, None)
        for year, value in zip(range(2022, 2028), [12.1, 12.4, 12.3, 12.2, 12.2, 12.2], strict=True)
    ],
    ("changed", "value", "Tukipyyntöjen SLA, %", None, 2026, 93.5, 94),
    (
        "renamed", "indicator", "Automaattisesti muodostettujen myyntilaskujen osuus, %", None, None,
        "Automaattisten muodostettujen myyntilaskujen osuus, %", "Automaattisesti muodostettujen myyntilaskujen osuus, %",
    ),
    ("changed", "value", "Automaattisesti muodostettujen myyntilaskujen osuus, %", None, 2025, 85, 88),
    ("added", "indicator", VAIHTUVUUS, None, None, None, VAIHTUVUUS),
    *[
        ("added", "value", VAIHTUVUUS, None, year, None, value)
        for year, value in zip(range(2022, 2028), [8.1, 7.5, 7.0, 7.0, 6.5, 6.5], strict=True)
    ],
    ("renamed", "table", "Henkilöstövoimavarojen kehitys", None, None, "Henkilöstövoimavarat", "Henkilöstövoimavarojen kehitys"),
    ("renamed", "section", "Keskeiset hankkeet", None, None, "Hankkeet", "Keskeiset hankkeet"),
]  # fmt: skip

KEHA_GOAL_NEW = "Virastot ovat siirtyneet valtion yhteiseen työympäristöön"
KIRJANPITO = "Kirjanpidon prosessi on tehokas ja yhtenäisiä toimintatapoja on edistetty"
VASTUULLISUUS = "Hankintojen vastuullisuutta on parannettu"
LEAN_2026 = (
    "Lean toimintamalli on vakiintunut toimintatapa kaikissa korvauksissa ja valtionavuissa. KEHA-keskuksen "
    "maksatuksen asiakkaista 90 % on ohjautunut palveluportaaliimme käyttäjiksi, sähköpostiasiointia on vähennetty "
    "merkittävästi."
)
KEHA_CHANGES = [
    ("changed", "agreement", None, "signed_on", None, "2025-01-27", "2025-06-12"),
    (
        "added", "target", "Muutoksen vaatimasta yt-menettelystä on huolehdittu", None, 2026, None,
        "Muutoksen jälkeiset yhteistoimintamenettelyt on vakiinnutettu.",
    ),
    (
        "renamed", "goal", KEHA_GOAL_NEW, None, None,
        "Virastot ovat siirtyneet valtion yhteisiin työympäristöihin", KEHA_GOAL_NEW,
    ),
    (
        "changed", "target", "Menojen käsittely on tehokasta ja pitkälle automatisoitua", "text", 2025,
        "Menojen käsittelyä on sähköistetty ja menojen käsittelyn automatisointia on lisätty.",
        "Menojen käsittely on sähköistetty kokonaan ja menojen käsittelyn automatisointia on lisätty.",
    ),
    ("removed", "goal", KIRJANPITO, None, None, KIRJANPITO, None),
    (
        "removed", "target", KIRJANPITO, None, 2025,
        "Kirjanpidon prosessia on tehostettu ja automaatiikkaa edistetty muun muassa jakopalkkojen sekä "
        "arvonalisäverokirjausten oikeellisuuden tarkastuksissa.", None,
    ),
    ("added", "goal", VASTUULLISUUS, None, None, None, VASTUULLISUUS),
    ("added", "target", VASTUULLISUUS, None, 2025, None, "Vastuullisuuskriteereitä on käytetty 60 %:ssa hankinnoista."),
    (
        "changed", "target", "Korvausten ja valtionaputehtävien hoito on kustannustehokasta ja laadukasta", "text", 2026,
        LEAN_2026, LEAN_2026.replace("90 %", "95 %"),
    ),
]  # fmt: skip


def facts(diff: AgreementDiff) -> list[tuple]:
    return [(c.change, c.entity, c.title, c.detail.field, c.detail.year, c.old, c.new) for c in diff.changes]


def without_places(diff: AgreementDiff) -> list[dict]:
    """The changes without provenance (which differs between formats and layouts)."""
    return [c.model_dump(exclude={"old_provenance", "new_provenance"}) for c in diff.changes]


# --- no changes ---------------------------------------------------------------------------


def test_a_document_against_itself_has_no_changes(valtori, keha):
    for agreement in (valtori, keha):
        diff = diff_agreements(agreement, agreement)
        assert diff.changes == [] and diff.summary.total == 0 and diff.warnings == []
        assert diff.re_extraction is not None  # the same bytes: a re-extraction, of the same extractor


def test_pdf_and_text_of_the_same_agreement_have_no_changes(valtori_txt, valtori_pdf, keha_md, keha_pdf):
    assert diff_agreements(valtori_pdf, valtori_txt).changes == []
    assert diff_agreements(valtori_txt, valtori_pdf).changes == []
    # The KEHA PDF sets the signature block as lines, the Markdown as a table without a caption:
    # that table is layout, not something a reviewer can name, so it is no change.
    assert diff_agreements(keha_md, keha_pdf).changes == []
    assert diff_agreements(keha_pdf, keha_md).changes == []


@pytest.mark.parametrize("variant", ["valtori-unruled", "valtori-wrapped"])
def test_other_layouts_of_the_same_agreement_have_no_changes(valtori_txt, variant):
    pdf = extracted(VERSIONS.parent / "variants" / f"{variant}.pdf")
    assert diff_agreements(valtori_txt, pdf).changes == []


# --- injected changes ---------------------------------------------------------------------


def test_valtori_revision_reports_exactly_the_injected_changes(valtori_txt, valtori_revision_txt):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    assert facts(diff) == VALTORI_CHANGES
    assert diff.warnings == []
    assert diff.summary.total == 47
    assert diff.summary.by_change == {"added": 8, "removed": 13, "changed": 12, "renamed": 4, "confirmed": 10}
    assert diff.summary.by_entity["value"] == {"added": 6, "removed": 11, "changed": 8, "confirmed": 10}
    assert diff.summary.uncertain == 0


def test_keha_revision_reports_exactly_the_injected_changes(keha_md, keha_revision_md):
    diff = diff_agreements(keha_md, keha_revision_md)
    assert facts(diff) == KEHA_CHANGES
    assert diff.warnings == []


def test_confirmed_values_carry_both_kinds_labels_and_cells(valtori_txt, valtori_revision_txt):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    change = next(c for c in diff.changes if c.title == INDEX and c.detail.year == 2023)
    assert change.change == "confirmed"
    d = change.detail
    assert (d.old_kind, d.new_kind, d.old_label, d.new_label) == ("estimate", "actual", "Arvio 2023", "Toteuma 2023")
    assert (d.old_text, d.new_text, d.unit) == ("103", "102", "index")
    assert change.path == f"indicators/{change.id}/values/2023"
    kind = next(c for c in diff.changes if c.title == INDEX and c.detail.year == 2024)
    assert (kind.detail.field, kind.detail.old_kind, kind.detail.new_kind) == ("kind", "target", "estimate")
    assert next(c for c in diff.changes if c.title == LASKUTUS and c.detail.year == 2025).detail.new_kind == "target"


def test_renamed_indicator_keeps_its_values_and_names_both_ids(valtori_txt, valtori_revision_txt):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    renamed = next(c for c in diff.changes if c.entity == "indicator" and c.change == "renamed")
    assert renamed.old_id.startswith("i-automaattisten-muodostettujen") and renamed.id.startswith("i-automaattisesti")
    assert renamed.detail.similarity >= 0.9 and not renamed.detail.uncertain
    assert [(w.op, w.text) for w in renamed.detail.words] == [
        ("delete", "Automaattisten"),
        ("insert", "Automaattisesti"),
        ("equal", "muodostettujen myyntilaskujen osuus, %"),
    ]
    value = next(c for c in diff.changes if c.entity == "value" and c.id == renamed.id)
    assert (value.old_id, value.path) == (renamed.old_id, f"indicators/{renamed.id}/values/2025")


def test_target_changes_show_words_and_numbers(valtori_txt, valtori_revision_txt):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    change = next(c for c in diff.changes if c.title == HANKE_1 and c.change == "changed")
    assert [(w.op, w.text) for w in change.detail.words] == [
        ("equal", "Ko. vuonna valmistuvaksi määritetyistä projekteista"),
        ("delete", "80%"),
        ("insert", "78%"),
        ("equal", "valmistuu"),
        ("insert", "sovitussa"),
        ("equal", "aikataulussa"),
    ]
    assert [(q.value, q.unit) for q in change.detail.old_numbers] == [(80, "%")]
    assert [(q.value, q.unit) for q in change.detail.new_numbers] == [(78, "%")]
    reworded = next(c for c in diff.changes if c.title == TURVAVERKKO)
    assert [(q.value, q.unit) for q in reworded.detail.new_numbers] == [(60, "%")]


def test_changes_point_into_both_sources(valtori_txt, valtori_revision_txt):
    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    for change in diff.changes:
        if change.change != "added" and change.entity != "agreement":
            assert change.old_provenance and change.old_provenance.line, change.path
        if change.change != "removed" and change.entity != "agreement":
            assert change.new_provenance and change.new_provenance.line, change.path
    sla = next(c for c in diff.changes if c.title == "Tukipyyntöjen SLA, %")
    assert (sla.old_provenance.line, sla.new_provenance.line) == (212, 211)  # one row above it was dropped


# --- the same revision laid out as PDF ----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("valtori-tulossopimus-2024-2027.pdf", "versions/valtori-revision-wrapped.pdf"),
        ("variants/valtori-unruled.pdf", "versions/valtori-revision-unruled.pdf"),
    ],
)
def test_pdf_versions_give_the_same_changes_as_text(valtori_txt, valtori_revision_txt, old, new):
    """Old and new in different layouts (ruled sample vs narrow wrapped columns): only the content counts."""
    text_diff = diff_agreements(valtori_txt, valtori_revision_txt)
    pdf_diff = diff_agreements(extracted(VERSIONS.parent / old), extracted(VERSIONS.parent / new))
    assert without_places(pdf_diff) == without_places(text_diff)
    pages = [c.new_provenance.page for c in pdf_diff.changes if c.new_provenance]
    assert pages and all(p is not None for p in pages)


# --- series, re-extraction ----------------------------------------------------------------


def test_different_agreements_are_refused_unless_forced(valtori_txt, keha_md):
    with pytest.raises(SeriesMismatch, match=r"'valtori' and 'keha-keskus-yleishallinto'.*--force"):
        diff_agreements(valtori_txt, keha_md)
    diff = diff_agreements(valtori_txt, keha_md, force=True)
    assert diff.forced and diff.warnings[0] == "compared across series: 'valtori' → 'keha-keskus-yleishallinto'"
    assert (diff.old.series_id, diff.new.series_id) == ("valtori", "keha-keskus-yleishallinto")
    assert diff.summary.by_entity["indicator"] == {"removed": 52}


def test_re_extraction_shows_what_an_extractor_change_did(valtori_txt):
    """An older extractor's JSON of the same source: missed a row, misread a cell, warned differently."""
    old = valtori_txt.model_copy(deep=True)
    old.extractor.version = "0.0.9"
    dropped = next(i for i in old.indicators if i.name == "Hyvityslaskujen osuus vuoden myyntilaskuista, %")
    old.indicators.remove(dropped)
    sla = next(i for i in old.indicators if i.name == "Tukipyyntöjen SLA, %")
    sla.values[3].value, sla.values[3].text = 935.0, "935"  # the decimal comma lost
    old.warnings = ["table on page 7 continues on page 8"]
    diff = diff_agreements(old, valtori_txt)
    assert diff.re_extraction is not None
    assert (diff.re_extraction.old_extractor.version, diff.re_extraction.new_extractor.version) == ("0.0.9", "0.2.0")
    assert diff.re_extraction.warnings_removed == ["table on page 7 continues on page 8"]
    assert diff.re_extraction.warnings_added == valtori_txt.warnings
    assert [(c.change, c.entity, c.title, c.detail.year, c.old, c.new) for c in diff.changes] == [
        ("changed", "value", "Tukipyyntöjen SLA, %", 2025, 935, 93.5),
        ("added", "indicator", dropped.name, None, None, dropped.name),
        *[("added", "value", dropped.name, v.year, None, v.value) for v in dropped.values],
    ]
    assert (diff.old.extractor.version, diff.new.extractor.version) == ("0.0.9", "0.2.0")
