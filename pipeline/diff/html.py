"""The diff as one self-contained HTML review page: no server, no scripts, no external assets.

Rendered with Jinja2 (autoescaped) from ``templates/review.html.j2``; the styles are inline in the
template. The page triages as ``view.triage`` says: substantive changes first, the routine ones (the
years rolling on, a revision's date and diary numbers, headings reworded) folded below in a
``<details>`` element, which opens on a click without any script. Every change is an element with
``data-change``, ``data-entity``, ``data-path``, ``data-triage`` and ``data-reason`` attributes, so a
reviewer's tools (and our browser test) can find each one. Links to the sources open the page a
change stands on (``file.pdf#page=5``), and every page reference names its document (``old p. 7``).
"""

from __future__ import annotations

from pathlib import PurePosixPath

import pipeline
from pipeline.diff.view import (
    FIELD_NAMES,
    PART_TITLES,
    SECTION_TITLES,
    cell,
    counts_table,
    fi_date,
    grouped,
    link,
    list_items,
    number_moves,
    percent_text,
    place,
    show,
    signed,
    triage,
)
from pipeline.templates import environment
from schemas.diff import CHANGE_KINDS, AgreementDiff


def render_html(diff: AgreementDiff, *, old_href: str | None = None, new_href: str | None = None) -> str:
    """The review page; ``old_href``/``new_href`` link to the source documents (relative URLs)."""
    template = environment("pipeline.diff").get_template("review.html.j2")
    plan = triage(diff.changes)
    return template.render(
        diff=diff,
        plan=plan,
        parts={"substantive": grouped(plan.substantive), "routine": grouped(plan.routine)},
        part_titles=PART_TITLES,
        section_titles=SECTION_TITLES,
        counts=counts_table(diff),
        kinds=CHANGE_KINDS,
        field_names=FIELD_NAMES,
        hrefs={"old": old_href, "new": new_href},
        files={"old": PurePosixPath(diff.old.path).name, "new": PurePosixPath(diff.new.path).name},
        show=show,
        cell=cell,
        place=place,
        link=link,
        list_items=list_items,
        signed=signed,
        percent_text=percent_text,
        number_moves=number_moves,
        fi_date=fi_date,
        version=pipeline.__version__,
    )
