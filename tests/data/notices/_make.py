# Writes the notices and expected.json; kept for maintainers who add notices (run: python _make.py).
import json
from pathlib import Path

N = []

def add(key, text, expected):
    N.append((key, text.strip() + "\n", expected))

add("01_kechuangdai_nanning", """
关于组织开展2026年“科创贷”业务申报的通知
各有关企业：
为缓解科技型企业融资难题，市科技局联合合作银行推出“科创贷”产品，现将有关事项通知如下。
一、支持对象：在南宁市注册登记的高新技术企业或科技型中小企业。
二、贷款额度：单户贷款额度最高1000万元。
三、贷款期限：一般为1年，最长不超过3年。
四、贷款利率：执行年利率不超过3.6%。
五、企业无需提供抵押，以信用方式发放。
六、申报截止时间为2026年12月31日。
""", {"name": "科创贷", "family": "loan", "kind": "科创贷", "amount_max_wan": 1000, "tenor_months": 36,
      "rate_pct": 3.6, "required_certifications_any": ["high_tech", "tech_sme"], "cities": ["南宁"],
      "requires_collateral": False, "valid_to": "2026-12-31"})

add("02_zhongshidai_liuzhou", """
柳州市“中试贷”产品说明
产品名称：中试贷
适用对象：在柳州市辖区内注册、正在开展中试熟化的科技企业，项目须处于中试熟化阶段。
授信额度：100万元至2000万元。
授信期限：期限最长3年。
利率：按一年期LPR加点确定，最高不超过4.2%。
重点支持汽车零部件、新能源汽车、高端装备制造等领域。
""", {"name": "中试贷", "family": "loan", "kind": "中试贷", "amount_min_wan": 100, "amount_max_wan": 2000,
      "tenor_months": 36, "rate_pct": 4.2, "cities": ["柳州"], "stages": ["pilot"],
      "sectors": ["new_energy_vehicles", "high_end_equipment"]})

add("03_kechuangdan_guarantee", """
广西科技融资担保有限公司“科创担”产品介绍
一、产品定位：面向广西区内注册的科技型中小企业和专精特新中小企业提供政策性融资担保。
二、担保额度：单户担保金额不超过500万元。
三、担保费率：年化担保费率不高于1%。
四、担保期限：原则上不超过2年。
五、反担保以信用为主，无需提供抵押。
""", {"name": "科创担", "family": "guarantee", "kind": "科创担", "amount_max_wan": 500, "rate_pct": 1.0,
      "tenor_months": 24, "required_certifications_any": ["tech_sme", "specialized_sme"], "cities": ["广西"],
      "requires_collateral": False})

add("04_zhongshixian_insurance", """
“中试险”业务办理指引
为分散中试环节的技术风险，保险公司开发了中试综合保险（简称“中试险”）。
投保对象：在广西壮族自治区内依法设立，承担中试熟化任务的企业及中试平台。
保险金额：每个项目的保险金额最高3000万元。
保险费率：基准保费费率为2.5%，政府给予保费补贴。
保险期间：1年。
""", {"name": "中试险", "family": "insurance", "kind": "中试险", "amount_max_wan": 3000, "rate_pct": 2.5,
      "tenor_months": 12, "cities": ["广西"]})

add("05_tiexi_guilin", """
桂林市科技型企业贷款贴息申报通知
根据市政府有关文件精神，现组织开展2026年度科技贷款贴息申报工作。
一、申报条件
（一）在桂林市注册，成立满2年的科技型中小企业或高新技术企业；
（二）上年度营业收入不低于500万元；
（三）纳税信用等级为B级及以上。
二、支持标准：按企业实际支付利息的50%给予贴息，单户企业年度贴息金额最高不超过50万元。
三、申报时间：即日起至2026年9月30日止。
""", {"family": "subsidy", "amount_max_wan": 50, "min_company_age_years": 2,
      "required_certifications_any": ["tech_sme", "high_tech"], "min_revenue_wan": 500, "min_tax_grade": "B",
      "cities": ["桂林"], "valid_to": "2026-09-30"})

add("06_ip_pledge_loan", """
知识产权质押贷产品
本产品以企业合法拥有的发明专利、商标等知识产权作为质押物，为轻资产科技企业提供融资。
贷款额度：单户最高可达800万元。
贷款期限：不超过2年。
申请企业须拥有1项以上发明专利，资产负债率不超过70%。
""", {"family": "loan", "kind": "知识产权质押贷", "amount_max_wan": 800, "tenor_months": 24,
      "max_debt_ratio": 0.7})

add("07_sub_fund_equity", """
广西科技成果转化基金子基金投资指引
子基金重点投向新一代信息技术、生物医药、先进新材料等战略性新兴产业领域。
单个项目投资金额原则上为500万元至5000万元。
子基金存续期一般为7年。
被投企业应在广西区内注册，处于概念验证、中试熟化或产业化阶段。
""", {"family": "equity", "kind": "科技成果转化基金子基金", "amount_min_wan": 500, "amount_max_wan": 5000,
      "tenor_months": 84, "sectors": ["next_gen_it", "biomedicine", "advanced_materials"], "cities": ["广西"],
      "stages": ["proof_of_concept", "pilot", "scale_up"]})

add("08_first_set_insurance", """
首台套保险补偿申报通知
对列入自治区首台（套）重大技术装备推广应用目录的产品，企业投保首台套保险的，给予保费补贴。
补贴比例为实际保费的80%，单个项目补贴金额最高不超过500万元。
保险期限为1年。
申报材料请于2026年10月15日前报送。
""", {"family": "insurance", "kind": "首台套保险", "requires_three_firsts": True, "amount_max_wan": 500,
      "tenor_months": 12, "valid_to": "2026-10-15"})

add("09_wuzhou_loan_fund", """
梧州市科技信贷风险补偿资金池合作贷款
资金池规模为5000万元，合作银行按资金池放大10倍发放贷款。
支持对象须为在梧州市注册的科技型中小企业，成立时间不少于1年。
单户贷款额度最高300万元，贷款期限不超过1年。
贷款利率上浮不超过一年期LPR的30%。
""", {"family": "loan", "budget_wan": 5000, "cities": ["梧州"], "required_certifications_any": ["tech_sme"],
      "min_company_age_years": 1, "amount_max_wan": 300, "tenor_months": 12})

add("10_beihai_marine_loan", """
北海市“向海科创贷”产品
一、产品简介：支持海洋经济和海洋生物医药领域科技企业开展技术研发和成果转化。
二、服务区域：北海、钦州、防城港三市注册的企业。
三、额度：单户最高1500万元。
四、年利率：3.45%起。
五、期限：最长5年。
""", {"name": "向海科创贷", "family": "loan", "sectors": ["marine_economy", "biomedicine"],
      "cities": ["北海", "钦州", "防城港"], "amount_max_wan": 1500, "rate_pct": 3.45, "tenor_months": 60})

add("11_pilot_platform_subsidy", """
关于申报2026年度制造业中试平台建设补助资金的通知
一、支持范围：依托企业建设、面向行业开放服务的制造业中试平台。
二、支持标准：按平台新增设备投入的30%给予补助，单个平台补助最高不超过1000万元。
三、申报单位应为在广西注册的独立法人，资产负债率低于65%，上年度营业收入2000万元以上。
四、项目涉及危险化学品生产的，不纳入支持范围。
五、网上申报截止日期：2026年8月31日。
""", {"family": "subsidy", "amount_max_wan": 1000, "cities": ["广西"], "max_debt_ratio": 0.65,
      "min_revenue_wan": 2000, "excludes_hazardous": True, "valid_to": "2026-08-31"})

add("12_yulin_guarantee", """
玉林市中小微企业科技担保业务
玉林市融资担保集团为本市辖区内科技企业提供担保服务。
担保额度：50万元—1000万元。
担保费率：0.8%/年。
担保期限：不超过3年。
企业需提供足额抵押或第三方反担保。
""", {"family": "guarantee", "cities": ["玉林"], "amount_min_wan": 50, "amount_max_wan": 1000, "rate_pct": 0.8,
      "tenor_months": 36, "requires_collateral": True})

add("13_little_giant_loan", """
“小巨人成长贷”产品说明书
产品名称：小巨人成长贷
适用客户：获得国家级专精特新“小巨人”认定的企业。
贷款金额：最高5000万元。
贷款期限：1至3年，期限最长3年。
利率：年利率最低2.9%。
担保方式：信用方式，无需抵押。
""", {"name": "小巨人成长贷", "family": "loan", "required_certifications_any": ["little_giant"],
      "amount_max_wan": 5000, "tenor_months": 36, "rate_pct": 2.9, "requires_collateral": False})

add("14_startup_loan_young", """
初创科技企业首贷支持计划
支持成立不超过5年、营业收入不超过3000万元的初创科技企业获得首笔银行贷款。
单户贷款额度不超过200万元，期限1年。
对按期还本付息的企业，按贷款利息的50%给予贴息补助。
""", {"family": "subsidy", "max_company_age_years": 5, "max_revenue_wan": 3000, "amount_max_wan": 200,
      "tenor_months": 12})

add("15_new_energy_storage_fund", """
新能源及储能产业投资基金
本基金总规模10亿元，由自治区财政出资引导、社会资本共同参与。
投资方向：聚焦新能源、储能、新能源汽车产业链关键环节。
单个企业投资额一般不超过1亿元。
投资对象为处于中试熟化或产业化阶段的项目。
""", {"family": "equity", "budget_wan": 100000, "sectors": ["new_energy_storage", "new_energy_vehicles"],
      "amount_max_wan": 10000, "stages": ["pilot", "scale_up"]})

add("16_baise_agri_loan", """
百色市现代农业科技贷
支持百色市注册的从事现代特色农林业、芒果深加工等领域的科技企业。
单户贷款额度最高300万元，贷款期限不超过2年。
年利率不超过3.85%。
申请企业纳税信用等级须为A级。
""", {"family": "loan", "cities": ["百色"], "sectors": ["modern_agriculture"], "amount_max_wan": 300,
      "tenor_months": 24, "rate_pct": 3.85, "min_tax_grade": "A"})

add("17_hezhou_materials_guarantee", """
贺州市新材料产业担保专项
一、支持领域：碳酸钙、石材及先进新材料产业。
二、支持对象：在贺州市依法注册的高新技术企业。
三、单户担保额度最高800万元，担保费率不超过0.5%。
四、本专项有效期至2027年6月30日。
""", {"family": "guarantee", "sectors": ["advanced_materials"], "cities": ["贺州"],
      "required_certifications_any": ["high_tech"], "amount_max_wan": 800, "rate_pct": 0.5,
      "valid_to": "2027-06-30"})

add("18_qinzhou_chem_loan", """
钦州市绿色化工中试项目专项贷款
支持绿色化工、石化下游精细化学品领域的中试项目。
项目须处于中试熟化阶段，且技术成熟度达到6级以上。
贷款额度：500万元至3000万元。
贷款期限：最长4年。
""", {"family": "loan", "sectors": ["green_chemicals"], "stages": ["pilot"], "trl_min": 6,
      "amount_min_wan": 500, "amount_max_wan": 3000, "tenor_months": 48})

add("19_ai_innovation_voucher", """
人工智能创新应用补助申报指南
重点支持人工智能、大模型在制造业场景中的应用。
申报企业应为科技型中小企业或创新型中小企业。
对通过验收的项目给予最高200万元的资助。
申报截止时间：2026年11月30日17:00。
""", {"family": "subsidy", "sectors": ["artificial_intelligence"],
      "required_certifications_any": ["tech_sme", "innovative_sme"], "amount_max_wan": 200,
      "valid_to": "2026-11-30"})

add("20_gazelle_loan", """
瞪羚企业专属信贷方案
服务对象：经认定的瞪羚企业，上年度营业收入5000万元以上。
授信额度：单户最高可达1亿元。
年利率：不超过3.3%。
""", {"family": "loan", "required_certifications_any": ["gazelle"], "min_revenue_wan": 5000,
      "amount_max_wan": 10000, "rate_pct": 3.3})

add("21_hechi_eco_subsidy", """
河池市绿色低碳技术推广补贴
支持节能环保、绿色低碳技术在有色金属冶炼领域的推广应用。
补贴对象为河池市辖区内注册的企业。
按设备投资额的20%给予补贴，单个项目不超过300万元。
""", {"family": "subsidy", "sectors": ["green_low_carbon"], "cities": ["河池"], "amount_max_wan": 300})

add("22_chongzuo_sugar_loan", """
崇左市糖业科技贷
面向在崇左市注册的糖业及甘蔗机械化领域科技企业。
贷款额度：最高600万元；期限：1年。
贷款利率：按一年期LPR执行。
""", {"family": "loan", "cities": ["崇左"], "sectors": ["modern_agriculture"], "amount_max_wan": 600,
      "tenor_months": 12})

add("23_laibin_loan_leaflet", """
来宾市科技企业流动资金贷款
本产品为来宾市辖区内科技企业提供流动资金支持。
贷款金额不设下限，最高不超过400万元。
成立年限：企业成立3年以上。
资产负债率原则上不超过60%。
""", {"family": "loan", "cities": ["来宾"], "amount_max_wan": 400, "min_company_age_years": 3,
      "max_debt_ratio": 0.6})

add("24_guigang_ev_insurance", """
贵港市新能源汽车零部件研发费用损失保险
支持新能源汽车及电动两轮车零部件领域企业开展研发。
投保企业须在贵港市注册。
保险金额：单个企业最高1000万元；保险费率为1.8%。
保险期间为12个月。
""", {"family": "insurance", "sectors": ["new_energy_vehicles"], "cities": ["贵港"], "amount_max_wan": 1000,
      "rate_pct": 1.8, "tenor_months": 12})

add("25_pharma_pilot_fund", """
生物医药中试加速计划
资金总规模3亿元，采用股权投资方式支持生物医药和医疗器械中试项目。
单个项目投资金额1000万元至3000万元。
申请企业应具有GMP中试车间，成立满3年。
""", {"family": "equity", "budget_wan": 30000, "sectors": ["biomedicine"], "amount_min_wan": 1000,
      "amount_max_wan": 3000, "min_company_age_years": 3})

add("26_it_loan_no_numbers", """
数字经济企业信用贷
为软件和信息服务、集成电路等数字经济领域企业提供纯信用贷款。
额度和利率根据企业经营情况综合确定。
""", {"family": "loan", "sectors": ["next_gen_it"], "requires_collateral": False})

add("27_first_batch_materials", """
首批次新材料应用保险补偿
对列入重点新材料首批次应用示范指导目录的产品，生产企业投保的，给予保费补贴。
保险期限1年，补贴额度单个企业最高不超过300万元。
""", {"family": "insurance", "requires_three_firsts": True, "tenor_months": 12, "amount_max_wan": 300})

add("28_talent_loan", """
高层次人才创业贷
支持高层次人才在南宁市、柳州市、桂林市创办的科技企业。
贷款额度：100万元以上，最高不超过1000万元。
期限：最长3年。
企业成立时间不超过3年。
""", {"family": "loan", "cities": ["南宁", "柳州", "桂林"], "amount_min_wan": 100, "amount_max_wan": 1000,
      "tenor_months": 36, "max_company_age_years": 3})

add("29_zhongshidan_guarantee", """
“中试担”业务指引
一、业务对象：承担自治区中试项目的企业，项目处于中试熟化阶段。
二、单户担保规模：最高2000万元。
三、担保费率：不高于1.2%。
四、担保期限：1—3年，最长3年。
五、涉及危险化学品的项目除外。
""", {"name": "中试担", "family": "guarantee", "kind": "中试担", "stages": ["pilot"], "amount_max_wan": 2000,
      "rate_pct": 1.2, "tenor_months": 36, "excludes_hazardous": True})

add("30_equipment_loan", """
高端装备制造技改贷款
支持工程机械、数控机床、工业机器人等高端装备企业的技术改造和中试验证。
单笔贷款金额不低于200万元，最高5000万元。
贷款期限最长5年，利率最低3.1%。
申请企业上年度营业收入不低于1亿元。
""", {"family": "loan", "sectors": ["high_end_equipment"], "amount_min_wan": 200, "amount_max_wan": 5000,
      "tenor_months": 60, "rate_pct": 3.1, "min_revenue_wan": 10000})

add("31_fangchenggang_port_subsidy", """
防城港市科技成果转化奖补
对在防城港市落户的科技成果转化项目，按技术合同成交额的10%给予奖补。
单个项目奖补不超过100万元。
申报时间截至2026年12月15日。
""", {"family": "subsidy", "cities": ["防城港"], "amount_max_wan": 100, "valid_to": "2026-12-15"})

add("32_rd_insurance_generic", """
科技企业研发中断保险
承保企业研发项目因意外中断造成的研发费用损失。
保险费率为1.5%，保险期间1年。
适用于各类科技型中小企业。
""", {"family": "insurance", "rate_pct": 1.5, "tenor_months": 12, "required_certifications_any": ["tech_sme"]})

here = Path(__file__).parent
expected = {}
for key, text, exp in N:
    (here / f"{key}.txt").write_text(text, encoding="utf-8")
    expected[f"{key}.txt"] = exp
(here / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(len(N), "notices")
