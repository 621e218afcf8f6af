"""中试项目 CRUD."""

from pydantic import BaseModel, Field

from api.routes._crud import crud_router
from finmatch.enums import Family, IndustryType, Sector, Stage
from finmatch.schemas import Project


class ProjectFilters(BaseModel):
    enterprise_id: str | None = Field(None, description="企业编号", max_length=64)
    sector: Sector | None = Field(None, description="所属领域（填写的）")
    stage: Stage | None = Field(None, description="所处阶段")
    industry_type: IndustryType | None = Field(None, description="行业类型")
    funding_type: Family | None = Field(None, description="意向融资方式包含")
    city: str | None = Field(None, description="企业所在城市", max_length=64)


router = crud_router("projects", Project, ProjectFilters, id_label="项目编号", example={
    "project_id": "XM0001", "enterprise_id": "E0001", "name": "固态电池中试线建设",
    "description": "建设年产 50MWh 固态电池中试线，完成电解质膜工艺验证，资金用于涂布设备采购。",
    "sector": "新能源及储能", "industry_type": "discrete", "stage": "中试熟化", "trl": 6, "funding_need_wan": 3000,
    "funding_types": ["loan", "equity"], "months_to_production": 18, "government_supported": True})
