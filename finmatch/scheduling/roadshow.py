"""Roadshow order for the stage pitches ("8+7": 8 min pitch, 7 min Q&A).

Projects are grouped by sector so institutions interested in one field can come for one block;
groups and projects inside a group go most-wanted first, while the room is fullest. A project's
``demand`` is the number of institutions that want it: those with an eligible product scoring at
least ``want_threshold`` (default: the median of all eligible scores of the event).

:func:`roadshow_programme` turns that order into a programme an organiser can print: pitches inside
the opening hours (lunch break, sessions with breaks, parallel rooms, extra days when needed), each
project kept clear of its own 1:1 meetings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from finmatch.exceptions import FinmatchError

UNKNOWN_SECTOR = "未分类"


def roadshow_order(scores: pd.DataFrame, project_sectors: dict[str, str], pitch_minutes: int = 8,
                   qa_minutes: int = 7, start: datetime | None = None,
                   want_threshold: float | None = None) -> pd.DataFrame:
    """Columns order (1-based), project_id, sector, demand, interest, start, end.

    ``interest`` (sum of eligible scores) breaks ties in demand. ``start``/``end`` are datetimes when
    ``start`` is given, else ``pd.Timedelta`` offsets from the start of the roadshow.
    """
    values = scores.to_numpy(dtype=float)
    eligible = values[~np.isnan(values)]
    threshold = float(np.median(eligible)) if want_threshold is None and eligible.size else (want_threshold or 0.0)
    filled = np.nan_to_num(values, nan=-1.0)
    frame = pd.DataFrame({
        "project_id": [str(p) for p in scores.index],
        "demand": (filled >= threshold).sum(axis=1).astype(int) if values.size else 0,
        "interest": np.nansum(np.where(np.isnan(values), 0.0, values), axis=1) if values.size else 0.0,
    })
    frame["sector"] = [project_sectors.get(p) or UNKNOWN_SECTOR for p in frame["project_id"]]
    groups = frame.groupby("sector").agg(g_demand=("demand", "mean"), g_interest=("interest", "mean"))
    groups["unknown"] = groups.index == UNKNOWN_SECTOR
    frame = frame.join(groups, on="sector")
    frame = frame.sort_values(["unknown", "g_demand", "g_interest", "sector", "demand", "interest", "project_id"],
                              ascending=[True, False, False, True, False, False, True], kind="mergesort")
    frame = frame.reset_index(drop=True)
    step = pd.Timedelta(minutes=pitch_minutes + qa_minutes)
    offsets = [step * k for k in range(len(frame))]
    origin = pd.Timestamp(start) if start is not None else None
    frame["start"] = [origin + o if origin is not None else o for o in offsets]
    frame["end"] = [s + step for s in frame["start"]]
    frame.insert(0, "order", range(1, len(frame) + 1))
    return frame[["order", "project_id", "sector", "demand", "interest", "start", "end"]]


# ---- the programme: sessions within opening hours, around the project's own 1:1 meetings ----------

@dataclass(frozen=True)
class OpeningHours:
    """When the roadshow may run each day: a morning and an afternoon window around lunch, cut into
    sessions of ``session_minutes`` with ``break_minutes`` between them, in ``rooms`` parallel rooms."""

    day_start: time = time(9, 0)
    day_end: time = time(17, 30)
    lunch_start: time = time(12, 0)
    lunch_end: time = time(13, 30)
    rooms: int = 1
    session_minutes: int = 90
    break_minutes: int = 15

    def validate(self) -> None:
        if not (self.day_start < self.day_end):
            raise FinmatchError("路演每日开始时间应早于结束时间", field="day_start")
        if not (self.day_start <= self.lunch_start <= self.lunch_end <= self.day_end):
            raise FinmatchError("午休时间应在每日开始与结束时间之间", field="lunch_start")
        if self.rooms < 1:
            raise FinmatchError("路演会场数至少为 1", field="rooms")
        if self.session_minutes < 1 or self.break_minutes < 0:
            raise FinmatchError("每节时长应为正数、节间休息不能为负", field="session_minutes")


@dataclass(frozen=True)
class _Seat:
    day: int
    window: int
    room: int
    session: int
    start: datetime
    end: datetime


def _windows(day: date, hours: OpeningHours) -> list[tuple[datetime, datetime]]:
    spans = [(hours.day_start, hours.lunch_start), (hours.lunch_end, hours.day_end)]
    return [(datetime.combine(day, a), datetime.combine(day, b)) for a, b in spans if a < b]


def _day_seats(day_index: int, day: date, hours: OpeningHours, step: timedelta) -> list[_Seat]:
    """Every pitch position of one day, ordered by (window, room, start): a room keeps one block."""
    seats: list[_Seat] = []
    session_no = 0
    for w, (begin, end) in enumerate(_windows(day, hours)):
        sessions: list[list[tuple[datetime, datetime]]] = []
        cursor = begin
        while cursor + step <= end:
            session_end = min(cursor + timedelta(minutes=hours.session_minutes), end)
            slots = []
            while cursor + step <= session_end:
                slots.append((cursor, cursor + step))
                cursor += step
            if not slots:  # session shorter than one pitch: one pitch per session
                slots.append((cursor, cursor + step))
                cursor += step
            sessions.append(slots)
            cursor += timedelta(minutes=hours.break_minutes)
        for room in range(1, hours.rooms + 1):
            for k, slots in enumerate(sessions):
                seats += [_Seat(day_index, w, room, session_no + k + 1, a, b) for a, b in slots]
        session_no += len(sessions)
    return seats


def _overlaps(a0: datetime, a1: datetime, spans: list[tuple[datetime, datetime]]) -> bool:
    return any(a0 < b1 and b0 < a1 for b0, b1 in spans)


def roadshow_programme(scores: pd.DataFrame, project_sectors: dict[str, str], first_day: date,
                       hours: OpeningHours | None = None, pitch_minutes: int = 8, qa_minutes: int = 7,
                       busy: dict[str, list[tuple[datetime, datetime]]] | None = None,
                       want_threshold: float | None = None, max_days: int = 14) -> pd.DataFrame:
    """The roadshow as a programme: each project's pitch in a session, room and day.

    Projects keep the sector-grouped, most-wanted-first order of :func:`roadshow_order`; each takes
    the first free position (day by day, morning then afternoon, room by room, in time order) that
    does not overlap any of its ``busy`` spans (its 1:1 meetings, naive Beijing times). Days are added
    when one day is not enough, up to ``max_days`` (then FinmatchError). Columns: order, project_id,
    sector, demand, interest, day (1-based), date, room, session, start, pitch_end, end.
    """
    hours = hours or OpeningHours()
    hours.validate()
    if pitch_minutes < 1 or qa_minutes < 0:
        raise FinmatchError("路演时长应为正数", field="pitch_minutes")
    busy = busy or {}
    step = timedelta(minutes=pitch_minutes + qa_minutes)
    order = roadshow_order(scores, project_sectors, pitch_minutes, qa_minutes, want_threshold=want_threshold)
    seats: list[_Seat] = []
    taken: set[int] = set()
    days = 0
    rows = []
    for r in order.itertuples(index=False):
        spans = busy.get(r.project_id, [])
        chosen = None
        while chosen is None:
            chosen = next((k for k, s in enumerate(seats) if k not in taken
                           and not _overlaps(s.start, s.end, spans)), None)
            if chosen is None:
                if days >= max_days:
                    raise FinmatchError(f"路演在 {max_days} 天内排不下：请增加会场、延长每日时间或缩短每个项目的时长",
                                        field="roadshow")
                new = _day_seats(days, first_day + timedelta(days=days), hours, step)
                if not new:
                    raise FinmatchError("每日开放时间不足一个项目的路演时长", field="day_end")
                seats += new
                days += 1
        taken.add(chosen)
        s = seats[chosen]
        rows.append({"project_id": r.project_id, "sector": r.sector, "demand": int(r.demand),
                     "interest": float(r.interest), "day": s.day + 1, "date": s.start.date(), "room": s.room,
                     "session": s.session, "start": s.start, "pitch_end": s.start + timedelta(minutes=pitch_minutes),
                     "end": s.end, "rank": int(r.order)})
    cols = ["order", "project_id", "sector", "demand", "interest", "day", "date", "room", "session", "start",
            "pitch_end", "end"]
    if not rows:
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame(rows).sort_values(["start", "room", "rank"], kind="mergesort").reset_index(drop=True)
    frame.insert(0, "order", range(1, len(frame) + 1))
    return frame[cols]
