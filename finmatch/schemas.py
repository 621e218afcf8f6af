"""Pydantic models of the v1 interchange format (``docs/data-format.md``).

These models are the contract for imports, the ``finmatch match`` output and API field names.
Enum fields accept the English code or the Chinese label; list fields accept a list or a string
separated by ``;`` ``；`` ``、`` or ``,``; booleans accept 是/否, 有/无 and the usual English forms.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from finmatch import credit_code as _credit_code
from finmatch.enums import (
    FAMILY_SHORT_LABELS,
    Certification,
    Family,
    IndustryType,
    InstitutionType,
    LabelledEnum,
    OutcomeStage,
    Sector,
    Stage,
    TaxGrade,
    ThreeFirst,
    normalise_city,
)
from finmatch.field_labels import CONTACT_FIELDS, ENTITY_LABELS, FIELD_LABELS  # noqa: F401 (re-exported)

FORMAT_ID: Literal["finmatch/v1"] = "finmatch/v1"
_SPLIT = re.compile(r"[;；、,，]")
_TRUE = {"true", "1", "yes", "y", "是", "有", "需要", "要求", "√", "t"}
_FALSE = {"false", "0", "no", "n", "否", "无", "不需要", "不要求", "×", "f", ""}


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, float) and math.isnan(raw)) or (isinstance(raw, str) and not raw.strip())


def _split(raw: Any) -> list[Any]:
    if _blank(raw):
        return []
    if isinstance(raw, list | tuple | set | frozenset):
        return [x for x in raw if not _blank(x)]
    return [part.strip() for part in _SPLIT.split(str(raw)) if part.strip()]


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if _blank(raw):
        return False
    if isinstance(raw, int | float):
        if raw in (0, 1):
            return bool(raw)
        raise ValueError(f"应为是/否，实为 '{raw}' / expected a boolean")
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"应为是/否，实为 '{raw}' / expected a boolean, got '{raw}'")


def _enum_parser(cls: type[LabelledEnum]) -> Callable[[Any], Any]:
    def parse(raw: Any) -> Any:
        if _blank(raw):
            return None
        return cls.parse(raw)

    return parse


def _enum_list_parser(cls: type[LabelledEnum], aliases: dict[str, str] | None = None) -> Callable[[Any], Any]:
    def parse(raw: Any) -> list[Any]:
        out = []
        for item in _split(raw):
            text = str(item).strip()
            out.append(cls.parse(aliases.get(text, text) if aliases else text))
        # keep order, drop repeats
        return list(dict.fromkeys(out))

    return parse


def _parse_int(raw: Any) -> Any:
    if _blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip().replace(",", "")
        if re.fullmatch(r"-?\d+(\.0+)?", text):
            return int(float(text))
    return raw


def _parse_number(raw: Any) -> Any:
    if _blank(raw):
        return None
    if isinstance(raw, str):
        return raw.strip().replace(",", "").replace("，", "")
    return raw


def _parse_date(raw: Any) -> Any:
    if _blank(raw):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, str):
        text = raw.strip().replace("/", "-").replace(".", "-")
        m = re.fullmatch(r"(\d{4})\s*[-年]\s*(\d{1,2})\s*[-月]\s*(\d{1,2})\s*日?(?:[ T].*)?", text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return raw


def _parse_city(raw: Any) -> Any:
    return None if _blank(raw) else normalise_city(str(raw))


def _parse_cities(raw: Any) -> list[str]:
    return list(dict.fromkeys(normalise_city(str(c)) for c in _split(raw)))


def _parse_str_list(raw: Any) -> list[str]:
    return [str(x).strip() for x in _split(raw)]


def _parse_text(raw: Any) -> Any:
    if _blank(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip() if isinstance(raw, str | int | float) else raw


Text = Annotated[str, BeforeValidator(_parse_text), Field(min_length=1)]
OptText = Annotated[str | None, BeforeValidator(_parse_text)]
Bool = Annotated[bool, BeforeValidator(_parse_bool)]
OptInt = Annotated[int | None, BeforeValidator(_parse_int)]
OptNonNegInt = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_parse_int)]
MONEY_MAX = 1e10  # 万元: a hundred trillion yuan, beyond any project or product
OptMoney = Annotated[Annotated[float, Field(ge=-MONEY_MAX, le=MONEY_MAX)] | None, BeforeValidator(_parse_number)]
OptNonNegMoney = Annotated[Annotated[float, Field(ge=0, le=MONEY_MAX)] | None, BeforeValidator(_parse_number)]
OptRatio = Annotated[Annotated[float, Field(ge=0, le=1)] | None, BeforeValidator(_parse_number)]
OptTrl = Annotated[Annotated[int, Field(ge=1, le=9)] | None, BeforeValidator(_parse_int)]
OptDate = Annotated[dt.date | None, BeforeValidator(_parse_date)]
City = Annotated[str | None, BeforeValidator(_parse_city)]
Cities = Annotated[list[str], BeforeValidator(_parse_cities)]
StrList = Annotated[list[str], BeforeValidator(_parse_str_list)]
Extra = dict[str, str]


# storage bounds live in finmatch.storage_bounds; re-exported here, where callers look for them
from finmatch.storage_bounds import (  # noqa: E402
    DESCRIPTION_MAX,  # noqa: F401
    EXTRA_MAX_COLUMNS,  # noqa: F401
    ID_MAX,  # noqa: F401
    INT_MAX,  # noqa: F401
    INT_MIN,  # noqa: F401
    LIST_MAX_ITEMS,  # noqa: F401
    MAX_LENGTHS,  # noqa: F401
    check_storable,
)


class Entity(BaseModel):
    """Base of every v1 entity: unknown input columns land in ``extra``, never dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=False,
                              populate_by_name=True, allow_inf_nan=False)
    extra: Extra = Field(default_factory=dict, description="导入时未识别的列，原样保留 / unknown columns kept as text")

    ID_FIELD: ClassVar[str] = ""  # the primary-key field, set by each subclass

    @model_validator(mode="before")
    @classmethod
    def _no_silent_nan(cls, data: Any) -> Any:
        """A NaN or infinite float is an error of its field, never a blank (see allow_inf_nan)."""
        if isinstance(data, dict):
            return {k: (str(v) if isinstance(v, float) and not math.isfinite(v) else v) for k, v in data.items()}
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: Any) -> Any:
        return check_storable(cls.__name__, info.field_name, value)

    @property
    def key(self) -> str:
        return str(getattr(self, self.ID_FIELD))


class Institution(Entity):
    ID_FIELD: ClassVar[str] = "institution_id"
    institution_id: Text
    name: Text
    type: Annotated[InstitutionType, BeforeValidator(_enum_parser(InstitutionType))]
    city: City = None


class Enterprise(Entity):
    ID_FIELD: ClassVar[str] = "enterprise_id"
    enterprise_id: Text
    name: Text
    credit_code: OptText = None
    city: City = None
    founded_year: Annotated[Annotated[int, Field(ge=1900, le=2100)] | None, BeforeValidator(_parse_int)] = None
    employees: OptNonNegInt = None
    annual_revenue_wan: OptNonNegMoney = None
    net_profit_wan: OptMoney = None
    debt_ratio: OptRatio = None
    rd_ratio: OptRatio = None
    invention_patents: OptNonNegInt = None
    certifications: Annotated[list[Certification], BeforeValidator(_enum_list_parser(Certification))] = Field(
        default_factory=list)
    tax_grade: Annotated[TaxGrade | None, BeforeValidator(_enum_parser(TaxGrade))] = None
    has_collateral: Bool = False
    first_time_borrower: Bool = False
    contact_person: OptText = None
    contact_phone: OptText = None
    contact_email: OptText = None

    @field_validator("credit_code")
    @classmethod
    def _check_credit_code(cls, v: str | None) -> str | None:
        return None if v is None else _credit_code.validate(v)


class Project(Entity):
    ID_FIELD: ClassVar[str] = "project_id"
    project_id: Text
    enterprise_id: Text
    name: Text
    description: Annotated[str, BeforeValidator(lambda v: "" if _blank(v) else str(v))] = ""
    sector: Annotated[Sector | None, BeforeValidator(_enum_parser(Sector))] = None
    industry_type: Annotated[IndustryType | None, BeforeValidator(_enum_parser(IndustryType))] = None
    stage: Annotated[Stage, BeforeValidator(_enum_parser(Stage))]
    trl: OptTrl = None
    pilot_platform: OptText = None
    funding_need_wan: Annotated[float, BeforeValidator(_parse_number), Field(gt=0, le=MONEY_MAX)]
    funding_types: Annotated[list[Family], BeforeValidator(_enum_list_parser(Family, FAMILY_SHORT_LABELS))] = Field(
        default_factory=list)
    months_to_production: OptNonNegInt = None
    hazardous_chemicals: Bool = False
    three_firsts: Annotated[list[ThreeFirst], BeforeValidator(_enum_list_parser(ThreeFirst))] = Field(
        default_factory=list)
    government_supported: Bool = False


class Product(Entity):
    ID_FIELD: ClassVar[str] = "product_id"
    product_id: Text
    institution_id: Text
    name: Text
    family: Annotated[Family, BeforeValidator(_enum_parser(Family))]
    kind: OptText = None
    description: Annotated[str, BeforeValidator(lambda v: "" if _blank(v) else str(v))] = ""
    sectors: Annotated[list[Sector], BeforeValidator(_enum_list_parser(Sector))] = Field(default_factory=list)
    stages: Annotated[list[Stage], BeforeValidator(_enum_list_parser(Stage))] = Field(default_factory=list)
    trl_min: OptTrl = None
    trl_max: OptTrl = None
    amount_min_wan: OptNonNegMoney = None
    amount_max_wan: OptNonNegMoney = None
    cities: Cities = Field(default_factory=list)
    required_certifications_any: Annotated[
        list[Certification], BeforeValidator(_enum_list_parser(Certification))] = Field(default_factory=list)
    min_revenue_wan: OptNonNegMoney = None
    max_revenue_wan: OptNonNegMoney = None
    min_company_age_years: OptNonNegInt = None
    max_company_age_years: OptNonNegInt = None
    max_debt_ratio: OptRatio = None
    requires_profit: Bool = False
    requires_collateral: Bool = False
    min_tax_grade: Annotated[TaxGrade | None, BeforeValidator(_enum_parser(TaxGrade))] = None
    excludes_hazardous: Bool = False
    requires_three_firsts: Bool = False
    rate_pct: Annotated[Annotated[float, Field(ge=0, le=100)] | None, BeforeValidator(_parse_number)] = None
    tenor_months: OptNonNegInt = None
    budget_wan: OptNonNegMoney = None
    valid_to: OptDate = None

    @model_validator(mode="after")
    def _check_bounds(self) -> Product:
        pairs = (("amount_min_wan", "amount_max_wan", "单户额度下限不得高于上限"),
                 ("trl_min", "trl_max", "技术成熟度下限不得高于上限"),
                 ("min_revenue_wan", "max_revenue_wan", "营业收入下限不得高于上限"),
                 ("min_company_age_years", "max_company_age_years", "成立年限下限不得高于上限"))
        for lo, hi, msg in pairs:
            a, b = getattr(self, lo), getattr(self, hi)
            if a is not None and b is not None and a > b:
                raise ValueError(f"{msg}（{lo}={a} > {hi}={b}） / {lo} must not exceed {hi}")
        return self


class Event(Entity):
    ID_FIELD: ClassVar[str] = "event_id"
    event_id: Text
    name: Text
    date: Annotated[dt.date, BeforeValidator(_parse_date)]
    city: City = None
    project_ids: StrList = Field(default_factory=list)
    product_ids: StrList = Field(default_factory=list)
    slots: Annotated[int, BeforeValidator(_parse_int), Field(ge=0)] = 8
    slot_minutes: Annotated[int, BeforeValidator(_parse_int), Field(ge=1)] = 20
    tables: Annotated[int, BeforeValidator(_parse_int), Field(ge=0)] = 10
    max_meetings_per_project: Annotated[int, BeforeValidator(_parse_int), Field(ge=0)] = 4
    max_meetings_per_institution: Annotated[int, BeforeValidator(_parse_int), Field(ge=0)] = 8


class Outcome(Entity):
    """One recorded step of a project–product pair; keyed by (project, product, event, stage)."""

    project_id: Text
    product_id: Text
    event_id: OptText = None
    stage: Annotated[OutcomeStage, BeforeValidator(_enum_parser(OutcomeStage))]
    amount_wan: OptNonNegMoney = None
    date: Annotated[dt.date, BeforeValidator(_parse_date)]

    @property
    def key(self) -> str:
        return outcome_key(self.project_id, self.product_id, self.event_id, self.stage.value)


def outcome_key(project_id: str, product_id: str, event_id: str | None, stage: str) -> str:
    return f"{project_id}|{product_id}|{event_id or ''}|{stage}"


ENTITY_MODELS: dict[str, type[Entity]] = {
    "institutions": Institution,
    "enterprises": Enterprise,
    "projects": Project,
    "products": Product,
    "events": Event,
    "outcomes": Outcome,
}
ENTITY_ORDER: tuple[str, ...] = tuple(ENTITY_MODELS)


class Document(BaseModel):
    """A whole v1 JSON document; every list is optional."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["finmatch/v1"] = FORMAT_ID
    institutions: list[Institution] = Field(default_factory=list)
    enterprises: list[Enterprise] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)

    @classmethod
    def from_lists(cls, lists: Mapping[str, Sequence[Entity]]) -> Document:
        return cls.model_validate({name: list(items) for name, items in lists.items()})

    def entities(self, name: str) -> list[Entity]:
        return list(getattr(self, name))

    def is_empty(self) -> bool:
        return not any(getattr(self, n) for n in ENTITY_ORDER)
