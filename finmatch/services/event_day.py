"""What an event day needs besides the solver: opening hours, plain-Chinese summaries per role, the
list of projects left without a meeting and why, Beijing-time text, the roadshow programme and its
exports, and signed links an enterprise contact can open without an account.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from itsdangerous import BadSignature, URLSafeSerializer

from finmatch.auth import Principal
from finmatch.enums import Sector
from finmatch.exceptions import PermissionDeniedError
from finmatch.scheduling.exports import calendar, cell, percent
from finmatch.scheduling.problem import Agenda, ScheduleRequest
from finmatch.scheduling.roadshow import OpeningHours
from finmatch.schemas import Event
from finmatch.settings import Settings

log = logging.getLogger(__name__)
BEIJING = ZoneInfo("Asia/Shanghai")
UNMATCHED = "unmatched_project"  # code of an unmatched-project entry stored beside the must-meet reasons


def beijing_text(moment: dt.datetime | None, with_date: bool = True) -> str:
    """A timestamp as Beijing wall-clock text (``2026-11-28 14:05``); naive values are taken as UTC."""
    if moment is None:
        return "—"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def _time(raw: Any, default: dt.time, event_id: str, name: str) -> dt.time:
    if raw in (None, ""):
        return default
    try:
        return dt.time.fromisoformat(str(raw).strip())
    except ValueError:
        log.warning("event %s has a bad %s %r; using %s", event_id, name, raw, default)
        return default


def opening_hours(event: Event, settings: Settings) -> OpeningHours:
    """The event's hours: ``extra`` keys (start_time, day_end, lunch_start, lunch_end, rooms) over settings."""
    extra = event.extra or {}
    rooms = str(extra.get("rooms") or "").strip()
    return OpeningHours(
        day_start=_time(extra.get("start_time"), settings.day_start, event.event_id, "start_time"),
        day_end=_time(extra.get("day_end"), settings.day_end, event.event_id, "day_end"),
        lunch_start=_time(extra.get("lunch_start"), settings.lunch_start, event.event_id, "lunch_start"),
        lunch_end=_time(extra.get("lunch_end"), settings.lunch_end, event.event_id, "lunch_end"),
        rooms=int(rooms) if rooms.isdigit() and int(rooms) > 0 else settings.roadshow_rooms,
        session_minutes=settings.roadshow_session_minutes, break_minutes=settings.roadshow_break_minutes)


def venue(event: Event) -> str | None:
    """Where the event is held: ``extra.venue``, else its city."""
    raw = (event.extra or {}).get("venue")
    if raw:
        return str(raw)
    return str(event.city) if event.city else None


# ---- projects left without a meeting ---------------------------------------------------------------

def unmatched_projects(request: ScheduleRequest, agenda: Agenda, names: dict[str, str]) -> list[dict[str, str]]:
    """Every project of the request without a meeting, with the reason in words an organiser can act on."""
    met = {m.project_id for m in agenda.meetings}
    out = []
    for pid in request.scores.index:
        pid = str(pid)
        if pid in met:
            continue
        row = request.scores.loc[pid].to_numpy(dtype=float)
        finite = row[~pd.isna(row)]
        away = set(request.unavailable.get(pid, []))
        if not finite.size:
            reason, code = "没有符合准入条件的参会金融产品", "no_eligible_product"
        elif finite.max() < request.min_score:
            reason = f"最高匹配度 {percent(float(finite.max()))}，低于起排线 {percent(request.min_score)}"
            code = "below_threshold"
        elif request.slots and len(away) >= request.slots:
            reason, code = "全天均不在场，无可用时段", "unavailable"
        elif request.max_meetings_per_project == 0:
            reason, code = "每个项目的洽谈场次上限为 0", "project_cap"
        else:
            reason, code = "可匹配机构的洽谈名额、时段或洽谈桌已满", "capacity"
        out.append({"project_id": pid, "institution_id": "", "project_name": names.get(pid, ""),
                    "reason": reason, "code": UNMATCHED, "why": code})
    return out


def split_issues(stored: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(must-meet impossibilities, unmatched projects) from the row's ``impossible`` JSON."""
    impossible = [d for d in stored if d.get("code") != UNMATCHED]
    unmatched = [d for d in stored if d.get("code") == UNMATCHED]
    return impossible, unmatched


def summary_text(meetings: int, projects_met: int, unmatched: list[dict[str, Any]],
                 principal: Principal | None, shown: int = 5) -> str:
    """The agenda in one plain sentence, for the whole event (staff) or for one institution."""
    if principal is not None and not principal.is_staff:
        if not meetings:
            return "本机构在本次活动中暂无洽谈安排。"
        return f"本机构已安排 {meetings} 场洽谈，涉及 {projects_met} 个项目。"
    text = f"已安排 {meetings} 场洽谈，覆盖 {projects_met} 个项目"
    if not unmatched:
        return text + "，所有项目均已安排。"
    names = "、".join(u.get("project_name") or u["project_id"] for u in unmatched[:shown])
    more = "等" if len(unmatched) > shown else ""
    return text + f"，{len(unmatched)} 个项目未安排：{names}{more}（原因见下方列表）。"


# ---- signed links for enterprise contacts ----------------------------------------------------------

def _signer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.resolved_secret_key, salt="finmatch-project-agenda")


def project_token(settings: Settings, event_id: str, project_id: str) -> str:
    """A token the organiser sends to a project's contact: it opens that project's agenda only."""
    return _signer(settings).dumps([event_id, project_id])


def check_project_token(settings: Settings, event_id: str, project_id: str, token: str | None) -> None:
    try:
        ok = token is not None and _signer(settings).loads(token) == [event_id, project_id]
    except BadSignature:
        ok = False
    if not ok:
        raise PermissionDeniedError("链接无效或已过期，请向活动组织方索取本项目的日程链接")


# ---- roadshow programme ----------------------------------------------------------------------------

def sector_label(code: str) -> str:
    return Sector(code).label if code in Sector._value2member_map_ else code


def programme_items(frame: pd.DataFrame, names: dict[str, str]) -> list[dict[str, Any]]:
    items = []
    for r in frame.itertuples(index=False):
        items.append({"order": int(r.order), "project_id": r.project_id, "project_name": names.get(r.project_id),
                      "sector": r.sector, "sector_label": sector_label(r.sector), "demand": int(r.demand),
                      "interest": round(float(r.interest), 6) if math.isfinite(r.interest) else 0.0,
                      "day": int(r.day), "date": r.date, "room": int(r.room), "session": int(r.session),
                      "start": r.start.replace(tzinfo=BEIJING), "end": r.end.replace(tzinfo=BEIJING),
                      "pitch_end": r.pitch_end.replace(tzinfo=BEIJING)})
    return items


PROGRAMME_HEADERS = ["顺序", "日期", "会场", "场次", "开始", "路演结束", "问答结束", "项目编号", "项目名称", "所属领域",
                     "有意向的机构数"]


def programme_xlsx(items: list[dict[str, Any]], event_name: str, where: str | None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "路演日程"
    sheet.append([cell(f"{event_name} · 项目路演日程" + (f" · {where}" if where else ""))])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([cell(h) for h in PROGRAMME_HEADERS])
    for x in items:
        sheet.append([cell(v) for v in (x["order"], x["start"].strftime("%Y-%m-%d"), f"{x['room']}号会场",
                                         f"第{x['session']}场", x["start"].strftime("%H:%M"),
                                         x["pitch_end"].strftime("%H:%M"), x["end"].strftime("%H:%M"),
                                         x["project_id"], x["project_name"] or "", x["sector_label"], x["demand"])])
    for col, width in zip("ABCDEFGHIJK", (6, 11, 9, 7, 7, 9, 9, 12, 32, 14, 12), strict=True):
        sheet.column_dimensions[col].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def programme_ics(items: list[dict[str, Any]], event_id: str, event_name: str, where: str | None) -> str:
    events = [{"uid": f"{event_id}-roadshow-{x['project_id']}", "start": x["start"], "end": x["end"],
               "summary": f"{event_name} 路演：{x['project_name'] or x['project_id']}",
               "location": f"{where} · {x['room']}号会场" if where else f"{x['room']}号会场",
               "description": f"第{x['session']}场第{x['order']}位，{x['sector_label']}，"
                              f"路演至 {x['pitch_end'].strftime('%H:%M')}，问答至 {x['end'].strftime('%H:%M')}"}
              for x in items]
    return calendar(events, f"{event_name} 路演日程")
