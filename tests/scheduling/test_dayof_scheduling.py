"""Event-day rules of the scheduler: the roadshow as a programme inside opening hours and around each
project's own 1:1 meetings, the minimum match threshold, per-party exports with percentages."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

import numpy as np
import openpyxl
import pandas as pd
import pytest

from finmatch.exceptions import FinmatchError
from finmatch.scheduling import check_agenda, solve, solve_greedy
from finmatch.scheduling.exports import ExportContext, agenda_to_csv, agenda_to_ics, agenda_to_xlsx
from finmatch.scheduling.roadshow import OpeningHours, roadshow_programme
from tests.scheduling.sched_helpers import make_request

DAY = date(2026, 11, 28)
SECTORS = ["advanced_materials", "biomedicine", "new_energy", "high_end_equipment"]


@pytest.fixture(scope="module")
def hundred():  # type: ignore[no-untyped-def]
    """A 100-project event: 12 slots × 20 min from 09:00 on 10 tables, and its solved agenda."""
    req = make_request(7, 100, 25, 12, 10, 4, 8, nan_share=0.4, time_limit_s=5)
    req.start = datetime.combine(DAY, time(9, 0))
    agenda = solve(req)
    busy: dict[str, list[tuple[datetime, datetime]]] = {}
    for m in agenda.meetings:
        busy.setdefault(m.project_id, []).append(agenda.slot_times(m.slot))  # type: ignore[arg-type]
    sectors = {p: SECTORS[k % len(SECTORS)] for k, p in enumerate(req.scores.index)}
    return req, agenda, busy, sectors


def test_roadshow_fits_opening_hours_with_breaks_and_avoids_own_meetings(hundred) -> None:  # type: ignore[no-untyped-def]
    req, agenda, busy, sectors = hundred
    hours = OpeningHours(day_start=time(9, 0), day_end=time(17, 30), lunch_start=time(12, 0),
                         lunch_end=time(13, 30), rooms=2, session_minutes=90, break_minutes=15)
    plan = roadshow_programme(req.scores, sectors, DAY, hours, busy=busy)
    assert sorted(plan["project_id"]) == sorted(req.scores.index)  # everyone pitches once
    assert len(busy) > 50  # the check below means something: most projects have meetings
    for r in plan.itertuples(index=False):
        day_open = datetime.combine(r.start.date(), hours.day_start)
        day_close = datetime.combine(r.start.date(), hours.day_end)
        lunch = (datetime.combine(r.start.date(), hours.lunch_start), datetime.combine(r.start.date(), hours.lunch_end))
        assert day_open <= r.start and r.end <= day_close
        assert not (r.start < lunch[1] and lunch[0] < r.end), f"{r.project_id} pitches over lunch"
        assert r.end - r.start == timedelta(minutes=15) and r.pitch_end - r.start == timedelta(minutes=8)
        for b0, b1 in busy.get(r.project_id, []):
            assert not (r.start < b1 and b0 < r.end), f"{r.project_id} pitches during its own meeting"
    for room, sub in plan.groupby(["date", "room"]):
        starts = sorted(zip(sub["start"], sub["end"], sub["session"], strict=True))
        for (s0, e0, k0), (s1, _, k1) in zip(starts, starts[1:], strict=False):
            assert e0 <= s1, f"overlap in room {room}"
            if k0 != k1 and s1.date() == s0.date() and s0.time() >= hours.lunch_end == (s1.time() >= hours.lunch_end):
                assert s1 - e0 >= timedelta(minutes=15), "no break between sessions"
        longest = max(((sub["session"] == k).sum() for k in sub["session"].unique()), default=0)
        assert longest * 15 <= 90  # a session never runs past its length without a break
    # 100 pitches × 15 min cannot fit one room-day of 7 h; two rooms or a second day are used
    assert plan["room"].nunique() == 2 or plan["day"].max() > 1


def test_roadshow_runs_over_days_when_one_is_not_enough(hundred) -> None:  # type: ignore[no-untyped-def]
    req, _, busy, sectors = hundred
    plan = roadshow_programme(req.scores, sectors, DAY, OpeningHours(rooms=1), busy=busy)
    assert plan["day"].max() >= 2 and plan["date"].min() == DAY
    assert all(time(9, 0) <= s.time() and e.time() <= time(17, 30) for s, e in zip(plan["start"], plan["end"],
                                                                                strict=True))
    with pytest.raises(FinmatchError):
        roadshow_programme(req.scores, sectors, DAY, OpeningHours(rooms=1), busy=busy, max_days=1)
    with pytest.raises(FinmatchError):
        OpeningHours(day_start=time(18, 0), day_end=time(9, 0)).validate()


def test_roadshow_keeps_sector_blocks(hundred) -> None:  # type: ignore[no-untyped-def]
    req, _, _, sectors = hundred
    plan = roadshow_programme(req.scores, sectors, DAY, OpeningHours(rooms=1))
    runs = (plan["sector"] != plan["sector"].shift()).sum()
    assert runs == len(set(sectors.values()))  # without meetings to avoid, each sector is one block


@pytest.mark.parametrize("solver", [solve, solve_greedy])
def test_no_meeting_below_threshold(solver) -> None:  # type: ignore[no-untyped-def]
    req = make_request(3, 30, 8, 6, 10, 3, 6, nan_share=0.2)
    req.min_score = 0.7
    low = [(p, i) for p in req.scores.index for i in req.scores.columns
           if not np.isnan(req.scores.at[p, i]) and req.scores.at[p, i] < 0.7]
    req.must_meet = [low[0]]
    agenda = solver(req)
    assert not check_agenda(req, agenda)
    below = [m for m in agenda.meetings if m.score < 0.7]
    assert agenda.meetings and all((m.project_id, m.institution_id) == low[0] for m in below)
    assert len(below) == 1  # the must-meet takes a slot below the threshold; nothing else does
    plain = solver(make_request(3, 30, 8, 6, 10, 3, 6, nan_share=0.2))
    assert any(m.score < 0.7 for m in plain.meetings)  # without the threshold such meetings do happen


def test_exports_carry_event_product_and_percentages() -> None:
    req = make_request(2, 8, 3, 4, 3, 2, 4, nan_share=0.2)
    req.start = datetime(2026, 5, 20, 14, 0)
    agenda = solve(req)
    ctx = ExportContext(event_name="2026年广西中试对接会", event_date=date(2026, 5, 20), venue="南宁国际会展中心",
                        products={(m.project_id, m.institution_id): "中试贷" for m in agenda.meetings})
    rows = list(csv.reader(io.StringIO(agenda_to_csv(agenda, {}, ctx)[1:])))
    assert rows[0][:2] == ["活动", "日期"] and "洽谈产品" in rows[0]
    m0 = sorted(agenda.meetings, key=lambda m: (m.slot, m.table))[0]
    assert rows[1][0] == "2026年广西中试对接会" and rows[1][5] == "南宁国际会展中心" and rows[1][11] == "中试贷"
    assert rows[1][-1] == f"{m0.score * 100:.1f}%"
    buf = io.BytesIO()
    agenda_to_xlsx(agenda, buf, {}, ctx, per_institution=False)
    book = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert book.sheetnames == ["总表"]
    ics = agenda_to_ics(agenda, {}, context=ctx).replace("\r\n ", "")
    assert "LOCATION:南宁国际会展中心 · " in ics and "洽谈产品 中试贷" in ics and "%" in ics
    assert "0." + str(round(m0.score, 4))[2:] not in ics or m0.score >= 1  # no raw fractions
    assert pd.notna(req.start)
