"""The diff as one self-contained HTML review page: no server, no scripts, no external assets.

Rendered with Jinja2 (autoescaped) from ``templates/review.html.j2``; the styles are inline in the
template. Every change is an element with ``data-change``, ``data-entity`` and ``data-path``
attributes, so a reviewer's tools (and our browser test) can find each one. Links to the sources
open the page a change stands on (``file.pdf#page=5``).
"""

from __future__ import annotations

import pipeline
from pipeline.diff.view import (
    FIELD_NAMES,
    ROLLOVER_LINE,
    SECTION_TITLES,
    cell,
    counts_table,
    fi_date,
    grouped,
    link,
    show,
    where,
)
from pipeline.templates import environment
from schemas.diff import CHANGE_KINDS, AgreementDiff


def render_html(diff: AgreementDiff, *, old_href: str | None = None, new_href: str | None = None) -> str:
    """The review page; ``old_href``/``new_href`` link to the source documents (relative URLs)."""
    template = environment("pipeline.diff").get_template("review.html.j2")
    return template.render(
        diff=diff,
        sections=grouped(diff),
        section_titles=SECTION_TITLES,
        counts=counts_table(diff),
        kinds=CHANGE_KINDS,
        field_names=FIELD_NAMES,
        rollover_line=ROLLOVER_LINE,
        hrefs={"old": old_href, "new": new_href},
        show=show,
        cell=cell,
        where=where,
        link=link,
        fi_date=fi_date,
        version=pipeline.__version__,
    )
