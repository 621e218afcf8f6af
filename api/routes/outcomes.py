"""对接结果 CRUD；金融机构只能查看和记录本机构产品的结果。"""

import datetime as dt

from pydantic import BaseModel, Field

from api.payloads import OutcomeRecord
from api.routes._crud import crud_router
from finmatch.enums import OutcomeStage
from finmatch.schemas import Entity, Outcome


class OutcomeFilters(BaseModel):
    project_id: str | None = Field(None, description="项目编号", max_length=64)
    product_id: str | None = Field(None, description="产品编号", max_length=64)
    event_id: str | None = Field(None, description="活动编号", max_length=64)
    stage: OutcomeStage | None = Field(None, description="进展")
    date: dt.date | None = Field(None, description="日期")


def _record(model: Entity) -> OutcomeRecord:
    assert isinstance(model, Outcome)
    return OutcomeRecord(**model.model_dump(), outcome_key=model.key)


router = crud_router("outcomes", Outcome, OutcomeFilters, id_label="对接结果编号（项目|产品|活动|进展）",
                     out_model=OutcomeRecord, to_out=_record, writers="管理员、活动组织方、产品所属机构", example={
                         "project_id": "XM0001", "product_id": "P-LOAN-001", "event_id": "EV2025-01",
                         "stage": "signed", "amount_wan": 2000, "date": "2025-08-01"})
