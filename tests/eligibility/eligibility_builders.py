"""Small builders of project and product frames for the eligibility tests (via the pydantic models)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from finmatch.eligibility import EligibilityResult, evaluate
from finmatch.frames import products_frame, projects_frame
from finmatch.schemas import Enterprise, Institution, Product, Project

TODAY = dt.date(2025, 6, 30)

ENTERPRISE_DEFAULTS: dict[str, Any] = {
    "enterprise_id": "E1", "name": "广西示例科技有限公司", "city": "南宁", "founded_year": 2018,
    "annual_revenue_wan": 5000, "net_profit_wan": 300, "debt_ratio": 0.5, "certifications": ["high_tech"],
    "tax_grade": "A", "has_collateral": True,
}
PROJECT_DEFAULTS: dict[str, Any] = {
    "project_id": "P1", "enterprise_id": "E1", "name": "储能电池中试线", "sector": "new_energy_storage",
    "stage": "pilot", "trl": 6, "funding_need_wan": 1000,
}
PRODUCT_DEFAULTS: dict[str, Any] = {
    "product_id": "Q1", "institution_id": "I1", "name": "科创贷", "family": "loan",
}
INSTITUTIONS = {"I1": Institution(institution_id="I1", name="广西示例银行", type="bank"),
                "I2": Institution(institution_id="I2", name="广西示例担保", type="guarantor")}


def enterprise(**kw: Any) -> Enterprise:
    return Enterprise(**{**ENTERPRISE_DEFAULTS, **kw})


def project(**kw: Any) -> Project:
    return Project(**{**PROJECT_DEFAULTS, **kw})


def product(**kw: Any) -> Product:
    return Product(**{**PRODUCT_DEFAULTS, **kw})


def project_frame(projects: list[Project], enterprises: list[Enterprise]) -> pd.DataFrame:
    return projects_frame(projects, {e.enterprise_id: e for e in enterprises})


def product_frame(products: list[Product]) -> pd.DataFrame:
    return products_frame(products, INSTITUTIONS)


def one_pair(project_kw: dict[str, Any] | None = None, enterprise_kw: dict[str, Any] | None = None,
             product_kw: dict[str, Any] | None = None, today: dt.date = TODAY) -> EligibilityResult:
    """Evaluate a single default project against a single product, with overrides."""
    pf = project_frame([project(**(project_kw or {}))], [enterprise(**(enterprise_kw or {}))])
    qf = product_frame([product(**(product_kw or {}))])
    return evaluate(pf, qf, today=today)


def status_of(result: EligibilityResult, field: str, i: int = 0, j: int = 0) -> int:
    return int(result.status[field][i, j])
