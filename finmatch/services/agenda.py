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
from typing import Any, Literal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from finmatch.auth import Principal
from finmatch.exceptions import ConflictError, FinmatchError, NotFoundError
from finmatch.matching import MatchResult, PairScorer
from finmatch.scheduling import (
    Agenda,
    ImpossibleRequest,
    Meeting,
    ScheduleRequest,
    replan,
    solve,
)
from finmatch.schemas import Event
from finmatch.services import event_day
from finmatch.services.matching import best_products, event_result, jsonable
from finmatch.settings import Settings
from finmatch.storage import Repository
from finmatch.storage.orm import AgendaRow

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
    min_score: float | None = None  # minimum match probability; None: settings.min_match_probability
    package_must_meet: bool = False  # each project must meet the institutions of its financing package


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

def _meeting_dict(m: Meeting, about: dict[tuple[str, str], tuple[str, str]] | None = None) -> dict[str, Any]:
    product_id, product_name = (about or {}).get((m.project_id, m.institution_id), (None, None))
    return {"project_id": m.project_id, "institution_id": m.institution_id, "slot": int(m.slot),
            "table": int(m.table), "score": float(m.score), "product_id": product_id, "product_name": product_name}


_MEETING_KEYS = ("project_id", "institution_id", "slot", "table", "score")
_ISSUE_KEYS = ("project_id", "institution_id", "reason", "code")


def agenda_from_row(row: AgendaRow) -> Agenda:
    impossible, _ = event_day.split_issues(row.impossible)
    return Agenda(meetings=[Meeting(**{k: m[k] for k in _MEETING_KEYS}) for m in row.meetings],
                  objective=row.objective, bound=row.bound,
                  gap=row.gap, solver=row.solver, status=row.status, solve_seconds=row.solve_seconds or 0.0,
                  impossible=[ImpossibleRequest(**{k: d[k] for k in _ISSUE_KEYS}) for d in impossible],
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


def _meeting_products(result: MatchResult) -> dict[tuple[str, str], tuple[str, str]]:
    """(project, institution) → (product id, product name) of the product the meeting is about."""
    names = result.products["name"].to_dict()
    return {(r.project_id, r.institution_id): (r.product_id, str(names.get(r.product_id, r.product_id)))
            for r in best_products(result).itertuples(index=False)}


def schedule_event(session: Session, actor: str, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                   event_id: str, options: ScheduleOptions, save: bool = True) -> tuple[AgendaRow, Agenda]:
    """Solve the event's agenda from its match matrix; with ``save`` store it as the event's current agenda
    (without, the row is built but nothing is written: a dry run)."""
    if not 0 < options.time_limit_s <= 600:
        raise FinmatchError("求解时限应在 0 到 600 秒之间", field="time_limit_s")
    event, result = event_result(session, scorer, settings, products, event_id)
    request = build_request(event, result, options)
    if options.package_must_meet:  # hook: the projects' packages (services.packages) give must-meet pairs
        from finmatch.services.packages import event_must_meets

        request.must_meet = list(dict.fromkeys([*request.must_meet, *event_must_meets(event, result, scorer, settings)]))
    request.min_score = settings.min_match_probability if options.min_score is None else float(options.min_score)
    request.start = dt.datetime.combine(event.date, event_day.opening_hours(event, settings).day_start)
    if options.keep_held:
        previous = latest_row(session, event_id)
        if previous is None:
            raise ConflictError("该活动还没有日程，无法沿用已举行的洽谈", field="keep_held")
        request = _with_held(request, agenda_from_row(previous), options)
    elif options.no_shows:
        gone = set(options.no_shows)
        request.unavailable.update({who: list(range(event.slots)) for who in gone})
    agenda = solve(request)
    about = _meeting_products(result)
    unmatched = event_day.unmatched_projects(request, agenda, _names(result))
    row = AgendaRow(event_id=event_id, actor=actor, model=result.model, solver=agenda.solver,
                    status=agenda.status, objective=float(agenda.objective), bound=agenda.bound, gap=agenda.gap,
                    greedy_objective=agenda.greedy_objective, solve_seconds=agenda.solve_seconds,
                    start=request.start, slot_minutes=request.slot_minutes,
                    meetings=[_meeting_dict(m, about) for m in agenda.meetings],
                    impossible=[i.as_dict() for i in agenda.impossible] + unmatched)
    if not save:
        return row, agenda
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


def _own(principal: Principal | None) -> str | None:
    """The institution whose meetings alone the principal may see; None for staff (and internal calls)."""
    if principal is None or principal.is_staff:
        return None
    return principal.institution_id or "\x00"  # a key bound to no institution sees nothing


def summary(row: AgendaRow, principal: Principal | None = None) -> dict[str, Any]:
    """Figures of the agenda for this principal: the whole event for staff, its own meetings for an
    institution (no event totals, no other institutions' requests, no solver figures)."""
    impossible, unmatched = event_day.split_issues(row.impossible)
    own = _own(principal)
    meetings = row.meetings if own is None else [m for m in row.meetings if m["institution_id"] == own]
    projects_met = len({m["project_id"] for m in meetings})
    out: dict[str, Any] = {
        "agenda_id": row.agenda_id, "event_id": row.event_id, "created_at": _utc(row.created_at),
        "created_at_text": event_day.beijing_text(_utc(row.created_at)), "meetings": len(meetings),
        "projects_met": projects_met,
        "text": event_day.summary_text(len(meetings), projects_met, unmatched, principal)}
    if own is None:
        out.update({"model": row.model, "solver": row.solver, "status": row.status, "objective": row.objective,
                    "bound": row.bound, "gap": row.gap, "greedy_objective": row.greedy_objective,
                    "solve_seconds": row.solve_seconds,
                    "impossible": [{k: d[k] for k in _ISSUE_KEYS} for d in impossible],
                    "unmatched": [{"project_id": u["project_id"], "project_name": u.get("project_name"),
                                   "reason": u["reason"], "code": u.get("why", "")} for u in unmatched]})
    else:
        out.update({"model": None, "solver": None, "status": None, "objective": None, "bound": None, "gap": None,
                    "greedy_objective": None, "solve_seconds": None, "unmatched": [],
                    "impossible": [{k: d[k] for k in _ISSUE_KEYS} for d in impossible
                                   if d["institution_id"] == own]})
    return jsonable(out)


def _visible(row: AgendaRow, principal: Principal | None, project_id: str | None) -> list[dict[str, Any]]:
    own = _own(principal)
    meetings = row.meetings if own is None else [m for m in row.meetings if m["institution_id"] == own]
    if project_id is not None:
        meetings = [m for m in meetings if m["project_id"] == project_id]
    return meetings


def agenda_view(session: Session, event_id: str, view: View = "institution",
                principal: Principal | None = None, project_id: str | None = None) -> dict[str, Any]:
    """The current agenda grouped by institution, project or table (an institution sees only its own;
    ``project_id`` narrows it to one project, for the enterprise contact's page)."""
    row = require_row(session, event_id)
    agenda = agenda_from_row(row)
    names = _participant_names(session, row)
    key_of = {"institution": lambda m: m["institution_id"], "project": lambda m: m["project_id"],
              "table": lambda m: m["table"]}[view]
    groups: dict[Any, list[dict[str, Any]]] = {}
    for m in sorted(_visible(row, principal, project_id), key=lambda m: (m["slot"], m["table"])):
        begin, end = agenda.slot_times(m["slot"])
        groups.setdefault(key_of(m), []).append(
            {"slot": m["slot"] + 1, "start": _local(begin), "end": _local(end), "table": m["table"],
             "project_id": m["project_id"], "project_name": names.get(m["project_id"]),
             "institution_id": m["institution_id"], "institution_name": names.get(m["institution_id"]),
             "product_id": m.get("product_id"), "product_name": m.get("product_name"),
             "score": round(m["score"], 6)})
    items = [{"key": str(k), "name": names.get(str(k)) if view != "table" else f"{k}号洽谈桌", "meetings": v}
             for k, v in sorted(groups.items(), key=lambda kv: str(kv[0]).zfill(6) if view == "table" else str(kv[0]))]
    return jsonable({**summary(row, principal), "view": view, "groups": items})


def export_context(event: Event, row: AgendaRow) -> Any:
    from finmatch.scheduling.exports import ExportContext

    return ExportContext(event_name=event.name, event_date=event.date, venue=event_day.venue(event),
                         products={(m["project_id"], m["institution_id"]): m["product_name"]
                                   for m in row.meetings if m.get("product_name")})


def render_agenda(agenda: Agenda, names: dict[str, str], event: Event, row: AgendaRow, fmt: ExportFormat,
                  per_institution: bool = True) -> bytes:
    """The bytes of an agenda file (XLSX, CSV or iCalendar) with the event's name, date and venue."""
    from finmatch.scheduling.exports import agenda_to_csv, agenda_to_ics, agenda_to_xlsx

    ctx = export_context(event, row)
    if fmt == "xlsx":
        buf = io.BytesIO()
        agenda_to_xlsx(agenda, buf, names, ctx, per_institution=per_institution)
        return buf.getvalue()
    if fmt == "csv":
        return agenda_to_csv(agenda, names, ctx).encode("utf-8")
    if fmt == "ics":
        if agenda.start is None:
            agenda.start = event_start(event)
        return agenda_to_ics(agenda, names, event_name=event.name, context=ctx).encode("utf-8")
    raise FinmatchError(f"不支持的导出格式 {fmt}，可选 xlsx、csv、ics", field="format")


def agenda_export(session: Session, event_id: str, fmt: ExportFormat, principal: Principal | None = None,
                  project_id: str | None = None) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the current agenda as XLSX, CSV or iCalendar: the whole event
    for staff, an institution's own meetings for its key, one project's meetings with ``project_id``."""
    if fmt not in MEDIA_TYPES:
        raise FinmatchError(f"不支持的导出格式 {fmt}，可选 xlsx、csv、ics", field="format")
    row = require_row(session, event_id)
    agenda = agenda_from_row(row)
    visible = {(m["project_id"], m["institution_id"], m["slot"]) for m in _visible(row, principal, project_id)}
    agenda.meetings = [m for m in agenda.meetings if (m.project_id, m.institution_id, m.slot) in visible]
    names = _participant_names(session, row)
    event: Event = Repository(session).require("events", event_id)  # type: ignore[assignment]
    whole = _own(principal) is None and project_id is None
    data = render_agenda(agenda, names, event, row, fmt, per_institution=whole)
    who = project_id or _own(principal)
    suffix = f"-{who}" if who else ""
    return data, MEDIA_TYPES[fmt], f"{event_id}{suffix}-agenda.{fmt}"


# ---- ``finmatch schedule`` (printed by app/schedule_cli.py) -----------------------------------------

@dataclass
class ScheduleRun:
    """What ``finmatch schedule`` solved: the stored (or trial) row, the agenda, names, the export."""

    row: AgendaRow
    agenda: Agenda
    names: dict[str, str]
    unmatched: list[dict[str, Any]]
    export: bytes | None = None


def run_schedule(settings: Settings, event_id: str, export: str | None, output: Path | None, time_limit: float,
                 scorer: PairScorer, save: bool = False) -> tuple[ScheduleRun, str | None]:
    """Solve an event's agenda for the CLI (store it only with ``save``); returns the run and the format."""
    from finmatch.runtime import open_database

    if export is None and output is not None:
        export = output.suffix.lstrip(".").lower() or None
    if export is not None and export not in MEDIA_TYPES:
        raise FinmatchError(f"不支持的导出格式 {export}，可选 xlsx、csv、ics", field="export")
    if export is not None and output is None:
        raise FinmatchError("导出日程需要用 --output 指定文件路径", field="output")
    db = open_database(settings)
    try:
        with db.factory() as session:
            products = Repository(session).products_frame()
            row, agenda = schedule_event(session, "cli", scorer, settings, products, event_id,
                                         ScheduleOptions(time_limit_s=time_limit), save=save)
            names = _participant_names(session, row)
            event: Event = Repository(session).require("events", event_id)  # type: ignore[assignment]
            data = render_agenda(agenda, names, event, row, export) if export else None  # type: ignore[arg-type]
    finally:
        db.dispose()
    _, unmatched = event_day.split_issues(row.impossible)
    return ScheduleRun(row, agenda, names, unmatched, data), export
