"""The diff as a Markdown summary: for a pull request, an e-mail or a terminal.

Substantive changes first, routine ones (the years rolling on, a revision's date and diary numbers,
headings reworded) after them, folded in a ``<details>`` block where the Markdown is rendered
(``view.triage`` decides, with a reason each). Deleted words and list items are ``~~struck~~``,
inserted ones **bold**; values as written in their cells, with the column header they stood under
(``Arvio 2023`` → ``Toteuma 2023``) and how far they moved (``−3 663 (−0,7 %)``); every page or line
says which document it is in (``old p. 7``, ``new p. 6``).
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.diff.view import (
    FIELD_NAMES,
    PART_TITLES,
    SECTION_TITLES,
    Group,
    Triage,
    cell,
    counts_table,
    grouped,
    list_items,
    movement,
    number_moves,
    places,
    show,
    triage,
    version_line,
)
from schemas.diff import CHANGE_KINDS, AgreementDiff, Change, WordChange


def _escape(text: str) -> str:
    """Text safe inside a Markdown table cell or list item."""
    text = " ".join(str(text).split())
    for ch in "\\`*_[]|<>~":
        text = text.replace(ch, f"\\{ch}")
    return text


def _words(runs: list[WordChange]) -> str:
    parts = []
    for run in runs:
        text = _escape(run.text)
        parts.append(text if run.op == "equal" else f"~~{text}~~" if run.op == "delete" else f"**{text}**")
    return " ".join(parts)


def _at(change: Change) -> str:
    """`` (old p. 7, new p. 6)``: each place named by its document."""
    spots = places(change)
    return f" ({', '.join(spots)})" if spots else ""


def _field_value(change: Change) -> str:
    """A metadata field's change; a list item by item (kept plain, removed struck, added bold)."""
    items = list_items(change)
    if items is None:
        return f"{_escape(show(change.old))} → {_escape(show(change.new))}"
    marks = {"equal": "{}", "delete": "~~{}~~", "insert": "**{}**"}
    return "; ".join(marks[item.op].format(_escape(item.text)) for item in items) or "–"


def _own(change: Change, plan: Triage) -> str:
    detail, reason = change.detail, plan.verdict(change).reason
    if change.change == "renamed":
        similarity = ""
        if detail.similarity is not None and not detail.spelling_fix:
            similarity = f", similarity {detail.similarity:.2f}"
        return f"- {_escape(reason)}{similarity}{_at(change)}: {_words(detail.words or [])}"
    if change.change in ("added", "removed"):
        return f"- {_escape(reason)}{_at(change)}"
    name = FIELD_NAMES.get(detail.field or "", detail.field or "")
    return f"- {name} changed{_at(change)}: {_field_value(change)}"


def _target(change: Change, plan: Triage) -> str:
    detail = change.detail
    label = f"**{detail.year}**" + (" satisfactory level" if detail.field == "satisfactory" else "")
    reason = _escape(plan.verdict(change).reason)
    if change.change == "changed":
        text = _words(detail.words or [])
        numbers = ""
        moves = number_moves(change)
        if moves:
            numbers = f" *(numbers: {_escape('; '.join(moves))})*"
        elif detail.old_numbers is not None:
            old = ", ".join(q.text for q in detail.old_numbers) or "–"
            new = ", ".join(q.text for q in detail.new_numbers or []) or "–"
            numbers = f" *(numbers: {_escape(old)} → {_escape(new)})*"
        return f"- {label} {reason}{_at(change)}: {text}{numbers}"
    text = change.new if change.change == "added" else change.old
    return f"- {label} {reason}{_at(change)}: {_escape(text or '')}"


def _value_side(change: Change, side: str) -> str:
    label = change.detail.old_label if side == "old" else change.detail.new_label
    if label is None:
        return "–"
    return f"{_escape(cell(change, side))} ({_escape(label)})"


def _value_row(change: Change, plan: Triage, with_delta: bool) -> str:
    detail = change.detail
    delta = f" {_escape(movement(change) or '')} |" if with_delta else ""
    note = f": {_escape(detail.note)}" if detail.note and detail.note != plan.verdict(change).reason else ""
    return (
        f"| {detail.year} | {_value_side(change, 'old')} | {_value_side(change, 'new')} |{delta} "
        f"{_escape(plan.verdict(change).reason)}{note}{_at(change)} |"
    )


def _group(group: Group, plan: Triage) -> list[str]:
    lines = [f"#### {_escape(group.title)}", ""]
    lines.extend(_own(c, plan) for c in group.own)
    if group.entity == "goal":
        lines.extend(_target(c, plan) for c in group.rows)
    elif group.rows:
        if group.own:
            lines.append("")
        with_delta = any(c.detail.delta is not None for c in group.rows)
        if with_delta:
            lines += ["| Year | Old | New | Delta | Change |", "|---|---|---|---|---|"]
        else:
            lines += ["| Year | Old | New | Change |", "|---|---|---|---|"]
        lines.extend(_value_row(c, plan, with_delta) for c in group.rows)
    lines.append("")
    return lines


def _part(changes: Sequence[Change], plan: Triage, *, routine: bool) -> list[str]:
    """One part of the report (substantive or routine) by section, each goal or indicator a group."""
    lines: list[str] = []
    for section, groups in grouped(changes).items():
        if not groups:
            continue
        lines += [f"### {SECTION_TITLES[section]}", ""]
        if section == "agreement":
            for change in groups[0].own:
                name = FIELD_NAMES.get(change.detail.field or "", change.detail.field)
                why = f" *({_escape(plan.verdict(change).reason)})*" if routine else ""
                lines.append(f"- {name}: {_field_value(change)}{why}")
            lines.append("")
        elif section == "outline":
            for group in groups:
                for change in group.own:
                    reason = _escape(plan.verdict(change).reason)
                    if change.change == "renamed":
                        text = _words(change.detail.words or [])
                        lines.append(f"- {change.entity} {change.change}{_at(change)}: {text} *({reason})*")
                    else:
                        text = _escape(show(change.new or change.old))
                        lines.append(f"- {reason}{_at(change)}: {text}")
            lines.append("")
        else:
            for group in groups:
                lines.extend(_group(group, plan))
    return lines


def triage_line(plan: Triage) -> str:
    """``**25 substantive** changes first, then **22 routine** ones: …(8); …(5).``"""
    n, m = len(plan.substantive), len(plan.routine)
    if not m:
        return f"**{n} substantive** change{'s' if n != 1 else ''}; none routine."
    tally = "; ".join(f"{reason} ({k})" for reason, k in plan.routine_reasons())
    first = f"**{n} substantive** change{'s' if n != 1 else ''} first, then" if n else "No substantive changes;"
    return f"{first} **{m} routine** {'ones' if m != 1 else 'one'}: {_escape(tally)}."


def render_markdown(diff: AgreementDiff) -> str:
    title = diff.new.title or diff.series_id
    lines = [f"# Changes: {_escape(title)}", ""]
    lines.append(f"- old: {_escape(version_line(diff.old))}")
    lines.append(f"- new: {_escape(version_line(diff.new))}")
    if diff.re_extraction is not None:
        before, after = diff.re_extraction.old_extractor, diff.re_extraction.new_extractor
        lines.append(
            f"- re-extraction of the same source: {_escape(f'{before.name} {before.version}' if before else '?')} → "
            f"{_escape(f'{after.name} {after.version}' if after else '?')}"
        )
    if diff.forced:
        lines.append(f"- **different series compared**: {diff.old.series_id} → {diff.new.series_id}")
    lines.append("")
    summary = diff.summary
    plan = triage(diff.changes)
    if summary.total == 0:
        lines += ["**No changes.**", ""]
    else:
        kinds = ", ".join(f"{summary.by_change[k]} {k}" for k in CHANGE_KINDS if k in summary.by_change)
        uncertain = f"; {summary.uncertain} uncertain" if summary.uncertain else ""
        lines += [f"**{summary.total} changes**: {kinds}{uncertain}.", "", triage_line(plan), ""]
        lines += ["| | " + " | ".join(CHANGE_KINDS) + " |", "|---|" + "---|" * len(CHANGE_KINDS)]
        for entity, counts in counts_table(diff):
            lines.append(f"| {entity} | " + " | ".join(str(n) if n else "" for n in counts) + " |")
        lines.append("")
    if plan.substantive:
        lines += [f"## {PART_TITLES['substantive']}", ""]
        lines.extend(_part(plan.substantive, plan, routine=False))
    if plan.routine:
        # Folded where Markdown is rendered (GitHub, GitLab); plain lines in a terminal or an e-mail.
        lines += [f"## {PART_TITLES['routine']}", "", "<details>"]
        lines += [f"<summary>{len(plan.routine)} routine changes</summary>", ""]
        lines.extend(_part(plan.routine, plan, routine=True))
        lines += ["</details>", ""]
    re_extraction = diff.re_extraction
    if diff.warnings or (re_extraction and (re_extraction.warnings_added or re_extraction.warnings_removed)):
        lines += ["## Notes", ""]
        lines.extend(f"- {_escape(w)}" for w in diff.warnings)
        if diff.re_extraction:
            lines.extend(f"- extractor warning added: {_escape(w)}" for w in diff.re_extraction.warnings_added)
            lines.extend(f"- extractor warning gone: {_escape(w)}" for w in diff.re_extraction.warnings_removed)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
