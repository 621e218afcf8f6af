"""Response models of the package routes (投贷保担补 financing packages, ``api/routes/packages.py``).

Field names are English (docs/data-format.md and the package contract in the README); descriptions
are Chinese for the OpenAPI page.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class PackagePartOut(BaseModel):
    product_id: str
    family: str = Field(description="产品大类：equity / loan / guarantee / insurance / subsidy")
    amount_wan: int = Field(description="金额（万元）；保险为保额，贴息/保费补贴/担保费补贴为 0")
    supports: str | None = Field(None, description="担保、保险、贴息类产品所支持的部分（产品编号）")
    product_name: str | None = None
    kind: str | None = None
    family_label: str | None = None
    institution_id: str | None = None
    institution_name: str | None = None
    probability: float | None = Field(None, description="该部分的对接概率")
    rate_pct: float | None = Field(None, description="利率/费率/保费率（%）；非本机构产品对金融机构隐藏")
    annual_cost_wan: float | None = Field(None, description="年成本（万元）")
    saving_wan: float | None = Field(None, description="补贴每年减少的成本（万元）")
    cash: bool = Field(True, description="是否计入资金覆盖（股权、贷款、后补助）")
    reason: str | None = None
    terms_hidden: bool = False


class PackageFigures(BaseModel):
    objective: str
    status: str = Field(description="covered 全部覆盖 / partial 部分覆盖 / none 无法组合")
    covered_wan: int = Field(description="资金覆盖（万元），只计股权、贷款与后补助")
    uncovered_wan: int
    annual_cost_wan: float | None = Field(description="年综合成本（万元）：利息+担保费+保费-补贴；"
                                                      "含他机构计价产品时对金融机构隐藏")
    costs_hidden: bool = False
    gross_cost_wan: float | None = None
    subsidy_wan: float | None = None
    cost_rate: float | None = Field(None, description="年综合成本 / 资金覆盖")
    probability: float = Field(description="全部部分都落地的概率")
    equity_wan: int | None = None
    equity_share: float = Field(description="股权稀释比例")
    debt_ratio_after: float | None = None
    optimal: bool | None = None
    solve_seconds: float | None = None
    objective_label: str | None = None
    parts: list[PackagePartOut]


class PackageWhatIf(BaseModel):
    change: str
    description: str
    effect: str
    params: dict[str, Any] = Field(default_factory=dict)
    covered_wan: int
    uncovered_wan: int
    annual_cost_wan: float | None
    probability: float
    equity_share: float
    parts: list[dict[str, Any]]


class ProjectPackage(PackageFigures):
    project_id: str
    project_name: str | None = None
    need_wan: int = Field(description="融资需求（万元）")
    steps: list[str] = Field(description="申请顺序及理由")
    reasons: list[str] = Field(description="各部分与约束的说明")
    constraints: list[str] = Field(default_factory=list, description="起作用的约束")
    assumptions: list[str] = Field(default_factory=list, description="估算与假设")
    dilution_cap: float | None = None
    pre_money_wan: float | None = None
    unusable: list[dict[str, Any]] = Field(default_factory=list)
    best: dict[str, PackageFigures] = Field(default_factory=dict, description="各优化目标的最优方案")
    alternatives: list[PackageFigures] = Field(default_factory=list, description="帕累托备选方案（3–5 个）")
    what_if: list[PackageWhatIf] = Field(default_factory=list)


class PackagesOut(BaseModel):
    model: str
    packages: dict[str, ProjectPackage]
