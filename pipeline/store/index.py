"""``output/index.html``: the catalog for people — every series, its versions, the review pages.

One self-contained page (inline CSS, no scripts) rendered from the catalog with Jinja2, written
after every run; links are relative, so the output folder can be served or opened as files.
"""

from __future__ import annotations

import functools

import pipeline
from pipeline.diff.view import fi_date
from pipeline.store.catalog import Store
from pipeline.store.files import write_atomic


@functools.lru_cache(maxsize=1)
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline.store", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_index(store: Store) -> str:
    catalog = store.catalog
    series = sorted(catalog.series.values(), key=lambda s: (s.agency or s.series_id).lower())
    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            catalog=catalog,
            series=series,
            quarantine=store.quarantine_records(),
            counts=store.summary(),
            fi_date=fi_date,
            version=pipeline.__version__,
        )
    )


def write_index(store: Store) -> None:
    write_atomic(store.root / "index.html", render_index(store))
