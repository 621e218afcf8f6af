"""The append-only audit log (admin only)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from api.deps import AdminDep, SessionDep
from api.errors import READ_ERRORS
from api.payloads import AuditEntry, Page
from finmatch.storage.orm import AuditRow

router = APIRouter(prefix="/audit", tags=["审计日志"])


@router.get("", response_model=Page[AuditEntry], responses=READ_ERRORS, summary="审计日志",
            description="每次写入的操作者、时间、动作与前后内容，最新的在前。仅管理员。")
def audit_log(principal: AdminDep, session: SessionDep,
              entity: Annotated[str | None, Query(description="实体，如 products", max_length=32)] = None,
              entity_id: Annotated[str | None, Query(description="记录编号", max_length=300)] = None,
              actor: Annotated[str | None, Query(description="操作者", max_length=100)] = None,
              offset: Annotated[int, Query(ge=0, le=1_000_000, description="跳过的记录数")] = 0, limit: Annotated[int, Query(ge=1, le=200, description="每页条数（≤200）")] = 50) -> Any:
    stmt = select(AuditRow)
    for col, value in ((AuditRow.entity, entity), (AuditRow.entity_id, entity_id), (AuditRow.actor, actor)):
        if value is not None:
            stmt = stmt.where(col == value)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(stmt.order_by(AuditRow.audit_id.desc()).offset(offset).limit(limit))
    items = [{c: getattr(r, c) for c in ("audit_id", "at", "actor", "action", "entity", "entity_id", "before",
                                         "after")} for r in rows]
    for item in items:  # SQLite hands timestamps back naive; they are UTC
        if item["at"] is not None and item["at"].tzinfo is None:
            item["at"] = item["at"].replace(tzinfo=dt.UTC)
    return {"items": items, "total": total, "offset": offset, "limit": limit}
