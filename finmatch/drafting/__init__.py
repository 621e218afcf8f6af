"""Product drafts from policy texts (申报通知, product leaflets): rules read each field with the
sentence it came from, for a person to confirm or correct before saving. No online service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finmatch.drafting import rules
from finmatch.drafting.sectors import KeywordSectors, SectorFinder
from finmatch.drafting.text import read_path, read_text, sentences

FIELDS: tuple[str, ...] = (
    "name", "family", "kind", "amount_min_wan", "amount_max_wan", "rate_pct", "tenor_months",
    "required_certifications_any", "min_revenue_wan", "max_revenue_wan", "min_company_age_years",
    "max_company_age_years", "sectors", "stages", "cities", "valid_to", "requires_collateral", "max_debt_ratio",
    "min_tax_grade", "excludes_hazardous", "requires_three_firsts", "budget_wan", "trl_min")


@dataclass
class Draft:
    """Found fields (v1 product field names and values) and, for each, its source sentence."""

    fields: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, found: rules.Found) -> None:
        if found is not None and found[0] is not None and found[0] != []:
            self.fields[name] = found[0]
            self.evidence[name] = found[1].strip()

    def as_dict(self) -> dict[str, Any]:
        return {"draft": dict(self.fields), "evidence": dict(self.evidence)}


def draft_product(text: str, sectors: SectorFinder | None = None) -> Draft:
    """Every field the text states clearly; anything unclear is left out."""
    sents = sentences(text)
    d = Draft()
    kind = rules.kind(sents)
    d.put("name", rules.name(sents))
    d.put("family", rules.family(sents, kind))
    d.put("kind", kind)
    lo, hi = rules.amounts(sents)
    d.put("amount_min_wan", lo)
    d.put("amount_max_wan", hi)
    d.put("rate_pct", rules.rate(sents))
    d.put("tenor_months", rules.tenor(sents))
    d.put("required_certifications_any", rules.certifications(sents))
    lo, hi = rules.revenue(sents)
    d.put("min_revenue_wan", lo)
    d.put("max_revenue_wan", hi)
    lo, hi = rules.company_age(sents)
    d.put("min_company_age_years", lo)
    d.put("max_company_age_years", hi)
    codes, sentence = (sectors or KeywordSectors()).find(sents)
    if codes and sentence:
        d.put("sectors", (codes, sentence))
    d.put("stages", rules.stages(sents))
    d.put("cities", rules.cities(sents))
    d.put("valid_to", rules.valid_to(sents))
    d.put("requires_collateral", rules.collateral(sents))
    d.put("max_debt_ratio", rules.debt_ratio(sents))
    d.put("min_tax_grade", rules.tax_grade(sents))
    d.put("excludes_hazardous", rules.hazardous(sents))
    d.put("requires_three_firsts", rules.three_firsts(sents))
    d.put("budget_wan", rules.budget(sents))
    d.put("trl_min", rules.trl_min(sents))
    return d


__all__ = ["FIELDS", "Draft", "KeywordSectors", "SectorFinder", "draft_product", "read_path", "read_text"]
