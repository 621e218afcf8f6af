"""Rules that read one product field each from a notice's sentences, with the sentence as evidence.

Each rule returns ``(value, sentence)`` or None; a field without a clear statement is left out, never
guessed (a rate given only as "不超过LPR" has no number, so no rate). Values are v1 product fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from finmatch.drafting.text import norm
from finmatch.enums import GUANGXI, GUANGXI_CITIES

Found = tuple[Any, str] | None
NUM = r"(\d+(?:\.\d+)?)"
MONEY = NUM + r"(亿元|万元|亿|万)"
KINDS: tuple[tuple[str, str], ...] = (
    ("科技成果转化基金子基金", "equity"), ("知识产权质押贷", "loan"), ("首台套保险", "insurance"),
    ("首台(套)保险", "insurance"), ("科创贷", "loan"), ("中试贷", "loan"), ("科创担", "guarantee"),
    ("中试担", "guarantee"), ("中试险", "insurance"))
FAMILY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("subsidy", ("贴息", "补贴", "补助", "奖补", "资助")), ("guarantee", ("担保",)),
    ("insurance", ("保险", "投保", "保费")), ("equity", ("基金", "股权投资", "股权融资")),
    ("loan", ("贷款", "授信", "信贷", "贷")))
CERTS: tuple[tuple[str, str], ...] = (
    ('专精特新"小巨人"', "little_giant"), ("专精特新“小巨人”", "little_giant"), ("小巨人", "little_giant"),
    ("专精特新中小企业", "specialized_sme"), ("专精特新企业", "specialized_sme"), ("专精特新", "specialized_sme"),
    ("国家高新技术企业", "high_tech"), ("高新技术企业", "high_tech"), ("科技型中小企业", "tech_sme"),
    ("创新型中小企业", "innovative_sme"), ("瞪羚企业", "gazelle"), ("瞪羚", "gazelle"))
CERT_CUES = ("对象", "条件", "须", "需", "应为", "属于", "认定", "具备", "获得", "面向", "适用", "支持", "入库",
             "之一", "其一")
STAGE_WORDS: tuple[tuple[str, str], ...] = (("中试熟化", "pilot"), ("概念验证", "proof_of_concept"),
                                            ("产业化", "scale_up"), ("中试", "pilot"), ("孵化", "incubation"),
                                            ("技术攻关", "tech_research"))
REVENUE = ("营业收入", "营收", "销售收入", "主营业务收入")
BUDGET = ("总规模", "资金池", "年度预算", "总额度", "计划投放", "资金总额", "合作额度")
_DATE = r"(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?"


def wan(number: str, unit: str) -> float:
    value = float(number) * (10000.0 if unit.startswith("亿") else 1.0)
    return int(value) if value.is_integer() else round(value, 4)


def _first(sentences: list[str], pred: Callable[[str], Any]) -> Found:
    for s in sentences:
        got = pred(norm(s))
        if got is not None:
            return got, s
    return None


def name(sentences: list[str]) -> Found:
    """产品名称：X, else the first quoted term of the title lines (“科创贷”, 《…》)."""
    def labelled(t: str) -> Any:
        m = re.search(r"产品名称[:：]?([^,，。;；:：]{2,20})", t)
        return m.group(1) if m else None

    def quoted(t: str) -> Any:
        m = re.search(r"[“\"《]([^”\"》]{2,16})[”\"》]", t)
        if m and not any(c in m.group(1) for c in ("小巨人", "通知", "办法", "细则")):
            return m.group(1)
        return None

    return _first(sentences, labelled) or _first(sentences[:2], quoted)


def kind(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        for word, _ in KINDS:
            if norm(word) in t:
                return word.replace("(套)", "套")
        return None

    return _first(sentences, pred)


def family(sentences: list[str], kind_found: Found) -> Found:
    if kind_found is not None:
        fam = next(f for w, f in KINDS if w.replace("(套)", "套") == kind_found[0])
        return fam, kind_found[1]
    title = norm(sentences[0]) if sentences else ""
    for fam, words in FAMILY_WORDS:
        if any(w in title for w in words):
            return fam, sentences[0]
    counts = {fam: sum(norm(s).count(w) for s in sentences for w in words) for fam, words in FAMILY_WORDS}
    best = max(counts, key=lambda f: counts[f])
    if counts[best] == 0:
        return None
    words = dict(FAMILY_WORDS)[best]
    return best, next(s for s in sentences if any(w in norm(s) for w in words))


def _is_amount(t: str) -> bool:
    return (any(w in t for w in ("额度", "金额", "贷款", "担保", "保额", "保险金额", "贴息", "补助", "资助", "授信",
                                 "融资", "投资", "奖励", "奖补", "补贴"))
            and not any(w in t for w in REVENUE) and not any(w in t for w in BUDGET))


def amounts(sentences: list[str]) -> tuple[Found, Found]:
    """(amount_min_wan, amount_max_wan): a range, 最高/不超过/以内 for the top, 以上/起 for the bottom."""
    lo: Found = None
    hi: Found = None
    for s in sentences:
        t = norm(s)
        if not _is_amount(t):
            continue
        m = re.search(NUM + r"(万元|亿元|万|亿)?(?:至|到|-|~|—|－)" + MONEY, t)
        if m and hi is None:
            unit_lo = m.group(2) or m.group(4)
            lo, hi = (wan(m.group(1), unit_lo), s), (wan(m.group(3), m.group(4)), s)
            continue
        if hi is None:
            m = re.search(r"(?:最高|不超过|不高于|最多|上限为?|可达|最高可达|最高不超过)(?:人民币)?" + MONEY, t) or \
                re.search(MONEY + r"(?:以内|以下)", t)
            if m:
                hi = (wan(m.group(1), m.group(2)), s)
        if lo is None:
            m = re.search(MONEY + r"(?:\(含\))?(?:以上|起)", t) or re.search(r"(?:不低于|最低)" + MONEY, t)
            if m:
                lo = (wan(m.group(1), m.group(2)), s)
    return lo, hi


def rate(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        m = re.search(r"(年利率|贷款利率|执行利率|利率|担保费率|担保费|保险费率|保费费率|保费|费率)", t)
        if not m:
            return None
        rest = t[m.end():]
        p = re.search(NUM + r"%", rest)
        before = rest[: p.start()] if p else ""
        if not p or re.search(r"LPR.{0,4}$", before.upper()) or any(w in before for w in ("贴息", "补贴", "补助", "比例")):
            return None  # "LPR的30%", "保费的80%给予补贴": not the product's own rate
        return float(p.group(1))

    return _first(sentences, pred)


def tenor(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        m = re.search(r"(?<!有效)(?<!申报)(?<!公示)(?:期限|期间|存续期)[:：]?", t)
        if not m:
            return None
        rest = t[m.end():m.end() + 30]
        top = re.search(r"最长(?:不超过|可达|为)?(\d+)(个月|年)", rest)  # "一般1年，最长3年": the longest
        m = top or re.match(r"(?:一般|原则上|为|不超过|可达|最长)*(\d+)(?:[至到\-—~]\d+)?(个月|年)", rest)
        if not m:
            return None
        n = int(m.group(1))
        return n * 12 if m.group(2) == "年" else n

    return _first(sentences, pred)


def certifications(sentences: list[str]) -> Found:
    found: list[str] = []
    evidence = None
    for s in sentences:
        t = norm(s)
        if not any(c in t for c in CERT_CUES) and not re.match(r"^[(（]?[一二三四五六七八九十\d]+[)）、.]", t):
            continue
        hit = []
        for word, code in CERTS:
            w = norm(word)
            if w in t:
                hit.append((t.index(w), code))
                t = t.replace(w, "#" * len(w))
        if hit:
            evidence = evidence or s
            found += [c for _, c in sorted(hit)]
    return (list(dict.fromkeys(found)), evidence) if found and evidence else None


def revenue(sentences: list[str]) -> tuple[Found, Found]:
    lo: Found = None
    hi: Found = None
    for s in sentences:
        t = norm(s)
        if not any(w in t for w in REVENUE):
            continue
        m = re.search(r"(?:不低于|不少于|达到|(?<!不)超过|(?<!不)高于|≥|大于)" + MONEY, t) or re.search(MONEY + r"(?:\(含\))?以上", t)
        if m and lo is None:
            lo = (wan(m.group(1), m.group(2)), s)
        m = re.search(r"(?:不超过|不高于|(?<!不)低于|<|(?<!不)少于)" + MONEY, t) or re.search(MONEY + r"(?:\(含\))?(?:以下|以内)", t)
        if m and hi is None:
            hi = (wan(m.group(1), m.group(2)), s)
    return lo, hi


def company_age(sentences: list[str]) -> tuple[Found, Found]:
    lo: Found = None
    hi: Found = None
    for s in sentences:
        t = norm(s)
        if "成立" not in t and "注册" not in t:
            continue
        m = re.search(r"(?:成立|注册)(?:时间|年限)?(?:须|应)?(?:满|不少于|不低于|超过|已满|达)(\d+)年", t) or re.search(
            r"(?:成立|注册)(?:时间|年限)?(?:在)?(\d+)年(?:\(含\))?以上", t)
        if m and lo is None:
            lo = (int(m.group(1)), s)
        m = re.search(r"(?:成立|注册)(?:时间|年限)?(?:不超过|未满|不满|少于)(\d+)年", t) or re.search(
            r"(?:成立|注册)(?:时间|年限)?(?:在)?(\d+)年(?:以内|内)", t)
        if m and hi is None:
            hi = (int(m.group(1)), s)
    return lo, hi


def cities(sentences: list[str]) -> Found:
    cues = ("注册", "辖区", "区域", "范围", "所在", "落户", "本市", "区内", "境内", "服务", "对象", "企业", "创办", "设立")
    for s in sentences:
        t = norm(s)
        if not any(c in t for c in cues):
            continue
        named = [c for c in GUANGXI_CITIES if c in t and not re.search(c + r"市?(?:科学技术局|科技局|财政局|人民政府|分行)",
                                                                         t)]
        if named and any(c in t for c in ("注册", "辖区", "区域", "范围", "落户", "境内", "所在", "创办", "设立")):
            return named, s
        if re.search(r"(广西(?:壮族自治区)?|自治区)(?:区内|内|范围内|境内|辖区内)?(?:注册|依法|登记|设立)", t) or \
                re.search(r"(?:注册|登记|设立)(?:地)?(?:在|于)广西", t) or "全区范围" in t:
            return [GUANGXI], s
    return None


def valid_to(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        if not any(w in t for w in ("截止", "截至", "有效期", "止", "之前", "前")):
            return None
        dates = [dt.date(int(y), int(m), int(d)) for y, m, d in re.findall(_DATE, t)]
        return max(dates).isoformat() if dates else None

    return _first(sentences, pred)


def collateral(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        if re.search(r"(?:无需|无须|免|不需|不需要|不要求)(?:提供)?(?:任何)?(?:抵押|抵质押)|纯信用|信用方式|无抵押", t):
            return False
        if re.search(r"(?:需|须|应|要求)(?:提供)?(?:足额)?(?:有效)?(?:抵押|抵质押)", t):
            return True
        return None

    return _first(sentences, pred)


def debt_ratio(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        m = re.search(r"资产负债率(?:原则上)?(?:不超过|不高于|低于|≤|在|控制在)" + NUM + "%", t)
        return round(float(m.group(1)) / 100, 4) if m else None

    return _first(sentences, pred)


def tax_grade(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        m = re.search(r"纳税信用(?:等级|评级|级别)?(?:为|在|达到|须为)?([ABM])级(?:及|或)?以上", t) or re.search(
            r"纳税信用(?:等级|评级)?(?:为|须为)?([AB])级", t)
        return m.group(1) if m else None

    return _first(sentences, pred)


def hazardous(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        if re.search(r"危险化学品|危化品", t) and re.search(r"不支持|不予|除外|不属于|不得|禁止|不包括|不含|排除|不纳入", t):
            return True
        return None

    return _first(sentences, pred)


def three_firsts(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        if re.search(r"首台\(?套\)?|首批次|首版次", t) and re.search(r"限|须|仅|纳入|列入|属于|认定|目录", t):
            return True
        return None

    return _first(sentences, pred)


def stages(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        if "阶段" not in t:
            return None
        found = []
        for word, code in STAGE_WORDS:
            if word in t:
                found.append((t.index(word), code))
                t = t.replace(word, "#" * len(word))
        return list(dict.fromkeys(c for _, c in sorted(found))) or None

    return _first(sentences, pred)


def budget(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        m = re.search(r"(?:" + "|".join(BUDGET) + r")(?:规模)?(?:为|达|约|共)?(?:人民币)?" + MONEY, t)
        return wan(m.group(1), m.group(2)) if m else None

    return _first(sentences, pred)


def trl_min(sentences: list[str]) -> Found:
    def pred(t: str) -> Any:
        m = re.search(r"技术成熟度(?:\(TRL\))?(?:达到|不低于|在)?(\d)级(?:及|\(含\))?以上", t)
        return int(m.group(1)) if m else None

    return _first(sentences, pred)
