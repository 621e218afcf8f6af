"""What a hand-out shows, gathered once for both formats (plain data, Chinese text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from finmatch.auth import Principal
from finmatch.enums import Family, Sector, Stage
from finmatch.matching import PairScorer
from finmatch.services.matching import project_frame, project_view
from finmatch.settings import Settings
from finmatch.storage import Repository
from finmatch.storage.orm import AgendaRow

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
TOP_PER_FAMILY = 2


@dataclass
class Handout:
    project_id: str
    title: str
    profile: list[tuple[str, str]]
    recommended: list[tuple[str, str, str, str]]  # family label, product, institution, reason
    package: dict[str, Any]
    meetings: list[tuple[str, str, str]] = field(default_factory=list)  # time, table, institution
    event_name: str | None = None
    generated: str = ""


def _wan(v: Any) -> str:
    try:
        return f"{float(v):,.2f}".rstrip("0").rstrip(".") + " 万元"
    except (TypeError, ValueError):
        return "—"


def handout_context(session: Session, principal: Principal, scorer: PairScorer, settings: Settings,
                    products: pd.DataFrame, project_id: str, package_view: dict[str, Any],
                    event_id: str | None = None) -> Handout:
    frame = project_frame(session, project_id)
    row = frame.loc[project_id]
    view = project_view(frame, scorer, settings, products, project_id, group_by_family=True, top_k=TOP_PER_FAMILY,
                        include_ineligible=False)
    sector = view.get("sector")
    profile = [("企业", str(row.get("enterprise_name") or "—")), ("所在城市", str(row.get("city") or "—")),
               ("所属领域", Sector(sector).label if sector else "—"),
               ("所处阶段", Stage(row["stage"]).label + (f" · TRL {int(row['trl'])}" if pd.notna(row.get("trl")) else "")),
               ("融资需求", _wan(row["funding_need_wan"])),
               ("意向融资方式", "、".join(Family(f).label for f in (row.get("funding_types") or ())) or "不限")]
    recommended = []
    for fam, items in (view.get("groups") or {}).items():
        for m in items:
            reason = "；".join([*m.get("eligibility_reasons", [])[:1], *m.get("reasons", [])[:1]])
            recommended.append((Family(fam).label, str(m.get("product_name")), str(m.get("institution_name") or
                                                                                    m["institution_id"]), reason))
    entry = package_view["packages"][project_id]
    meetings, event_name = _meetings(session, principal, project_id, event_id)
    now = dt.datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M")
    return Handout(project_id, f"{row['name']}（{project_id}）", profile, recommended, entry, meetings, event_name,
                   f"生成时间 {now}（北京时间） · 模型 {package_view.get('model')}")


def _meetings(session: Session, principal: Principal, project_id: str,
              event_id: str | None) -> tuple[list[tuple[str, str, str]], str | None]:
    """The project's meetings in the newest agenda of the event (or of the newest event it attends)."""
    repo = Repository(session)
    stmt = select(AgendaRow).order_by(AgendaRow.agenda_id.desc())
    if event_id is not None:
        stmt = stmt.where(AgendaRow.event_id == event_id)
    seen: set[str] = set()
    for r in session.scalars(stmt):
        if r.event_id in seen:  # only the newest agenda of each event is current
            continue
        seen.add(r.event_id)
        mine = [m for m in r.meetings if m["project_id"] == project_id
                and (principal.is_staff or principal.owns(m["institution_id"]))]
        if not mine and event_id is None:
            continue
        event: Any = repo.fetch("events", {r.event_id}).get(r.event_id)
        names = {k: getattr(v, "name", k) for k, v in repo.fetch("institutions",
                                                                 {m["institution_id"] for m in mine}).items()}
        start = r.start or (dt.datetime.combine(event.date, dt.time(9, 0)) if event is not None else None)
        out = []
        for m in sorted(mine, key=lambda m: m["slot"]):
            when = "—" if start is None else (start + dt.timedelta(minutes=r.slot_minutes * int(m["slot"]))).strftime(
                "%m-%d %H:%M")
            out.append((when, f"{int(m['table'])} 号桌", str(names.get(m["institution_id"], m["institution_id"]))))
        return out, (getattr(event, "name", None) or r.event_id)
    return [], None


def event_handouts(session: Session, principal: Principal, scorer: PairScorer, settings: Settings,
                   products: pd.DataFrame, event_id: str, objective: str = "cost") -> list[Handout]:
    """One hand-out per participating project, packages over the event's products (an organiser's pack)."""
    from finmatch.services.matching import event_result
    from finmatch.services.packages import packages_for_frames, redact

    _, result = event_result(session, scorer, settings, products, event_id)
    view = redact(packages_for_frames(result.projects, result.products, scorer, settings, objective,
                                      with_alternatives=False), principal)
    return [handout_context(session, principal, scorer, settings, result.products, str(pid), view, event_id)
            for pid in result.projects.index]
