"""Field-level precision and recall of the draft extractor on annotated notices.

A notice directory holds ``*.txt`` / ``*.docx`` / ``*.pdf`` files and ``expected.json``
(``{file: {field: value}}``, v1 product field values). A found field is right when it equals the
expected value (lists as sets, numbers to 1e-6); a found field with no or another expected value is
a false positive, an expected field not found or found wrong a false negative.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finmatch.drafting import draft_product, read_path
from finmatch.drafting.sectors import SectorFinder


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    fields: dict[str, FieldScore] = field(default_factory=dict)
    notices: int = 0
    mistakes: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # file, field, expected, found

    @property
    def total(self) -> FieldScore:
        s = FieldScore()
        for f in self.fields.values():
            s.tp, s.fp, s.fn = s.tp + f.tp, s.fp + f.fp, s.fn + f.fn
        return s


def same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return {str(x) for x in a} == {str(x) for x in b}
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 1e-6
    return str(a) == str(b)


def evaluate(directory: Path, sectors: SectorFinder | None = None) -> Evaluation:
    expected: dict[str, dict[str, Any]] = json.loads((directory / "expected.json").read_text("utf-8"))
    ev = Evaluation()
    for name, want in sorted(expected.items()):
        got = draft_product(read_path(directory / name), sectors).fields
        ev.notices += 1
        for f in sorted(set(want) | set(got)):
            score = ev.fields.setdefault(f, FieldScore())
            if f in got and f in want and same(got[f], want[f]):
                score.tp += 1
                continue
            if f in got:
                score.fp += 1
            if f in want:
                score.fn += 1
            ev.mistakes.append((name, f, want.get(f), got.get(f)))
    return ev


def table(ev: Evaluation) -> list[list[str]]:
    """Rows for printing: 字段, 正确, 误报, 漏报, 精确率, 召回率 (the last row is the total)."""
    rows = []
    for name, s in sorted(ev.fields.items()):
        rows.append([name, str(s.tp), str(s.fp), str(s.fn), f"{s.precision:.0%}", f"{s.recall:.0%}"])
    t = ev.total
    rows.append(["合计", str(t.tp), str(t.fp), str(t.fn), f"{t.precision:.1%}", f"{t.recall:.1%}"])
    return rows
