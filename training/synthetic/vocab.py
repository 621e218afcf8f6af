"""Per-sector vocabularies that project names and descriptions are composed from.

The hidden preference model reads the same tables back (sector inference for blank-sector projects,
purpose tags, product focus stated only in text), so the text carries real signal.
"""

from __future__ import annotations

# sector -> (technologies, products, equipment, pilot lines, markets)
SECTOR_VOCAB: dict[str, dict[str, tuple[str, ...]]] = {
    "artificial_intelligence": {
        "tech": ("多模态大模型微调", "工业视觉缺陷检测算法", "边缘端推理加速", "知识图谱构建", "强化学习调度",
                 "语音识别与合成", "联邦学习"),
        "product": ("智能质检一体机", "糖厂压榨工段智能调度系统", "智慧港口无人集卡调度平台", "林业病虫害识别终端",
                    "政务智能问答系统", "工业AI训练数据平台"),
        "equipment": ("GPU训练服务器集群", "边缘计算网关", "高速工业相机", "数据标注工作站"),
        "line": ("算法训练与验证平台", "场景化测试验证环境", "边缘设备联调产线"),
        "market": ("制糖企业", "港口物流", "汽车零部件工厂", "智慧城市", "林业监测"),
    },
    "high_end_equipment": {
        "tech": ("精密数控加工", "液压系统集成", "智能焊接机器人", "高端轴承热处理", "工程机械电驱化",
                 "激光熔覆修复"),
        "product": ("大吨位电动装载机", "五轴联动数控机床", "甘蔗联合收割机", "矿山智能凿岩台车", "高精度减速器",
                    "船用柴油机关键部件"),
        "equipment": ("三坐标测量仪", "大型龙门加工中心", "整机性能试验台", "疲劳寿命试验台", "激光跟踪仪"),
        "line": ("整机装配中试线", "关键部件试制线", "样机试验验证平台"),
        "market": ("工程机械主机厂", "矿山开采", "农机装备", "轨道交通", "船舶制造"),
    },
    "advanced_materials": {
        "tech": ("高纯氧化铝制备", "稀土功能材料提纯", "纳米碳酸钙表面改性", "铝合金精密铸造", "锰基正极前驱体合成",
                 "陶瓷岩板低温烧结", "铟锡靶材致密化"),
        "product": ("高纯铝靶材", "改性碳酸钙填料", "稀土永磁粉体", "高性能陶瓷岩板", "锡基焊料", "航空铝合金板材"),
        "equipment": ("真空熔炼炉", "气氛保护烧结炉", "砂磨分散机", "激光粒度仪", "连续挤压机"),
        "line": ("百吨级材料中试线", "千吨级粉体中试线", "材料小批量试制线"),
        "market": ("电子信息材料", "建筑陶瓷", "汽车轻量化", "高端涂料塑料", "光伏组件"),
    },
    "next_gen_it": {
        "tech": ("5G小基站射频", "北斗高精度定位", "工业互联网标识解析", "国产化数据库适配", "光通信模块封装",
                 "物联网安全芯片设计"),
        "product": ("北斗定位终端", "光模块", "工业互联网平台", "国产化信创服务器", "智能电表通信模组", "车规级MCU"),
        "equipment": ("芯片测试机", "贴片生产线", "射频测试系统", "老化测试箱"),
        "line": ("电子产品试产线", "芯片封测中试线", "软硬件联调测试平台"),
        "market": ("东盟跨境通信", "电力物联网", "政务信创", "智能网联汽车", "数据中心"),
    },
    "green_chemicals": {
        "tech": ("生物基可降解材料合成", "蔗渣纤维素高值化", "连续流微反应", "废催化剂再生", "松脂深加工",
                 "磷石膏综合利用"),
        "product": ("PBAT可降解树脂", "生物基丁二酸", "松香树脂", "电子级化学品", "高端表面活性剂", "环保水性涂料"),
        "equipment": ("微通道反应器", "精馏塔组", "DCS控制系统", "尾气处理装置", "喷雾干燥塔"),
        "line": ("连续化工艺中试装置", "千吨级化工中试装置", "精细化工中试车间"),
        "market": ("包装材料", "电子化学品", "涂料油墨", "日化", "农用地膜"),
    },
    "new_energy_storage": {
        "tech": ("钠离子电池电芯", "全钒液流电池电堆", "储能变流器控制", "磷酸锰铁锂正极", "电池梯次利用",
                 "氢燃料电池膜电极"),
        "product": ("钠离子储能电芯", "工商业储能柜", "液流电池电堆", "户用储能系统", "储能BMS", "电解液"),
        "equipment": ("涂布机", "卷绕机", "化成分容设备", "电池充放电测试系统", "干燥房"),
        "line": ("电芯中试线", "PACK集成试制线", "储能系统测试平台"),
        "market": ("电网侧储能", "工商业储能", "海外户储", "风光配储", "通信基站备电"),
    },
    "biomedicine": {
        "tech": ("中药经典名方二次开发", "单克隆抗体表达纯化", "mRNA递送", "罗汉果甜苷提取", "海洋生物活性肽制备",
                 "体外诊断微流控"),
        "product": ("中药创新药", "诊断试剂盒", "重组蛋白药物", "罗汉果甜苷", "医用敷料", "壮瑶药制剂"),
        "equipment": ("生物反应器", "层析纯化系统", "冻干机", "高效液相色谱仪", "洁净空调系统"),
        "line": ("GMP中试车间", "制剂中试生产线", "细胞培养中试平台"),
        "market": ("医院终端", "基层医疗", "东盟医药市场", "健康食品", "体外诊断"),
    },
    "modern_agriculture": {
        "tech": ("甘蔗脱毒种苗繁育", "蔗糖精深加工", "桉树林下经济", "茉莉花茶窨制", "芒果保鲜冷链",
                 "木薯燃料乙醇发酵"),
        "product": ("功能性低聚糖", "特色水果冻干产品", "花茶深加工产品", "生物有机肥", "速生林改性木材", "食用菌制品"),
        "equipment": ("冻干设备", "组培扩繁设备", "发酵罐", "冷链预冷设备", "分选包装线"),
        "line": ("农产品加工中试线", "种苗繁育中试基地", "发酵工艺中试平台"),
        "market": ("粤港澳大湾区生鲜", "食品饮料", "茶饮连锁", "东盟农产品贸易", "糖业"),
    },
    "marine_economy": {
        "tech": ("深远海网箱养殖", "海藻生物提取", "海水淡化膜", "海上风电基础防腐", "北部湾近海环境监测",
                 "海洋牧场智能投喂"),
        "product": ("深海抗风浪网箱", "海藻多糖", "海洋防腐涂层", "海洋监测浮标", "海水淡化装置", "贝类净化设备"),
        "equipment": ("盐雾试验箱", "水下机器人", "海上试验平台", "膜组件测试台"),
        "line": ("海洋装备中试基地", "海洋生物提取中试线", "近海实海况试验场"),
        "market": ("北部湾港口", "海水养殖", "海上风电", "沿海工业园区", "海岛供水"),
    },
    "green_low_carbon": {
        "tech": ("工业固废资源化", "余热余压回收", "碳捕集利用", "赤泥综合利用", "生物质气化", "光伏组件回收"),
        "product": ("赤泥基建材", "余热发电机组", "碳捕集吸收剂", "生物质成型燃料", "固废再生骨料", "节能变压器"),
        "equipment": ("回转窑", "气化炉", "烟气分析仪", "压滤机", "破碎筛分设备"),
        "line": ("固废资源化中试线", "低碳工艺示范装置", "碳减排核查测试平台"),
        "market": ("铝冶炼企业", "水泥建材", "园区综合能源", "钢铁冶金", "城市环卫"),
    },
    "new_energy_vehicles": {
        "tech": ("电驱动总成集成", "整车热管理", "线控底盘", "轻量化车身", "换电系统", "智能座舱"),
        "product": ("新能源商用车", "微型电动车", "电驱动总成", "换电站", "车用热泵空调", "动力电池包"),
        "equipment": ("整车转毂试验台", "电机测试台架", "冲焊涂总装试制设备", "环境仓"),
        "line": ("整车试制线", "三电系统中试线", "新能源商用车中试基地"),
        "market": ("城市物流", "东盟出口", "网约车", "环卫车辆", "农村出行"),
    },
}

# Purpose tags: the phrases a project uses to say what the money is for, and the keywords the
# hidden model looks for in both project and product descriptions (substring match).
PURPOSE_PHRASES: dict[str, tuple[str, ...]] = {
    "equipment": ("购置中试设备", "中试线设备购置与安装", "关键检测仪器采购", "设备更新改造"),
    "working_capital": ("补充流动资金", "原材料采购", "小批量试产周转"),
    "testing": ("产品检测认证", "第三方性能测试", "注册申报与检测认证"),
    "ip": ("专利布局与知识产权运营", "核心专利海外申请"),
    "talent": ("引进高层次人才", "研发团队扩充与人才引进"),
    "market": ("市场推广与示范应用", "下游客户示范应用"),
    "risk": ("中试失败风险保障", "研发风险转移"),
    "line": ("中试线建设", "中试车间改造", "厂房及中试平台建设"),
}
PURPOSE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "equipment": ("设备",),
    "working_capital": ("流动资金", "原材料", "周转"),
    "testing": ("检测", "认证", "测试"),
    "ip": ("知识产权", "专利布局", "专利海外", "专利质押", "专利权"),
    "talent": ("人才",),
    "market": ("示范应用", "市场推广"),
    "risk": ("风险保障", "风险转移", "失败"),
    "line": ("中试线建设", "中试车间", "中试平台建设", "产线建设"),
}

# Sector focus the hidden model reads from a product description when its `sectors` list is empty.
FOCUS_KEYWORDS: dict[str, tuple[str, ...]] = {
    "artificial_intelligence": ("人工智能", "大模型", "算法"),
    "high_end_equipment": ("高端装备", "智能制造", "工程机械"),
    "advanced_materials": ("新材料", "稀有金属", "稀土", "铝基", "碳酸钙", "有色金属"),
    "next_gen_it": ("信息技术", "电子信息", "集成电路", "信创"),
    "green_chemicals": ("绿色化工", "精细化工", "化工新材料"),
    "new_energy_storage": ("储能", "新能源电池", "氢能"),
    "biomedicine": ("生物医药", "创新药", "医疗器械", "中医药"),
    "modern_agriculture": ("农业", "糖业", "农林", "食品加工"),
    "marine_economy": ("海洋", "向海经济"),
    "green_low_carbon": ("低碳", "节能环保", "固废", "碳减排"),
    "new_energy_vehicles": ("新能源汽车", "整车", "汽车产业链"),
}

SECTOR_SHORT: dict[str, str] = {
    "artificial_intelligence": "人工智能", "high_end_equipment": "智能装备", "advanced_materials": "新材料",
    "next_gen_it": "电子信息", "green_chemicals": "精细化工", "new_energy_storage": "储能科技",
    "biomedicine": "生物医药", "modern_agriculture": "农业科技", "marine_economy": "海洋科技",
    "green_low_carbon": "环保科技", "new_energy_vehicles": "新能源汽车",
}

BRAND_CHARS = ("桂", "邕", "柳", "漓", "鑫", "华", "瑞", "宏", "恒", "创", "源", "达", "博", "睿", "海", "德",
               "嘉", "信", "盛", "拓", "航", "泰", "弘", "联", "中", "新", "科", "越", "铭", "晟", "澜", "禾")

# Named and generic pilot platforms (domain.md: 24 bases in 8 cities, mostly 南宁 桂林 柳州).
NAMED_PLATFORMS: dict[tuple[str, str], str] = {
    ("柳州", "new_energy_vehicles"): "柳州新能源商用车中试基地",
    ("贺州", "advanced_materials"): "贺州碳酸钙产业中试基地",
    ("梧州", "advanced_materials"): "梧州藤县建筑陶瓷新材料中试基地",
}
