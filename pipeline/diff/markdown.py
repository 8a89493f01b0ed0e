"""The diff as a Markdown summary: for a pull request, an e-mail or a terminal.

Deleted words are ``~~struck~~``, inserted ones **bold**; values as written in their cells, with
the column header they stood under (``Arvio 2023`` → ``Toteuma 2023``).
"""

from __future__ import annotations

from pipeline.diff.view import (
    FIELD_NAMES,
    ROLLOVER_LINE,
    SECTION_TITLES,
    Group,
    cell,
    counts_table,
    grouped,
    show,
    version_line,
    where,
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
    places = [w for w in (where(change.old_provenance), where(change.new_provenance)) if w]
    if len(places) == 2 and places[0] != places[1]:
        return f" (old {places[0]}, new {places[1]})"
    return f" ({places[0]})" if places else ""


def _mark(change: Change) -> str:
    marks = [change.change]
    if change.detail.uncertain:
        marks.append("uncertain")
    if change.detail.rollover:
        marks.append("rollover")
    return ", ".join(marks)


def _own(change: Change) -> str:
    detail = change.detail
    if change.change == "renamed":
        similarity = f", similarity {detail.similarity:.2f}" if detail.similarity is not None else ""
        return f"- renamed{' (uncertain)' if detail.uncertain else ''}{similarity}: {_words(detail.words or [])}"
    if change.change in ("added", "removed"):
        return f"- {change.change}{_at(change)}"
    name = FIELD_NAMES.get(detail.field or "", detail.field or "")
    return f"- {name} changed: {_escape(show(change.old))} → {_escape(show(change.new))}"


def _target(change: Change) -> str:
    detail = change.detail
    label = f"**{detail.year}**" + (" satisfactory level" if detail.field == "satisfactory" else "")
    if change.change == "changed":
        text = _words(detail.words or [])
        numbers = ""
        if detail.old_numbers is not None:
            old = ", ".join(q.text for q in detail.old_numbers) or "–"
            new = ", ".join(q.text for q in detail.new_numbers or []) or "–"
            numbers = f" *(numbers: {_escape(old)} → {_escape(new)})*"
        return f"- {label} changed{_at(change)}: {text}{numbers}"
    text = change.new if change.change == "added" else change.old
    return f"- {label} {change.change}{_at(change)}: {_escape(text or '')}"


def _value_side(change: Change, side: str) -> str:
    label = change.detail.old_label if side == "old" else change.detail.new_label
    if label is None:
        return "–"
    return f"{_escape(cell(change, side))} ({_escape(label)})"


def _group(group: Group) -> list[str]:
    lines = [f"### {_escape(group.title)}", ""]
    lines.extend(_own(c) for c in group.own)
    if group.entity == "goal":
        lines.extend(_target(c) for c in group.rows)
    elif group.rows:
        if group.own:
            lines.append("")
        lines += ["| Year | Old | New | Change |", "|---|---|---|---|"]
        for change in group.rows:
            lines.append(
                f"| {change.detail.year} | {_value_side(change, 'old')} | {_value_side(change, 'new')} | "
                f"{_mark(change)}{_at(change)}{f': {_escape(change.detail.note)}' if change.detail.note else ''} |"
            )
    lines.append("")
    return lines


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
    if summary.total == 0:
        lines += ["**No changes.**", ""]
    else:
        kinds = ", ".join(f"{summary.by_change[k]} {k}" for k in CHANGE_KINDS if k in summary.by_change)
        uncertain = f"; {summary.uncertain} uncertain" if summary.uncertain else ""
        lines += [f"**{summary.total} changes**: {kinds}{uncertain}.", ""]
        if summary.rollover:
            lines += [f"{ROLLOVER_LINE.format(n=summary.rollover)}", ""]
        lines += ["| | " + " | ".join(CHANGE_KINDS) + " |", "|---|" + "---|" * len(CHANGE_KINDS)]
        for entity, counts in counts_table(diff):
            lines.append(f"| {entity} | " + " | ".join(str(n) if n else "" for n in counts) + " |")
        lines.append("")
    for section, groups in grouped(diff).items():
        if not groups:
            continue
        lines += [f"## {SECTION_TITLES[section]}", ""]
        if section == "agreement":
            for change in groups[0].own:
                name = FIELD_NAMES.get(change.detail.field or "", change.detail.field)
                lines.append(f"- {name}: {_escape(show(change.old))} → {_escape(show(change.new))}")
            lines.append("")
        elif section == "outline":
            for group in groups:
                for change in group.own:
                    if change.change == "renamed":
                        lines.append(f"- {change.entity} renamed: {_words(change.detail.words or [])}")
                    else:
                        lines.append(f"- {change.entity} {change.change}: {_escape(show(change.new or change.old))}")
            lines.append("")
        else:
            for group in groups:
                lines.extend(_group(group))
    re_extraction = diff.re_extraction
    if diff.warnings or (re_extraction and (re_extraction.warnings_added or re_extraction.warnings_removed)):
        lines += ["## Notes", ""]
        lines.extend(f"- {_escape(w)}" for w in diff.warnings)
        if diff.re_extraction:
            lines.extend(f"- extractor warning added: {_escape(w)}" for w in diff.re_extraction.warnings_added)
            lines.extend(f"- extractor warning gone: {_escape(w)}" for w in diff.re_extraction.warnings_removed)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
