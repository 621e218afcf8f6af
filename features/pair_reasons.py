"""Chinese reason phrases for ranking features, shown next to a ranked pair when the feature pushes it up."""

from __future__ import annotations

import math

# feature → (Chinese reason, lowest value, highest value): shown when the feature pushes the pair up and
# its value lies in the range (NaN never qualifies).
REASONS: dict[str, tuple[str, float, float]] = {
    "bm25_norm": ("项目简介与产品说明高度相关", 0.5, math.inf),
    "bm25": ("项目简介与产品说明高度相关", 1.0, math.inf),
    "embedding_cosine": ("项目简介与产品说明语义相近", 0.0, math.inf),
    "hist_inst_sector_sign_rate": ("机构历史上对同领域项目签约率高", 0.12, 1.0),
    "hist_inst_sector_meet_rate": ("机构历史上与同领域项目洽谈成功率高", 0.5, 1.0),
    "hist_inst_meet_rate": ("该机构历史对接转化率较高", 0.5, 1.0),
    "hist_inst_sign_rate": ("该机构历史签约率较高", 0.12, 1.0),
    "hist_inst_city_meet_rate": ("机构对本地区项目接受度高", 0.5, 1.0),
    "hist_product_meet_rate": ("该产品历史对接转化率较高", 0.5, 1.0),
    "amount_position": ("融资需求落在产品额度区间中部", 0.2, 0.8),
    "amount_log_ratio": ("融资需求与单户额度匹配", -1.0, 1.0),
    "amount_ratio_max": ("融资需求与单户额度匹配", 0.1, 1.0),
    "type_pref": ("符合企业意向融资方式", 1.0, 1.0),
    "sector_match": ("属于产品重点支持领域", 1.0, 1.0),
    "sector_match_conf": ("属于产品重点支持领域", 0.5, 1.0),
    "stage_match": ("项目阶段符合产品定位", 1.0, 1.0),
    "trl_distance": ("技术成熟度处于产品支持区间", 0.0, 0.0),
    "city_match": ("企业位于产品重点服务城市", 1.0, 1.0),
    "home_city": ("企业与机构同城，便于对接服务", 1.0, 1.0),
    "text_sector_affinity": ("产品说明聚焦项目所属领域", 0.3, 1.0),
    "first_loan_product": ("产品面向首贷户", 1.0, 1.0),
    "hazard_product_text": ("产品覆盖涉危化品项目的风险", 1.0, 1.0),
    "three_firsts_match": ("三首产品与保险类型对应", 1.0, 1.0),
    "collateral_loan": ("企业有抵押物，贷款增信充足", 1.0, 1.0),
    "no_collateral_guarantee": ("企业缺少抵押物，担保可增信", 1.0, 1.0),
    "profitable": ("企业上年盈利", 1.0, 1.0),
    "revenue_log": ("企业营收规模符合产品偏好", 0.0, math.inf),
    "patents_log": ("发明专利储备较好", 1.0, math.inf),
    "rd_ratio": ("研发投入强度高", 0.05, 1.0),
    "debt_ratio": ("资产负债率处于合理水平", 0.0, 0.6),
    "tax_rank": ("纳税信用良好", 3.0, 4.0),
    "cert_high_tech": ("高新技术企业资质加分", 1.0, 1.0),
    "cert_little_giant": ("专精特新资质加分", 1.0, 1.0),
    "cert_growth": ("瞪羚/小巨人等成长型资质加分", 1.0, 1.0),
    "government_supported": ("获财政科技项目支持", 1.0, 1.0),
    "has_platform": ("依托中试平台开展中试", 1.0, 1.0),
    "first_time_borrower": ("首贷户可享专项支持", 1.0, 1.0),
    "rate_rel_family": ("产品利率/费率在同类中较低", 0.0, 1.0),
    "budget_cover_log": ("产品剩余额度充足", 0.0, math.inf),
    "kind_pilot": ("中试专属金融产品", 1.0, 1.0),
    "kind_ip": ("知识产权质押可用足专利价值", 1.0, 1.0),
    "stage_idx": ("项目阶段契合产品投资偏好", -math.inf, math.inf),
    "trl": ("技术成熟度契合产品偏好", -math.inf, math.inf),
}
