"""The hidden rules written in data_samples/README.md act as written."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from finmatch.eligibility import evaluate
from finmatch.schemas import Document, Event
from training.synthetic import HiddenPreferenceModel
from training.synthetic.metrics import event_groups, mean_ndcg
from training.synthetic.preferences import W_FOCUS_MATCH, W_FOCUS_MISS, W_TAG

SEED = 20251


@pytest.fixture(scope="module")
def model(catalogue: Document) -> HiddenPreferenceModel:
    return HiddenPreferenceModel(SEED, {i.institution_id: i.city or "" for i in catalogue.institutions})


@pytest.fixture()
def base(gen_frames: tuple[pd.DataFrame, pd.DataFrame]) -> pd.DataFrame:
    """One ordinary project row (stated sector, known TRL) to vary one field at a time."""
    pf, _ = gen_frames
    row = pf[(pf["sector"] == "high_end_equipment") & (pf["stage"] == "pilot") & pf["trl"].notna()].iloc[[0]]
    return row.copy()


def _u(model: HiddenPreferenceModel, qf: pd.DataFrame, rows: list[pd.DataFrame], product: str) -> np.ndarray:
    frame = pd.concat(rows)
    frame.index = [f"X{i}" for i in range(len(frame))]
    return model.utility(frame, qf.loc[[product]])[product].to_numpy()


def _vary(row: pd.DataFrame, **changes: object) -> pd.DataFrame:
    out = row.copy()
    for k, v in changes.items():
        out[k] = [v]
    return out


def test_utility_is_deterministic_and_shaped(model: HiddenPreferenceModel, gen_frames: tuple) -> None:
    pf, qf = gen_frames
    u1 = model.utility(pf.iloc[:50], qf)
    u2 = HiddenPreferenceModel(SEED).utility(pf.iloc[:50], qf)
    assert u1.shape == (50, len(qf)) and list(u1.index) == list(pf.index[:50])
    pd.testing.assert_frame_equal(u1, u2)
    assert not np.allclose(u1.to_numpy(), HiddenPreferenceModel(SEED + 1).utility(pf.iloc[:50], qf).to_numpy())


def test_text_only_focus_changes_fund_utility(model, gen_frames, base) -> None:
    _, qf = gen_frames
    taste = model.sector_taste("I-FUND-02")
    a = _vary(base, sector="advanced_materials")
    b = _vary(base, sector="biomedicine")
    ua, ub = _u(model, qf, [a, b], "P-EQ-004")  # focus stated only in its description
    expected = (W_FOCUS_MATCH + taste["advanced_materials"]) - (W_FOCUS_MISS + taste["biomedicine"])
    assert ua - ub == pytest.approx(expected)


def test_blank_sector_is_read_from_the_text(model, gen_frames, base) -> None:
    _, qf = gen_frames
    stated, blank = _u(model, qf, [base, _vary(base, sector=None)], "P-EQ-009")
    assert stated == pytest.approx(blank)


def test_fund_trl_window_interacts_with_stage(model, gen_frames, base) -> None:
    _, qf = gen_frames
    pilot6, pilot9, research6 = _u(model, qf, [_vary(base, trl=6), _vary(base, trl=9),
                                               _vary(base, stage="tech_research", trl=6)], "P-EQ-001")
    assert pilot6 - pilot9 == pytest.approx(1.2 - (-0.2))
    assert pilot6 - research6 == pytest.approx(1.2 - (-0.8))


def test_bank_debt_hurts_only_without_security(model, gen_frames, base) -> None:
    _, qf = gen_frames
    plain = _vary(base, certifications=(), has_collateral=False)
    rows = [_vary(plain, debt_ratio=0.5), _vary(plain, debt_ratio=0.9),
            _vary(plain, debt_ratio=0.5, has_collateral=True), _vary(plain, debt_ratio=0.9, has_collateral=True)]
    lo, hi, lo_sec, hi_sec = _u(model, qf, rows, "P-LOAN-010")
    assert lo - hi == pytest.approx(3.0 * 0.4)
    assert lo_sec - hi_sec == pytest.approx(3.0 * 0.4 * 0.2)
    assert lo_sec - lo == pytest.approx(0.6)


def test_guarantee_availability_counts_as_security(model, gen_frames, base) -> None:
    _, qf = gen_frames
    plain = _vary(base, certifications=(), has_collateral=False, debt_ratio=0.7, tax_grade="A")
    none, cert = _u(model, qf, [plain, _vary(plain, certifications=("tech_sme",))], "P-LOAN-010")
    assert cert - none == pytest.approx(0.6 + 3.0 * 0.2 * 0.8)


def test_first_loan_penalty_turns_into_a_bonus_when_the_text_says_首贷(model, gen_frames, base) -> None:
    _, qf = gen_frames
    rows = [_vary(base, first_time_borrower=False), _vary(base, first_time_borrower=True)]
    plain = _u(model, qf, rows, "P-LOAN-001")
    shoudai = _u(model, qf, rows, "P-LOAN-017")
    assert plain[1] - plain[0] == pytest.approx(-0.3)
    assert shoudai[1] - shoudai[0] == pytest.approx(0.5)


def test_three_firsts_interact_with_insurance_kind(model, gen_frames, base) -> None:
    _, qf = gen_frames
    rows = [_vary(base, three_firsts=()), _vary(base, three_firsts=("first_set",))]
    set_ins = _u(model, qf, rows, "P-INS-003")
    batch_ins = _u(model, qf, rows, "P-INS-005")
    assert set_ins[1] - set_ins[0] == pytest.approx(2.5)
    assert batch_ins[1] - batch_ins[0] == pytest.approx(0.0)


def test_purpose_words_in_the_need_raise_affinity(model, gen_frames, base) -> None:
    _, qf = gen_frames
    text = "项目开展整机装配中试。拟融资500万元用于市场推广。"
    with_ip = text.replace("市场推广", "专利布局与知识产权运营")
    plain, ip = _u(model, qf, [_vary(base, description=text), _vary(base, description=with_ip)], "P-LOAN-011")
    assert ip - plain == pytest.approx(W_TAG)


def _fund_event(pids: list[str]) -> Event:
    return Event(event_id="EV-T", name="t", date=dt.date(2025, 6, 1), project_ids=pids, product_ids=["P-EQ-004"],
                 max_meetings_per_project=5, max_meetings_per_institution=10_000)


def test_raising_sector_fit_raises_a_funds_signing_rate(model, gen_frames) -> None:
    pf, qf = gen_frames
    pool = pf[pf["stage"].isin(["pilot", "scale_up"])].copy()
    fit = pool.assign(sector="advanced_materials")
    miss = pool.assign(sector="marine_economy").set_axis([f"{i}-m" for i in pool.index], axis=0)
    miss["project_id"] = miss.index
    both = pd.concat([fit, miss])
    eligible = pd.DataFrame(True, index=both.index, columns=["P-EQ-004"])
    unlimited = qf.assign(budget_wan=np.nan)  # budgets would cap the count of signings
    rates = {"fit": 0, "miss": 0, "fit_dd": 0, "miss_dd": 0}
    for r in range(20):
        outs = model.simulate_outcomes([_fund_event(list(both.index))], both, unlimited, eligible,
                                       np.random.default_rng(r))
        for o in outs:
            side = "miss" if o.project_id.endswith("-m") else "fit"
            if o.stage.value == "signed":
                rates[side] += 1
            if o.stage.value == "due_diligence":
                rates[side + "_dd"] += 1
    assert rates["fit"] > 2 * rates["miss"] and rates["fit"] > 20
    assert rates["fit_dd"] > 2 * rates["miss_dd"]


def test_a_bank_never_engages_where_eligibility_forbids(model, gen_frames) -> None:
    pf, qf = gen_frames
    heavy = pf.assign(debt_ratio=0.9, net_profit_wan=-10.0)
    loans = qf[qf["family"] == "loan"]
    ev = Event(event_id="EV-D", name="d", date=dt.date(2025, 6, 1), project_ids=list(heavy.index),
               product_ids=list(loans.index))
    eligible = evaluate(heavy, loans, ev.date).eligible_frame()
    outs = model.simulate_outcomes([ev], heavy, loans, eligible, np.random.default_rng(0))
    assert outs
    assert all(eligible.at[o.project_id, o.product_id] for o in outs)
    forbidding = set(loans.index[(loans["max_debt_ratio"] < 0.9) | loans["requires_profit"]])
    assert not {o.product_id for o in outs} & forbidding


def test_oracle_beats_random_clearly_on_the_history(generated: Document, gen_eligible, gen_frames, model) -> None:
    pf, qf = gen_frames
    util = model.utility(pf, qf)
    groups = event_groups(generated.events, generated.outcomes, gen_eligible)
    oracle = mean_ndcg(groups, lambda e, p, c: util.loc[p, c].to_numpy())
    rng = np.random.default_rng(0)
    rand = mean_ndcg(groups, lambda e, p, c: rng.random(len(c)))
    assert oracle > rand + 0.15
    assert oracle < 0.97  # noise and capacity keep it from being perfect
