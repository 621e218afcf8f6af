"""The knowledge-based prior: how a sci-tech finance officer ranks eligible products with no history.

Funding intent comes first, then five fit terms, each in [0, 1]:

    score = 0.5 · intent + 0.5 · (0.25·family_fit + 0.20·sector_focus + 0.20·ticket_fit
                                  + 0.20·purpose + 0.15·text_similarity)

| term | weight | what it measures |
|---|---|---|
| ``intent`` | first key (0.5) | 1 when the product's family is among the project's ``funding_types``, 0.5 when the project states none, 0 otherwise: a requested family always ranks above one the project did not ask for |
| ``family_fit`` | 0.25 | the family's own rule: equity favours proof-of-concept/pilot/incubation at TRL 5–7; loans favour revenue and profit (repayment capacity); guarantees favour firms without collateral or first-time borrowers; 中试险 favours pilot-stage work, more so hazardous or novel processes; 三首 insurance and rewards need the matching 三首 product; subsidies favour government-supported projects |
| ``sector_focus`` | 0.20 | the project's sector (stated, or inferred × its confidence) inside the product's focus (stated ``sectors``, or the focus its text names); 0.5 for a product open to every sector |
| ``ticket_fit`` | 0.20 | the need inside the product's ticket range, best when it uses a fair share of the ceiling (≥ 20%); decays with the log distance outside |
| ``purpose`` | 0.20 | share of the project's stated uses of money (设备, 流动资金, 检测认证, 知识产权, 人才, 市场推广, 风险保障, 中试线建设) that the product's text also names |
| ``text_similarity`` | 0.15 | BM25 of the project's text against the product's, handed in by the composition root |

Every term that is high for a pair becomes a Chinese reason about the project (its stage, TRL, revenue,
collateral, uses of money), not a sentence about the product. The text and sector parts live in
``features`` and are handed in as callables: ``finmatch`` imports none of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from finmatch.eligibility.values import FrameColumns
from finmatch.enums import Family, Sector, Stage
from finmatch.matching.frame_cache import FrameCache
from finmatch.matching.prior_arrays import (
    ProductTerms,
    finite,
    pair_terms,
    product_terms,
    project_terms,
    used_rows,
)
from finmatch.matching.prior_values import _blank, _flag, _list, _num, _text  # noqa: F401 (P._num …)
from finmatch.matching.scorer import PRIOR_VERSION, ScoredPairs, SectorInferer, TextSimilarity

Row = dict[str, Any]  # one project's or product's fields

# products -> products with a ``focus_sectors`` list column (stated sectors, or the text's focus)
ProductEnricher = Callable[[pd.DataFrame], pd.DataFrame]

FIT_WEIGHTS: dict[str, float] = {"family_fit": 0.25, "sector_focus": 0.20, "ticket_fit": 0.20, "purpose": 0.20,
                                 "text_similarity": 0.15}
INTENT_WEIGHT = 0.5  # the intent tier: score = 0.5·intent + 0.5·Σ FIT_WEIGHTS·term

# What the money is for: tag -> words in a project's or a product's text (substring match).
PURPOSES: dict[str, tuple[str, ...]] = {
    "equipment": ("设备", "仪器", "装置", "生产线", "产线", "窑炉", "机组"),
    "working_capital": ("流动资金", "周转", "原材料", "备货", "采购"),
    "testing": ("检测", "认证", "注册检验", "测评", "型式认可", "检验"),
    "ip": ("知识产权", "专利", "软件著作权", "软著"),
    "talent": ("人才", "团队", "工程师"),
    "market": ("市场推广", "推广", "示范应用", "示范运营", "首用", "市场"),
    "risk": ("风险保障", "保险", "投保", "失败", "损失", "风险补偿"),
    "pilot_line": ("中试线", "中试车间", "中试装置", "试制线", "中试平台", "中试基地", "洁净车间", "发酵车间"),
}
PURPOSE_LABELS = {"equipment": "设备购置", "working_capital": "流动资金", "testing": "检测认证",
                  "ip": "知识产权", "talent": "人才引进", "market": "市场推广", "risk": "风险保障",
                  "pilot_line": "中试线建设"}
THREE_FIRST_KINDS = {"first_set": ("首台", "重大技术装备"), "first_batch": ("首批次", "新材料首批"),
                     "first_version": ("首版次", "软件")}
THREE_FIRST_LABELS = {"first_set": "首台（套）装备", "first_batch": "首批次新材料", "first_version": "首版次软件"}
PILOT_INSURANCE_WORDS = ("中试险", "中试", "研发费用", "研发中试")
EQUITY_STAGES = {"proof_of_concept": 1.0, "pilot": 1.0, "incubation": 0.9, "tech_research": 0.5, "scale_up": 0.5}
NOVEL_WORDS = ("首次", "首创", "新工艺", "国内首", "填补", "连续流", "替代进口")


def purposes_of(text: str) -> set[str]:
    """The purpose tags a text names."""
    return {tag for tag, words in PURPOSES.items() if any(w in text for w in words)}


def _records(frame: pd.DataFrame, cols: list[str], ids: np.ndarray) -> list[dict[str, Any]]:
    """Per id (repeats allowed), a dict of the columns the frame has (missing columns read as absent)."""
    have = [c for c in cols if c in frame.columns]
    rows = frame.index.get_indexer(ids)
    values = {c: frame[c].to_numpy(dtype=object)[rows] for c in have}
    return [{c: values[c][k] for c in have} for k in range(len(ids))]


def _positions(frame: pd.DataFrame, ids: np.ndarray, what: str) -> np.ndarray:
    """Row positions of ``ids`` in ``frame`` (KeyError naming the missing ids)."""
    pos = frame.index.get_indexer(ids) if len(ids) else np.zeros(0, dtype=np.int64)
    if (pos < 0).any():
        missing = sorted({str(x) for x in np.asarray(ids)[pos < 0]})[:5]
        raise KeyError(f"配对表中的{what}不在输入表中：{missing}")
    return np.asarray(pos, dtype=np.int64)


def _wan(v: float) -> str:
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"


class PriorScorer:
    """Transparent day-one ranking from domain knowledge; the learned model is measured against it."""

    version = PRIOR_VERSION
    WEIGHTS = FIT_WEIGHTS  # the fit terms; intent is the first key (see the module docstring)

    def __init__(self, text_similarity: TextSimilarity | None = None, sector_inferer: SectorInferer | None = None,
                 product_enricher: ProductEnricher | None = None) -> None:
        self.text_similarity = text_similarity
        self.sector_inferer = sector_inferer
        self.product_enricher = product_enricher

    def enrich_projects(self, projects: pd.DataFrame) -> pd.DataFrame:
        return self.sector_inferer(projects) if self.sector_inferer is not None else projects

    def enrich_products(self, products: pd.DataFrame) -> pd.DataFrame:
        if "focus_sectors" in products.columns or self.product_enricher is None:
            return products
        return self._caches()[0].get(products, self.product_enricher)

    def _caches(self) -> tuple[FrameCache, FrameCache]:
        """The enriched catalogues and their product-side arrays, per catalogue frame (runtime state)."""
        caches = self.__dict__.get("_product_caches")
        if caches is None:
            caches = self.__dict__["_product_caches"] = (FrameCache(), FrameCache())
        return caches

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_product_caches"}

    def _gather(self, projects: pd.DataFrame, products: pd.DataFrame,
                pairs: pd.DataFrame) -> tuple[ProductTerms, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Product-side arrays (once per catalogue frame), the used projects' rows and the pair positions."""
        side = self._caches()[1].get(products, product_terms)
        pi = _positions(projects, pairs["project_id"].to_numpy(), "项目")
        qj = _positions(products, pairs["product_id"].to_numpy(), "产品")
        used, row = used_rows(pi, len(projects))
        return side, pi, qj, used, row

    # -- the terms ---------------------------------------------------------------------------------
    def components(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        """One row per pair: ``intent`` and every fit term, each in [0, 1]."""
        if "inferred_sector" not in projects.columns:
            projects = self.enrich_projects(projects)
        products = self.enrich_products(products)
        n = len(pairs)
        pi = _positions(projects, pairs["project_id"].to_numpy(), "项目")
        qj = _positions(products, pairs["product_id"].to_numpy(), "产品")
        if self.text_similarity is not None and n:
            text = np.clip(np.asarray(self.text_similarity(projects, products, pairs), dtype=float), 0, 1)
        else:
            text = np.zeros(n)
        return self.components_at(projects, products, pi, qj, text)

    def components_at(self, projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray, qj: np.ndarray,
                      text_similarity: np.ndarray | None = None) -> pd.DataFrame:
        """``components`` of the pairs given as row positions (projects enriched, products with
        ``focus_sectors``), with the text term handed in (zeros when None): no id lookups."""
        return pd.DataFrame(self.terms_at(projects, products, pi, qj, text_similarity))

    def terms_at(self, projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray, qj: np.ndarray,
                 text_similarity: np.ndarray | None = None,
                 columns: FrameColumns | None = None) -> dict[str, np.ndarray]:
        """``components_at`` as a dict of arrays (``combine`` takes either): no frame built per call.
        ``columns``: the projects' columns as a caller already read them (each is read once per call)."""
        pi, qj = np.asarray(pi, dtype=np.int64), np.asarray(qj, dtype=np.int64)
        side = self._caches()[1].get(products, product_terms)
        used, row = used_rows(pi, len(projects))
        terms = pair_terms(project_terms(projects, used, side, columns), side, row, qj)
        text = np.zeros(len(pi)) if text_similarity is None else np.asarray(text_similarity, dtype=float)
        terms["text_similarity"] = finite(text)
        return {k: np.asarray(terms[k], dtype=float) for k in ("intent", *FIT_WEIGHTS)}

    @staticmethod
    def _family_fit(p: Row, q: Row, family: str, text: str) -> float:
        stage, trl = p.get("stage"), _num(p.get("trl"))
        three = set(_list(p.get("three_firsts")))
        if family == Family.EQUITY:
            base = EQUITY_STAGES.get(str(stage), 0.5)
            if not math.isnan(trl):
                base *= 1.0 if 5 <= trl <= 7 else (0.7 if trl in (4, 8) else 0.4)
            return base
        if family == Family.LOAN:
            revenue, profit = _num(p.get("annual_revenue_wan")), _num(p.get("net_profit_wan"))
            if math.isnan(revenue):
                return 0.4
            capacity = 1.0 if profit > 0 and revenue >= 1000 else (0.7 if profit > 0 else (0.45 if revenue > 0 else 0.2))
            return capacity * (1.0 if stage in ("incubation", "scale_up", "pilot") else 0.7)
        if family == Family.GUARANTEE:
            collateral, first = _flag(p.get("has_collateral")), _flag(p.get("first_time_borrower"))
            if collateral is False or first is True:
                return 1.0
            return 0.5 if collateral is None else 0.3
        kinds = [t for t, words in THREE_FIRST_KINDS.items() if any(w in str(q.get("kind") or "") for w in words)]
        if kinds or bool(q.get("requires_three_firsts")):
            matches = three & set(kinds) if kinds else three
            return 1.0 if matches else 0.1
        if family == Family.INSURANCE:
            if any(w in text for w in PILOT_INSURANCE_WORDS):
                base = 1.0 if stage in ("proof_of_concept", "pilot") else 0.4
                hazard = bool(_flag(p.get("hazardous_chemicals")))
                novel = any(w in _text(p.get("description")) for w in NOVEL_WORDS)
                return min(1.0, base * (0.75 + 0.25 * (hazard or novel)))
            return 0.5
        if family == Family.SUBSIDY:
            return 1.0 if _flag(p.get("government_supported")) else 0.4
        return 0.5

    @staticmethod
    def _project_sectors(p: Row) -> list[tuple[str, float]]:
        stated = p.get("sector")
        if not _blank(stated):
            return [(str(stated), 1.0)]
        out = []
        for col, conf_col in (("inferred_sector", "sector_confidence"),
                              ("sector_second", "sector_second_confidence")):
            code = p.get(col)
            if not _blank(code):
                conf = _num(p.get(conf_col))
                out.append((str(code), 0.5 if math.isnan(conf) else conf))
        return out

    def _sector_focus(self, p: Row, q: Row) -> float:
        focus = _list(q.get("focus_sectors")) or _list(q.get("sectors"))
        if not focus:
            return 0.5
        mine = self._project_sectors(p)
        if not mine:
            return 0.3
        return float(min(1.0, sum(conf for code, conf in mine if code in focus)))

    @staticmethod
    def _ticket_fit(p: Row, q: Row) -> float:
        need = _num(p.get("funding_need_wan"))
        lo, hi = _num(q.get("amount_min_wan")), _num(q.get("amount_max_wan"))
        if math.isnan(need) or need <= 0 or (math.isnan(lo) and math.isnan(hi)):
            return 0.5
        if not math.isnan(lo) and need < lo:
            return float(math.exp(-abs(math.log(lo / need))))
        if not math.isnan(hi):
            if need > hi:
                return float(math.exp(-abs(math.log(need / hi))))
            share = need / hi
            return 1.0 if share >= 0.2 else float(0.6 + 0.4 * share / 0.2)
        return 1.0

    # -- scores and reasons ------------------------------------------------------------------------
    @staticmethod
    def combine(comp: pd.DataFrame | dict[str, np.ndarray]) -> np.ndarray:
        """``0.5·intent + 0.5·Σ w·term`` summed in ``FIT_WEIGHTS`` order from 0, in place (the same floats)."""
        fit = np.zeros(len(np.asarray(comp["intent"])))
        step = np.empty_like(fit)
        for k, w in FIT_WEIGHTS.items():
            fit += np.multiply(np.asarray(comp[k], dtype=float), w, out=step)
        fit *= 1 - INTENT_WEIGHT
        fit += np.multiply(np.asarray(comp["intent"], dtype=float), INTENT_WEIGHT, out=step)
        return fit

    def score_pairs(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                    margins: dict[str, np.ndarray] | None = None) -> ScoredPairs:
        if len(pairs) == 0:
            return ScoredPairs(np.zeros(0), np.zeros(0), [])
        if "inferred_sector" not in projects.columns:
            projects = self.enrich_projects(projects)
        products = self.enrich_products(products)
        comp = self.components(projects, products, pairs)
        score = self.combine(comp)
        probability = 1.0 / (1.0 + np.exp(-8.0 * (score - 0.6)))
        return ScoredPairs(score, probability, self._pair_reasons(projects, products, pairs, comp))

    def _pair_reasons(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                      comp: pd.DataFrame, k: int = 3) -> list[list[str]]:
        """``reasons`` of every pair, each sentence built once per project and product group it depends on
        (the sentences read only the project row and a few product fields, see ``ProductTerms``)."""
        side, pi, qj, used, row = self._gather(projects, products, pairs)
        p_rows = _records(projects, list(projects.columns), projects.index.to_numpy()[used])
        q_cache: dict[int, Row] = {}
        product_ids = products.index.to_numpy()

        def q_row(j: int) -> Row:
            if j not in q_cache:
                q_cache[j] = _records(products, list(products.columns), product_ids[j:j + 1])[0]
            return q_cache[j]

        keys = {"family_fit": side.family_key, "sector_focus": side.focus_key, "ticket_fit": side.ticket_key,
                "purpose": side.purpose, "text_similarity": np.zeros(len(side.family), dtype=np.int64)}
        texts: dict[tuple[str, int, int], str | None] = {}
        intent_text = {f: f"企业意向融资方式包含{Family(f).label}" for f in side.families if f in Family.labels()}
        values = {t: comp[t].to_numpy(dtype=float).tolist() for t in ("intent", *FIT_WEIGHTS)}
        terms = list(FIT_WEIGHTS.items())
        out_all: list[list[str]] = []
        rows, cols = row.tolist(), qj.tolist()
        key_lists = {t: keys[t][qj].tolist() for t in FIT_WEIGHTS}
        for t, (r, j) in enumerate(zip(rows, cols, strict=True)):
            out: list[tuple[float, str]] = []
            family = side.family[j]
            if values["intent"][t] >= 1.0:
                out.append((1.0, intent_text.get(family) or f"企业意向融资方式包含{Family(family).label}"))
            for term, w in terms:
                v = values[term][t]
                if v < 0.6 or term == "text_similarity" and v < 0.7:
                    continue
                key = (term, r, key_lists[term][t])
                if key not in texts:
                    texts[key] = self._reason(term, p_rows[r], q_row(j), family)
                text = texts[key]
                if text:
                    out.append((w * v, text))
            head = out[:1] if out and out[0][0] == 1.0 else []
            rest = sorted(out[len(head):], key=lambda x: -x[0])
            out_all.append([s for _, s in (head + rest)[:k]])
        return out_all

    def reasons(self, p: Row, q: Row, row: Row, k: int = 3) -> list[str]:
        """The strongest terms of one pair as Chinese sentences about the project."""
        out: list[tuple[float, str]] = []
        family = str(q.get("family"))
        if row["intent"] >= 1.0:
            out.append((1.0, f"企业意向融资方式包含{Family(family).label}"))
        for term, w in FIT_WEIGHTS.items():
            if row[term] < 0.6 or term == "text_similarity" and row[term] < 0.7:
                continue
            text = self._reason(term, p, q, family)
            if text:
                out.append((w * row[term], text))
        head = out[:1] if out and out[0][0] == 1.0 else []
        rest = sorted(out[len(head):], key=lambda x: -x[0])
        return [t for _, t in (head + rest)[:k]]

    def _reason(self, term: str, p: Row, q: Row, family: str) -> str | None:
        stage = str(p.get("stage"))
        stage_label = Stage.labels().get(stage, stage)
        trl = _num(p.get("trl"))
        if term == "family_fit":
            if family == Family.EQUITY:
                trl_text = f"、技术成熟度 TRL {int(trl)}" if not math.isnan(trl) else ""
                return f"项目处于{stage_label}阶段{trl_text}，正处股权投资偏好的中试熟化窗口（TRL 5–7）"
            if family == Family.LOAN:
                return (f"企业上年营业收入 {_wan(_num(p.get('annual_revenue_wan')))} 万元、"
                        f"净利润 {_wan(_num(p.get('net_profit_wan')))} 万元，具备还款来源")
            if family == Family.GUARANTEE:
                if _flag(p.get("first_time_borrower")):
                    return "企业为首贷户，担保增信可帮助取得首笔贷款"
                return "企业缺少抵押物，担保可替代抵押取得贷款"
            three = [THREE_FIRST_LABELS[t] for t in _list(p.get("three_firsts")) if t in THREE_FIRST_LABELS]
            if three and (q.get("requires_three_firsts") or any(w in str(q.get("kind") or "")
                                                                 for ws in THREE_FIRST_KINDS.values() for w in ws)):
                return f"项目产品属于{'、'.join(three)}，符合三首政策支持"
            if family == Family.INSURANCE:
                extra = "且涉及危险化学品，" if _flag(p.get("hazardous_chemicals")) else ""
                return f"项目处于{stage_label}阶段，{extra}中试失败风险需要保险保障"
            if family == Family.SUBSIDY:
                return "项目已获财政科技项目支持，符合补助申报条件"
            return None
        if term == "sector_focus":
            mine = self._project_sectors(p)
            focus = _list(q.get("focus_sectors")) or _list(q.get("sectors"))
            hit = [c for c, _ in mine if c in focus]
            if not hit or not focus:
                return None
            label = Sector.labels().get(hit[0], hit[0])
            how = "（根据项目简介推断）" if _blank(p.get("sector")) else ""
            src = "产品说明写明关注该领域" if bool(q.get("focus_inferred")) else "属于产品重点支持领域"
            return f"项目所属领域为{label}{how}，{src}"
        if term == "ticket_fit":
            need = _num(p.get("funding_need_wan"))
            lo, hi = _num(q.get("amount_min_wan")), _num(q.get("amount_max_wan"))
            if math.isnan(need):
                return None
            rng = (f"{_wan(lo)}–{_wan(hi)}" if not math.isnan(lo) and not math.isnan(hi)
                   else (f"不超过 {_wan(hi)}" if not math.isnan(hi) else f"不低于 {_wan(lo)}"))
            return f"融资需求 {_wan(need)} 万元与单户额度（{rng} 万元）相符"
        if term == "purpose":
            uses = purposes_of(_text(p.get("name"), p.get("description")))
            offered = purposes_of(_text(q.get("kind"), q.get("name"), q.get("description")))
            shared = [PURPOSE_LABELS[t] for t in PURPOSES if t in uses & offered]
            return f"项目资金用于{'、'.join(shared)}，与产品支持的用途一致" if shared else None
        if term == "text_similarity":
            return "项目简介与产品说明的技术和应用内容相近"
        return None
