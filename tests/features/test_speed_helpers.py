"""The helpers the feature-matrix speed work introduced give what the code they replace gave, value for value.

Each is checked against the plain computation it stands for (a frozen copy where the old code was
replaced): the column reader against ``frame[col]``, the bitwise ``select`` against ``np.where``, the sorted
gathers against ``take``, the word search against ``purposes_of``, the lexicon scan against the regex it
replaced, the rank comparison of numeric clauses against the float comparison, the prior's project terms and
the sector understanding of unusual frames (missing columns, object columns, odd values) against the frozen
code.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

from features.sector import SectorUnderstanding, understand_sectors
from features.sector_lexicon import load_lexicon
from finmatch.eligibility.values import FrameColumns
from finmatch.matching import prior as P
from finmatch.matching.prior_arrays import (
    Rows,
    product_terms,
    project_terms,
    purpose_masks,
    select,
    used_rows,
    word_bits,
)
from tests.features import reference_features as R
from tests.features import reference_prior_arrays as A
from tests.features.reference_sector_lexicon import LEXICON_PATH, _load


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    nan = np.isnan(a)
    return a.shape == b.shape and bool((nan == np.isnan(b)).all()) and bool(
        (a.view(np.uint64)[~nan] == b.view(np.uint64)[~nan]).all())


def _odd_frame() -> pd.DataFrame:
    """Projects as a hand-built frame might hold them: object columns, None / NaN / NA, numbers as text."""
    return pd.DataFrame({
        "name": ["钠电池设备采购", None, "中试线建设", np.nan, "检测认证与市场推广", "首次工艺"],
        "description": ["购置中试设备，国内首创连续流工艺", "流动资金周转", None, "知识产权与人才团队", "",
                        "新工艺替代进口，投保中试险"],
        "sector": ["new_energy_storage", None, "", np.nan, "biomedicine", None],
        "inferred_sector": [None, "advanced_materials", "biomedicine", None, None, "marine_economy"],
        "sector_confidence": [np.nan, 0.4, "0.9", None, 1.0, 0.7],
        "sector_second": [None, "biomedicine", None, None, None, "advanced_materials"],
        "stage": ["pilot", "incubation", None, "proof_of_concept", "scale_up", np.nan],
        "trl": [6, "5", None, 8, 4.0, np.nan],
        "annual_revenue_wan": [1200.0, None, 500, -3.0, "x", 0.0],
        "net_profit_wan": [100.0, -5.0, None, 1.0, 2.0, 0.0],
        "has_collateral": [True, False, None, np.nan, 1, 0],
        "first_time_borrower": [False, True, None, True, 0, np.nan],
        "hazardous_chemicals": [None, True, False, np.nan, True, False],
        "government_supported": [True, None, False, 1, 0, np.nan],
        "three_firsts": [["first_set"], [], None, ("first_batch", "first_version"), "first_set", np.nan],
        "funding_types": [["loan", "equity"], [], None, ("guarantee",), "loan", ["subsidy", 3]],
        "funding_need_wan": [300.0, None, "50", 0.0, -2.0, 1e9],
    }, index=[f"P{i}" for i in range(6)], dtype=object)


def test_frame_columns_read_what_pandas_reads() -> None:
    frame = pd.DataFrame({"s": pd.Series(["a", None, "b"], dtype="str"), "o": ["x", None, 3], "f": [1.0, np.nan, 2.0],
                          "i": [1, 2, 3], "b": [True, False, True], "n": pd.Series([1, None, 3], dtype="Int64"),
                          "t": ["1.5", "x", None]})
    cols = FrameColumns(frame)
    for c in frame.columns:
        want, got = frame[c].tolist(), cols.objects(c).tolist()
        assert [type(x) for x in want] == [type(x) for x in got]
        assert all(x is y or x == y or (x != x and y != y) for x, y in zip(want, got, strict=True))
    for c in ("f", "i", "b", "n", "t"):
        series = frame[c]
        plain = isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiub"
        want = series.to_numpy(dtype=float) if plain else pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        assert _same(cols.floats(c), want)
    assert cols.objects("missing").tolist() == [None] * 3 and np.isnan(cols.floats("missing")).all()


def test_select_rows_and_used_rows_match_numpy() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=5000)
    a[::7], a[::11] = np.nan, -0.0
    b = rng.normal(size=5000)
    b[::5] = np.inf
    cond = rng.random(5000) < 0.5
    assert _same(select(cond, a, b), np.where(cond, a, b))
    assert _same(select(cond, 1.0, b), np.where(cond, 1.0, b))
    assert _same(select(cond, a, 0.0), np.where(cond, a, 0.0))
    values = rng.normal(size=(40, 3))
    for index in (np.sort(rng.integers(0, 40, 3000)), rng.integers(0, 40, 3000), np.arange(5)):
        assert np.array_equal(Rows(index, 40)(values), values[index])
        used, row = used_rows(index, 40)
        u, inv = np.unique(index, return_inverse=True)
        assert np.array_equal(used, u) and np.array_equal(row, inv.reshape(-1))


def test_word_search_matches_purposes_of() -> None:
    rng = random.Random(3)
    words = [w for ws in P.PURPOSES.values() for w in ws] + list(P.NOVEL_WORDS)
    texts = ["", "设备", "中试装置与中试线", "市场推广示范应用"]
    for _ in range(400):
        texts.append("".join(rng.choice(words + ["的", "和", "。", "试", "中", "\x00"]) for _ in range(rng.randint(0, 9))))
    order = list(P.PURPOSES)
    want = [sum(1 << b for b, t in enumerate(order) if t in P.purposes_of(x)) for x in texts]
    assert purpose_masks(texts) == want  # many texts: the joined search
    assert [purpose_masks([x])[0] for x in texts] == want  # one at a time
    novel = [(w, 1) for w in P.NOVEL_WORDS]
    assert word_bits(texts, novel) == [int(any(w in x for w in P.NOVEL_WORDS)) for x in texts]


def test_lexicon_scan_matches_the_regex() -> None:
    new, old = load_lexicon(), _load(LEXICON_PATH)
    terms = list(old.weights)
    rng = random.Random(4)
    texts = ["电池铝箔冷轧工艺", "ＡＢＣ钠离子电池", ""]
    for _ in range(2000):
        parts = [rng.choice(terms) if rng.random() < 0.6 else rng.choice(terms)[: rng.randint(1, 3)]
                 for _ in range(rng.randint(0, 10))]
        texts.append("".join(parts))
    for text in texts:
        assert list(new.hits(text).items()) == list(old.hits(text).items())
        assert _same(new.score(text, text[:4]), old.score(text, text[:4]))
        assert _same(new.score(text), old.score(text))


@pytest.mark.parametrize("seed", range(4))
def test_rank_comparison_of_numeric_clauses(seed: int) -> None:
    from finmatch.eligibility.clauses import _compare

    rng = np.random.default_rng(seed)
    pool = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, 2.0, 2.5, 1e308])
    for _ in range(300):
        b = rng.choice(pool, rng.integers(1, 40)) if seed % 2 else rng.normal(size=rng.integers(1, 40)).round(1)
        v = rng.choice(pool, rng.integers(1, 12)) if seed > 1 else rng.normal(size=rng.integers(1, 12)).round(1)
        b[rng.random(len(b)) < 0.2] = np.nan
        stated = ~np.isnan(v)[:, None] & ~np.isnan(b)[None, :]
        for op in (np.greater_equal, np.less_equal):
            assert np.array_equal(_compare(v, b, op)[stated], op(v[:, None], b[None, :])[stated])


def test_prior_project_terms_of_an_odd_frame() -> None:
    from features.sector import infer_product_focus
    from training.synthetic import load_catalogue
    from training.synthetic.dataset import frames, generate_dataset

    _, products = frames(generate_dataset(n_projects=5), load_catalogue())
    focused = infer_product_focus(products)
    projects = _odd_frame()
    rows = np.array([5, 0, 2, 2, 1, 3, 4])
    new, old = product_terms(focused), A.product_terms(focused)
    got, want = project_terms(projects, rows, new), A.project_terms(projects, rows, old)
    assert _same(got.fit[:, :7], want.fit)
    for name in ("three", "three_any", "no_wanted", "wanted", "sector_code", "sector_conf", "no_sector", "need",
                 "purpose"):
        assert np.array_equal(getattr(got, name), getattr(want, name), equal_nan=True), name
    pi = np.repeat(np.arange(len(rows)), len(products))
    qj = np.tile(np.arange(len(products)), len(rows))
    terms = P.PriorScorer().terms_at(projects, focused, rows[pi], qj)
    frozen = R.prior_feature(projects, focused, rows[pi], qj, None)
    assert _same(P.PriorScorer.combine(terms), frozen)


@pytest.mark.parametrize("case", ["odd", "all stated", "none stated", "no name", "no sector", "has confidence",
                                  "empty"])
def test_sector_understanding_of_unusual_frames(case: str) -> None:
    frame = _odd_frame().drop(columns=["inferred_sector", "sector_confidence", "sector_second"])
    if case == "all stated":
        frame["sector"] = "biomedicine"
    elif case == "none stated":
        frame["sector"] = None
    elif case == "no name":
        frame = frame.drop(columns=["name"])
    elif case == "no sector":
        frame = frame.drop(columns=["sector"])
    elif case == "has confidence":
        frame.insert(3, "sector_confidence", 0.5)
    elif case == "empty":
        frame = frame.iloc[:0]
    before = frame.copy()
    new = understand_sectors(frame, SectorUnderstanding(use_embeddings=False))
    old = R.understand_sectors(frame)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    pd.testing.assert_frame_equal(frame, before, check_exact=True)  # the input is left alone


def test_project_columns_of_an_odd_frame() -> None:
    from features.pair_columns import project_columns
    from tests.features import reference_pair_columns as C

    frame = _odd_frame()
    frame["certifications"] = [["high_tech"], None, ("little_giant", "gazelle"), [], "tech_sme", np.nan]
    frame["city"] = ["南宁", None, np.nan, "柳州", 3, ""]
    for col, values in (("months_to_production", [6, None, "x", 3.0, np.nan, 1]),
                        ("tax_grade", ["A", "b", None, np.nan, "M", 3]), ("pilot_platform", ["p", "", None, " ", 1, 0])):
        frame[col] = values
    today = dt.date(2026, 11, 28)
    new, old = project_columns(frame, today), C.project_columns(frame, today)
    assert list(new.values) == list(old.values)
    for name in new.values:
        assert _same(new.values[name], old.values[name]), name
    assert new.stage == old.stage or all(a is b or a == b or (a != a and b != b)
                                         for a, b in zip(new.stage, old.stage, strict=True))
    assert (new.sector, new.city, new.funding_types) == (old.sector, old.city, old.funding_types)
    assert np.array_equal(new.three_firsts, old.three_firsts)
