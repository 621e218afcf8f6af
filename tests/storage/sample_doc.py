"""A small, valid v1 document used by the storage, import and CLI tests."""

from __future__ import annotations

import random
from typing import Any

from finmatch import credit_code


def small_document() -> dict[str, Any]:
    rng = random.Random(7)
    return {
        "format": "finmatch/v1",
        "institutions": [
            {"institution_id": "I-BANK-01", "name": "广西北部湾银行南宁分行", "type": "bank", "city": "南宁"},
            {"institution_id": "I-FUND-01", "name": "广西科技成果转化基金管理公司", "type": "基金管理人", "city": "南宁"},
        ],
        "enterprises": [
            {"enterprise_id": "E0001", "name": "柳州新能源电池科技有限公司", "credit_code": credit_code.generate(rng, "450200"),
             "city": "柳州", "founded_year": 2018, "employees": 120, "annual_revenue_wan": 8600.5,
             "net_profit_wan": 520, "debt_ratio": 0.45, "rd_ratio": 0.08, "invention_patents": 12,
             "certifications": ["high_tech", "specialized_sme"], "tax_grade": "A", "has_collateral": True,
             "first_time_borrower": False, "contact_person": "李工", "contact_phone": "0772-1234567"},
            {"enterprise_id": "E0002", "name": "桂林生物医药研究有限公司", "credit_code": credit_code.generate(rng, "450300"),
             "city": "桂林", "founded_year": 2022, "employees": 35, "annual_revenue_wan": 900,
             "net_profit_wan": -120, "debt_ratio": 0.62, "rd_ratio": 0.25, "invention_patents": 4,
             "certifications": ["tech_sme"], "tax_grade": "B", "has_collateral": False, "first_time_borrower": True},
        ],
        "projects": [
            {"project_id": "XM0001", "enterprise_id": "E0001", "name": "固态电池中试线建设",
             "description": "建设年产 50MWh 固态电池中试线，完成电解质膜工艺验证，资金用于涂布设备采购。",
             "sector": "new_energy_storage", "industry_type": "discrete", "stage": "pilot", "trl": 6,
             "funding_need_wan": 3000, "funding_types": ["loan", "equity"], "months_to_production": 18,
             "hazardous_chemicals": False, "three_firsts": [], "government_supported": True},
            {"project_id": "XM0002", "enterprise_id": "E0002", "name": "新型抗体药物中试放大",
             "description": "单克隆抗体药物 GMP 中试放大，完成三批次工艺验证。", "sector": None,
             "stage": "proof_of_concept", "trl": None, "funding_need_wan": 1200, "funding_types": [],
             "hazardous_chemicals": True, "three_firsts": ["first_batch"], "government_supported": False},
        ],
        "products": [
            {"product_id": "P-LOAN-001", "institution_id": "I-BANK-01", "name": "科创贷", "family": "loan",
             "kind": "科创贷", "description": "面向科技型中小企业的信用贷款", "sectors": [], "stages": [],
             "amount_min_wan": 100, "amount_max_wan": 3000, "cities": ["广西"],
             "required_certifications_any": ["high_tech", "tech_sme"], "max_debt_ratio": 0.7,
             "requires_profit": True, "min_tax_grade": "B", "min_company_age_years": 2, "rate_pct": 2.8,
             "tenor_months": 36, "valid_to": "2027-12-31"},
            {"product_id": "P-EQ-001", "institution_id": "I-FUND-01", "name": "新能源子基金", "family": "equity",
             "kind": "科技成果转化基金子基金", "description": "投向新能源及储能中试项目",
             "sectors": ["new_energy_storage", "new_energy_vehicles"], "stages": ["pilot", "scale_up"],
             "trl_min": 5, "trl_max": 8, "amount_min_wan": 500, "amount_max_wan": 5000, "budget_wan": 40000},
        ],
        "events": [
            {"event_id": "EV2025-01", "name": "2025 南宁科技金融对接会", "date": "2025-06-18", "city": "南宁",
             "project_ids": ["XM0001", "XM0002"], "product_ids": ["P-LOAN-001", "P-EQ-001"], "slots": 8,
             "slot_minutes": 20, "tables": 6, "max_meetings_per_project": 3, "max_meetings_per_institution": 6},
        ],
        "outcomes": [
            {"project_id": "XM0001", "product_id": "P-LOAN-001", "event_id": "EV2025-01", "stage": "meeting",
             "date": "2025-06-18"},
            {"project_id": "XM0001", "product_id": "P-LOAN-001", "event_id": "EV2025-01", "stage": "signed",
             "amount_wan": 2000, "date": "2025-08-01"},
        ],
    }
