"""The vectorised prior gives what the per-pair prior gave (frozen in ``reference_prior.py``).

On the sample catalogue with the generator's 300 projects (``data_samples/generated.json``'s set) and on
the independent validation set (blank sectors, focus only in prose): the same components and scores to
1e-9, the same reasons word for word, and the same ``prior_score`` feature column, over every project ×
product pair in a shuffled order with repeats (so the gathers, not the frame order, are exercised).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from tests.matching.reference_prior import ReferencePriorScorer


@dataclass
class Case:
    projects: pd.DataFrame  # enriched (inferred sectors)
    products: pd.DataFrame  # raw catalogue
    pairs: pd.DataFrame
    new: object
    old: ReferencePriorScorer


def _case(projects: pd.DataFrame, products: pd.DataFrame, seed: int) -> Case:
    from features.cold_start import ColdStartText
    from finmatch.matching import PriorScorer

    text = ColdStartText().fit(projects)
    new = PriorScorer(text_similarity=text.similarity, sector_inferer=text.infer, product_enricher=text.focus)
    old = ReferencePriorScorer(text_similarity=text.similarity, sector_inferer=text.infer,
                               product_enricher=text.focus)
    enriched = text.infer(projects)
    rng = np.random.default_rng(seed)
    pi, qj = np.divmod(np.arange(len(projects) * len(products)), len(products))
    extra = rng.integers(0, len(pi), size=len(pi) // 10)  # repeated pairs
    order = rng.permutation(np.concatenate([np.arange(len(pi)), extra]))
    pairs = pd.DataFrame({"project_id": enriched.index.to_numpy()[pi[order]],
                          "product_id": products.index.to_numpy()[qj[order]]})
    return Case(enriched, products, pairs, new, old)


@pytest.fixture(scope="module", params=["sample", "validation"])
def case(request: pytest.FixtureRequest) -> Case:
    if request.param == "sample":
        s = request.getfixturevalue("sample")
        return _case(s.projects, s.products, 7)
    from training.independent import load_validation_set

    v = load_validation_set()
    return _case(v.projects, v.products, 8)


def test_components_and_scores_match_the_frozen_prior(case: Case) -> None:
    new = case.new.components(case.projects, case.products, case.pairs)  # type: ignore[attr-defined]
    old = case.old.components(case.projects, case.products, case.pairs)
    assert list(new.columns) == list(old.columns) and len(new) == len(case.pairs)
    np.testing.assert_allclose(new.to_numpy(), old.to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(case.new.combine(new), case.old.combine(old), rtol=0, atol=1e-9)  # type: ignore[attr-defined]
    # the terms take more than one value each on this data, so the comparison is not of constants
    assert all(old[c].nunique() > 1 for c in ("intent", "family_fit", "sector_focus", "ticket_fit", "purpose"))


def test_score_pairs_gives_the_same_scores_and_reasons(case: Case) -> None:
    sub = case.pairs.iloc[: min(len(case.pairs), 12000)]
    new = case.new.score_pairs(case.projects, case.products, sub)  # type: ignore[attr-defined]
    old = case.old.score_pairs(case.projects, case.products, sub)
    np.testing.assert_allclose(new.score, old.score, rtol=0, atol=1e-9)
    np.testing.assert_allclose(new.probability, old.probability, rtol=0, atol=1e-9)
    assert new.reasons == old.reasons
    assert sum(bool(r) for r in old.reasons) > len(sub) // 4  # most pairs have reasons to compare


def test_second_call_on_the_same_catalogue_is_unchanged(case: Case) -> None:
    sub = case.pairs.iloc[:3000]
    first = case.new.components(case.projects, case.products, sub)  # type: ignore[attr-defined]
    again = case.new.components(case.projects, case.products, sub.iloc[::-1])  # type: ignore[attr-defined]
    np.testing.assert_array_equal(first.to_numpy()[::-1], again.to_numpy())


@pytest.mark.parametrize("with_bm25", [True, False])
def test_prior_score_feature_column_is_unchanged(case: Case, with_bm25: bool) -> None:
    from features.prior_feature import prior_feature
    from features.sector import infer_product_focus

    pi = case.projects.index.get_indexer(case.pairs["project_id"])
    qj = case.products.index.get_indexer(case.pairs["product_id"])
    bm25 = np.random.default_rng(3).random(len(pi)) if with_bm25 else None
    got = prior_feature(case.projects, case.products, pi, qj, bm25)
    ref = ReferencePriorScorer(product_enricher=infer_product_focus)
    comp = ref.components(case.projects, case.products, case.pairs)
    if bm25 is not None:
        comp["text_similarity"] = np.clip(bm25, 0, 1)
    np.testing.assert_allclose(got, ReferencePriorScorer.combine(comp), rtol=0, atol=1e-9)
