"""The domain dictionary fixes how jieba splits pilot-test, finance and sector terms."""

from __future__ import annotations

import logging

import jieba
import pytest

from features.tokenize import cut, stopwords, tokenize, userdict_terms

# (real phrase, domain term that must come out whole)
PHRASES: list[tuple[str, str]] = [
    ("本项目处于中试熟化阶段，计划建设百吨级中试线", "中试熟化"),
    ("项目已完成概念验证，即将进入中试阶段", "概念验证"),
    ("该数控机床已列入首台套推广目录", "首台套"),
    ("建设固态电池电芯中试线", "固态电池"),
    ("企业拟申请中试贷用于购置涂布机", "中试贷"),
    ("由再担保机构提供中试担服务", "中试担"),
    ("投保中试险覆盖中试验证失败损失", "中试险"),
    ("公司获评自治区专精特新企业", "专精特新"),
    ("以发明专利办理知识产权质押贷", "知识产权质押贷"),
    ("钠离子电池储能系统示范应用", "钠离子电池"),
    ("磷酸铁锂正极材料连续化合成", "磷酸铁锂"),
    ("依托柳州新能源商用车中试基地开展整车验证", "新能源商用车"),
    ("智能网联汽车线控底盘测试", "智能网联汽车"),
    ("稀土永磁电机转子批量试制", "稀土永磁"),
    ("科技成果转化基金子基金重点投资早期项目", "子基金"),
    ("深远海养殖工船关键装备研制", "深远海养殖"),
    ("建设全钒液流电池电堆中试平台", "全钒液流电池"),
    ("首批次新材料保险补偿", "首批次"),
    ("赤泥综合利用制备建材", "赤泥综合利用"),
    ("实现碳中和目标的低碳工艺", "碳中和"),
]


@pytest.fixture(scope="module")
def plain_jieba() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


def test_dictionary_fixes_at_least_ten_phrases(plain_jieba: jieba.Tokenizer) -> None:
    fixed = []
    for phrase, term in PHRASES:
        ours = cut(phrase)
        assert term in ours, f"{term!r} not whole in {ours}"
        if term not in plain_jieba.lcut(phrase):
            fixed.append(term)
    assert len(fixed) >= 10, f"plain jieba already gets these right: {set(t for _, t in PHRASES) - set(fixed)}"


def test_dictionary_has_several_hundred_terms_from_every_area() -> None:
    terms = userdict_terms()
    assert len(terms) >= 300
    assert len(terms) == len(set(terms)), "duplicate terms in userdict.txt"
    for must in ("中试", "中试熟化", "概念验证", "科创贷", "科创担", "首台套", "储能", "固态电池", "碳酸钙", "生物医药"):
        assert must in terms


def test_tokenize_drops_stop_words_punctuation_and_numbers() -> None:
    toks = tokenize("本公司拟于2026年建设500吨/年的碳酸钙中试线，并申请科创担！")
    assert "碳酸钙" in toks and "科创担" in toks
    for gone in ("的", "，", "！", "2026", "500", "/", "并"):
        assert gone not in toks
    assert not (set(toks) & stopwords())


def test_tokenize_normalises_width_and_case() -> None:
    assert "gmp" in tokenize("建设ＧＭＰ中试车间")
    assert tokenize(None) == [] and tokenize(float("nan")) == [] and tokenize("   ") == []


def test_search_mode_adds_sub_words() -> None:
    default = tokenize("投保首台套保险")
    search = tokenize("投保首台套保险", search=True)
    assert "首台套保险" in default and "保险" not in default
    assert {"首台套", "保险", "首台套保险"} <= set(search)


def test_private_tokenizer_leaves_global_jieba_alone() -> None:
    cut("中试熟化")  # make sure ours is loaded
    assert "中试熟化" not in jieba.lcut("中试熟化阶段")
