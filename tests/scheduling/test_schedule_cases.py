"""Hand-made cases: fairness, must-meet reasons, fixed meetings and re-solve, tables, the checker."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from finmatch.exceptions import FinmatchError, InfeasibleError
from finmatch.scheduling import Agenda, Meeting, ScheduleRequest, check_agenda, replan, solve, solve_greedy
from tests.scheduling.sched_helpers import make_request

NAN = np.nan


def _request(values: dict[str, dict[str, float]], **kw) -> ScheduleRequest:  # type: ignore[no-untyped-def]
    scores = pd.DataFrame(values).T
    base = dict(event_id="E1", scores=scores, slots=3, tables=3, max_meetings_per_project=3,
                max_meetings_per_institution=3, time_limit_s=5, num_workers=1)
    base.update(kw)
    return ScheduleRequest(**base)


def test_fairness_beats_pure_score() -> None:
    # capacity 3 meetings; by score alone XM-A would take all three
    req = _request({"XM-A": {"I-1": 0.9, "I-2": 0.9, "I-3": 0.9}, "XM-B": {"I-1": 0.1, "I-2": NAN, "I-3": NAN},
                    "XM-C": {"I-1": NAN, "I-2": 0.1, "I-3": NAN}}, tables=1)
    for agenda in (solve(req), solve_greedy(req)):
        counts = {p: len(ms) for p, ms in agenda.by_project().items()}
        assert counts == {"XM-A": 1, "XM-B": 1, "XM-C": 1}
        assert agenda.objective == pytest.approx(1.1)
        assert check_agenda(req, agenda) == []


def test_cpsat_beats_greedy_when_greedy_takes_the_contested_slot() -> None:
    # greedy gives XM-A its best (I-1); the optimum leaves I-1 to XM-B, which has nothing else
    req = _request({"XM-A": {"I-1": 0.9, "I-2": 0.8}, "XM-B": {"I-1": 0.85, "I-2": NAN}},
                   slots=1, tables=2, max_meetings_per_project=1)
    agenda = solve(req)
    assert agenda.solver == "cp-sat" and agenda.status == "optimal"
    assert agenda.objective == pytest.approx(1.65)
    assert agenda.gap == pytest.approx(0.0)
    assert agenda.greedy_objective is not None and agenda.greedy_objective <= agenda.objective


def test_must_meet_reasons() -> None:
    req = _request(
        {"XM0001": {"I-BANK-01": NAN, "I-FUND-01": 0.2, "I-INS-01": 0.3},
         "XM0002": {"I-BANK-01": 0.5, "I-FUND-01": 0.4, "I-INS-01": 0.1},
         "XM0003": {"I-BANK-01": 0.5, "I-FUND-01": 0.6, "I-INS-01": 0.7}},
        slots=2, must_meet=[("XM0001", "I-BANK-01"), ("XM0002", "I-FUND-01"), ("XM0002", "I-INS-01"),
                            ("XM0003", "I-BANK-01"), ("XM9999", "I-BANK-01"), ("XM0001", "I-INS-01")],
        blocked=[("XM0002", "I-INS-01")], unavailable={"XM0003": [0], "I-BANK-01": [1]})
    agenda = solve(req)
    assert check_agenda(req, agenda) == []
    reasons = {(r.project_id, r.institution_id): r.reason for r in agenda.impossible}
    assert reasons[("XM0001", "I-BANK-01")] == "项目 XM0001 与 机构 I-BANK-01 无可匹配产品"
    assert "禁止会面" in reasons[("XM0002", "I-INS-01")]
    assert reasons[("XM0003", "I-BANK-01")] == "时段冲突：双方无共同空闲时段"
    assert "不在本次活动名单中" in reasons[("XM9999", "I-BANK-01")]
    met = {(m.project_id, m.institution_id) for m in agenda.meetings}
    assert {("XM0002", "I-FUND-01"), ("XM0001", "I-INS-01")} <= met
    assert len(reasons) == 4


def test_competing_must_meets_are_reported_as_conflict() -> None:
    # one slot: XM0001 cannot meet both institutions
    req = _request({"XM0001": {"I-1": 0.2, "I-2": 0.3}}, slots=1,
                   must_meet=[("XM0001", "I-1"), ("XM0001", "I-2")])
    agenda = solve(req)
    assert len(agenda.meetings) == 1 and len(agenda.impossible) == 1
    assert agenda.impossible[0].code == "conflict" and "资源冲突" in agenda.impossible[0].reason
    assert check_agenda(req, agenda) == []


def test_must_meet_outranks_score_and_coverage() -> None:
    req = _request({"XM-A": {"I-1": 0.9}, "XM-B": {"I-1": 0.05}}, slots=1, tables=1,
                   must_meet=[("XM-B", "I-1")])
    agenda = solve(req)
    assert [(m.project_id, m.institution_id) for m in agenda.meetings] == [("XM-B", "I-1")]
    assert agenda.impossible == []


def test_replan_keeps_held_meetings_and_drops_no_shows() -> None:
    req = make_request(3, 20, 6, 6, 5, 3, 5, n_must=2, unavailable_share=0.1)
    first = solve(req)
    assert check_agenda(req, first) == []
    gone = first.meetings[0].institution_id
    new_pair = next((p, i) for p in req.scores.index for i in req.scores.columns
                    if not np.isnan(req.scores.at[p, i]) and i != gone
                    and (p, i) not in {(m.project_id, m.institution_id) for m in first.meetings})
    req2 = replan(req, first, now_slot=2, no_shows=[gone], must_meet=[new_pair])
    held = [m for m in first.meetings if m.slot < 2 and gone != m.institution_id]
    assert set(req2.fixed) == set(held)
    second = solve(req2)
    assert check_agenda(req2, second) == []
    assert set(held) <= set(second.meetings)
    assert all(m.slot >= 2 for m in second.meetings if m not in set(held))
    assert all(m.slot < 2 for m in second.meetings if m.institution_id == gone)
    assert new_pair in {(m.project_id, m.institution_id) for m in second.meetings} or any(
        (r.project_id, r.institution_id) == new_pair for r in second.impossible)


def test_fixed_meetings_count_against_caps() -> None:
    held = Meeting("XM-A", "I-1", 0, 2, 0.4)
    req = _request({"XM-A": {"I-1": 0.4, "I-2": 0.9}, "XM-B": {"I-1": 0.8, "I-2": 0.7}},
                   slots=2, max_meetings_per_project=1, fixed=[held])
    agenda = solve(req)
    assert held in agenda.meetings
    assert [m for m in agenda.meetings if m.project_id == "XM-A"] == [held]
    assert check_agenda(req, agenda) == []


def test_conflicting_fixed_meetings_are_rejected() -> None:
    req = _request({"XM-A": {"I-1": 0.4, "I-2": 0.9}}, fixed=[Meeting("XM-A", "I-1", 0, 1, 0.4),
                                                              Meeting("XM-A", "I-2", 0, 2, 0.9)])
    with pytest.raises(InfeasibleError):
        solve(req)


def test_scores_outside_unit_interval_are_rejected() -> None:
    with pytest.raises(FinmatchError):
        solve(_request({"XM-A": {"I-1": 1.5}}))


def test_institutions_keep_their_table_when_there_are_enough() -> None:
    req = make_request(5, 12, 4, 6, 5, 3, 6, nan_share=0.0)
    agenda = solve(req)
    assert check_agenda(req, agenda) == []
    for inst, meetings in agenda.by_institution().items():
        assert len({m.table for m in meetings}) == 1, inst


def test_checker_reports_each_kind_of_violation() -> None:
    req = _request({"XM-A": {"I-1": 0.5, "I-2": NAN}, "XM-B": {"I-1": 0.6, "I-2": 0.7}}, slots=2, tables=1,
                   max_meetings_per_institution=1, blocked=[("XM-B", "I-2")], must_meet=[("XM-A", "I-1")])
    meetings = [Meeting("XM-A", "I-1", 0, 1, 0.5), Meeting("XM-B", "I-1", 0, 1, 0.6),
                Meeting("XM-A", "I-2", 1, 1, 0.0), Meeting("XM-B", "I-2", 1, 2, 0.7)]
    bad = Agenda(meetings=meetings, objective=9.0, bound=None, gap=None, solver="greedy", status="x",
                 solve_seconds=0.0)
    text = "\n".join(check_agenda(req, bad))
    for fragment in ("机构在同一时段被重复安排", "洽谈桌在同一时段被重复安排", "无可匹配产品", "被禁止会面", "桌号越界",
                     "超过上限", "超过洽谈桌数", "目标值"):
        assert fragment in text, fragment
    missing = dataclasses.replace(bad, meetings=[], objective=0.0)
    assert any("既未安排也未说明原因" in e for e in check_agenda(req, missing))


def test_agenda_views() -> None:
    req = make_request(11, 6, 3, 4, 3, 2, 4, nan_share=0.2)
    req.start = pd.Timestamp("2026-05-20 14:00").to_pydatetime()
    agenda = solve(req)
    frame = agenda.to_frame()
    assert list(frame.columns) == ["slot", "start", "end", "table", "project_id", "institution_id", "score"]
    assert len(frame) == len(agenda.meetings)
    assert (frame["end"] - frame["start"]).eq(pd.Timedelta(minutes=20)).all()
    assert sum(len(v) for v in agenda.by_project().values()) == len(agenda.meetings)
    assert sum(len(v) for v in agenda.by_table().values()) == len(agenda.meetings)
    assert set(agenda.by_institution()) == set(frame["institution_id"])


def test_full_model_when_relaxed_pairs_cannot_share_slots() -> None:
    # the slot-free relaxation wants XM-A with I-1 and I-2, but both are only free in slot 0
    req = _request({"XM-A": {"I-1": 0.9, "I-2": 0.8, "I-3": 0.1}}, slots=2,
                   unavailable={"I-1": [1], "I-2": [1]})
    agenda = solve(req)
    assert agenda.solver == "cp-sat" and agenda.status == "optimal"
    assert {m.institution_id for m in agenda.meetings} == {"I-1", "I-3"}
    assert agenda.bound == pytest.approx(1.0)


def test_solve_falls_back_to_greedy_when_cpsat_is_worse(monkeypatch: pytest.MonkeyPatch) -> None:
    import finmatch.scheduling.cpsat as cpsat

    empty = Agenda(meetings=[], objective=0.0, bound=2.0, gap=1.0, solver="cp-sat", status="feasible",
                   solve_seconds=0.0)
    monkeypatch.setattr(cpsat, "solve_cpsat", lambda *a, **k: dataclasses.replace(empty))
    req = _request({"XM-A": {"I-1": 0.9}, "XM-B": {"I-1": 0.5}}, slots=2)
    agenda = cpsat.solve(req)
    assert agenda.solver == "greedy" and agenda.status.startswith("greedy_fallback")
    assert agenda.objective == pytest.approx(1.4) == agenda.greedy_objective
    assert check_agenda(req, agenda) == []
