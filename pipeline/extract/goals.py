"""Goals and their yearly targets, from the two layouts agreements use.

Headings (the KEHA layout): a heading followed by ``Tavoite YYYY …`` paragraphs is a goal with
targets; the paragraphs after a ``Tavoite YYYY`` belong to it until the next ``Tavoite`` or
heading, ``Tavoitetaso:`` continues the target and ``Tyydyttävä taso:`` starts its satisfactory
level. Headings that only group such goals are their parents. Heading levels of converted
documents are unreliable, so a goal that follows another goal directly is its sibling, and only
grouping headings use levels.

Goal tables (the Valtori layout): a table whose first column holds years. A row ``1. Title``
(or ``Hanke 2. Title``) starts a goal, year rows are its targets, a row with an empty year cell
continues the previous target (a row cut by a page break, or converter debris), a repeated goal
row (the header repeated on a new page) is skipped. ``Vaikuttavuustavoite 2: …`` names the parent.
A year whose cell holds only a dash (``2027 | -``) has no target: it gives none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from pipeline.layout import Block, Provenance
from pipeline.nlp import vocab
from pipeline.segment.outline import NUMBERED, Outline, TableInfo


@dataclass
class RawTarget:
    year: int
    parts: list[str]
    prov: Provenance
    satisfactory: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        # Paragraphs joined by a space: where one paragraph ends is not reliably visible in a PDF.
        return " ".join(p for p in self.parts if p)


@dataclass
class RawGoal:
    title: str
    number: str | None
    section_id: str | None
    prov: Provenance
    level: int | None = None
    targets: list[RawTarget] = field(default_factory=list)
    parent: RawGoal | None = None
    parent_ref: str | None = None
    table: TableInfo | None = None


def _parse_targets(blocks: list[Block]) -> list[RawTarget]:
    targets: list[RawTarget] = []
    mode = "target"
    for block in blocks:
        if block.kind not in ("paragraph", "list_item"):
            continue
        text = block.text.strip()
        start = vocab.TARGET_START.match(text)
        if start:
            targets.append(RawTarget(int(start.group(1)), [start.group(2).strip()], block.prov))
            mode = "target"
            continue
        if not targets:
            continue
        level = vocab.TARGET_LEVEL.match(text)
        satisfactory = vocab.SATISFACTORY_LEVEL.match(text)
        if satisfactory:
            mode = "satisfactory"
            if satisfactory.group(1).strip():
                targets[-1].satisfactory.append(satisfactory.group(1).strip())
        elif level:
            mode = "target"
            if level.group(1).strip():
                targets[-1].parts.append(level.group(1).strip())
        elif mode == "satisfactory":
            targets[-1].satisfactory.append(text)
        else:
            targets[-1].parts.append(text)
    return targets


def goals_from_headings(outline: Outline) -> list[RawGoal]:
    """Goals written as headings with ``Tavoite YYYY`` paragraphs under them."""
    headings: list[tuple[int, Block, list[Block]]] = []
    blocks = outline.blocks
    heading_indexes = [i for i, b in enumerate(blocks) if b.kind == "heading" and i not in outline.consumed]
    for position, index in enumerate(heading_indexes):
        end = heading_indexes[position + 1] if position + 1 < len(heading_indexes) else len(blocks)
        body = [blocks[i] for i in range(index + 1, end) if i not in outline.consumed]
        headings.append((index, blocks[index], body))

    goals: list[RawGoal] = []
    stack: list[RawGoal] = []
    previous_leaf: RawGoal | None = None
    structural: str | None = None
    for index, block, body in headings:
        if NUMBERED.match(block.text):
            stack, previous_leaf, structural = [], None, outline.section_of[index]
            continue
        targets = _parse_targets(body)
        level = block.level or 1
        goal = RawGoal(block.text.strip(), None, structural, block.prov, level, targets)
        if targets:
            if previous_leaf is not None:
                goal.parent = previous_leaf.parent
            else:
                goal.parent = stack[-1] if stack else None
            previous_leaf = goal
        else:
            while stack and stack[-1].level >= level:
                stack.pop()
            goal.parent = stack[-1] if stack else None
            stack.append(goal)
            previous_leaf = None
        goals.append(goal)
    # A grouping heading is a goal only when some goal with targets stands under it.
    keep: set[int] = set()
    for goal in goals:
        if goal.targets:
            node: RawGoal | None = goal
            while node is not None:
                keep.add(id(node))
                node = node.parent
    return [g for g in goals if id(g) in keep]


def is_goal_table(table: TableInfo) -> bool:
    rows = table.block.rows
    if not rows or len(rows[0]) > 3:
        return False
    years = sum(1 for row in rows if vocab.YEAR.match(row[0].text.strip()))
    return years >= 2 and years >= len(rows) / 3


def _goal_row(first: str, rest: str) -> tuple[str | None, str, str | None] | None:
    """(number, title, parent reference) when a row starts a goal, else None."""
    if first:
        match = vocab.GOAL_ROW.match(first)
        if match and match.group(1):  # "Hanke 1. Title" | "Vaikuttavuustavoite 2: …"
            return f"{match.group(1)} {match.group(2)}", match.group(3).strip(), rest or None
        return None
    match = vocab.GOAL_ROW.match(rest)
    if match and not match.group(1):
        return match.group(2), match.group(3).strip(), None
    return None


def goals_from_table(table: TableInfo) -> list[RawGoal]:
    goals: list[RawGoal] = []
    current: RawGoal | None = None
    for row in table.block.rows:
        first = row[0].text.strip()
        rest = " ".join(c.text.strip() for c in row[1:] if c.text.strip())
        text_prov = next((c.prov for c in row[1:] if c.text.strip()), row[0].prov)
        if vocab.YEAR.match(first):
            if current is None:
                continue
            current.targets.append(RawTarget(int(first), [rest], text_prov))
            continue
        started = _goal_row(first, rest)
        if started:
            number, title, reference = started
            if current is not None and current.number == number and current.title == title:
                continue  # the goal row repeated at the top of a new page
            current = RawGoal(title, number, table.section_id, row[0].prov if first else text_prov, table=table)
            current.parent_ref = reference
            goals.append(current)
            continue
        if current is not None and current.targets and rest:
            current.targets[-1].parts.append(rest)  # continues the previous year's text
    for goal in goals:
        goal.targets = [t for t in goal.targets if not vocab.NO_TARGET.match(" ".join(t.parts))]
    return goals


def _resolve_parents(goals: list[RawGoal], warnings: list[str]) -> None:
    """Link ``Vaikuttavuustavoite N: …`` references to the goal numbered N."""
    for goal in goals:
        if not goal.parent_ref:
            continue
        ref = vocab.PARENT_GOAL_REF.match(goal.parent_ref)
        if not ref:
            continue
        stem = regex.match(r"\p{L}+", goal.parent_ref).group(0).lower()[:10]
        candidates = [g for g in goals if g.number == ref.group(1) and g is not goal]
        preferred = [g for g in candidates if g.table and stem in (g.table.caption or "").lower()]
        chosen = (preferred or candidates or [None])[0]
        if chosen is None:
            warnings.append(f"goal {goal.number} {goal.title!r} refers to goal {ref.group(1)}, which was not found")
        goal.parent = chosen


def extract_goals(outline: Outline, warnings: list[str]) -> list[RawGoal]:
    goals = goals_from_headings(outline)
    table_goals: list[RawGoal] = []
    for table in outline.tables:
        if is_goal_table(table):
            table_goals.extend(goals_from_table(table))
    _resolve_parents(table_goals, warnings)
    return goals + table_goals
