"""机构 CRUD."""

from pydantic import BaseModel, Field

from api.routes._crud import crud_router
from finmatch.enums import InstitutionType
from finmatch.schemas import Institution


class InstitutionFilters(BaseModel):
    type: InstitutionType | None = Field(None, description="机构类型")
    city: str | None = Field(None, description="所在城市", max_length=64)


router = crud_router("institutions", Institution, InstitutionFilters, id_label="机构编号", example={
    "institution_id": "I-BANK-01", "name": "广西北部湾银行南宁分行", "type": "bank", "city": "南宁"})
