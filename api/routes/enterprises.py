"""企业 CRUD；联系人等字段仅管理员与活动组织方可见。"""

from pydantic import BaseModel, Field

from api.routes._crud import crud_router
from finmatch.enums import Certification, TaxGrade
from finmatch.schemas import Enterprise


class EnterpriseFilters(BaseModel):
    city: str | None = Field(None, description="所在城市", max_length=64)
    tax_grade: TaxGrade | None = Field(None, description="纳税信用等级")
    certification: Certification | None = Field(None, description="具有该资质")


router = crud_router("enterprises", Enterprise, EnterpriseFilters, id_label="企业编号", example={
    "enterprise_id": "E0001", "name": "柳州新能源电池科技有限公司", "city": "柳州", "founded_year": 2018,
    "employees": 120, "annual_revenue_wan": 8600.5, "net_profit_wan": 520, "debt_ratio": 0.45, "rd_ratio": 0.08,
    "invention_patents": 12, "certifications": ["high_tech", "专精特新中小企业"], "tax_grade": "A",
    "has_collateral": True, "first_time_borrower": False, "contact_person": "李工", "contact_phone": "0772-1234567"})
