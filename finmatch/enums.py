"""Enumerations of the v1 interchange format, each with its Simplified Chinese label.

Files from users may carry either the English code or the Chinese label; ``parse`` accepts both so
that every importer, API model and page shares one mapping.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound="LabelledEnum")


class LabelledEnum(StrEnum):
    """A string enum whose members know their Chinese label."""

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {}

    @property
    def label(self) -> str:
        return type(self).labels()[self.value]

    @classmethod
    def parse(cls: type[E], raw: Any) -> E:
        """Accept the code, the Chinese label, or a member; raise ValueError naming the options."""
        if isinstance(raw, cls):
            return raw
        text = str(raw).strip()
        for code, label in cls.labels().items():
            if text in (code, label) or text.lower() == code.lower():
                return cls(code)
        # a few labels have common variants (full-width quotes, brackets)
        norm = _normalise(text)
        for code, label in cls.labels().items():
            if norm == _normalise(label):
                return cls(code)
        options = "、".join(f"{c}({lab})" for c, lab in cls.labels().items())
        raise ValueError(f"未知取值 '{text}'，可选：{options} / unknown value '{text}' for {cls.__name__}")


def _normalise(text: str) -> str:
    for a, b in (("“", '"'), ("”", '"'), ("（", "("), ("）", ")"), (" ", "")):
        text = text.replace(a, b)
    return text


class InstitutionType(LabelledEnum):
    FUND_MANAGER = "fund_manager"
    BANK = "bank"
    GUARANTOR = "guarantor"
    INSURER = "insurer"
    GOVERNMENT = "government"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"fund_manager": "基金管理人", "bank": "银行", "guarantor": "担保机构",
                "insurer": "保险机构", "government": "政府部门"}


class Certification(LabelledEnum):
    HIGH_TECH = "high_tech"
    TECH_SME = "tech_sme"
    SPECIALIZED_SME = "specialized_sme"
    LITTLE_GIANT = "little_giant"
    INNOVATIVE_SME = "innovative_sme"
    GAZELLE = "gazelle"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"high_tech": "高新技术企业", "tech_sme": "科技型中小企业", "specialized_sme": "专精特新中小企业",
                "little_giant": '专精特新"小巨人"', "innovative_sme": "创新型中小企业", "gazelle": "瞪羚企业"}


class TaxGrade(LabelledEnum):
    A = "A"
    B = "B"
    M = "M"
    C = "C"
    D = "D"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"A": "A级", "B": "B级", "M": "M级", "C": "C级", "D": "D级"}

    @property
    def rank(self) -> int:
        """Higher is better: A=4 … D=0."""
        return TAX_GRADE_RANK[self.value]


TAX_GRADE_RANK: dict[str, int] = {"A": 4, "B": 3, "M": 2, "C": 1, "D": 0}
TAX_GRADE_OF_RANK: dict[int, str] = {rank: grade for grade, rank in TAX_GRADE_RANK.items()}


class Sector(LabelledEnum):
    ARTIFICIAL_INTELLIGENCE = "artificial_intelligence"
    HIGH_END_EQUIPMENT = "high_end_equipment"
    ADVANCED_MATERIALS = "advanced_materials"
    NEXT_GEN_IT = "next_gen_it"
    GREEN_CHEMICALS = "green_chemicals"
    NEW_ENERGY_STORAGE = "new_energy_storage"
    BIOMEDICINE = "biomedicine"
    MODERN_AGRICULTURE = "modern_agriculture"
    MARINE_ECONOMY = "marine_economy"
    GREEN_LOW_CARBON = "green_low_carbon"
    NEW_ENERGY_VEHICLES = "new_energy_vehicles"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"artificial_intelligence": "人工智能", "high_end_equipment": "高端装备制造",
                "advanced_materials": "先进新材料", "next_gen_it": "新一代信息技术",
                "green_chemicals": "绿色化工", "new_energy_storage": "新能源及储能",
                "biomedicine": "生物医药", "modern_agriculture": "现代特色农林业",
                "marine_economy": "海洋经济", "green_low_carbon": "绿色低碳技术",
                "new_energy_vehicles": "新能源汽车"}


class Stage(LabelledEnum):
    TECH_RESEARCH = "tech_research"
    PROOF_OF_CONCEPT = "proof_of_concept"
    PILOT = "pilot"
    INCUBATION = "incubation"
    SCALE_UP = "scale_up"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"tech_research": "技术攻关", "proof_of_concept": "概念验证", "pilot": "中试熟化",
                "incubation": "企业孵化", "scale_up": "产业化放大"}


class IndustryType(LabelledEnum):
    PROCESS = "process"
    DISCRETE = "discrete"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"process": "流程型", "discrete": "离散型"}


class Family(LabelledEnum):
    """Product families; also the values of a project's ``funding_types``."""

    EQUITY = "equity"
    LOAN = "loan"
    GUARANTEE = "guarantee"
    INSURANCE = "insurance"
    SUBSIDY = "subsidy"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"equity": "股权投资/基金", "loan": "贷款", "guarantee": "担保", "insurance": "保险",
                "subsidy": "补贴/贴息"}


FAMILY_CODES: tuple[str, ...] = tuple(f.value for f in Family)  # catalogue order, used as feature order
STAGE_CODES: tuple[str, ...] = tuple(s.value for s in Stage)  # earliest → latest: the order is meaningful


# Short labels accepted on import for funding types (项目的意向融资方式 is usually written 股权/贷款/…)
FAMILY_SHORT_LABELS: dict[str, str] = {"股权": "equity", "股权投资": "equity", "基金": "equity",
                                        "补贴": "subsidy", "贴息": "subsidy"}


class ThreeFirst(LabelledEnum):
    FIRST_SET = "first_set"
    FIRST_BATCH = "first_batch"
    FIRST_VERSION = "first_version"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"first_set": "首台(套)重大技术装备", "first_batch": "首批次新材料", "first_version": "首版次软件"}


class OutcomeStage(LabelledEnum):
    RECOMMENDED = "recommended"
    CONTACTED = "contacted"
    MEETING = "meeting"
    DUE_DILIGENCE = "due_diligence"
    APPROVED = "approved"
    SIGNED = "signed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"recommended": "已推荐", "contacted": "已联系", "meeting": "已洽谈", "due_diligence": "尽职调查",
                "approved": "已审批", "signed": "已签约", "rejected": "已拒绝", "withdrawn": "已撤回"}


# The funnel an outcome moves along, earliest first (rejected / withdrawn can end it at any step).
OUTCOME_FUNNEL: tuple[str, ...] = ("recommended", "contacted", "meeting", "due_diligence", "approved", "signed")
# How far an outcome got: signed 3 · approved / due_diligence 2 · meeting 1 · anything else 0. The graded
# label of ranking metrics and history features ("reached at least a meeting" = grade >= 1).
OUTCOME_GRADE: dict[str, int] = {"signed": 3, "approved": 2, "due_diligence": 2, "meeting": 1,
                                 "contacted": 0, "recommended": 0, "withdrawn": 0, "rejected": 0}
# The finer relevance the ranker trains on: first contact (or a refusal after contact) above no contact.
OUTCOME_RELEVANCE: dict[str, int] = {"signed": 4, "approved": 3, "due_diligence": 3, "meeting": 2,
                                     "contacted": 1, "rejected": 1, "withdrawn": 1, "recommended": 0}


# The 14 prefecture-level cities of Guangxi; the word 广西 in a product's cities means all of them.
GUANGXI_CITIES: tuple[str, ...] = ("南宁", "柳州", "桂林", "梧州", "北海", "防城港", "钦州", "贵港", "玉林",
                                   "百色", "贺州", "河池", "来宾", "崇左")
GUANGXI = "广西"


def normalise_city(raw: str) -> str:
    """Strip the 市 suffix so 南宁市 and 南宁 compare equal."""
    text = raw.strip()
    if text.endswith("市") and text[:-1] in GUANGXI_CITIES:
        return text[:-1]
    if text in ("广西壮族自治区", "广西区", "全区"):
        return GUANGXI
    return text
