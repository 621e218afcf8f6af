"""Event agendas: score the event (each institution's best eligible product per project), solve the
1:1 meetings, keep the newest agenda per event, and present it (views, exports, roadshow order).

Used by the API routes, the pages and ``finmatch schedule`` (:func:`schedule_cli`); no HTTP here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from finmatch.auth import Principal
from finmatch.enums import Sector
from finmatch.exceptions import ConflictError, FinmatchError, NotFoundError
from finmatch.matching import MatchResult, PairScorer
from finmatch.scheduling import (
    Agenda,
    ImpossibleRequest,
    Meeting,
    ScheduleRequest,
    replan,
    roadshow_order,
    solve,
)
from finmatch.schemas import Event
from finmatch.services.matching import event_result, jsonable
from finmatch.settings import Settings
from finmatch.storage import Repository
from finmatch.storage.orm import AgendaRow

if TYPE_CHECKING:
    from rich.console import Console

log = logging.getLogger(__name__)
View = Literal["institution", "project", "table"]
ExportFormat = Literal["xlsx", "csv", "ics"]
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8", "ics": "text/calendar; charset=utf-8"}
DEFAULT_START = dt.time(9, 0)
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Agenda times are Beijing wall-clock times; give them their offset so clients read them right."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """Database timestamps (SQLite returns them naive, in UTC) as aware UTC datetimes."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@dataclass
class ScheduleOptions:
    """What an organiser adds to the event's own limits; ``keep_held`` re-solves around held meetings."""

    must_meet: list[tuple[str, str]] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)
    unavailable: dict[str, list[int]] = field(default_factory=dict)
    time_limit_s: float = 10.0
    keep_held: bool = False
    now_slot: int | None = None  # with keep_held: slots before this one are over, their meetings held
    held: list[tuple[str, str]] = field(default_factory=list)  # meetings marked held (any slot)
    no_shows: list[str] = field(default_factory=list)  # participants gone for the rest of the event


def event_start(event: Event) -> dt.datetime:
    """The event's start: ``extra.start_time`` (HH:MM) on its date, 09:00 by default."""
    raw = (event.extra or {}).get("start_time")
    start = DEFAULT_START
    if raw:
        try:
            start = dt.time.fromisoformat(str(raw).strip())
        except ValueError:
            log.warning("event %s has a bad start_time %r; using 09:00", event.event_id, raw)
    return dt.datetime.combine(event.date, start)


def _project_sectors(result: MatchResult) -> dict[str, str]:
    return {pid: s for pid in result.projects.index if (s := result.sector(pid).sector)}


def _names(result: MatchResult) -> dict[str, str]:
    names = {str(k): str(v) for k, v in result.projects["name"].items()}
    for inst, name in zip(result.products["institution_id"], result.products["institution_name"], strict=True):
        if isinstance(name, str):
            names[str(inst)] = name
    return names


def score_matrix(result: MatchResult) -> pd.DataFrame:
    """Projects × every institution of the event; NaN where no product of the institution is eligible."""
    institutions = list(dict.fromkeys(str(i) for i in result.products["institution_id"]))
    return result.institution_matrix().reindex(columns=institutions).astype(float)


def build_request(event: Event, result: MatchResult, options: ScheduleOptions) -> ScheduleRequest:
    return ScheduleRequest(
        event_id=event.event_id, scores=score_matrix(result), slots=event.slots, tables=event.tables,
        max_meetings_per_project=event.max_meetings_per_project,
        max_meetings_per_institution=event.max_meetings_per_institution,
        must_meet=list(options.must_meet), blocked=list(options.blocked),
        unavailable={k: list(v) for k, v in options.unavailable.items()},
        time_limit_s=float(options.time_limit_s), project_sectors=_project_sectors(result),
        slot_minutes=event.slot_minutes, start=event_start(event))


def _with_held(request: ScheduleRequest, previous: Agenda, options: ScheduleOptions) -> ScheduleRequest:
    """Meetings before ``now_slot`` or marked held stay fixed; no-shows leave for the rest of the event."""
    now_slot = max(0, int(options.now_slot or 0))
    gone = set(options.no_shows)
    req = replan(request, previous, now_slot, no_shows=gone)
    marked = set(options.held)
    fixed = list(req.fixed)
    for m in previous.meetings:
        if (m.project_id, m.institution_id) in marked and m not in fixed:
            fixed.append(m)
    cols = list(dict.fromkeys([*req.scores.columns, *(m.institution_id for m in fixed)]))
    rows = list(dict.fromkeys([*req.scores.index, *(m.project_id for m in fixed)]))
    return dataclasses.replace(req, fixed=fixed, scores=req.scores.reindex(index=rows, columns=cols))


# ---- persistence -------------------------------------------------------------------------------

def _meeting_dict(m: Meeting) -> dict[str, Any]:
    return {"project_id": m.project_id, "institution_id": m.institution_id, "slot": int(m.slot),
            "table": int(m.table), "score": float(m.score)}


def agenda_from_row(row: AgendaRow) -> Agenda:
    return Agenda(meetings=[Meeting(**m) for m in row.meetings], objective=row.objective, bound=row.bound,
                  gap=row.gap, solver=row.solver, status=row.status, solve_seconds=row.solve_seconds or 0.0,
                  impossible=[ImpossibleRequest(**d) for d in row.impossible],
                  greedy_objective=row.greedy_objective, event_id=row.event_id, slot_minutes=row.slot_minutes,
                  start=row.start)


def latest_row(session: Session, event_id: str) -> AgendaRow | None:
    return session.scalar(select(AgendaRow).where(AgendaRow.event_id == event_id)
                          .order_by(AgendaRow.agenda_id.desc()).limit(1))


def require_row(session: Session, event_id: str) -> AgendaRow:
    Repository(session).require("events", event_id)
    row = latest_row(session, event_id)
    if row is None:
        raise NotFoundError(f"对接活动 {event_id} 尚未排定日程，请先生成日程", field="event_id")
    return row


def schedule_event(session: Session, actor: str, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                   event_id: str, options: ScheduleOptions) -> tuple[AgendaRow, Agenda]:
    """Solve the event's agenda from its match matrix and store it as the event's current agenda."""
    if not 0 < options.time_limit_s <= 600:
        raise FinmatchError("求解时限应在 0 到 600 秒之间", field="time_limit_s")
    event, result = event_result(session, scorer, settings, products, event_id)
    request = build_request(event, result, options)
    if options.keep_held:
        previous = latest_row(session, event_id)
        if previous is None:
            raise ConflictError("该活动还没有日程，无法沿用已举行的洽谈", field="keep_held")
        request = _with_held(request, agenda_from_row(previous), options)
    elif options.no_shows:
        gone = set(options.no_shows)
        request.unavailable.update({who: list(range(event.slots)) for who in gone})
    agenda = solve(request)
    row = AgendaRow(event_id=event_id, actor=actor, model=result.model, solver=agenda.solver,
                    status=agenda.status, objective=float(agenda.objective), bound=agenda.bound, gap=agenda.gap,
                    greedy_objective=agenda.greedy_objective, solve_seconds=agenda.solve_seconds,
                    start=request.start, slot_minutes=request.slot_minutes,
                    meetings=[_meeting_dict(m) for m in agenda.meetings],
                    impossible=[i.as_dict() for i in agenda.impossible])
    session.add(row)
    session.flush()
    summary = {"agenda_id": row.agenda_id, "solver": agenda.solver, "status": agenda.status,
               "objective": agenda.objective, "meetings": len(agenda.meetings), "keep_held": options.keep_held}
    Repository(session, actor=actor).audit("schedule", "agendas", event_id, None, jsonable(summary))
    session.commit()
    return row, agenda


# ---- presentation ------------------------------------------------------------------------------

def _participant_names(session: Session, row: AgendaRow) -> dict[str, str]:
    repo = Repository(session)
    names = {k: m.name for k, m in repo.fetch("projects", {m["project_id"] for m in row.meetings}).items()}  # type: ignore[attr-defined]
    insts = repo.fetch("institutions", {m["institution_id"] for m in row.meetings})
    names.update({k: m.name for k, m in insts.items()})  # type: ignore[attr-defined]
    return names


def summary(row: AgendaRow) -> dict[str, Any]:
    return jsonable({"agenda_id": row.agenda_id, "event_id": row.event_id, "created_at": _utc(row.created_at),
                     "model": row.model, "solver": row.solver, "status": row.status, "objective": row.objective,
                     "bound": row.bound, "gap": row.gap, "greedy_objective": row.greedy_objective,
                     "solve_seconds": row.solve_seconds, "meetings": len(row.meetings),
                     "projects_met": len({m["project_id"] for m in row.meetings}),
                     "impossible": row.impossible})


def agenda_view(session: Session, event_id: str, view: View = "institution",
                principal: Principal | None = None) -> dict[str, Any]:
    """The current agenda grouped by institution, project or table (an institution sees only its own)."""
    row = require_row(session, event_id)
    agenda = agenda_from_row(row)
    names = _participant_names(session, row)
    meetings = agenda.meetings
    if principal is not None and not principal.is_staff:
        meetings = [m for m in meetings if m.institution_id == principal.institution_id]
    key_of = {"institution": lambda m: m.institution_id, "project": lambda m: m.project_id,
              "table": lambda m: m.table}[view]
    groups: dict[Any, list[dict[str, Any]]] = {}
    for m in sorted(meetings, key=lambda m: (m.slot, m.table)):
        begin, end = agenda.slot_times(m.slot)
        groups.setdefault(key_of(m), []).append(
            {"slot": m.slot + 1, "start": _local(begin), "end": _local(end), "table": m.table, "project_id": m.project_id,
             "project_name": names.get(m.project_id), "institution_id": m.institution_id,
             "institution_name": names.get(m.institution_id), "score": round(m.score, 6)})
    items = [{"key": str(k), "name": names.get(str(k)) if view != "table" else f"{k}号洽谈桌", "meetings": v}
             for k, v in sorted(groups.items(), key=lambda kv: str(kv[0]).zfill(6) if view == "table" else str(kv[0]))]
    return jsonable({**summary(row), "view": view, "groups": items})


def agenda_export(session: Session, event_id: str, fmt: ExportFormat) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the current agenda as XLSX, CSV or iCalendar."""
    from finmatch.scheduling.exports import agenda_to_csv, agenda_to_ics, agenda_to_xlsx

    row = require_row(session, event_id)
    agenda = agenda_from_row(row)
    names = _participant_names(session, row)
    event: Event = Repository(session).require("events", event_id)  # type: ignore[assignment]
    if fmt == "xlsx":
        buf = io.BytesIO()
        agenda_to_xlsx(agenda, buf, names)
        data = buf.getvalue()
    elif fmt == "csv":
        data = agenda_to_csv(agenda, names).encode("utf-8")
    elif fmt == "ics":
        if agenda.start is None:
            agenda.start = event_start(event)
        data = agenda_to_ics(agenda, names, event_name=event.name).encode("utf-8")
    else:
        raise FinmatchError(f"不支持的导出格式 {fmt}，可选 xlsx、csv、ics", field="format")
    return data, MEDIA_TYPES[fmt], f"{event_id}-agenda.{fmt}"


def roadshow(session: Session, scorer: PairScorer, settings: Settings, products: pd.DataFrame, event_id: str,
             pitch_minutes: int = 8, qa_minutes: int = 7) -> dict[str, Any]:
    """The stage-pitch order of the event's projects, grouped by sector, most-wanted first."""
    if pitch_minutes < 1 or qa_minutes < 0:
        raise FinmatchError("路演时长应为正数", field="pitch_minutes")
    event, result = event_result(session, scorer, settings, products, event_id)
    order = roadshow_order(score_matrix(result), _project_sectors(result), pitch_minutes, qa_minutes,
                           start=event_start(event))
    names = result.projects["name"].to_dict()
    items = []
    for r in order.itertuples(index=False):
        label = Sector(r.sector).label if r.sector in Sector._value2member_map_ else r.sector
        items.append({"order": int(r.order), "project_id": r.project_id, "project_name": names.get(r.project_id),
                      "sector": r.sector, "sector_label": label, "demand": int(r.demand),
                      "interest": round(float(r.interest), 6), "start": _local(pd.Timestamp(r.start).to_pydatetime()),
                      "end": _local(pd.Timestamp(r.end).to_pydatetime())})
    return jsonable({"model": result.model, "event_id": event_id, "pitch_minutes": pitch_minutes,
                     "qa_minutes": qa_minutes, "items": items})


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


# ---- CLI -----------------------------------------------------------------------------------------

def schedule_cli(settings: Settings, event_id: str, export: str | None, output: Path | None, time_limit: float,
                 console: Console, scorer: PairScorer | None = None) -> None:
    """``finmatch schedule``: solve, store, print the figures and a per-institution summary, export."""
    from rich.table import Table

    from finmatch.registry import load_scorer
    from finmatch.runtime import open_database

    if export is not None and export not in MEDIA_TYPES:
        raise FinmatchError(f"不支持的导出格式 {export}，可选 xlsx、csv、ics", field="export")
    if scorer is None:
        scorer, _ = load_scorer(settings)
    db = open_database(settings)
    try:
        with db.factory() as session:
            products = Repository(session).products_frame()
            row, agenda = schedule_event(session, "cli", scorer, settings, products, event_id,
                                         ScheduleOptions(time_limit_s=time_limit))
            names = _participant_names(session, row)
            data = agenda_export(session, event_id, export)[0] if export else None  # type: ignore[arg-type]
    finally:
        db.dispose()
    console.print(f"活动 {event_id}：求解器 {agenda.solver}（{agenda.status}），模型 {row.model}")
    console.print(f"目标值 objective {agenda.objective:.3f} · 上界 bound {_fmt(agenda.bound)} · "
                  f"差距 gap {_fmt(None if agenda.gap is None else agenda.gap * 100)}% · "
                  f"贪心基线 greedy {_fmt(agenda.greedy_objective)}")
    console.print(f"洽谈 {len(agenda.meetings)} 场，覆盖项目 {agenda.projects_met}/{agenda.projects_coverable}")
    table = Table(title="各机构洽谈安排")
    for col in ("机构编号", "机构名称", "场次", "平均匹配度", "时段"):
        table.add_column(col, overflow="fold")
    for inst, meetings in sorted(agenda.by_institution().items()):
        avg = sum(m.score for m in meetings) / len(meetings)
        table.add_row(inst, names.get(inst, ""), str(len(meetings)), f"{avg:.3f}",
                      "、".join(str(m.slot + 1) for m in meetings))
    console.print(table)
    for imp in agenda.impossible:
        console.print(f"[yellow]无法安排[/yellow] {imp.project_id} × {imp.institution_id}：{imp.reason}")
    if data is not None:
        target = output or Path(f"{event_id}-agenda.{export}")
        target.write_bytes(data)
        console.print(f"已导出 {target}")
