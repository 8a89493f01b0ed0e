"""The pages for people: a page per version, a page per series with its charts, the index that links
them, and the documents published beside them.

The samples are ingested by the real flow, then the Valtori revision (``tests/versions.py``) as a
second version; the pages are opened from disk in Debian's Chromium (as ``test_review_page.py``
does) and checked in the rendered DOM against values read off the documents by hand, for requests
leaving the page, and for sideways scrolling in a narrow window. Screenshots go to a temporary
folder, or to ``$AGREEMENTS_SCREENSHOTS`` (``docs/`` holds the ones made so).
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import KEHA_MD, KEHA_PDF, VALTORI_PDF, VALTORI_TXT
from PIL import Image
from test_review_page import LAPTOP
from versions import VALTORI_REVISION, apply

from pipeline.ingest import nothing_new
from pipeline.ingest.config import load_sources
from pipeline.store.catalog import Store
from pipeline.store.chart import Line, Point, line_chart, nice_ticks
from pipeline.store.index import write_index
from pipeline.store.pages import canonical_keys, show_delta, show_value
from schemas.agreement import Agreement, IndicatorValue, Provenance
from schemas.catalog import Catalog
from schemas.diff import AgreementDiff, Change, Summary, VersionRef

SAMPLES = (VALTORI_PDF, VALTORI_TXT, KEHA_MD, KEHA_PDF)
REVISION = "valtori-tulossopimus-2025-tarkistus.txt"
NARROW = {"width": 700, "height": 900}
SLA = "Tukipyyntöjen SLA, %"


# --- the chart and the numbers, as plain functions -----------------------------------------------


def test_ticks_are_round_and_cover_the_values():
    assert nice_ticks(93, 96) == ([93, 94, 95, 96], 0)
    assert nice_ticks(96.8, 97.1) == ([96.8, 96.9, 97.0, 97.1], 1)
    assert nice_ticks(419_078, 542_080) == ([400_000, 450_000, 500_000, 550_000], 0)
    assert nice_ticks(2.6, 4.5) == ([2.5, 3.0, 3.5, 4.0, 4.5], 1)
    assert nice_ticks(-272_090, 0)[0][0] <= -272_090
    assert nice_ticks(5, 5) == ([4.6, 4.8, 5.0, 5.2, 5.4], 1)  # one value: a band around it
    assert nice_ticks(0, 0)[0] == [-1, -0.5, 0, 0.5, 1]


def _circles(svg: str) -> list[dict[str, str]]:
    class Parser(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[dict[str, str]] = []
            self.line = ""

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "g" and "data-line" in attrs:
                self.line = attrs["data-line"]
            if tag == "circle":
                self.found.append({**attrs, "line": self.line})

    parser = Parser()
    parser.feed(svg)
    return parser.found


def test_chart_puts_each_line_s_points_where_their_values_are():
    old = Line("v1", "13.12.2023", "#0072B2", (Point(2025, 93.5, filled=False), Point(2026, 93.5, filled=False)))
    new = Line("v2", "16.12.2024", "#D55E00", (Point(2024, 93, kind="actual"), Point(2026, 94, filled=False)))
    svg = str(line_chart([old, new, Line("v3", "empty", "#000", ())], label="SLA <%> & co"))
    assert svg.count('<g class="line"') == 2  # the empty line is left out
    circles = _circles(svg)
    assert [(c["line"], c["data-year"], c["data-value"]) for c in circles] == [
        ("v1", "2025", "93.5"),
        ("v1", "2026", "93.5"),
        ("v2", "2024", "93"),
        ("v2", "2026", "94"),
    ]
    y = {(c["line"], c["data-year"]): float(c["cy"]) for c in circles}
    # Ticks 93…94 over the plot's 178 px (220 high, 12 above, 30 below): 94 at the top, 93 at the bottom.
    assert y["v2", "2026"] == 12 and y["v2", "2024"] == 190 and y["v1", "2026"] == 101
    x = {(c["line"], c["data-year"]): float(c["cx"]) for c in circles}
    assert x["v1", "2025"] < x["v1", "2026"] and 0 < x["v2", "2026"] - x["v1", "2026"] <= 4  # side by side
    fills = {(c["line"], c["data-year"]): c["fill"] for c in circles}
    assert fills["v2", "2024"] == "#D55E00" and fills["v2", "2026"] == "#ffffff"  # actual filled, target hollow
    ticks = re.findall(r'<text [^>]*text-anchor="end"[^>]*>([^<]*)</text>', svg)
    assert ticks == ["93,0", "93,5", "94,0"]  # round values, written the Finnish way
    assert re.findall(r'<text [^>]*text-anchor="middle"[^>]*>([^<]*)</text>', svg) == ["2024", "2025", "2026"]
    assert 'aria-label="SLA &lt;%&gt; &amp; co"' in svg and "<title>SLA &lt;%&gt; &amp; co</title>" in svg
    assert "<script" not in svg and "href" not in svg


def test_a_chart_of_nothing_is_nothing():
    assert str(line_chart([Line("v1", "x", "#000", ())], label="x")) == ""


def _value(value: float | None, text: str, **more) -> IndicatorValue:
    return IndicatorValue(year=2026, kind="target", label="Tavoite 2026", value=value, text=text,
                          provenance=Provenance(), **more)  # fmt: skip


def test_values_are_shown_the_finnish_way():
    assert show_value(_value(513_533, "513 533")) == "513 533"
    assert show_value(_value(3.0, "3,0")) == "3,0"  # printed with a decimal: kept
    assert show_value(_value(-272_090, "-272 090")) == "-272 090"
    assert show_value(_value(88, ">88", comparator=">")) == "> 88"
    assert show_value(_value(90, "vähintään 90", comparator=">=")) == "≥ 90"
    assert show_value(_value(90, "90–95", value_max=95)) == "90–95"
    assert show_value(_value(None, "Uusi mittari,  ei toteumaa")) == "Uusi mittari, ei toteumaa"
    assert show_delta(_value(93.5, "93,5"), _value(94, "94")) == "+0,5"
    assert show_delta(_value(103, "103"), _value(102, "102")) == "−1"
    assert show_delta(_value(513_533, "513 533"), _value(509_870, "509 870")) == "−3 663"
    assert show_delta(_value(12.1, "12,1"), _value(12.1, "12,10")) is None
    assert show_delta(_value(None, "-"), _value(5, "5")) is None


def test_a_renamed_indicator_keeps_one_key_across_versions(valtori_txt, valtori_revision_txt):
    from pipeline.diff import diff_agreements

    diff = diff_agreements(valtori_txt, valtori_revision_txt)
    old_keys, new_keys = canonical_keys([valtori_txt, valtori_revision_txt], [None, diff], "indicator")
    old = {i.name: i.id for i in valtori_txt.indicators}
    new = {i.name: i.id for i in valtori_revision_txt.indicators}
    renamed_old = old["Automaattisten muodostettujen myyntilaskujen osuus, %"]
    renamed_new = new["Automaattisesti muodostettujen myyntilaskujen osuus, %"]
    assert renamed_old != renamed_new and old_keys[renamed_old] == new_keys[renamed_new] == renamed_new
    assert old_keys[old[SLA]] == new_keys[new[SLA]] == new[SLA]
    dropped = old["Välillisten kustannusten osuus kokonaiskuluista, %"]
    assert old_keys[dropped] == dropped and dropped not in new_keys.values()
    # Without the diff, ids alone: the rename is two indicators.
    alone = canonical_keys([valtori_txt, valtori_revision_txt], [None, None], "indicator")
    assert alone[0][renamed_old] == renamed_old


def test_a_rename_chain_over_three_versions_ends_at_the_newest_id(valtori_txt):
    def diff(old_id: str, new_id: str) -> AgreementDiff:
        change = Change(change="renamed", entity="indicator", id=new_id, old_id=old_id, path=f"indicators/{new_id}")
        ref = VersionRef(sha256="0", path="x", signed_on=None)
        summary = Summary(total=1, by_change={"renamed": 1}, by_entity={"indicator": {"renamed": 1}})
        return AgreementDiff(series_id="s", old=ref, new=ref, changes=[change], summary=summary)

    def agreement(*ids: str) -> Agreement:
        first = valtori_txt.indicators[0]
        return valtori_txt.model_copy(update={"indicators": [first.model_copy(update={"id": i}) for i in ids]})

    versions = [agreement("a", "x"), agreement("b", "x"), agreement("c")]
    keys = canonical_keys(versions, [None, diff("a", "b"), diff("b", "c")], "indicator")
    assert keys == [{"a": "c", "x": "x"}, {"b": "c", "x": "x"}, {"c": "c"}]


# --- the pages of a real ingest --------------------------------------------------------------------


def ingest(sources: Path, output: Path) -> dict:
    from pipeline.flows.ingest import ingest as flow

    return flow(sources=str(sources), output=str(output))


@pytest.fixture(scope="module")
def published(prefect_api, tmp_path_factory) -> Path:
    """The four samples ingested, then the Valtori revision as a second version: ``work/output``."""
    work = tmp_path_factory.mktemp("pages")
    sources = work / "sources"
    sources.mkdir()
    for path in SAMPLES:
        shutil.copy(path, sources / path.name)
    ingest(sources, work / "output")
    (sources / REVISION).write_text(apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8")
    report = ingest(sources, work / "output")
    assert [d["changes"] for d in report["diffs"]] == [47]
    return work


def catalog(output: Path) -> Catalog:
    return Catalog.model_validate_json((output / "catalog.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: ``$AGREEMENTS_SCREENSHOTS`` (``docs/``), else a temporary folder."""
    folder = os.environ.get("AGREEMENTS_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("shots")


class Opened:
    """A page opened from disk, and every URL it asked for."""

    def __init__(self, browser, path: Path, viewport: dict, anchor: str = "") -> None:
        self.path = path
        self.page = browser.new_page(viewport=viewport)
        self.requested: list[str] = []
        self.page.on("request", lambda request: self.requested.append(request.url))
        self.page.goto(path.as_uri() + anchor)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.page.close()

    def check_self_contained(self, width: int) -> None:
        assert {url.split("#")[0] for url in self.requested} == {self.path.as_uri()}  # nothing else, no network
        assert self.page.evaluate("document.documentElement.scrollWidth") <= width
        assert self.page.locator("script").count() == 0


def table_cells(page, caption: str) -> dict[str, dict[str, tuple[str, str]]]:
    """The values table under the caption: indicator name → ``year`` → (cell text, kind); its header
    cells under ``""``."""
    return page.evaluate(
        """caption => {
            const heading = [...document.querySelectorAll('h3.caption')].find(h => h.textContent.startsWith(caption));
            let el = heading.nextElementSibling;
            while (!el.querySelector('table.values')) el = el.nextElementSibling;
            const out = {"": [...el.querySelectorAll('thead th')].map(th => th.innerText.replace(/\\s+/g, ' '))};
            for (const row of el.querySelectorAll('tbody tr')) {
                const cells = {};
                for (const td of row.querySelectorAll('td[data-year]'))
                    cells[td.dataset.year] = [td.innerText.trim(), td.dataset.kind];
                out[row.querySelector('th').innerText.trim()] = cells;
            }
            return out;
        }""",
        caption,
    )


def test_every_version_and_series_has_its_page_and_its_document(published):
    output = published / "output"
    cat = catalog(output)
    assert sorted(p.relative_to(output).as_posix() for p in (output / "series").iterdir()) == [
        "series/keha-keskus-yleishallinto.html",
        "series/valtori.html",
    ]
    versions = [v for s in cat.series.values() for v in s.versions]
    assert len(versions) == 3
    for series in cat.series.values():
        assert series.page_path == f"series/{series.series_id}.html"
    for version in versions:
        assert version.page_path == version.json_path.removesuffix(".json") + ".html"
        assert (output / version.page_path).is_file()
        assert version.document_path == f"sources/{version.sha256[:16]}{Path(version.source).suffix}"
    # The published documents are the ingested bytes, copies of the source folder's files.
    sources = published / "sources"
    for version in versions:
        assert (output / version.document_path).read_bytes() == (sources / version.source).read_bytes()
        assert not (output / version.document_path).samefile(sources / version.source)
    [pdf] = [v for v in versions if v.source == VALTORI_PDF.name]
    assert [(c.source, c.document_path) for c in pdf.copies] == [
        (VALTORI_TXT.name, f"sources/{pdf.copies[0].sha256[:16]}.txt")
    ]
    assert len(list((output / "sources").iterdir())) == 5  # three versions, two copies


def test_every_link_stays_inside_the_output_folder(published):
    """What ``output/`` links to is in ``output/``: it can be published as it is."""
    output = published / "output"

    class Links(html.parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.hrefs: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.hrefs += [v for k, v in attrs if k in ("href", "src") and v]

    pages = sorted(output.rglob("*.html"))
    assert len(pages) == 1 + 3 + 2 + 1  # the index, three versions, two series, one review page
    checked = 0
    for page in pages:
        links = Links()
        links.feed(page.read_text(encoding="utf-8"))
        for href in links.hrefs:
            if href.startswith("#"):
                continue
            assert not href.startswith(("http:", "https:", "file:", "/")), (page, href)
            target = (page.parent / href.split("#")[0]).resolve()
            assert target.is_relative_to(output.resolve()) and target.exists(), (page, href)
            checked += 1
    assert checked > 50


def test_the_version_pages_show_each_version_s_values(published, browser, shots):
    output = published / "output"
    first, second = catalog(output).series["valtori"].versions
    with Opened(browser, output / first.page_path, LAPTOP) as opened:
        page = opened.page
        opened.check_self_contained(LAPTOP["width"])
        assert page.inner_text("h1") == "Valtiovarainministeriön ja Valtorin välinen tulossopimus vuosille 2024–2027"
        assert page.inner_text("#signed-on") == "13.12.2023"
        assert "VN/17411/2023 · Valtori/2192/01 07 00/2023" in page.inner_text("#metadata")
        assert page.inner_text("#coverage") == "263 of 263 numeric cells (100%)"
        assert page.get_attribute("#source a", "href") == f"../../{first.document_path}"
        t4 = table_cells(page, "Taulukko 4.")
        assert t4["Tuottavuusindeksi, suorite per työpanos"] == {
            "2022": ["100", "actual"],
            "2023": ["103", "estimate"],
            "2024": ["103", "target"],
            "2025": ["104", "preliminary_target"],
            "2026": ["105", "preliminary_target"],
            "2027": ["106", "preliminary_target"],
        }
        assert t4["Yksikköhintojen kehitys, (2023=100)"]["2022"] == ["97,1", "actual"]
        assert t4[""] == ["Indicator", "Toteuma 2022", "Arvio 2023", "Tavoite 2024", "Alustava tavoite 2025",
                          "Alustava tavoite 2026", "Alustava tavoite 2027", "TA-tavoite"]  # fmt: skip
        assert table_cells(page, "Taulukko 5.")["Toiminnan kokonaiskustannukset, 1000 euroa"]["2025"] == [
            "513 533",
            "preliminary_target",
        ]
        # A goal's yearly targets, each with its page in the PDF.
        projects = page.locator("article.goal", has_text="Ko. vuonna valmistuvaksi määritetyistä projekteista 80%")
        target = projects.locator('dd[data-year="2026"]')
        assert "80% valmistuu aikataulussa" in target.inner_text()
        assert target.locator("a.src").get_attribute("href").startswith(f"../../{first.document_path}#page=")
        assert page.locator("article.goal").count() == 11

    with Opened(browser, output / second.page_path, LAPTOP) as opened:
        page = opened.page
        opened.check_self_contained(LAPTOP["width"])
        assert page.inner_text("#signed-on") == "16.12.2024"
        t4 = table_cells(page, "Taulukko 4.")
        assert t4["Tuottavuusindeksi, suorite per työpanos"]["2023"] == ["102", "actual"]
        assert "2022" not in t4["Tuottavuusindeksi, suorite per työpanos"]
        assert t4["Laskutusaste, %"]["2025"] == ["73", "target"]
        assert table_cells(page, "Taulukko 5.")["Toiminnan kokonaiskustannukset, 1000 euroa"]["2025"] == [
            "509 870",
            "preliminary_target",
        ]
        assert page.get_attribute("a[rel=prev]", "href") == f"../../{first.page_path}"
        assert page.inner_text("#warnings h2") == "Warnings (0)"
        page.screenshot(path=str(shots / "version-page.png"))

    with Opened(browser, output / second.page_path, NARROW) as opened:
        opened.check_self_contained(NARROW["width"])


def series_rows(page, name: str) -> dict[str, dict[str, dict]]:
    """An indicator's history table: version sha → year → value, kind, delta, moved."""
    return page.evaluate(
        """name => {
            const article = [...document.querySelectorAll('article.indicator')]
                .find(a => a.querySelector('h3').firstChild.textContent.trim() === name);
            const out = {};
            for (const row of article.querySelectorAll('table.history tbody tr')) {
                const cells = {};
                for (const td of row.querySelectorAll('td[data-year]')) cells[td.dataset.year] = {
                    value: td.querySelector('.value').innerText, kind: td.dataset.kind,
                    delta: td.querySelector('.delta')?.innerText ?? null, moved: td.classList.contains('moved')};
                const absent = row.querySelector('td.absent');
                out[row.dataset.version] = absent ? absent.innerText : cells;
            }
            return out;
        }""",
        name,
    )


def test_the_series_page_overlays_the_versions(published, browser, shots):
    output = published / "output"
    series = catalog(output).series["valtori"]
    first, second = series.versions
    with Opened(browser, output / series.page_path, LAPTOP) as opened:
        page = opened.page
        opened.check_self_contained(LAPTOP["width"])
        assert page.locator("#versions tbody tr").count() == 2
        # The 2026 SLA target, 93,5 in the first agreement, raised to 94 in the revision.
        sla = series_rows(page, SLA)
        assert sla[first.sha256]["2026"] == {"value": "93,5", "kind": "preliminary_target", "delta": None,
                                              "moved": False}  # fmt: skip
        assert sla[second.sha256]["2026"] == {"value": "94", "kind": "preliminary_target", "delta": "+0,5",
                                               "moved": True}  # fmt: skip
        assert sla[second.sha256]["2025"]["moved"] is False
        # Taulukko 4: the 2023 estimate of 103 became the actual 102; 2022 left the table.
        index = series_rows(page, "Tuottavuusindeksi, suorite per työpanos")
        assert index[first.sha256]["2023"]["value"] == "103" and index[first.sha256]["2023"]["kind"] == "estimate"
        assert index[second.sha256]["2023"] == {"value": "102", "kind": "actual", "delta": "−1", "moved": True}
        assert "2022" in index[first.sha256] and "2022" not in index[second.sha256]
        costs = series_rows(page, "Toiminnan kokonaiskustannukset, 1000 euroa")
        assert costs[second.sha256]["2025"]["delta"] == "−3 663"
        # A renamed indicator is one history, under its new name; a dropped one says it is gone.
        renamed = page.locator("article.indicator", has_text="Automaattisesti muodostettujen myyntilaskujen osuus")
        assert renamed.count() == 1
        assert "formerly Automaattisten muodostettujen myyntilaskujen osuus, %" in renamed.inner_text()
        assert renamed.locator("table.history tbody tr").count() == 2
        dropped = series_rows(page, "Välillisten kustannusten osuus kokonaiskuluista, %")
        assert dropped[second.sha256] == "not in this version" and dropped[first.sha256]["2022"]["value"] == "12,1"

        # The chart: one line of points per version, in the version's colour, 2026's points where they belong.
        chart = page.locator("article.indicator", has_text=SLA).locator("svg.chart")
        lines = chart.locator("g.line")
        assert [lines.nth(i).get_attribute("data-line") for i in range(lines.count())] == [
            first.sha256,
            second.sha256,
        ]
        points = {
            (line, year): (float(value), float(cy))
            for line, year, value, cy in chart.evaluate(
                "svg => [...svg.querySelectorAll('g.line circle')].map(c => "
                "[c.parentNode.dataset.line, c.dataset.year, c.dataset.value, c.getAttribute('cy')])"
            )
        }
        assert len(points) == 12  # six years in each version
        assert points[first.sha256, "2026"][0] == 93.5 and points[second.sha256, "2026"][0] == 94
        assert points[second.sha256, "2026"][1] < points[first.sha256, "2026"][1]  # 94 drawn above 93,5
        # On screen, both versions' colours are in the chart.
        page.locator("article.indicator", has_text=SLA).evaluate("article => article.scrollIntoView()")
        page.screenshot(path=str(shots / "series-page.png"))
        box = chart.bounding_box()
        colours = Counter(Image.open(shots / "series-page.png").convert("RGB").crop(
            (int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"]))
        ).get_flattened_data())  # fmt: skip
        assert colours[(0x00, 0x72, 0xB2)] > 20 and colours[(0xD5, 0x5E, 0x00)] > 20

        # Goals, version by version: the reworded 2026 target, the 2027 target that went.
        projects = page.locator("article.goal", has_text="Ko. vuonna valmistuvaksi")
        rows = projects.locator('tr[data-year="2026"]')
        assert rows.count() == 2
        assert "80% valmistuu aikataulussa" in rows.nth(0).inner_text()
        assert "78% valmistuu sovitussa aikataulussa" in rows.nth(1).inner_text()
        same = projects.locator('tr[data-year="2024"]').nth(1)
        assert same.locator("td.same").inner_text() == "unchanged"

    with Opened(browser, output / series.page_path, NARROW) as opened:
        opened.check_self_contained(NARROW["width"])
        assert opened.page.locator("svg.chart").first.bounding_box()["width"] <= NARROW["width"]


def test_the_index_links_the_pages_and_shows_the_warnings(published, browser, shots):
    output = published / "output"
    cat = catalog(output)
    keha = cat.series["keha-keskus-yleishallinto"].versions[0]
    with Opened(browser, output / "index.html", LAPTOP) as opened:
        page = opened.page
        opened.check_self_contained(LAPTOP["width"])
        assert page.get_attribute('[data-series="valtori"] h2 a', "href") == "series/valtori.html"
        for series in cat.series.values():
            for version in series.versions:
                row = page.locator(f'tr[data-version="{version.sha256}"]')
                hrefs = row.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
                assert version.page_path in hrefs and version.document_path in hrefs
        warnings = page.locator(f'tr[data-warnings="{keha.sha256}"] li').all_inner_texts()
        assert warnings == ["no diary number (e.g. VN/17411/2023) found on the first page"]
        assert page.locator("tr.warnings").count() == 1
        page.screenshot(path=str(shots / "index-page.png"))
    with Opened(browser, output / "index.html", NARROW) as opened:
        opened.check_self_contained(NARROW["width"])


def test_an_output_from_before_the_pages_gets_them(published, tmp_path):
    """A catalog written before the pages existed: the next index writes the pages and publishes the
    documents that are still where they were read; one that is gone is named without a link."""
    shutil.copytree(published, tmp_path / "work")
    output = tmp_path / "work" / "output"
    data = json.loads((output / "catalog.json").read_text(encoding="utf-8"))
    for series in data["series"].values():
        del series["page_path"]
        for version in series["versions"]:
            del version["page_path"], version["document_path"]
            for copy in version["copies"]:
                del copy["document_path"]
    (output / "catalog.json").write_text(json.dumps(data), encoding="utf-8")
    for folder in ("sources", "series"):
        shutil.rmtree(output / folder)
    for page in (output / "versions").rglob("*.html"):
        page.unlink()
    (tmp_path / "work" / "sources" / KEHA_MD.name).unlink()  # moved away since
    config = load_sources(tmp_path / "work" / "sources")
    assert nothing_new(config, output) is None  # pages to write: a run has work

    store = Store(output)
    with store.locked():
        write_index(store)
    cat = catalog(output)
    valtori = cat.series["valtori"]
    assert valtori.page_path == "series/valtori.html" and (output / valtori.page_path).is_file()
    assert all((output / v.document_path).is_file() and (output / v.page_path).is_file() for v in valtori.versions)
    [keha] = cat.series["keha-keskus-yleishallinto"].versions
    assert keha.document_path is None and (output / keha.page_path).is_file()
    page = (output / keha.page_path).read_text(encoding="utf-8")
    assert f'{KEHA_MD.name} <span class="muted">(not in the output folder)</span>' in page
    # Written again with nothing new: the pages are the same bytes, and keep their times.
    times = {p: p.stat().st_mtime_ns for p in output.rglob("*.html") if p.name != "index.html"}
    with store.locked():
        write_index(store)
    assert {p: p.stat().st_mtime_ns for p in output.rglob("*.html") if p.name != "index.html"} == times
    assert nothing_new(config, output) == 4  # the three documents left and the revision
