"""Sector inference: the out-of-the-box understanding (lexicon path: fast, no model) and the blendable
classifier trained on stored projects. Accuracy on the independent set is in tests/quality."""

from __future__ import annotations

import json
import pickle
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from features.sector import (
    SectorClassifier,
    SectorUnderstanding,
    blend_proba,
    infer_product_focus,
    infer_sectors,
    inference_reason,
    understand_sectors,
)
from features.sector_lexicon import SECTORS, load_lexicon
from features.text import project_text
from finmatch.enums import Sector

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data_samples" / "generated.json"

TOY = pd.DataFrame({
    "name": ["钠离子电池中试", "储能变流器", "液流电池电堆", "中药创新药", "抗体纯化", "诊断试剂盒",
             "深海网箱", "海藻多糖", "海洋牧场投喂"],
    "description": ["建设钠离子电池电芯中试线", "工商业储能柜与储能变流器控制", "全钒液流电池电堆中试平台",
                    "中药经典名方二次开发，建设GMP中试车间", "单克隆抗体表达纯化工艺放大", "体外诊断试剂盒试产",
                    "深远海抗风浪网箱养殖装备", "海藻生物提取海藻多糖", "海洋牧场智能投喂系统"],
    "sector": ["new_energy_storage"] * 3 + ["biomedicine"] * 3 + ["marine_economy"] * 3,
}, index=[f"T{i}" for i in range(9)])


@lru_cache(maxsize=1)
def _load_sample() -> pd.DataFrame:
    if SAMPLE.exists():
        doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
        return pd.DataFrame(doc["projects"]).set_index("project_id", drop=False)
    # the committed file is the reference; the generator that writes it is the fallback
    from finmatch.frames import projects_frame
    from training.synthetic.projects import generate_projects

    enterprises, projects = generate_projects(600, 20250601)
    return projects_frame(projects, {e.enterprise_id: e for e in enterprises})


def sample_projects() -> pd.DataFrame:
    """The labelled sample projects of the synthetic-data generator (data_samples/generated.json)."""
    try:
        return _load_sample().copy()
    except ImportError as exc:
        pytest.fail(f"sample projects missing: {SAMPLE} and the generator is not importable ({exc})")


def test_accuracy_on_held_out_sample_projects() -> None:
    projects = sample_projects()
    labelled = projects[projects["sector"].notna() & (projects["sector"].astype(str).str.strip() != "")]
    assert len(labelled) >= 100
    texts = project_text(labelled)
    sectors = labelled["sector"].map(lambda s: Sector.parse(s).value)
    x_tr, x_te, y_tr, y_te = train_test_split(texts, sectors, test_size=0.25, random_state=20250601,
                                              stratify=sectors)
    clf = SectorClassifier().fit(x_tr, y_tr)
    acc = clf.score(x_te, y_te)
    print(f"\nsector inference: held-out accuracy {acc:.3f} on {len(x_te)} projects "
          f"(trained on {len(x_tr)}, {len(clf.classes_)} sectors)")
    assert acc >= 0.85
    pred = clf.predict(x_te)
    # confidence is informative: right answers are more confident than wrong ones on average
    right = pred["sector"].to_numpy() == y_te.to_numpy()
    if (~right).any():
        assert pred.loc[right, "confidence"].mean() > pred.loc[~right, "confidence"].mean()


def test_blank_sample_projects_get_an_inferred_sector() -> None:
    projects = sample_projects()
    blank = projects["sector"].isna() | (projects["sector"].astype(str).str.strip() == "")
    assert blank.any(), "the sample should contain projects with a blank sector"
    labelled = projects[~blank]
    clf = SectorClassifier().fit(project_text(labelled.iloc[:200]), labelled["sector"].iloc[:200])
    out = infer_sectors(projects, clf)
    assert out.loc[blank, "inferred_sector"].isin(list(clf.classes_)).all()
    assert out.loc[~blank, "inferred_sector"].isna().all()


def test_predict_returns_codes_and_confidences() -> None:
    clf = SectorClassifier().fit(project_text(TOY), TOY["sector"])
    assert set(clf.classes_) == {"new_energy_storage", "biomedicine", "marine_economy"}
    new = pd.Series({"a": "固态电池储能电芯中试", "b": "中药配方颗粒GMP车间", "c": "深海养殖网箱"})
    pred = clf.predict(new)
    assert list(pred.columns) == ["sector", "confidence"] and list(pred.index) == ["a", "b", "c"]
    assert list(pred["sector"]) == ["new_energy_storage", "biomedicine", "marine_economy"]
    assert ((pred["confidence"] > 1 / 3) & (pred["confidence"] <= 1)).all()
    clone = pickle.loads(pickle.dumps(clf))
    assert clone.predict(new).equals(pred)


def test_fit_accepts_chinese_labels_and_skips_blanks() -> None:
    labels = TOY["sector"].map(lambda s: Sector(s).label).tolist()
    labels[0] = None
    clf = SectorClassifier().fit(project_text(TOY), pd.Series(labels, index=TOY.index))
    assert clf.n_train_ == 8 and "new_energy_storage" in clf.classes_


def test_infer_sectors_leaves_stated_sectors_alone() -> None:
    clf = SectorClassifier().fit(project_text(TOY), TOY["sector"])
    frame = pd.DataFrame({"name": ["钠电池项目", "网箱项目", "中药项目"],
                          "description": ["钠离子电池电芯中试线", "深远海网箱养殖", "中药经典名方GMP中试"],
                          "sector": [None, "marine_economy", ""]}, index=["p1", "p2", "p3"])
    out = infer_sectors(frame, clf)
    assert out.loc["p1", "inferred_sector"] == "new_energy_storage"
    assert out.loc["p3", "inferred_sector"] == "biomedicine"
    assert pd.isna(out.loc["p2", "inferred_sector"]) and np.isnan(out.loc["p2", "sector_confidence"])
    assert out.loc["p2", "sector"] == "marine_economy" and frame.columns.tolist() == ["name", "description", "sector"]
    assert 0 < out.loc["p1", "sector_confidence"] <= 1


def test_inference_reason_reads_like_the_issue() -> None:
    assert inference_reason("new_energy_storage", 0.912) == "所属领域根据项目简介推断为 新能源及储能 (置信度 0.91)"


# ---- out-of-the-box understanding (lexicon only: embeddings are measured in tests/quality) -----------

LEXICON_ONLY = SectorUnderstanding(use_embeddings=False)


def test_every_sector_has_a_lexicon_and_longest_terms_win() -> None:
    lex = load_lexicon()
    per_sector = {s: sum(1 for w in lex.weights.values() if w[SECTORS.index(s)] > 0) for s in SECTORS}
    assert min(per_sector.values()) >= 40, per_sector
    # 电池铝箔 is one material term, not 电池 (storage) + 铝箔
    assert lex.hits("电池铝箔冷轧工艺") == {"电池铝箔": 1, "冷轧": 1}
    score = lex.score("电池铝箔冷轧工艺")
    assert SECTORS[int(score.argmax())] == "advanced_materials" and score[SECTORS.index("new_energy_storage")] == 0


@pytest.mark.parametrize(("text", "sector"), [
    ("糖厂滤泥和蔗髓发酵制生物有机肥，蔗田试验", "modern_agriculture"),
    ("以蔗渣为原料稀酸水解制糠醛和木糖", "green_chemicals"),
    ("废旧易拉罐脱漆熔炼，保级再生铝合金锭", "green_low_carbon"),
    ("钠离子电池层状氧化物正极材料百吨级中试线", "new_energy_storage"),
    ("扁线电机与控制器集成的三合一电驱总成装车试验", "new_energy_vehicles"),
])
def test_lexicon_reads_guangxi_chains(text: str, sector: str) -> None:
    pred = LEXICON_ONLY.predict([text])
    assert pred["sector"].iat[0] == sector
    assert 0 < pred["confidence"].iat[0] <= 1 and pred["second"].iat[0] != sector


def test_a_text_without_domain_terms_is_uncertain_not_guessed() -> None:
    pred = LEXICON_ONLY.predict(["本公司拟融资用于发展"])
    assert bool(pred["uncertain"].iat[0]) and pred["confidence"].iat[0] < 0.2


def test_understand_sectors_fills_blanks_with_runner_up_and_flags() -> None:
    frame = pd.DataFrame({"name": ["钠电池项目", "网箱项目", "融资项目"],
                          "description": ["钠离子电池电芯中试线", "深远海网箱养殖", "补充流动资金"],
                          "sector": [None, "marine_economy", ""]}, index=["p1", "p2", "p3"])
    out = understand_sectors(frame, LEXICON_ONLY)
    assert out.loc["p1", "inferred_sector"] == "new_energy_storage" and not out.loc["p1", "sector_uncertain"]
    assert pd.isna(out.loc["p2", "inferred_sector"]) and not out.loc["p2", "sector_uncertain"]
    assert out.loc["p3", "sector_uncertain"] and isinstance(out.loc["p3", "sector_second"], str)
    assert frame.columns.tolist() == ["name", "description", "sector"]  # the input is not changed


def test_calibration_fit_is_plain_data_and_changes_confidence() -> None:
    texts = project_text(TOY)
    fitted = SectorUnderstanding(use_embeddings=False).fit(texts, TOY["sector"], TOY["name"])
    assert isinstance(fitted.a_lexicon_, float) and fitted.a_lexicon_ > 0 and fitted.n_calibration_ == 9
    assert not np.allclose(fitted.predict_proba(texts), LEXICON_ONLY.predict_proba(texts))


def test_blend_weight_is_capped_so_the_classifier_never_replaces_the_understanding() -> None:
    clf = SectorClassifier().fit(project_text(TOY), TOY["sector"])
    base = LEXICON_ONLY.predict_proba(["钠离子电池电芯中试线"])
    mixed = blend_proba(base, clf, ["钠离子电池电芯中试线"], weight=0.9)  # asks for more than allowed
    other = blend_proba(base, clf, ["钠离子电池电芯中试线"], weight=0.5)
    np.testing.assert_allclose(mixed, other)
    np.testing.assert_allclose(mixed.sum(axis=1), 1.0)


def test_product_focus_from_prose_only_when_sectors_are_empty() -> None:
    products = pd.DataFrame({
        "kind": ["产业投资基金", "科创贷", "产业投资基金"],
        "name": ["新材料基金", "信用贷", "医药基金"],
        "description": ["专注碳酸钙深加工、稀土功能材料和铝基新材料", "用于研发投入和原材料采购", "投资创新药"],
        "sectors": [[], [], ["biomedicine"]]}, index=["a", "b", "c"])
    out = infer_product_focus(products)
    assert out.loc["a", "focus_sectors"] == ["advanced_materials"] and out.loc["a", "focus_inferred"]
    assert out.loc["b", "focus_sectors"] == [] and not out.loc["b", "focus_inferred"]
    assert out.loc["c", "focus_sectors"] == ["biomedicine"] and not out.loc["c", "focus_inferred"]
