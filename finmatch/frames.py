"""Flat pandas frames of projects (joined with their enterprise) and products (with their institution).

Eligibility, feature builders and scorers all work on these two frames, so the column names below
are a shared contract: enums are their English codes, list fields are tuples of codes, missing
values are ``None``/``NaN``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from typing import Any

import pandas as pd

from finmatch.schemas import Enterprise, Institution, Product, Project

PROJECT_COLUMNS: tuple[str, ...] = (
    "project_id", "enterprise_id", "name", "description", "sector", "industry_type", "stage", "trl",
    "pilot_platform", "funding_need_wan", "funding_types", "months_to_production", "hazardous_chemicals",
    "three_firsts", "government_supported",
    # from the enterprise
    "enterprise_name", "credit_code", "city", "founded_year", "employees", "annual_revenue_wan",
    "net_profit_wan", "debt_ratio", "rd_ratio", "invention_patents", "certifications", "tax_grade",
    "has_collateral", "first_time_borrower",
)
PRODUCT_COLUMNS: tuple[str, ...] = (
    "product_id", "institution_id", "name", "family", "kind", "description", "sectors", "stages", "trl_min",
    "trl_max", "amount_min_wan", "amount_max_wan", "cities", "required_certifications_any", "min_revenue_wan",
    "max_revenue_wan", "min_company_age_years", "max_company_age_years", "max_debt_ratio", "requires_profit",
    "requires_collateral", "min_tax_grade", "excludes_hazardous", "requires_three_firsts", "rate_pct",
    "tenor_months", "budget_wan", "valid_to",
    # from the institution
    "institution_name", "institution_type",
)
_ENTERPRISE_FIELDS = ("credit_code", "city", "founded_year", "employees", "annual_revenue_wan", "net_profit_wan",
                      "debt_ratio", "rd_ratio", "invention_patents", "certifications", "tax_grade",
                      "has_collateral", "first_time_borrower")


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


def project_row(project: Project, enterprise: Enterprise | None) -> dict[str, Any]:
    row = {k: _plain(getattr(project, k)) for k in PROJECT_COLUMNS[:15]}
    row["enterprise_name"] = enterprise.name if enterprise else None
    for f in _ENTERPRISE_FIELDS:
        row[f] = _plain(getattr(enterprise, f)) if enterprise else None
    if enterprise is None:
        row["certifications"] = ()
        row["has_collateral"] = False
        row["first_time_borrower"] = False
    return row


def projects_frame(projects: Iterable[Project], enterprises: Mapping[str, Enterprise]) -> pd.DataFrame:
    """One row per project, indexed by ``project_id``, with its enterprise's columns joined in."""
    rows = [project_row(p, enterprises.get(p.enterprise_id)) for p in projects]
    frame = pd.DataFrame(rows, columns=list(PROJECT_COLUMNS))
    return frame.set_index("project_id", drop=False)


def product_row(product: Product, institution: Institution | None) -> dict[str, Any]:
    row = {k: _plain(getattr(product, k)) for k in PRODUCT_COLUMNS[:-2]}
    row["institution_name"] = institution.name if institution else None
    row["institution_type"] = institution.type.value if institution else None
    return row


def products_frame(products: Iterable[Product], institutions: Mapping[str, Institution]) -> pd.DataFrame:
    """One row per product, indexed by ``product_id``, with its institution's name and type."""
    rows = [product_row(p, institutions.get(p.institution_id)) for p in products]
    frame = pd.DataFrame(rows, columns=list(PRODUCT_COLUMNS))
    return frame.set_index("product_id", drop=False)
