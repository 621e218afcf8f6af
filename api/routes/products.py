"""金融产品 CRUD；金融机构只能新建、修改、删除本机构的产品。"""

from pydantic import BaseModel, Field

from api.routes._crud import crud_router
from finmatch.enums import Certification, Family, Sector, Stage
from finmatch.schemas import Product


class ProductFilters(BaseModel):
    institution_id: str | None = Field(None, description="机构编号", max_length=64)
    family: Family | None = Field(None, description="产品大类")
    kind: str | None = Field(None, description="产品类型，如 科创贷", max_length=100)
    sector: Sector | None = Field(None, description="支持该领域（未限定领域的产品也算）")
    stage: Stage | None = Field(None, description="支持该阶段（未限定阶段的产品也算）")
    city: str | None = Field(None, description="服务该城市（广西 含 14 个地市；未限定区域的也算）", max_length=64)
    certification: Certification | None = Field(None, description="资质要求包含")


router = crud_router("products", Product, ProductFilters, id_label="产品编号", writers="管理员、本机构", example={
    "product_id": "P-LOAN-001", "institution_id": "I-BANK-01", "name": "科创贷", "family": "贷款", "kind": "科创贷",
    "description": "面向科技型中小企业的信用贷款", "amount_min_wan": 100, "amount_max_wan": 3000, "cities": ["广西"],
    "required_certifications_any": ["high_tech", "tech_sme"], "max_debt_ratio": 0.7, "requires_profit": True,
    "min_tax_grade": "B", "min_company_age_years": 2, "rate_pct": 2.8, "tenor_months": 36,
    "valid_to": "2027-12-31"})
