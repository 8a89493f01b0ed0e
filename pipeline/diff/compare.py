"""Compare two versions of an agreement: what it says (goals, targets, indicators, values, metadata),
not how it is laid out (pages, line breaks, provenance, table numbering).

Everything here is plain data in, plain data out: two ``schemas.Agreement`` documents give one
``schemas.diff.AgreementDiff``. Tables are paired by their captions and rows, never by the years of
their headers (``pipeline.diff.tables``); indicators within paired tables first, where a row
renamed in place is renamed, then anywhere; goals and sections by ``pipeline.diff.match``. What
could not be paired is added or removed, with the item's own targets or values, so a consumer that
keeps one row per (goal, year) or (indicator, year) sees every row that appeared or went away.

Values pair by year. When a table's years roll on (``2024 arvio`` in one version, ``2024
toteutuma`` in the next) the oldest year leaves, the newest comes in, estimates are confirmed and
targets become estimates: each is a change, and those that are nothing but the years rolling on
are marked ``detail.rollover`` so a reviewer can read past them to the figures that moved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from pipeline.diff.match import Matching, match_items, match_rows
from pipeline.diff.spelling import spelling_fix
from pipeline.diff.tables import caption_name, comparable_name, match_tables, table_years
from pipeline.diff.view import show
from pipeline.diff.words import word_changes
from pipeline.errors import AgreementError
from pipeline.nlp import vocab
from schemas import agreement as s
from schemas.diff import (
    CHANGE_KINDS,
    ENTITIES,
    AgreementDiff,
    Change,
    Detail,
    ReExtraction,
    Summary,
    VersionRef,
)

# Old kind → new kind that confirms it: the preliminary figure became the agreed or the real one
# (a proposed budget the one parliament passed, an estimate the outcome). A budget or a target that
# gave way to the outcome is not confirmed by it: it is a plan, the outcome is what happened, and
# the two are compared as a change of kind (``changed``, ``field: kind``).
CONFIRMATIONS = {("preliminary_target", "target"), ("estimate", "actual"), ("budget_proposal", "budget")}
# How far on in its year a kind of figure is: plans, then the adopted plan, an estimate, the outcome.
# A value whose kind moved forward with its figure unchanged is only the years rolling on.
STAGES = {"preliminary_target": 0, "frame": 0, "target": 1, "budget_proposal": 1, "budget": 2, "estimate": 3,
          "actual": 4}  # fmt: skip
METADATA_FIELDS = (
    "title", "agency", "agencies", "ministries", "period", "signed_on", "reference_numbers", "signatories"
)  # fmt: skip


class SeriesMismatch(AgreementError):
    """The two documents are versions of different agreements."""


def diff_agreements(old: s.Agreement, new: s.Agreement, *, force: bool = False) -> AgreementDiff:
    """What changed from ``old`` to ``new``; raises ``SeriesMismatch`` for two different series."""
    old_series, new_series = old.agreement.series_id, new.agreement.series_id
    if old_series != new_series and not force:
        raise SeriesMismatch(
            f"the documents are different agreements (series {old_series!r} and {new_series!r}); "
            "use --force to compare them anyway"
        )
    return _Differ(old, new, forced=old_series != new_series).run()


def version_ref(agreement: s.Agreement) -> VersionRef:
    return VersionRef(
        sha256=agreement.source.sha256,
        path=agreement.source.path,
        signed_on=agreement.agreement.signed_on,
        series_id=agreement.agreement.series_id,
        format=agreement.source.format,
        title=agreement.agreement.title,
        extractor=agreement.extractor,
    )


def summarize(changes: Sequence[Change]) -> Summary:
    by_change = Counter(c.change for c in changes)
    by_entity: dict[str, Counter[str]] = {}
    for change in changes:
        by_entity.setdefault(change.entity, Counter())[change.change] += 1
    return Summary(
        total=len(changes),
        by_change={k: by_change[k] for k in CHANGE_KINDS if by_change[k]},
        by_entity={
            e: {k: by_entity[e][k] for k in CHANGE_KINDS if by_entity[e][k]} for e in ENTITIES if e in by_entity
        },
        uncertain=sum(1 for c in changes if c.detail.uncertain),
        rollover=sum(1 for c in changes if c.detail.rollover),
    )


def table_name(table: s.Table) -> str:
    """A table's name for display: its caption without ``Taulukko N.`` and its group, else its header."""
    return caption_name(table) or " ".join(table.header)


def _targets(goal: s.Goal) -> list[s.Target]:
    """A goal's targets, without years marked as having none (``2027 | -``): extractions before
    0.2 kept those as targets whose text is ``-``, and a re-extraction review must not count that."""
    return [t for t in goal.targets if not vocab.NO_TARGET.match(t.text)]


def _named_tables(agreement: s.Agreement) -> list[s.Table]:
    """The tables a reviewer can name: numbered (``Taulukko 4.``), or holding goals or indicators.

    A table with neither is layout (a signature block set as a table in one format and as lines in
    another, named only by the line above it, a date); its contents reach the diff through the
    metadata, not as a table.
    """
    used = {g.table_id for g in agreement.goals} | {i.table_id for i in agreement.indicators}
    return [t for t in agreement.tables if t.number is not None or t.id in used]


def _row_names(agreement: s.Agreement) -> Callable[[s.Table], list[str]]:
    """The names of a table's rows, in order: its indicators, else its goals, else each row's first
    filled cell. They say which table is which when the header's years have rolled on."""
    indicators: dict[str | None, list[str]] = {}
    goals: dict[str | None, list[str]] = {}
    for indicator in agreement.indicators:
        indicators.setdefault(indicator.table_id, []).append(indicator.name)
    for goal in agreement.goals:
        goals.setdefault(goal.table_id, []).append(goal.title)

    def rows(table: s.Table) -> list[str]:
        cells = [next((c for c in row if c.strip()), "") for row in table.rows]
        return indicators.get(table.id) or goals.get(table.id) or [c for c in cells if c]

    return rows


def _value_of(value: s.IndicatorValue) -> float | str:
    return value.value if value.value is not None else value.text


def _same_number(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-9


def _differences(a: s.IndicatorValue, b: s.IndicatorValue) -> list[str]:
    """What of a figure differs: ``value`` (the number, or the text of a cell without one),
    ``comparator`` (``>88`` → ``88``) and ``value_max`` (``90–95`` → ``90–96``)."""
    if a.value is not None and b.value is not None:
        same = _same_number(a.value, b.value)
    else:
        same = a.value is None and b.value is None and " ".join(a.text.split()) == " ".join(b.text.split())
    differs = [] if same else ["value"]
    if a.comparator != b.comparator:
        differs.append("comparator")
    if not _same_number(a.value_max, b.value_max):
        differs.append("value_max")
    return differs


def _movement(old: s.IndicatorValue | None, new: s.IndicatorValue | None) -> dict[str, float]:
    """``delta`` and ``percent`` of a figure whose number moved (rounded off float noise: 98,9 − 100 is
    −1,1); nothing when a side has no number or a range, or the number stayed."""
    if old is None or new is None or old.value is None or new.value is None or _same_number(old.value, new.value):
        return {}
    if old.value_max is not None or new.value_max is not None:
        return {}  # a range (65—70) is no one figure to measure from
    delta = float(f"{new.value - old.value:.12g}")
    if old.value == 0:
        return {"delta": delta}
    return {"delta": delta, "percent": float(f"{100 * delta / abs(old.value):.4g}")}


def _figure_note(old: s.IndicatorValue, new: s.IndicatorValue, differs: list[str]) -> str | None:
    """One sentence for a figure whose number stayed while its comparison or range changed."""
    if "value" in differs or not differs:
        return None
    parts = []
    if "comparator" in differs:
        parts.append(f"comparison {old.comparator or 'none'} → {new.comparator or 'none'}")
    if "value_max" in differs:
        parts.append(f"upper bound {show(old.value_max)} → {show(new.value_max)}")
    return f"the number is the same; {', '.join(parts)}"


def _years(tables: dict[str, s.Table], indicator: s.Indicator) -> set[int]:
    """The years of an indicator's table (its columns), else of its own values."""
    table = tables.get(indicator.table_id or "")
    years = {int(y) for y in table_years(table)} if table is not None else set()
    return years or {v.year for v in indicator.values}


def _text(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _section_prov(section: s.Section) -> s.Provenance:
    return s.Provenance(page=section.page, line=section.line)


def _pair_by_year(old: Iterable, new: Iterable, same: Callable) -> list[tuple[object | None, object | None]]:
    """Pair items that have a ``year``; within a year, ``same`` items first, then in order."""
    old_years: dict[int, list] = {}
    new_years: dict[int, list] = {}
    for item in old:
        old_years.setdefault(item.year, []).append(item)
    for item in new:
        new_years.setdefault(item.year, []).append(item)
    pairs: list[tuple[object | None, object | None]] = []
    for year in sorted(set(old_years) | set(new_years)):
        left, right = list(old_years.get(year, [])), list(new_years.get(year, []))
        for a in list(left):
            b = next((b for b in right if same(a, b)), None)
            if b is not None:
                pairs.append((a, b))
                left.remove(a)
                right.remove(b)
        while left and right:
            pairs.append((left.pop(0), right.pop(0)))
        pairs.extend((a, None) for a in left)
        pairs.extend((None, b) for b in right)
    return pairs


class _Differ:
    """One comparison: matches the items once, then emits changes in reading order."""

    def __init__(self, old: s.Agreement, new: s.Agreement, *, forced: bool) -> None:
        self.old, self.new, self.forced = old, new, forced
        self.changes: list[Change] = []
        self.notes: list[str] = []
        self.sections = self._match(
            old.sections, new.sections, key=lambda x: x.id, name=lambda x: x.title, what="section"
        )
        self.tables = match_tables(
            _named_tables(old), _named_tables(new), old_rows=_row_names(old), new_rows=_row_names(new)
        )
        self.notes.extend(self.tables.notes)
        self.section_map = {m.old.id: m.new.id for m in self.sections.matches}
        self.table_map = {m.old.id: m.new.id for m in self.tables.matches}
        self.goals = self._match(
            old.goals,
            new.goals,
            key=lambda x: x.id,
            name=lambda x: x.title,
            old_context=lambda g: self._place(g.table_id, g.section_id, mapped=True),
            new_context=lambda g: self._place(g.table_id, g.section_id, mapped=False),
            what="goal",
        )
        self.goal_map = {m.old.id: m.new.id for m in self.goals.matches}
        self.indicators = match_rows(
            old.indicators,
            new.indicators,
            table_pairs=[(m.old.id, m.new.id) for m in self.tables.matches],
            old_table=lambda i: i.table_id,
            new_table=lambda i: i.table_id,
            key=lambda x: x.id,
            name=lambda x: x.name,
            old_context=lambda i: self._place(i.table_id, None, mapped=True),
            new_context=lambda i: self._place(i.table_id, None, mapped=False),
            what="indicator",
        )
        self.notes.extend(self.indicators.notes)
        self.indicator_map = {m.old.id: m.new.id for m in self.indicators.matches}

    def _match(self, old: Sequence, new: Sequence, **kwargs) -> Matching:
        matching = match_items(old, new, **kwargs)
        self.notes.extend(matching.notes)
        return matching

    def _place(self, table_id: str | None, section_id: str | None, *, mapped: bool) -> tuple[str, str] | None:
        """Where an item stands, in the new version's ids (an old table without a match: its own)."""
        if table_id:
            return ("table", self.table_map.get(table_id, f"old:{table_id}") if mapped else table_id)
        if section_id:
            return ("section", self.section_map.get(section_id, f"old:{section_id}") if mapped else section_id)
        return None

    def run(self) -> AgreementDiff:
        self._metadata()
        self._goals()
        self._indicators()
        self._outline(
            "table",
            self.tables,
            table_name,
            lambda t: t.provenance,
            lambda a, b: comparable_name(a) == comparable_name(b),
        )
        self._outline(
            "section", self.sections, lambda x: x.title, _section_prov, lambda a, b: _text(a.title) == _text(b.title)
        )
        if self.forced:
            self.notes.insert(
                0,
                f"compared across series: {self.old.agreement.series_id!r} → {self.new.agreement.series_id!r}",
            )
        re_extraction = None
        if self.old.source.sha256 == self.new.source.sha256:
            old_warnings, new_warnings = set(self.old.warnings), set(self.new.warnings)
            re_extraction = ReExtraction(
                old_extractor=self.old.extractor,
                new_extractor=self.new.extractor,
                warnings_added=[w for w in self.new.warnings if w not in old_warnings],
                warnings_removed=[w for w in self.old.warnings if w not in new_warnings],
            )
        return AgreementDiff(
            series_id=self.new.agreement.series_id,
            old=version_ref(self.old),
            new=version_ref(self.new),
            changes=self.changes,
            summary=summarize(self.changes),
            forced=self.forced,
            re_extraction=re_extraction,
            warnings=self.notes,
        )

    def _add(self, change: str, entity: str, id: str, path: str, old=None, new=None, **fields) -> None:
        detail = fields.pop("detail", None) or Detail()
        self.changes.append(
            Change(change=change, entity=entity, id=id, path=path, old=old, new=new, detail=detail, **fields)
        )

    def _item(self, entity: str, pair: _Pair, name: Callable, children: Callable, child: Callable) -> dict | None:
        """What every goal and indicator can undergo: added or removed (with its targets or values,
        through ``child``), or renamed. Returns the fields that place the further changes of a
        matched pair, or None when the item stands on one side only."""
        old, new = pair.old, pair.new
        plural = f"{entity}s"
        if old is None or new is None:
            change = "added" if old is None else "removed"
            item = new or old
            self._add(
                change,
                entity,
                item.id,
                f"{plural}/{item.id}",
                name(old) if old else None,
                name(new) if new else None,
                title=name(item),
                detail=Detail(unit=getattr(item, "unit", None)),
                old_provenance=old.provenance if old else None,
                new_provenance=new.provenance if new else None,
            )
            for part in children(item):
                child(change, item, part if old else None, part if new else None)
            return None
        where = {"title": name(new), "old_provenance": old.provenance, "new_provenance": new.provenance}
        if old.id != new.id:
            where["old_id"] = old.id
        if _text(name(old)) != _text(name(new)):
            self._add(
                "renamed",
                entity,
                new.id,
                f"{plural}/{new.id}",
                name(old),
                name(new),
                detail=Detail(
                    words=word_changes(name(old), name(new)),
                    similarity=pair.similarity,
                    uncertain=pair.uncertain,
                    unit=getattr(new, "unit", None),
                    spelling_fix=spelling_fix(name(old), name(new)),
                ),
                **where,
            )
        return where

    def _parent(self, entity: str, old, new, id_map: dict, old_names: dict, new_names: dict, where: dict) -> None:
        """A goal or indicator that now stands under another one (the parents compared as matched)."""
        if id_map.get(old.parent_id) != new.parent_id and (old.parent_id or new.parent_id):
            self._add(
                "changed",
                entity,
                new.id,
                f"{entity}s/{new.id}/parent_id",
                old_names.get(old.parent_id),
                new_names.get(new.parent_id),
                detail=Detail(field="parent_id", note=f"the {entity} now stands under another {entity}"),
                **where,
            )

    # --- metadata -------------------------------------------------------------------------

    def _metadata(self) -> None:
        old, new = self.old.agreement, self.new.agreement
        for name in METADATA_FIELDS:
            before, after = getattr(old, name), getattr(new, name)
            if _plain(before) != _plain(after):
                self._add(
                    "changed",
                    "agreement",
                    name,
                    f"agreement/{name}",
                    _plain(before),
                    _plain(after),
                    detail=Detail(field=name),
                )

    # --- goals and their yearly targets ---------------------------------------------------

    def _goals(self) -> None:
        old_titles = {g.id: g.title for g in self.old.goals}
        new_titles = {g.id: g.title for g in self.new.goals}
        for pair in _in_new_order(self.goals):
            where = self._item("goal", pair, lambda g: g.title, _targets, self._target)
            if where is None:
                continue
            old, new = pair.old, pair.new
            self._parent("goal", old, new, self.goal_map, old_titles, new_titles, where)
            pairs = _pair_by_year(_targets(old), _targets(new), lambda a, b: _text(a.text) == _text(b.text))
            for before, after in pairs:
                if before is None or after is None:
                    self._target("added" if before is None else "removed", new, before, after, old_goal=old)
                else:
                    self._target_change(old, new, before, after)

    def _target(
        self,
        change: str,
        goal: s.Goal,
        old: s.Target | None,
        new: s.Target | None,
        *,
        old_goal: s.Goal | None = None,
    ) -> None:
        target = new or old
        extra = {"old_id": old_goal.id} if old_goal is not None and old_goal.id != goal.id else {}
        self._add(
            change,
            "target",
            goal.id,
            f"goals/{goal.id}/targets/{target.year}",
            old.text if old else None,
            new.text if new else None,
            detail=Detail(year=target.year),
            title=goal.title,
            old_provenance=old.provenance if old else None,
            new_provenance=new.provenance if new else None,
            **extra,
        )

    def _target_change(self, old_goal: s.Goal, goal: s.Goal, old: s.Target, new: s.Target) -> None:
        where = {"title": goal.title, "old_provenance": old.provenance, "new_provenance": new.provenance}
        if old_goal.id != goal.id:
            where["old_id"] = old_goal.id
        path = f"goals/{goal.id}/targets/{new.year}"
        if _text(old.text) != _text(new.text):
            numbers = {}
            if [(q.value, q.unit) for q in old.numbers] != [(q.value, q.unit) for q in new.numbers]:
                numbers = {"old_numbers": old.numbers, "new_numbers": new.numbers}
            self._add(
                "changed",
                "target",
                goal.id,
                path,
                old.text,
                new.text,
                detail=Detail(
                    field="text",
                    year=new.year,
                    words=word_changes(old.text, new.text),
                    spelling_fix=spelling_fix(old.text, new.text),
                    **numbers,
                ),
                **where,
            )
        if _text(old.satisfactory) != _text(new.satisfactory):
            words = word_changes(old.satisfactory or "", new.satisfactory or "")
            self._add(
                "changed",
                "target",
                goal.id,
                f"{path}/satisfactory",
                old.satisfactory,
                new.satisfactory,
                detail=Detail(
                    field="satisfactory",
                    year=new.year,
                    words=words,
                    spelling_fix=spelling_fix(old.satisfactory or "", new.satisfactory or ""),
                ),
                **where,
            )

    # --- indicators and their yearly values -----------------------------------------------

    def _indicators(self) -> None:
        old_names = {i.id: i.name for i in self.old.indicators}
        new_names = {i.id: i.name for i in self.new.indicators}
        old_tables = {t.id: t for t in self.old.tables}
        new_tables = {t.id: t for t in self.new.tables}
        for pair in _in_new_order(self.indicators):
            where = self._item("indicator", pair, lambda i: i.name, lambda i: i.values, self._value)
            if where is None:
                continue
            old, new = pair.old, pair.new
            for name in ("unit", "scale", "budget_target", "footnotes"):
                before, after = getattr(old, name), getattr(new, name)
                if before != after:
                    self._add(
                        "changed",
                        "indicator",
                        new.id,
                        f"indicators/{new.id}/{name}",
                        before,
                        after,
                        detail=Detail(field=name, unit=new.unit),
                        **where,
                    )
            if self.table_map.get(old.table_id) != new.table_id and (old.table_id or new.table_id):
                before_table, after_table = old_tables.get(old.table_id), new_tables.get(new.table_id)
                self._add(
                    "changed",
                    "indicator",
                    new.id,
                    f"indicators/{new.id}/table_id",
                    before_table and table_name(before_table),
                    after_table and table_name(after_table),
                    detail=Detail(field="table_id", note="the indicator now stands in another table"),
                    **where,
                )
            self._parent("indicator", old, new, self.indicator_map, old_names, new_names, where)
            # The years that left the table at its start, and came in at its end: the table rolled on.
            old_years, new_years = _years(old_tables, old), _years(new_tables, new)
            gone = {y for y in old_years if new_years and y < min(new_years)}
            came = {y for y in new_years if old_years and y > max(old_years)}
            for before, after in _pair_by_year(old.values, new.values, lambda a, b: a.kind == b.kind):
                if before is None:
                    self._value("added", old, None, after, owner=new, rollover=after.year in came)
                elif after is None:
                    self._value("removed", old, before, None, owner=new, rollover=before.year in gone)
                else:
                    self._value_change(old, new, before, after)

    def _value(
        self,
        change: str,
        indicator: s.Indicator,
        old: s.IndicatorValue | None,
        new: s.IndicatorValue | None,
        *,
        owner: s.Indicator | None = None,
        **extra,
    ) -> None:
        owner = owner or indicator
        year = (new or old).year
        detail = Detail(
            year=year,
            old_kind=old.kind if old else None,
            new_kind=new.kind if new else None,
            old_label=old.label if old else None,
            new_label=new.label if new else None,
            old_text=old.text if old else None,
            new_text=new.text if new else None,
            old_comparator=old.comparator if old else None,
            new_comparator=new.comparator if new else None,
            old_value_max=old.value_max if old else None,
            new_value_max=new.value_max if new else None,
            unit=owner.unit,
            **_movement(old, new),
            **extra,
        )
        self._add(
            change,
            "value",
            owner.id,
            f"indicators/{owner.id}/values/{year}",
            _value_of(old) if old else None,
            _value_of(new) if new else None,
            detail=detail,
            title=owner.name,
            old_provenance=old.provenance if old else None,
            new_provenance=new.provenance if new else None,
            **({"old_id": indicator.id} if indicator.id != owner.id else {}),
        )

    def _value_change(self, old_indicator: s.Indicator, indicator: s.Indicator, old, new) -> None:
        """One year's figure in both versions: the same kind with another figure is a change (of the
        number, or only of its comparison or range: ``field`` says which); a preliminary kind that
        became the final one is confirmed; any other change of kind (the 2025 target is now the 2025
        estimate) is a change of ``kind``. Confirmed values and kinds that moved on with the figure
        unchanged are marked ``rollover``: nothing but the years rolling on."""
        differs = _differences(old, new)
        note = _figure_note(old, new, differs)
        if old.kind == new.kind:
            if differs:
                field = None if "value" in differs else differs[0]
                self._value("changed", old_indicator, old, new, owner=indicator, field=field, note=note)
        elif (old.kind, new.kind) in CONFIRMATIONS:
            self._value("confirmed", old_indicator, old, new, owner=indicator, note=note, rollover=not differs)
        else:
            advanced = STAGES.get(new.kind, -1) > STAGES.get(old.kind, 5)
            self._value(
                "changed", old_indicator, old, new, owner=indicator, field="kind", note=note,
                rollover=advanced and not differs,
            )  # fmt: skip

    # --- tables and sections: context for reviewers ---------------------------------------

    def _outline(self, entity: str, matching: Matching, name, provenance, same: Callable) -> None:
        """Tables and sections that came, went or were renamed (a table whose years rolled on, or whose
        caption only names other years, is the same table and no renaming)."""
        plural = f"{entity}s"
        for item_match in _in_new_order(matching):
            old, new = item_match.old, item_match.new
            if old is None:
                self._add(
                    "added",
                    entity,
                    new.id,
                    f"{plural}/{new.id}",
                    None,
                    name(new),
                    title=name(new),
                    new_provenance=provenance(new),
                )
            elif new is None:
                self._add(
                    "removed",
                    entity,
                    old.id,
                    f"{plural}/{old.id}",
                    name(old),
                    None,
                    title=name(old),
                    old_provenance=provenance(old),
                )
            elif not same(old, new):
                self._add(
                    "renamed",
                    entity,
                    new.id,
                    f"{plural}/{new.id}",
                    name(old),
                    name(new),
                    title=name(new),
                    detail=Detail(
                        words=word_changes(name(old), name(new)),
                        similarity=item_match.similarity,
                        uncertain=item_match.uncertain,
                        spelling_fix=spelling_fix(name(old), name(new)),
                    ),
                    old_provenance=provenance(old),
                    new_provenance=provenance(new),
                    **({"old_id": old.id} if old.id != new.id else {}),
                )


class _Pair:
    """A matched pair, or one side alone (``old`` or ``new`` is None)."""

    __slots__ = ("new", "old", "similarity", "uncertain")

    def __init__(self, old, new, similarity: float = 1.0, uncertain: bool = False) -> None:
        self.old, self.new, self.similarity, self.uncertain = old, new, similarity, uncertain


def _in_new_order(matching: Matching) -> list[_Pair]:
    """Pairs and added items in the new version's order, each removed item right after the item
    that preceded it in the old version: a reviewer sees it where it used to stand."""
    match_of_new = {id(m.new): m for m in matching.matches}
    slots: list[_Pair] = []
    slot_of_old: dict[int, int] = {}
    for item in matching.new_items:
        match = match_of_new.get(id(item))
        if match is None:
            slots.append(_Pair(None, item))
        else:
            slot_of_old[id(match.old)] = len(slots)
            slots.append(_Pair(match.old, match.new, match.similarity, match.uncertain))
    insertions: list[tuple[int, int, _Pair]] = []
    previous = -1
    for order, item in enumerate(matching.old_items):
        if id(item) in slot_of_old:
            previous = slot_of_old[id(item)]
        else:
            insertions.append((previous, order, _Pair(item, None)))
    for previous, _, pair in sorted(insertions, key=lambda t: (t[0], t[1]), reverse=True):
        slots.insert(previous + 1, pair)
    return slots


def _plain(value):
    """A metadata value as JSON-ready data (dates as ISO strings, models as dicts)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
