"""Grouping source lines into blocks, shared by the text and Markdown readers."""

from __future__ import annotations

import regex

from pipeline.layout import Block, Cell, Provenance

LIST_ITEM = regex.compile(r"^(\s*)(?:[-•*–—▪]|\d{1,2}[.)])\s+(\S.*)$")


class BlockBuilder:
    """Accumulates lines into paragraphs, list items and tables; ``close`` ends the open block."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._open: Block | None = None

    def close(self) -> None:
        self._open = None

    def add(self, block: Block) -> None:
        self.close()
        self.blocks.append(block)

    def table_row(self, cells: list[Cell], prov: Provenance) -> None:
        if self._open is None or self._open.kind != "table":
            self._open = Block(kind="table", prov=prov)
            self.blocks.append(self._open)
        self._open.rows.append(cells)

    def text_line(self, line: str, prov: Provenance, *, list_items: bool = True) -> None:
        """A line of running text: starts a list item, or continues/starts a paragraph."""
        item = LIST_ITEM.match(line) if list_items else None
        if item:
            indent = len(item.group(1).expandtabs(4))
            self._open = Block(kind="list_item", prov=prov, lines=[item.group(2).strip()], level=indent // 2 + 1)
            self.blocks.append(self._open)
            return
        if self._open is not None and self._open.kind in ("paragraph", "list_item"):
            self._open.lines.append(line.strip())
            return
        self._open = Block(kind="paragraph", prov=prov, lines=[line.strip()])
        self.blocks.append(self._open)

    def finish(self) -> list[Block]:
        self.close()
        return self.blocks
