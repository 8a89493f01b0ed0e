"""``output/index.html``: the catalog for people — every series, its versions, their pages, the review pages.

One self-contained page (inline CSS, no scripts) rendered from the catalog with Jinja2, written
after every run with the version and series pages (``pipeline.store.pages``); links are relative
and stay inside the output folder, so it can be served or opened as files, or published as it is.
"""

from __future__ import annotations

import pipeline
from pipeline.diff.view import fi_date
from pipeline.extract.coverage import describe, is_low
from pipeline.store.catalog import Store
from pipeline.store.files import write_atomic
from pipeline.store.pages import write_pages
from pipeline.templates import environment


def render_index(store: Store, warnings: dict[str, list[str]] | None = None) -> str:
    """The index page; ``warnings``: each version's warnings by sha256 (read from its JSON when not given)."""
    catalog = store.catalog
    series = sorted(catalog.series.values(), key=lambda s: (s.agency or s.series_id).lower())
    if warnings is None:
        warnings = {v.sha256: store.load_agreement(v).warnings for s in series for v in s.versions if v.warnings}
    return (
        environment("pipeline.store")
        .get_template("index.html.j2")
        .render(
            catalog=catalog,
            series=series,
            warnings=warnings,
            quarantine=store.quarantine_records(),
            counts=store.summary(),
            fi_date=fi_date,
            is_low=is_low,
            describe=describe,
            version=pipeline.__version__,
        )
    )


def write_index(store: Store) -> None:
    """The version and series pages (and the documents they link to), then the index that links them."""
    pages = write_pages(store)
    warnings = {sha: agreement.warnings for sha, agreement in pages.agreements.items()}
    write_atomic(store.root / "index.html", render_index(store, warnings))
