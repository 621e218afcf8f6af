"""对接活动 CRUD（管理员与活动组织方可写）and the event's projects × institutions matrix."""

import datetime as dt
from typing import Annotated

from fastapi import Path, Response
from pydantic import BaseModel, Field

from api.deps import ModelDep, SessionDep, StaffDep, StateDep
from api.errors import MODEL_ERRORS, READ_ERRORS
from api.payloads import EventMatrix
from api.routes._crud import crud_router
from api.routes._json import encode, json_bytes
from finmatch.schemas import Event
from finmatch.services import matching


class EventFilters(BaseModel):
    city: str | None = Field(None, description="举办城市", max_length=64)
    date: dt.date | None = Field(None, description="日期")
    project_id: str | None = Field(None, description="有该项目参会", max_length=64)
    product_id: str | None = Field(None, description="有该产品参会", max_length=64)


router = crud_router("events", Event, EventFilters, id_label="活动编号", writers="管理员、活动组织方", example={
    "event_id": "EV2025-01", "name": "2025 南宁科技金融对接会", "date": "2025-06-18", "city": "南宁",
    "project_ids": ["XM0001", "XM0002"], "product_ids": ["P-LOAN-001", "P-EQ-001"], "slots": 8,
    "slot_minutes": 20, "tables": 6, "max_meetings_per_project": 3, "max_meetings_per_institution": 6,
    "extra": {"start_time": "09:00"}})


@router.get("/{key}/matrix", response_model=EventMatrix, responses={**READ_ERRORS, **MODEL_ERRORS},
            summary="活动的项目 × 机构匹配矩阵",
            description="每个参会项目与每个参会机构：该机构得分最高的可匹配产品及对接概率（排程即以此为输入）。"
                        "仅管理员与活动组织方。")
def event_matrix(key: Annotated[str, Path(description="活动编号", min_length=1, max_length=64)],
                 principal: StaffDep, session: SessionDep, state: StateDep, model: ModelDep) -> Response:
    settings = state.settings
    version = state.caches.version(session)
    cache_key = ("matrix", version, model.version, id(model.scorer), settings.effective_today(), key)

    def compute() -> bytes:
        products = state.caches.products_frame(session, version)
        return encode(matching.event_matrix(session, model.scorer, settings, products, key))

    return json_bytes(state.responses.get_or_compute(cache_key, compute))
