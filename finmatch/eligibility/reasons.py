"""Short Simplified Chinese reasons, one per clause and status, quoting the numbers compared."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from typing import Any

from finmatch.eligibility.values import (
    FAIL,
    PASS,
    as_code,
    as_codes,
    as_float,
    city_of,
    date_ordinal,
)
from finmatch.enums import GUANGXI, Certification, Sector, Stage, TaxGrade, ThreeFirst


def fmt_num(x: float) -> str:
    """3000 -> '3,000'; 1234.5 -> '1,234.5' (thousands separators, no trailing zeros)."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def fmt_pct(x: float) -> str:
    return f"{x * 100:.2f}".rstrip("0").rstrip(".") + "%"


def _label(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)


def _labels(labels: dict[str, str], codes: tuple[str, ...] | None) -> str:
    return "、".join(_label(labels, c) for c in codes or ())


def _date(ordinal: float) -> str:
    return dt.date.fromordinal(int(ordinal)).isoformat()


def amount_word(family: Any) -> str:
    """Equity products invest a ticket; the others lend or cover a per-firm amount."""
    return "单笔投资额度" if as_code(family) == "equity" else "单户额度"


ReasonFn = Callable[[str, int, Mapping[str, Any], Mapping[str, Any], dt.date], str]


def sectors_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                   today: dt.date) -> str:
    """Reason for sectors."""
    p, q = project.get, product.get
    ok = status == PASS
    allowed = _labels(Sector.labels(), as_codes(q("sectors")))
    stated = as_code(p("sector"))
    inferred = as_code(p("inferred_sector"))
    if stated is not None:
        what = f"所属领域 {_label(Sector.labels(), stated)} "
    elif inferred is not None:
        conf = as_float(p("sector_confidence"))
        conf_text = f"，置信度 {conf:.2f}" if not math.isnan(conf) else ""
        what = f"所属领域（根据简介推断为 {_label(Sector.labels(), inferred)}{conf_text}）"
    else:
        return f"项目未填写所属领域，无法判断是否属于支持领域（{allowed}）"
    return f"{what}在支持领域内" if ok else f"{what}不在支持领域（{allowed}）内"


def stages_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                  today: dt.date) -> str:
    """Reason for stages."""
    p, q = project.get, product.get
    ok = status == PASS
    allowed = _labels(Stage.labels(), as_codes(q("stages")))
    stage = as_code(p("stage"))
    if stage is None:
        return f"项目未填写所处阶段，产品支持阶段为 {allowed}"
    what = f"所处阶段 {_label(Stage.labels(), stage)} "
    return f"{what}在支持阶段内" if ok else f"{what}不在支持阶段（{allowed}）内"


def trl_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
               today: dt.date) -> str:
    """Reason for trl_min, trl_max."""
    p, q = project.get, product.get
    ok = status == PASS
    limit = int(as_float(q(field)))
    trl = as_float(p("trl"))
    if field == "trl_min":
        if math.isnan(trl):
            return f"项目未填写技术成熟度，产品要求不低于 TRL {limit}"
        return f"技术成熟度 TRL {int(trl)} 达到下限 TRL {limit}" if ok else \
            f"技术成熟度 TRL {int(trl)} 低于下限 TRL {limit}"
    if math.isnan(trl):
        return f"项目未填写技术成熟度，产品要求不高于 TRL {limit}"
    return f"技术成熟度 TRL {int(trl)} 未超过上限 TRL {limit}" if ok else \
        f"技术成熟度 TRL {int(trl)} 超过上限 TRL {limit}"


def amount_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                  today: dt.date) -> str:
    """Reason for amount_min_wan, amount_max_wan, budget_wan."""
    p, q = project.get, product.get
    ok = status == PASS
    need = as_float(p("funding_need_wan"))
    bound = fmt_num(as_float(q(field)))
    word = amount_word(q("family"))
    if field == "budget_wan":
        if math.isnan(need):
            return f"项目未填写融资需求，产品剩余额度 {bound} 万元"
        return f"产品剩余额度 {bound} 万元 可覆盖融资需求 {fmt_num(need)} 万元" if ok else \
            f"产品剩余额度 {bound} 万元 不足融资需求 {fmt_num(need)} 万元"
    if math.isnan(need):
        side = "下限" if field == "amount_min_wan" else "上限"
        return f"项目未填写融资需求，{word}{side} {bound} 万元"
    if field == "amount_min_wan":
        return f"融资需求 {fmt_num(need)} 万元 不低于{word}下限 {bound} 万元" if ok else \
            f"融资需求 {fmt_num(need)} 万元 低于{word}下限 {bound} 万元"
    return f"融资需求 {fmt_num(need)} 万元 未超过{word}上限 {bound} 万元" if ok else \
        f"融资需求 {fmt_num(need)} 万元 超过{word}上限 {bound} 万元"


def cities_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                  today: dt.date) -> str:
    """Reason for cities."""
    p, q = project.get, product.get
    ok, bad = status == PASS, status == FAIL
    area = "、".join(as_codes(q("cities")) or ())
    city = city_of(p("city"))
    if city is None:
        return f"企业未填写所在城市，产品服务区域为 {area}"
    if city == GUANGXI and not ok and not bad:
        return f"企业所在地仅填写为 广西，未细化到城市，产品服务区域为 {area}"
    return f"企业所在城市 {city} 在服务区域（{area}）内" if ok else \
        f"企业所在城市 {city} 不在服务区域（{area}）内"


def certifications_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                          today: dt.date) -> str:
    """Reason for required_certifications_any."""
    p, q = project.get, product.get
    ok, bad = status == PASS, status == FAIL
    wanted = as_codes(q("required_certifications_any")) or ()
    wanted_text = _labels(Certification.labels(), wanted)
    if not ok and not bad:
        return f"缺少企业资质信息，产品要求具备其一：{wanted_text}"
    if ok:
        held = [c for c in as_codes(p("certifications")) or () if c in wanted]
        return f"企业具备 {_labels(Certification.labels(), tuple(held))}，满足资质要求（{wanted_text}，满足其一）"
    return f"企业不具备所需资质（{wanted_text}，满足其一即可）"


def revenue_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                   today: dt.date) -> str:
    """Reason for min_revenue_wan, max_revenue_wan."""
    p, q = project.get, product.get
    ok = status == PASS
    revenue = as_float(p("annual_revenue_wan"))
    bound = fmt_num(as_float(q(field)))
    side = "下限" if field == "min_revenue_wan" else "上限"
    if math.isnan(revenue):
        return f"企业未填写上年营业收入，产品营业收入{side} {bound} 万元"
    if field == "min_revenue_wan":
        return f"上年营业收入 {fmt_num(revenue)} 万元 达到下限 {bound} 万元" if ok else \
            f"上年营业收入 {fmt_num(revenue)} 万元 低于下限 {bound} 万元"
    return f"上年营业收入 {fmt_num(revenue)} 万元 未超过上限 {bound} 万元" if ok else \
        f"上年营业收入 {fmt_num(revenue)} 万元 超过上限 {bound} 万元"


def company_age_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                       today: dt.date) -> str:
    """Reason for min_company_age_years, max_company_age_years."""
    p, q = project.get, product.get
    ok = status == PASS
    founded = as_float(p("founded_year"))
    limit = int(as_float(q(field)))
    if math.isnan(founded):
        side = "满" if field == "min_company_age_years" else "不超过"
        return f"企业未填写成立年份，产品要求成立{side} {limit} 年"
    age = today.year - int(founded)
    head = f"企业成立 {age} 年（{int(founded)} 年成立）"
    if field == "min_company_age_years":
        return f"{head}，满足成立满 {limit} 年的要求" if ok else f"{head}，不足 {limit} 年的成立年限要求"
    return f"{head}，未超过成立年限上限 {limit} 年" if ok else f"{head}，超过成立年限上限 {limit} 年"


def debt_ratio_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                      today: dt.date) -> str:
    """Reason for max_debt_ratio."""
    p, q = project.get, product.get
    ok = status == PASS
    debt = as_float(p("debt_ratio"))
    bound = fmt_pct(as_float(q(field)))
    if math.isnan(debt):
        return f"企业未填写资产负债率，产品要求不超过 {bound}"
    return f"资产负债率 {fmt_pct(debt)} 未超过上限 {bound}" if ok else \
        f"资产负债率 {fmt_pct(debt)} 超过上限 {bound}"


def profit_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                  today: dt.date) -> str:
    """Reason for requires_profit."""
    p = project.get
    ok = status == PASS
    profit = as_float(p("net_profit_wan"))
    if math.isnan(profit):
        return "企业未填写上年净利润，产品要求上年盈利"
    return f"上年净利润 {fmt_num(profit)} 万元，满足盈利要求" if ok else \
        f"上年净利润 {fmt_num(profit)} 万元，产品要求上年盈利"


def collateral_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                      today: dt.date) -> str:
    """Reason for requires_collateral."""
    ok, bad = status == PASS, status == FAIL
    if ok:
        return "企业有抵押物，满足抵押要求"
    return "企业无抵押物，产品要求提供抵押（可引入担保替代）" if bad else "缺少企业抵押物信息，产品要求提供抵押"


def tax_grade_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                     today: dt.date) -> str:
    """Reason for min_tax_grade."""
    p, q = project.get, product.get
    ok = status == PASS
    bound = _label(TaxGrade.labels(), as_code(q(field)) or "")
    grade = as_code(p("tax_grade"))
    if grade is None:
        return f"企业未填写纳税信用等级，产品要求不低于 {bound}"
    grade_text = _label(TaxGrade.labels(), grade.upper())
    return f"纳税信用等级 {grade_text} 不低于要求的 {bound}" if ok else \
        f"纳税信用等级 {grade_text} 低于要求的 {bound}"


def hazardous_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                     today: dt.date) -> str:
    """Reason for excludes_hazardous."""
    ok, bad = status == PASS, status == FAIL
    if ok:
        return "项目不涉及危险化学品"
    return "项目涉及危险化学品，该产品不支持涉危化项目" if bad else "项目未说明是否涉及危险化学品，该产品不支持涉危化项目"


def three_firsts_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                        today: dt.date) -> str:
    """Reason for requires_three_firsts."""
    p = project.get
    ok, bad = status == PASS, status == FAIL
    if ok:
        return f"项目有三首产品（{_labels(ThreeFirst.labels(), as_codes(p('three_firsts')))}）"
    return "项目无三首产品，该产品仅支持三首产品" if bad else "项目未说明三首产品情况，该产品仅支持三首产品"


def valid_to_reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
                    today: dt.date) -> str:
    """Reason for valid_to."""
    q = product.get
    ok = status == PASS
    day = _date(date_ordinal(q("valid_to")))
    return f"产品有效期至 {day}，仍在有效期内" if ok else f"产品已于 {day} 到期"


# The project columns each clause's sentence reads: ``explain`` passes just these (read from column lists
# once per result) instead of the whole row, and words a sentence once per distinct project values and
# PRODUCT_COLUMNS values. A clause missing here gets the whole row, unmemoised; a reason that reads another
# key must add it (tests/eligibility/test_reason_columns.py checks every one).
PROJECT_COLUMNS: dict[str, tuple[str, ...]] = {
    "sectors": ("sector", "inferred_sector", "sector_confidence"),
    "stages": ("stage",),
    "trl_min": ("trl",),
    "trl_max": ("trl",),
    "amount_min_wan": ("funding_need_wan",),
    "amount_max_wan": ("funding_need_wan",),
    "cities": ("city",),
    "required_certifications_any": ("certifications",),
    "min_revenue_wan": ("annual_revenue_wan",),
    "max_revenue_wan": ("annual_revenue_wan",),
    "min_company_age_years": ("founded_year",),
    "max_company_age_years": ("founded_year",),
    "max_debt_ratio": ("debt_ratio",),
    "requires_profit": ("net_profit_wan",),
    "requires_collateral": (),
    "min_tax_grade": ("tax_grade",),
    "excludes_hazardous": (),
    "requires_three_firsts": ("three_firsts",),
    "valid_to": (),
    "budget_wan": ("funding_need_wan",),
}
PRODUCT_COLUMNS: dict[str, tuple[str, ...]] = {
    "sectors": ("sectors",),
    "stages": ("stages",),
    "trl_min": ("trl_min",),
    "trl_max": ("trl_max",),
    "amount_min_wan": ("amount_min_wan", "family"),
    "amount_max_wan": ("amount_max_wan", "family"),
    "cities": ("cities",),
    "required_certifications_any": ("required_certifications_any",),
    "min_revenue_wan": ("min_revenue_wan",),
    "max_revenue_wan": ("max_revenue_wan",),
    "min_company_age_years": ("min_company_age_years",),
    "max_company_age_years": ("max_company_age_years",),
    "max_debt_ratio": ("max_debt_ratio",),
    "requires_profit": (),
    "requires_collateral": (),
    "min_tax_grade": ("min_tax_grade",),
    "excludes_hazardous": (),
    "requires_three_firsts": (),
    "valid_to": ("valid_to",),
    "budget_wan": ("budget_wan", "family"),
}


def reason(field: str, status: int, project: Mapping[str, Any], product: Mapping[str, Any],
           today: dt.date) -> str:
    """The reason shown for one clause of one pair; ``status`` is PASS, FAIL or UNKNOWN."""
    from finmatch.eligibility.clause_registry import clause

    return clause(field).reason(field, status, project, product, today)
