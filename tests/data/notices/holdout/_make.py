# Held-out notices: written after the rules were tuned on ../*.txt, never used to change them.
import json
from pathlib import Path

N = []

def add(key, text, expected):
    N.append((key, text.strip() + "\n", expected))

add("h01_tech_credit_loan", """
南宁高新区“科技信用贷”申报须知
申请主体：注册地在南宁市的科技型中小企业，企业成立满1年。
额度上限：单户授信不超过500万元。
期限：贷款期限不超过12个月。
利率：年利率3.5%。
本年度申报受理至2026年12月20日截止。
""", {"name": "科技信用贷", "family": "loan", "cities": ["南宁"], "required_certifications_any": ["tech_sme"],
      "min_company_age_years": 1, "amount_max_wan": 500, "tenor_months": 12, "rate_pct": 3.5,
      "valid_to": "2026-12-20"})

add("h02_pilot_risk_compensation", """
自治区中试项目贷款风险补偿实施细则（摘要）
合作银行向中试项目发放的贷款出现损失的，由风险补偿资金按损失本金的40%给予补偿。
风险补偿资金池总额度为2亿元。
纳入补偿范围的单笔贷款金额不超过2000万元。
借款企业资产负债率不高于70%，纳税信用等级B级以上。
""", {"family": "subsidy", "budget_wan": 20000, "amount_max_wan": 2000, "max_debt_ratio": 0.7,
      "min_tax_grade": "B"})

add("h03_angel_fund", """
桂林市天使投资引导基金
投资领域：电子信息、生物医药、人工智能等产业。
投资阶段：重点投资处于概念验证和企业孵化阶段的初创企业。
单个企业累计投资不超过1000万元。
被投企业成立时间不超过5年，在桂林市注册。
""", {"family": "equity", "sectors": ["next_gen_it", "biomedicine", "artificial_intelligence"],
      "stages": ["proof_of_concept", "incubation"], "amount_max_wan": 1000, "max_company_age_years": 5,
      "cities": ["桂林"]})

add("h04_liuzhou_guarantee_fee_subsidy", """
柳州市科技型企业担保费补贴
对在柳州市注册的高新技术企业通过融资担保机构获得贷款的，按担保费的50%给予补贴。
单户企业年度补贴最高20万元。
申报截止日期为2026年11月10日。
""", {"family": "subsidy", "cities": ["柳州"], "required_certifications_any": ["high_tech"], "amount_max_wan": 20,
      "valid_to": "2026-11-10"})

add("h05_product_liability_insurance", """
新材料产品质量责任保险
产品名称：新材料质量保险
适用领域：先进新材料、绿色化工。
投保企业上年营业收入不低于1000万元。
保险金额最高5000万元，保险费率0.9%，保险期间一年。
""", {"name": "新材料质量保险", "family": "insurance", "sectors": ["advanced_materials", "green_chemicals"],
      "min_revenue_wan": 1000, "amount_max_wan": 5000, "rate_pct": 0.9, "tenor_months": 12})

add("h06_equipment_lease_loan", """
智能装备按揭贷
支持企业购置中试设备，贷款金额为设备价款的70%，最高不超过3000万元。
贷款期限2至5年。
需以所购设备提供抵押。
""", {"family": "loan", "amount_max_wan": 3000, "tenor_months": 60, "requires_collateral": True})

add("h07_ip_guarantee", """
知识产权质押融资担保
服务对象：拥有有效发明专利的专精特新中小企业、创新型中小企业。
担保额度：100万元—800万元；担保费率：年化0.6%。
不支持涉及危化品生产的企业。
""", {"family": "guarantee", "required_certifications_any": ["specialized_sme", "innovative_sme"],
      "amount_min_wan": 100, "amount_max_wan": 800, "rate_pct": 0.6, "excludes_hazardous": True})

add("h08_yulin_machinery_subsidy", """
玉林市内燃机及工程机械产业研发补助
对玉林市辖区内注册的装备制造企业，按研发投入的10%给予补助。
补助金额每家企业不超过150万元。
""", {"family": "subsidy", "cities": ["玉林"], "sectors": ["high_end_equipment"], "amount_max_wan": 150})
here = Path(__file__).parent
expected = {}
for key, text, exp in N:
    (here / f"{key}.txt").write_text(text, encoding="utf-8")
    expected[f"{key}.txt"] = exp
(here / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(len(N), "notices")
