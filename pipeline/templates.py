"""Jinja2 environments for the HTML pages (the review page, the index page), one per package.

Autoescaped, strict about undefined names (a typo in a template fails loudly, in the tests), and
loaded on first use: ``import pipeline`` stays cheap.
"""

from __future__ import annotations

import functools


@functools.cache
def environment(package: str):
    """The environment for ``<package>/templates/``."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
