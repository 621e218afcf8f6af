"""The package problem of one project: candidates with their terms, the firm's financials, the options.

Units: amounts are whole 万元 (the solver's step); annual money is in 元 (1 元 = 0.0001 万元), so a rate
in basis points times an amount in 万元 is an exact integer number of 元 per year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Objective = Literal["cost", "probability", "dilution"]
OBJECTIVES: tuple[Objective, ...] = ("cost", "probability", "dilution")
OBJECTIVE_LABELS: dict[str, str] = {"cost": "年综合成本最低", "probability": "全部落地概率最高",
                                    "dilution": "股权稀释最少"}
# Subsidy kinds: interest (贴息), premium (保费补贴), fee (担保费补贴), grant (后补助: cash)
SubsidyKind = Literal["interest", "premium", "fee", "grant"]
SUBSIDY_LABELS: dict[str, str] = {"interest": "贷款贴息", "premium": "保费补贴", "fee": "担保费补贴",
                                  "grant": "后补助"}
CASH_FAMILIES = ("equity", "loan")
YUAN_PER_WAN = 10_000
LOG_SCALE = 1_000_000  # log-probabilities are scaled to integers with this factor

# -- assumptions (each one is stated in docs/notes/packaging.md and in the reasons shown) --------------
DEFAULT_DILUTION_CAP = 0.20  # a typical single equity round gives up 15-25%; the user may change it
ASSETS_PER_REVENUE = 1.0  # total assets ≈ revenue (科技型中小企业 tests both at ≤ 2亿; asset turnover ≈ 1)
REVENUE_MULTIPLE = 3.0  # pre-money valuation ≈ 3× revenue, floored by stage below (estimates)
STAGE_VALUATION_FLOOR_WAN: dict[str, float] = {"tech_research": 2000.0, "proof_of_concept": 3000.0,
                                               "pilot": 5000.0, "incubation": 5000.0, "scale_up": 10000.0}
DEFAULT_LOAN_RATE_PCT = 3.0  # about the 1-year LPR (domain.md: 科创贷 near or below LPR)
DEFAULT_GUARANTEE_FEE_PCT = 1.0  # national sci-tech guarantee plan: average fee to fall below 1%
DEFAULT_PREMIUM_PCT = 2.0  # 中试险 premium 1-3% of the sum insured
DEFAULT_INTEREST_SUBSIDY_PP = 0.5  # low end of the 0.5-3 point range when a product states none
DEFAULT_SUBSIDY_SHARE = 0.5  # premium / guarantee-fee subsidies: half, the usual published share
EQUIPMENT_SHARE_OF_PILOT = 0.6  # equipment-based grants: equipment ≈ 60% of the pilot cost (estimate)
GUARANTEE_COVER = 1.0  # a guarantee standing in for collateral covers the whole loan
DEFAULT_TOP_PER_FAMILY = 25  # candidates per family, best match score first


@dataclass(frozen=True)
class Subsidy:
    """What a subsidy product does: ``pp_bp`` interest points, ``share`` of a premium or fee, caps."""

    kind: SubsidyKind
    pp_bp: int = 0  # interest subsidy in basis points of the loan principal
    share: float = 0.0  # premium / fee share
    annual_cap_wan: float | None = None  # most paid per year (interest, premium, fee) or in all (grant)
    principal_cap_wan: float | None = None  # interest subsidy only on the principal up to this
    targets: frozenset[str] | None = None  # product ids it may subsidise (None: any of its kind)


@dataclass(frozen=True)
class Candidate:
    """One product the project may use, with the terms the solver works with."""

    product_id: str
    name: str
    family: str  # equity | loan | guarantee | insurance | subsidy
    kind: str | None
    institution_id: str
    institution_name: str | None
    probability: float
    score: float
    lo: int  # least amount (万元); for insurance the sum insured
    hi: int  # most amount after the ticket, the remaining budget and the need
    rate_bp: int = 0  # loan interest / guarantee fee / premium rate, basis points a year
    needs_guarantee: bool = False  # a loan that requires collateral the firm does not have
    max_debt_ratio: float | None = None
    subsidy: Subsidy | None = None
    notes: tuple[str, ...] = ()  # assumptions made for this product, in Chinese

    @property
    def group(self) -> str:
        """The 'one per family' group: subsidies count per kind (贴息 and 保费补贴 are separate programmes)."""
        if self.family == "subsidy" and self.subsidy is not None:
            return f"subsidy:{self.subsidy.kind}"
        return self.family

    @property
    def is_cash(self) -> bool:
        return self.family in CASH_FAMILIES or (self.subsidy is not None and self.subsidy.kind == "grant")


@dataclass(frozen=True)
class Financials:
    """The firm's balance sheet as far as it can be estimated (None: unknown, the check is skipped)."""

    assets_wan: float | None
    debt_wan: float | None
    pre_money_wan: float
    notes: tuple[str, ...] = ()  # how each figure was estimated, or why it is missing


@dataclass(frozen=True)
class PackageOptions:
    """What the user may set; defaults are the stated assumptions."""

    max_per_family: dict[str, int] = field(default_factory=dict)  # group -> most products (default 1)
    debt_ratio_cap: float | None = None  # the user's own cap on the debt ratio after the loans
    dilution_cap: float = DEFAULT_DILUTION_CAP
    insurance_with_loan: bool = True  # a package with a loan carries a pilot insurance when one is eligible
    time_limit_s: float = 5.0
    alternatives: int = 5

    def limit(self, group: str) -> int:
        return int(self.max_per_family.get(group, self.max_per_family.get(group.split(":")[0], 1)))


@dataclass(frozen=True)
class PackageProblem:
    project_id: str
    need_wan: int
    candidates: tuple[Candidate, ...]
    financials: Financials
    options: PackageOptions = field(default_factory=PackageOptions)
    unusable: tuple[tuple[str, str], ...] = ()  # (product_id, why it cannot be part of a package)

    def by_id(self) -> dict[str, Candidate]:
        return {c.product_id: c for c in self.candidates}

    def equity_limit_wan(self) -> int:
        """Most equity under the dilution cap: E / (pre + E) ≤ cap  ⇔  E ≤ cap / (1 - cap) · pre."""
        cap = self.options.dilution_cap
        if cap >= 1:
            return self.need_wan
        return int(cap / (1 - cap) * self.financials.pre_money_wan + 1e-9)

    def debt_caps(self) -> list[tuple[str | None, float]]:
        """(loan id or None for the user's cap, cap) pairs the debt-ratio rows use."""
        caps: list[tuple[str | None, float]] = [(c.product_id, c.max_debt_ratio) for c in self.candidates
                                                if c.family == "loan" and c.max_debt_ratio is not None]
        if self.options.debt_ratio_cap is not None:
            caps.append((None, self.options.debt_ratio_cap))
        return caps


@dataclass(frozen=True)
class Part:
    product_id: str
    family: str
    amount_wan: int
    supports: str | None = None
    saving_yuan: int = 0  # for subsidies: what it takes off the annual cost (grants: 0)


@dataclass
class Package:
    """A solved package with its figures (computed from the parts, not read back from the solver)."""

    objective: str
    parts: list[Part]
    need_wan: int
    covered_wan: int
    annual_cost_yuan: int  # interest + guarantee fees + premiums - subsidies
    gross_cost_yuan: int
    probability: float
    equity_wan: int
    equity_share: float
    debt_ratio_after: float | None
    optimal: bool = True
    solver: str = "cp-sat"
    solve_seconds: float = 0.0
    log_score: int = 0  # sum of scaled log-probabilities (what the probability objective maximises)

    @property
    def uncovered_wan(self) -> int:
        return max(0, self.need_wan - self.covered_wan)

    @property
    def status(self) -> str:
        if self.covered_wan <= 0:
            return "none"
        return "covered" if self.uncovered_wan == 0 else "partial"

    def signature(self) -> tuple[tuple[str, int, str | None], ...]:
        return tuple(sorted((p.product_id, p.amount_wan, p.supports) for p in self.parts))
