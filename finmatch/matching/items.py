"""What the engine's views hand out: ranked items, ineligible and to-confirm items, a project's sector.

Plain dataclasses (no pandas), shared by the CLI, the API payloads, packages and hand-outs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from finmatch.enums import Sector


@dataclass
class MatchItem:
    product_id: str
    rank: int
    score: float
    probability: float
    family: str
    institution_id: str
    reasons: list[str]
    eligibility_reasons: list[str]
    unknown: list[str] = field(default_factory=list)


@dataclass
class IneligibleItem:
    product_id: str
    family: str
    institution_id: str
    failed: list[str]
    reasons: list[str]
    what_if: list[dict[str, Any]]


@dataclass
class ConfirmItem:
    """An eligible product whose only open clauses are facts the project has not given (待确认)."""

    product_id: str
    family: str
    institution_id: str
    score: float
    unknown: list[str]  # the clause fields still open
    facts: list[str]  # Chinese: what would decide each of them


@dataclass
class ProjectSector:
    sector: str | None
    sector_inferred: bool
    sector_confidence: float | None
    uncertain: bool = False
    second: str | None = None
    second_confidence: float | None = None

    def reason(self) -> str | None:
        if not self.sector_inferred or self.sector is None:
            return None
        conf = self.sector_confidence if self.sector_confidence is not None else math.nan
        if self.uncertain and self.second:
            return (f"所属领域待确认：根据项目简介可能为 {Sector(self.sector).label}（{conf:.0%}）"
                    f"或 {Sector(self.second).label}（{(self.second_confidence or 0):.0%}）")
        return f"所属领域根据项目简介推断为 {Sector(self.sector).label}（置信度 {conf:.0%}）"

    def candidates(self) -> list[dict[str, Any]]:
        out = []
        for code, conf in ((self.sector, self.sector_confidence), (self.second, self.second_confidence)):
            if self.sector_inferred and code:
                out.append({"sector": code, "confidence": None if conf is None else round(float(conf), 4)})
        return out
