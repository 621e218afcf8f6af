"""Compose project names and application-form style descriptions from the sector vocabularies.

Sentences come from several interchangeable templates per role (company, stage, equipment, market,
TRL, hazard, three-firsts, use of funds) in varying order, so two projects of one sector rarely
share more than a phrase.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from training.synthetic.vocab import PURPOSE_PHRASES, SECTOR_VOCAB

MIN_LEN, MAX_LEN = 80, 200


@dataclass(frozen=True)
class TextInput:
    """What a description may mention about one project."""

    sector: str
    stage: str
    city: str
    enterprise: str
    founded_year: int
    patents: int
    cert_label: str | None
    platform: str | None
    trl: int | None
    need_wan: float
    hazardous: bool
    three_firsts: tuple[str, ...]
    purposes: tuple[str, ...]
    funding_label: str | None


_INTRO = (
    "{ent}成立于{year}年，长期从事{tech}研发，已获授权发明专利{pat}项。",
    "公司深耕{tech}领域，拥有发明专利{pat}项{cert}。",
    "项目由{city}本地研发团队承担，核心技术为{tech}。",
    "本项目围绕{tech}开展攻关，目标产品为{product}。",
    "项目基于自主研发的{tech}技术，面向{product}应用。",
    "团队在{tech}方向积累多年，已形成{pat}项发明专利的技术储备。",
)
_PLATFORM = ("项目依托{platform}实施。", "中试工作将在{platform}完成。", "已与{platform}签订中试服务协议。")
_STAGE = {
    "tech_research": ("目前处于关键技术攻关阶段，需突破{tech}的工艺稳定性瓶颈。",
                      "当前正在实验室完成{tech}核心指标验证，尚未形成样品。"),
    "proof_of_concept": ("已完成实验室原理样品，正开展概念验证和小试。",
                         "小试结果达到预期，需进一步验证{product}的工程可行性。"),
    "pilot": ("拟建设{line}，完成{product}的工艺放大与批次稳定性验证。",
              "计划在{line}上开展{product}中试熟化，重点验证良率与成本。",
              "{product}已完成小试，下一步在{line}进行中试验证。"),
    "incubation": ("中试已基本完成，正孵化产业化公司，推进{product}小批量供货。",
                   "依托中试成果组建新公司，{product}进入用户试用阶段。"),
    "scale_up": ("中试验证已通过，计划扩建产线实现{product}规模化量产。",
                 "{product}已获首批订单，拟进行产业化放大。"),
}
_EQUIP = ("需购置{eq1}、{eq2}等关键装备。", "主要投入包括{eq1}和{eq2}。", "拟新增{eq1}{k}台套及配套{eq2}。")
_MARKET = ("产品主要面向{m1}和{m2}市场。", "下游客户集中在{m1}领域，已与{k}家企业签订意向协议。",
           "目标市场为{m1}，预计达产后年销售收入{sales}万元。", "产品可替代进口，满足{m1}需求。")
_TRL = ("技术成熟度约为{trl}级。", "目前技术成熟度达到TRL{trl}。")
_HAZARD = ("工艺涉及危险化学品，已完成安全预评价。", "部分工序使用危化品，需配套安全设施。")
_THREE = {"first_set": "样机拟申报首台（套）重大技术装备。", "first_batch": "产品拟申报首批次新材料应用示范。",
          "first_version": "软件拟申报首版次软件产品。"}
_FUNDS = ("本次拟融资{need}万元，主要用于{u}。", "资金需求{need}万元，将用于{u}。", "融资{need}万元计划用于{u}。",
          "希望通过{fam}解决{u}所需资金约{need}万元。")
_NAMES = {
    "tech_research": ("{tech}关键技术攻关项目", "{product}核心工艺攻关项目"),
    "proof_of_concept": ("{product}概念验证项目", "{tech}小试及概念验证项目"),
    "pilot": ("{product}中试项目", "{tech}中试熟化项目", "年产{n}吨{product}中试线建设项目", "{product}中试验证项目"),
    "incubation": ("{product}中试成果孵化项目", "{product}小批量试产项目"),
    "scale_up": ("{product}产业化放大项目", "{tech}成果产业化项目"),
}


def _fmt_need(need: float) -> str:
    return f"{need:.0f}" if need >= 10 else f"{need:.1f}"


def _project_name(rng: random.Random, sector: str, stage: str, tech: str, product: str) -> str:
    tpl = rng.choice(_NAMES[stage])
    if "{n}" in tpl and sector not in ("advanced_materials", "green_chemicals", "modern_agriculture"):
        tpl = "{product}中试项目"
    return tpl.format(tech=tech, product=product, n=rng.choice((50, 100, 200, 500, 1000)))


def name_and_describe(rng: random.Random, t: TextInput) -> tuple[str, str]:
    """A project name and its 80–200 character application-form style description."""
    voc = SECTOR_VOCAB[t.sector]
    tech, product = rng.choice(voc["tech"]), rng.choice(voc["product"])
    return _project_name(rng, t.sector, t.stage, tech, product), _describe(rng, t, tech, product)


def _describe(rng: random.Random, t: TextInput, tech: str, product: str) -> str:
    voc = SECTOR_VOCAB[t.sector]
    eq1, eq2 = rng.sample(voc["equipment"], 2)
    m1, m2 = rng.sample(voc["market"], 2)
    uses = [rng.choice(PURPOSE_PHRASES[p]) for p in t.purposes]
    u = "、".join(uses[:-1]) + ("和" if len(uses) > 1 else "") + uses[-1]
    ctx = {"ent": t.enterprise, "year": t.founded_year, "tech": tech, "product": product, "pat": t.patents,
           "cert": f"，是{t.cert_label}" if t.cert_label else "", "city": t.city, "line": rng.choice(voc["line"]),
           "eq1": eq1, "eq2": eq2, "m1": m1, "m2": m2, "k": rng.randint(2, 12), "sales": rng.choice(
               (3000, 5000, 8000, 12000, 20000)), "trl": t.trl, "need": _fmt_need(t.need_wan), "u": u,
           "fam": t.funding_label or "多元化融资", "platform": t.platform}
    intro = rng.choice(_INTRO).format(**ctx)
    stage = rng.choice(_STAGE[t.stage]).format(**ctx)
    funds = rng.choice(_FUNDS).format(**ctx)
    optional = [rng.choice(_EQUIP).format(**ctx), rng.choice(_MARKET).format(**ctx)]
    if t.platform and rng.random() < 0.6:
        optional.append(rng.choice(_PLATFORM).format(**ctx))
    if t.trl is not None and rng.random() < 0.4:
        optional.append(rng.choice(_TRL).format(**ctx))
    rng.shuffle(optional)
    if t.hazardous:
        optional.insert(0, rng.choice(_HAZARD))
    for tf in t.three_firsts:
        optional.insert(0, _THREE[tf])
    head = [stage, intro] if rng.random() < 0.25 else [intro, stage]
    body: list[str] = []
    budget = MAX_LEN - len(head[0]) - len(head[1]) - len(funds)
    for sentence in optional:
        if len(sentence) <= budget:
            body.append(sentence)
            budget -= len(sentence)
    parts = [*head, *body, funds] if rng.random() < 0.8 else [funds, *head, *body]
    text = "".join(parts)
    if len(text) > MAX_LEN:  # long enterprise names: drop the intro
        text = "".join(p for p in parts if p != intro)
    while len(text) < MIN_LEN:
        text += f"产品主要面向{m1}、{m2}等领域，市场空间较大。"[: MAX_LEN - len(text)]
    return text[:MAX_LEN]
