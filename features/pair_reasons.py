"""Chinese reasons for a ranked pair, about the project: its revenue, TRL, need, certifications, text match.

A reason is shown when a feature pushed the pair up (positive contribution) and its value reads right.
:func:`reason_text` turns (feature, value) into a phrase that quotes the project's own figure ("上年营收
约 3,200 万元"), so two projects rarely share a reason. Features that are constant across a product's
prospects (the product's or institution's own history, the product's rate or kind) never give a reason:
they say nothing about why *this* project fits. Reasons are computed per shown row only, by whoever calls
``reason_text`` for the rows a view displays.
"""

from __future__ import annotations

import math
from collections.abc import Callable

STAGE_LABELS = ("技术研发", "概念验证", "中试", "孵化", "规模化")  # order of pair_columns.STAGES
TAX_LABELS = {4: "A", 3: "B", 2: "M", 1: "C", 0: "D"}
# features that are the same for every prospect of one product: never a reason about the project
PRODUCT_LEVEL = frozenset({"hist_product_meet_rate", "hist_inst_meet_rate", "hist_inst_sign_rate", "hist_inst_n",
                           "rate_rel_family", "kind_pilot", "kind_ip",
                           # the institution's record with a sector or city: the same for every such prospect
                           "hist_inst_sector_sign_rate", "hist_inst_sector_meet_rate", "hist_inst_city_meet_rate"})
# yes/no facts most prospects of a product share (the eligibility check already required most of them):
# as a reason they read the same on every row, so the figure-quoting reasons below take their place
# (certifications show as ``n_certs`` and in the prospect list's own column).
COMMON_FLAGS = frozenset({"type_pref", "sector_match", "stage_match", "trl_distance", "trl_centre_gap", "city_match",
                          "home_city", "profitable", "cert_high_tech", "cert_tech_sme", "cert_little_giant",
                          "cert_growth"})


def _wan(v: float) -> str:
    if v >= 10000:
        return f"{v / 10000:.2f} 亿元"
    return f"{v:,.0f} 万元"


def _expm1(v: float) -> float:
    return math.expm1(v)


def _unslog(v: float) -> float:
    return math.copysign(math.expm1(abs(v)), v)


def _stage(v: float) -> str | None:
    k = int(round(v))
    return f"项目处于{STAGE_LABELS[k]}阶段，契合产品投资偏好" if 0 <= k < len(STAGE_LABELS) else None


# feature → (lowest value, highest value, phrase of the value); None from the phrase means "do not show"
Phrase = Callable[[float], "str | None"]
PHRASES: dict[str, tuple[float, float, Phrase]] = {
    "bm25_norm": (0.5, math.inf, lambda v: f"项目简介与产品说明关键词吻合度 {min(v, 1.0) * 100:.0f}%"),
    "bm25": (1.0, math.inf, lambda v: f"项目简介与产品说明关键词相关度 {v:.1f}"),
    "embedding_cosine": (0.0, math.inf, lambda v: f"项目简介与产品说明语义相似度 {v * 100:.1f}%"),
    "text_sector_affinity": (0.3, 1.0, lambda v: f"产品说明与项目所属领域吻合度 {v * 100:.1f}%"),
    "need_log": (0.0, math.inf, lambda v: f"融资需求 {_wan(_expm1(v))}，与产品额度相称"),
    "amount_position": (0.2, 0.8, lambda v: f"融资需求位于产品额度区间的 {v * 100:.0f}% 处"),
    "amount_log_ratio": (-1.0, 1.0, lambda v: f"融资需求约为产品典型单户额度的 {math.exp(v):.1f} 倍"),
    "amount_ratio_max": (0.1, 1.0, lambda v: f"融资需求占产品单户上限的 {v * 100:.0f}%"),
    "budget_cover_log": (0.0, math.inf, lambda v: f"产品剩余额度可覆盖本项目需求 {math.exp(v):.0f} 倍"),
    "type_pref": (1.0, 1.0, lambda v: "企业意向融资方式与产品类别一致"),
    "sector_match": (1.0, 1.0, lambda v: "项目领域属于产品重点支持领域"),
    "sector_match_conf": (0.5, 0.995, lambda v: f"据项目简介判断属于产品重点支持领域（把握 {v * 100:.0f}%）"),
    "stage_match": (1.0, 1.0, lambda v: "项目阶段符合产品定位"),
    "stage_idx": (-math.inf, math.inf, _stage),
    "trl": (1.0, 9.0, lambda v: f"技术成熟度 TRL {v:.0f} 级，契合产品偏好"),
    "trl_distance": (0.0, 0.0, lambda v: "技术成熟度落在产品支持区间内"),
    "trl_centre_gap": (-1.0, 1.0, lambda v: "技术成熟度接近产品支持区间中部"),
    "months_to_production": (0.0, 36.0, lambda v: f"预计 {v:.0f} 个月内量产"),
    "city_match": (1.0, 1.0, lambda v: "企业位于产品重点服务城市"),
    "home_city": (1.0, 1.0, lambda v: "企业与机构同城，便于对接服务"),
    "first_loan_product": (1.0, 1.0, lambda v: "企业为首贷户，产品设有首贷支持"),
    "first_time_borrower": (1.0, 1.0, lambda v: "企业为首贷户，可享首贷专项支持"),
    "hazard_product_text": (1.0, 1.0, lambda v: "项目涉危化品，产品覆盖相应风险"),
    "three_firsts_match": (1.0, 1.0, lambda v: "项目“三首”类型与产品保障范围对应"),
    "collateral_loan": (1.0, 1.0, lambda v: "企业有抵押物，贷款增信充足"),
    "no_collateral_guarantee": (1.0, 1.0, lambda v: "企业缺少抵押物，担保可增信"),
    "profitable": (1.0, 1.0, lambda v: "企业上年实现盈利"),
    "profit_slog": (0.0, math.inf, lambda v: f"企业上年净利润 {_wan(_unslog(v))}"),
    "revenue_log": (math.log1p(50.0), math.inf, lambda v: f"企业上年营收 {_wan(_expm1(v))}，规模符合产品偏好"),
    "employees_log": (0.0, math.inf, lambda v: f"企业员工约 {_expm1(v):.0f} 人"),
    "age_years": (1.0, 100.0, lambda v: f"企业成立 {v:.0f} 年"),
    "patents_log": (0.69, math.inf, lambda v: f"拥有发明专利 {_expm1(v):.0f} 项"),
    "rd_ratio": (0.05, 1.0, lambda v: f"研发投入占营收 {v * 100:.1f}%"),
    "debt_ratio": (0.0, 0.6, lambda v: f"资产负债率 {v * 100:.0f}%，处于合理水平"),
    "tax_rank": (3.0, 4.0, lambda v: f"纳税信用 {TAX_LABELS.get(int(round(v)), '良好')} 级"),
    "n_certs": (1.0, math.inf, lambda v: f"持有 {v:.0f} 项科技企业资质"),
    "cert_high_tech": (1.0, 1.0, lambda v: "已认定为高新技术企业"),
    "cert_tech_sme": (1.0, 1.0, lambda v: "已入库科技型中小企业"),
    "cert_little_giant": (1.0, 1.0, lambda v: "具备专精特新资质"),
    "cert_growth": (1.0, 1.0, lambda v: "具备瞪羚或“小巨人”等成长型资质"),
    "government_supported": (1.0, 1.0, lambda v: "项目获财政科技项目支持"),
    "has_platform": (1.0, 1.0, lambda v: "依托中试平台开展中试"),
}


def reason_text(feature: str, value: float | None) -> str | None:
    """The phrase for a feature that pushed a pair up, quoting the project's value; None when it reads
    wrong, is missing, or the feature is the same for every project of the product."""
    if feature in PRODUCT_LEVEL or feature in COMMON_FLAGS or value is None:
        return None
    entry = PHRASES.get(feature)
    v = float(value)
    if entry is None or math.isnan(v):
        return None
    lo, hi, phrase = entry
    if not lo <= v <= hi:
        return None
    try:
        return phrase(v)
    except (OverflowError, ValueError):
        return None


# Kept for callers that read the old table shape (feature → (phrase, lowest, highest)).
REASONS: dict[str, tuple[str, float, float]] = {k: (k, lo, hi) for k, (lo, hi, _) in PHRASES.items()}
