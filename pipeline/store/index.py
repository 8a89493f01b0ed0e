"""``output/index.html``: the catalog for people — every series, its versions, the review pages.

One self-contained page (inline CSS, no scripts) rendered from the catalog with Jinja2, written
after every run; links are relative, so the output folder can be served or opened as files.
"""

from __future__ import annotations

import pipeline
from pipeline.diff.view import fi_date
from pipeline.extract.coverage import describe, is_low
from pipeline.store.catalog import Store
from pipeline.store.files import write_atomic
from pipeline.templates import environment


def render_index(store: Store) -> str:
    catalog = store.catalog
    series = sorted(catalog.series.values(), key=lambda s: (s.agency or s.series_id).lower())
    return (
        environment("pipeline.store")
        .get_template("index.html.j2")
        .render(
            catalog=catalog,
            series=series,
            quarantine=store.quarantine_records(),
            counts=store.summary(),
            fi_date=fi_date,
            is_low=is_low,
            describe=describe,
            version=pipeline.__version__,
        )
    )


def write_index(store: Store) -> None:
    write_atomic(store.root / "index.html", render_index(store))
