"""Chinese labels of the v1 fields and entities (CSV/XLSX headers in and out, error messages), and the
fields only staff may read."""

from __future__ import annotations

# Chinese column labels, used for CSV/XLSX headers in and out.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "institutions": {"institution_id": "机构编号", "name": "机构名称", "type": "机构类型", "city": "所在城市"},
    "enterprises": {
        "enterprise_id": "企业编号", "name": "企业名称", "credit_code": "统一社会信用代码", "city": "所在城市",
        "founded_year": "成立年份", "employees": "员工人数", "annual_revenue_wan": "上年营业收入(万元)",
        "net_profit_wan": "上年净利润(万元)", "debt_ratio": "资产负债率", "rd_ratio": "研发投入占比",
        "invention_patents": "发明专利数", "certifications": "企业资质", "tax_grade": "纳税信用等级",
        "has_collateral": "有无抵押物", "first_time_borrower": "是否首贷户", "contact_person": "联系人",
        "contact_phone": "联系电话", "contact_email": "电子邮箱"},
    "projects": {
        "project_id": "项目编号", "enterprise_id": "企业编号", "name": "项目名称", "description": "项目简介",
        "sector": "所属领域", "industry_type": "行业类型", "stage": "所处阶段", "trl": "技术成熟度",
        "pilot_platform": "依托中试平台", "funding_need_wan": "融资需求(万元)", "funding_types": "意向融资方式",
        "months_to_production": "预计量产周期(月)", "hazardous_chemicals": "涉及危险化学品",
        "three_firsts": "三首产品", "government_supported": "获财政科技项目支持"},
    "products": {
        "product_id": "产品编号", "institution_id": "机构编号", "name": "产品名称", "family": "产品大类",
        "kind": "产品类型", "description": "产品说明", "sectors": "支持领域", "stages": "支持阶段",
        "trl_min": "技术成熟度下限", "trl_max": "技术成熟度上限", "amount_min_wan": "单户额度下限(万元)",
        "amount_max_wan": "单户额度上限(万元)", "cities": "服务区域", "required_certifications_any": "资质要求(满足其一)",
        "min_revenue_wan": "营业收入下限(万元)", "max_revenue_wan": "营业收入上限(万元)",
        "min_company_age_years": "成立年限下限(年)", "max_company_age_years": "成立年限上限(年)",
        "max_debt_ratio": "资产负债率上限", "requires_profit": "要求上年盈利", "requires_collateral": "需要抵押",
        "min_tax_grade": "纳税信用等级下限", "excludes_hazardous": "不支持涉危化项目",
        "requires_three_firsts": "限三首产品", "rate_pct": "利率/费率/保费率(%)", "tenor_months": "期限(月)",
        "budget_wan": "剩余额度(万元)", "valid_to": "有效期至"},
    "events": {
        "event_id": "活动编号", "name": "活动名称", "date": "日期", "city": "举办城市", "project_ids": "参会项目",
        "product_ids": "参会产品", "slots": "时段数", "slot_minutes": "每时段分钟数", "tables": "洽谈桌数",
        "max_meetings_per_project": "每项目洽谈上限", "max_meetings_per_institution": "每机构洽谈上限"},
    "outcomes": {
        "project_id": "项目编号", "product_id": "产品编号", "event_id": "活动编号", "stage": "进展",
        "amount_wan": "签约金额(万元)", "date": "日期"},
}
# Fields only admins and organisers may read (roles in finmatch.auth).
CONTACT_FIELDS: tuple[str, ...] = ("credit_code", "contact_person", "contact_phone", "contact_email")
ENTITY_LABELS: dict[str, str] = {"institutions": "机构", "enterprises": "企业", "projects": "中试项目",
                                 "products": "金融产品", "events": "对接活动", "outcomes": "对接结果"}
