"""The roadshow programme of an event (staff only): sector sessions inside the opening hours, clear of each
project's own 1:1 meetings of the current agenda, as data for the page and as XLSX / iCalendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from finmatch.auth import Principal
from finmatch.exceptions import FinmatchError
from finmatch.matching import PairScorer
from finmatch.services import event_day
from finmatch.services.agenda import MEDIA_TYPES, _project_sectors, agenda_from_row, latest_row, score_matrix
from finmatch.services.matching import event_result, jsonable
from finmatch.settings import Settings


def _busy(session: Session, event_id: str) -> dict[str, list[tuple[dt.datetime, dt.datetime]]]:
    """Each project's 1:1 meeting times of the current agenda (empty when none is solved yet)."""
    row = latest_row(session, event_id)
    if row is None:
        return {}
    agenda = agenda_from_row(row)
    out: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for m in agenda.meetings:
        begin, end = agenda.slot_times(m.slot)
        if begin is not None and end is not None:
            out.setdefault(m.project_id, []).append((begin, end))
    return out


def roadshow(session: Session, scorer: PairScorer, settings: Settings, products: pd.DataFrame, event_id: str,
             pitch_minutes: int = 8, qa_minutes: int = 7, principal: Principal | None = None) -> dict[str, Any]:
    """The roadshow programme (staff only): sessions within the opening hours, grouped by sector,
    most-wanted first, clear of each project's own 1:1 meetings, across days when needed."""
    from finmatch.scheduling.roadshow import roadshow_programme

    if principal is not None:
        principal.require_staff()
    if pitch_minutes < 1 or qa_minutes < 0:
        raise FinmatchError("路演时长应为正数", field="pitch_minutes")
    event, result = event_result(session, scorer, settings, products, event_id)
    hours = event_day.opening_hours(event, settings)
    frame = roadshow_programme(score_matrix(result), _project_sectors(result), event.date, hours, pitch_minutes,
                               qa_minutes, busy=_busy(session, event_id))
    items = event_day.programme_items(frame, result.projects["name"].to_dict())
    return jsonable({"model": result.model, "event_id": event_id, "event_name": event.name,
                     "venue": event_day.venue(event), "pitch_minutes": pitch_minutes, "qa_minutes": qa_minutes,
                     "rooms": hours.rooms, "days": int(frame["day"].max()) if len(frame) else 0,
                     "day_start": hours.day_start.strftime("%H:%M"), "day_end": hours.day_end.strftime("%H:%M"),
                     "lunch": f"{hours.lunch_start:%H:%M}–{hours.lunch_end:%H:%M}", "items": items})


def roadshow_export(session: Session, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                    event_id: str, fmt: str, principal: Principal | None = None) -> tuple[bytes, str, str]:
    """The roadshow programme as XLSX or iCalendar (staff only)."""
    if fmt not in ("xlsx", "ics"):
        raise FinmatchError(f"路演日程可导出 xlsx、ics，不支持 {fmt}", field="format")
    plan = roadshow(session, scorer, settings, products, event_id, principal=principal)
    items = [{**x, "start": dt.datetime.fromisoformat(x["start"]), "end": dt.datetime.fromisoformat(x["end"]),
              "pitch_end": dt.datetime.fromisoformat(x["pitch_end"])} for x in plan["items"]]
    if fmt == "xlsx":
        data = event_day.programme_xlsx(items, plan["event_name"], plan["venue"])
    else:
        data = event_day.programme_ics(items, event_id, plan["event_name"], plan["venue"]).encode("utf-8")
    return data, MEDIA_TYPES[fmt], f"{event_id}-roadshow.{fmt}"
