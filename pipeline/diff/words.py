"""Word-level change of a text: which words a revision kept, deleted and inserted."""

from __future__ import annotations

import difflib

from schemas.diff import WordChange


def word_changes(old: str, new: str) -> list[WordChange]:
    """Runs of ``equal``/``delete``/``insert`` words; a replacement is a deletion then an insertion.

    Words are whitespace-separated tokens with their punctuation (``75 %.``), so re-wrapped lines
    and doubled spaces are no change, and joining the runs' texts with spaces gives either side.
    """
    a, b = old.split(), new.split()
    runs: list[WordChange] = []

    def add(op: str, tokens: list[str]) -> None:
        if not tokens:
            return
        if runs and runs[-1].op == op:
            runs[-1] = WordChange(op=op, text=f"{runs[-1].text} {' '.join(tokens)}")
        else:
            runs.append(WordChange(op=op, text=" ".join(tokens)))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return runs
