"""Request and response models of the JSON API (entity bodies reuse ``finmatch.schemas``).

Field names are English (data-format.md); descriptions are Chinese for the OpenAPI page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from finmatch.enums import Family
from finmatch.schemas import Enterprise, Outcome, Project

T = TypeVar("T")


class FieldError(BaseModel):
    field: str | None = Field(None, description="出错的字段")
    message: str = Field(description="中文错误说明")
    file: str | None = Field(None, description="导入错误所在文件")
    row: str | None = Field(None, description="导入错误所在行或 JSON 路径")
    entity: str | None = Field(None, description="导入错误所属数据类别（如 products）")
    sheet: str | None = Field(None, description="导入错误所在工作表（XLSX 文件；CSV 无工作表）")
    header: str | None = Field(None, description="出错列的表头（与用户文件中的写法一致）")
    value: str | None = Field(None, description="出错单元格的原值")


class ErrorBody(BaseModel):
    """每个错误响应的统一格式。"""

    code: str = Field(description="稳定的机器可读错误码，如 not_found、forbidden、validation_error",
                      examples=["not_found"])
    message: str = Field(description="中文错误说明", examples=["中试项目 XM9999 不存在"])
    field: str | None = Field(None, description="出错的字段（如有）", examples=["project_id"])
    errors: list[FieldError] | None = Field(None, description="逐项错误（校验与导入错误）")


class Page(BaseModel, Generic[T]):
    items: list[T] = Field(description="本页记录")
    total: int = Field(description="符合条件的记录总数")
    offset: int = Field(description="本页起始位置")
    limit: int = Field(description="每页条数上限（≤200）")


class OutcomeRecord(Outcome):
    outcome_key: str = Field(description="对接结果编号：项目|产品|活动|进展", examples=["XM0001|P-LOAN-001|EV2025-01|meeting"])


class Health(BaseModel):
    status: str = Field(description="ok 表示进程在运行", examples=["ok"])


class Ready(BaseModel):
    status: str = Field(description="ready 或 not_ready")
    database: bool = Field(description="数据库可连接")
    model: str | None = Field(None, description="已加载的模型版本（prior 为冷启动规则）")
    detail: str | None = Field(None, description="未就绪的原因")


class ModelStatus(BaseModel):
    version: str = Field(description="模型版本，未训练时为 prior", examples=["prior"])
    is_prior: bool = Field(description="是否为冷启动透明规则评分")
    served: str = Field("prior", description="正在使用的排序：prior（知识先验）或 model（学习模型）")
    served_text: str = Field("", description="正在使用哪种排序及原因（给业务人员看的中文说明）")
    trained_version: str | None = Field(None, description="最新训练的模型版本（未启用时也列出）")
    metrics: dict[str, Any] = Field(default_factory=dict, description="训练评估指标（metrics.json）")
    meta: dict[str, Any] = Field(default_factory=dict, description="模型元数据（meta.json）")
    created_at: str | None = Field(None, description="模型训练时间")
    loaded_at: str = Field(description="本进程加载模型的时间")
    embedding_model_loaded: bool = Field(description="文本向量模型是否已加载")


class WrittenCount(BaseModel):
    inserted: int
    updated: int


class ImportResult(BaseModel):
    ok: bool = Field(description="导入是否成功")
    dry_run: bool = Field(description="仅校验未写入")
    counts: dict[str, int] = Field(description="各实体读取到的记录数")
    written: dict[str, WrittenCount] = Field(description="各实体新增与更新条数")
    warnings: list[FieldError] = Field(description="提示（如未识别的列）")


class SectorInfo(BaseModel):
    sector: str | None = Field(None, description="用于匹配的所属领域（填写的或推断的）")
    sector_inferred: bool = Field(False, description="领域是否由项目简介推断")
    sector_confidence: float | None = Field(None, description="推断置信度")
    sector_uncertain: bool = Field(False, description="推断置信度低于阈值：领域待确认，限定领域的产品列入待确认")
    sector_candidates: list[dict[str, Any]] = Field(default_factory=list,
                                                    description="推断的前两个候选领域及置信度")


class ConfirmItemOut(BaseModel):
    product_id: str
    product_name: str | None = None
    kind: str | None = None
    institution_id: str
    institution_name: str | None = None
    family: str = Field(description="产品大类")
    unknown: list[str] = Field(description="尚未核实的条件字段")
    facts: list[str] = Field(description="需要项目补充或确认的事实（中文）")


class WhatIfOut(BaseModel):
    change: str = Field(description="需要的改变（代码）")
    description: str = Field(description="中文说明：改变什么即可符合条件")
    params: dict[str, Any] = Field(default_factory=dict)


class MatchItemOut(BaseModel):
    product_id: str
    product_name: str = Field(description="产品名称")
    kind: str | None = Field(None, description="产品类型")
    institution_id: str
    institution_name: str | None = None
    family: str = Field(description="产品大类")
    rank: int = Field(description="名次（从 1 开始）")
    score: float = Field(description="排序得分")
    probability: float = Field(description="对接成功（至少进入洽谈）的概率")
    reasons: list[str] = Field(description="模型给出的推荐理由")
    eligibility_reasons: list[str] = Field(description="满足的准入条件")
    unknown: list[str] = Field(default_factory=list, description="因项目信息缺失而未能核实的条件")


class IneligibleOut(BaseModel):
    product_id: str
    product_name: str
    kind: str | None = None
    institution_id: str
    institution_name: str | None = None
    family: str
    failed: list[str] = Field(description="未满足的条件字段")
    reasons: list[str] = Field(description="未满足的原因（中文）")
    what_if: list[WhatIfOut] = Field(description="做出哪些改变即可符合条件")


class ProjectMatches(SectorInfo):
    model: str = Field(description="产生该排序的模型版本", examples=["prior"])
    project_id: str
    project_name: str
    families: list[str] | None = Field(None, description="筛选的产品大类")
    matches: list[MatchItemOut] = Field(description="符合条件的产品，按得分排序（项目填写了意向融资方式时只含这些方式）")
    other_families: list[MatchItemOut] = Field(
        default_factory=list, description="其他可考虑的产品：符合条件但不在项目意向融资方式内，单独排序")
    groups: dict[str, list[MatchItemOut]] | None = Field(None, description="按产品大类分组的排序（group_by_family）")
    ineligible: list[IneligibleOut] = Field(description="不符合条件的产品、原因与改进建议")
    needs_confirmation: list[ConfirmItemOut] = Field(
        default_factory=list, description="待确认：只因项目信息缺失或领域未确认而无法判断的产品（不参与排序）")


class ProspectItem(SectorInfo):
    project_id: str
    project_name: str
    enterprise_name: str | None = None
    city: str | None = None
    stage: str
    funding_need_wan: float = Field(description="融资需求（万元）")
    rank: int
    score: float
    probability: float
    reasons: list[str]
    status: str = Field("new", description="与本机构的往来：client（已签约）、due_diligence、rejected、met、new")
    status_label: str | None = None
    status_text: str | None = Field(None, description="往来说明（含日期）")
    status_date: dt.date | None = None
    annual_revenue_wan: float | None = Field(None, description="上年营收（万元）")
    net_profit_wan: float | None = Field(None, description="上年净利润（万元）")
    debt_ratio: float | None = Field(None, description="资产负债率")
    certifications: list[str] = Field(default_factory=list)
    certification_labels: list[str] = Field(default_factory=list)
    tax_grade: str | None = None
    tax_grade_label: str | None = None


class Prospects(BaseModel):
    model: str = Field(description="产生该排序的模型版本")
    product_id: str
    product_name: str
    kind: str | None = None
    institution_name: str | None = None
    items: list[ProspectItem] = Field(description="符合条件的项目，按得分排序")
    total: int
    offset: int
    limit: int


class MatrixCell(BaseModel):
    institution_id: str
    product_id: str | None = Field(None, description="该机构对该项目得分最高的可匹配产品；无则为空")
    probability: float | None = Field(None, description="对接成功概率；无可匹配产品为空")


class MatrixRow(SectorInfo):
    project_id: str
    project_name: str
    cells: list[MatrixCell]


class MatrixInstitution(BaseModel):
    institution_id: str
    name: str | None = None


class EventMatrix(BaseModel):
    model: str
    event_id: str
    event_name: str
    institutions: list[MatrixInstitution] = Field(description="矩阵的列：参会机构")
    rows: list[MatrixRow] = Field(description="矩阵的行：参会项目")


class AdhocMatchRequest(BaseModel):
    """临时匹配：提交的项目不入库，与产品目录匹配。"""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "projects": [{"project_id": "TMP-1", "enterprise_id": "E0001", "name": "固态电池中试线",
                      "description": "固态电解质膜中试验证", "stage": "pilot", "funding_need_wan": 2000,
                      "sector": "new_energy_storage"}],
        "top_k": 5}]})
    projects: list[Project] = Field(description="待匹配的项目（可用中文枚举）")
    enterprises: list[Enterprise] = Field(default_factory=list, description="项目所属企业；未提供的从数据库读取")
    top_k: int = Field(5, ge=1, le=100, description="每个项目返回前 K 个产品")
    families: list[Family] | None = Field(None, description="只匹配这些产品大类")


class AdhocMatch(BaseModel):
    product_id: str
    rank: int
    score: float
    probability: float
    family: str
    institution_id: str
    reasons: list[str]


class AdhocIneligible(BaseModel):
    product_id: str
    failed: list[str]


class AdhocMatchResponse(BaseModel):
    model: str
    projects: dict[str, SectorInfo]
    matches: dict[str, list[AdhocMatch]]
    other_families: dict[str, list[AdhocMatch]] = Field(
        default_factory=dict, description="其他可考虑的产品（不在项目意向融资方式内），每个项目单独排序")
    ineligible: dict[str, list[AdhocIneligible]]
    needs_confirmation: dict[str, list[dict[str, Any]]] = Field(default_factory=dict,
                                                                description="待确认的产品及需要确认的事实")


class Pair(BaseModel):
    project_id: str = Field(min_length=1, description="项目编号")
    institution_id: str = Field(min_length=1, description="机构编号")


class ScheduleBody(BaseModel):
    """排程参数；都可省略。keep_held 用于活动中有人缺席后重排：已举行或标记为已举行的洽谈保持不变。"""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"must_meet": [{"project_id": "XM0001", "institution_id": "I-FUND-01"}], "time_limit_s": 5},
        {"keep_held": True, "now_slot": 3, "no_shows": ["I-BANK-01"], "time_limit_s": 5}]})
    must_meet: list[Pair] = Field(default_factory=list, description="必须安排的项目–机构洽谈")
    blocked: list[Pair] = Field(default_factory=list, description="禁止安排的项目–机构洽谈")
    unavailable: dict[str, list[int]] = Field(default_factory=dict,
                                              description="参会方（项目或机构编号）不可用的时段（从 0 开始）")
    time_limit_s: float = Field(10.0, gt=0, le=120, description="求解时限（秒）")
    keep_held: bool = Field(False, description="沿用上一版日程中已举行的洽谈并重排其余")
    now_slot: int | None = Field(None, ge=0, description="当前时段（从 0 开始）；之前的洽谈视为已举行")
    held: list[Pair] = Field(default_factory=list, description="标记为已举行的洽谈")
    no_shows: list[str] = Field(default_factory=list, description="缺席的参会方编号（余下时段不再安排）")
    package_must_meet: bool = Field(False, description="按融资方案安排必见机构：每个项目须与其融资方案中的机构洽谈")


class ImpossibleOut(BaseModel):
    project_id: str
    institution_id: str
    reason: str = Field(description="无法安排的原因")
    code: str


class UnmatchedOut(BaseModel):
    project_id: str
    project_name: str | None = None
    reason: str = Field(description="未安排洽谈的原因")
    code: str = Field(description="no_eligible_product、below_threshold、unavailable、project_cap 或 capacity")


class AgendaSummary(BaseModel):
    """Staff see the whole event and the solver figures; an institution only its own meetings (figures null)."""

    agenda_id: int
    event_id: str
    created_at: str | None = None
    created_at_text: str | None = Field(None, description="生成时间（北京时间）")
    text: str = Field("", description="一句话摘要")
    model: str | None = Field(None, description="产生匹配度的模型版本")
    solver: str | None = Field(None, description="cp-sat 或 greedy")
    status: str | None = None
    objective: float | None = Field(None, description="目标值：各场洽谈匹配度之和")
    bound: float | None = Field(None, description="目标值上界")
    gap: float | None = Field(None, description="与上界的相对差距")
    greedy_objective: float | None = Field(None, description="贪心基线的目标值")
    solve_seconds: float | None = None
    meetings: int = Field(description="洽谈场数")
    projects_met: int = Field(description="至少安排一场洽谈的项目数")
    impossible: list[ImpossibleOut] = Field(description="无法满足的必须会面请求（金融机构只看到涉及本机构的）")
    unmatched: list[UnmatchedOut] = Field(default_factory=list, description="未安排洽谈的项目及原因（仅组织方）")


class AgendaMeeting(BaseModel):
    slot: int = Field(description="时段（从 1 开始）")
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    table: int = Field(description="洽谈桌号")
    project_id: str
    project_name: str | None = None
    institution_id: str
    institution_name: str | None = None
    product_id: str | None = Field(None, description="洽谈的产品")
    product_name: str | None = None
    score: float = Field(description="匹配度")


class AgendaGroup(BaseModel):
    key: str = Field(description="机构编号、项目编号或桌号")
    name: str | None = None
    meetings: list[AgendaMeeting]


class AgendaOut(AgendaSummary):
    view: str = Field(description="institution、project 或 table")
    groups: list[AgendaGroup]


class RoadshowItem(BaseModel):
    order: int = Field(description="路演顺序")
    project_id: str
    project_name: str | None = None
    sector: str
    sector_label: str
    demand: int = Field(description="有意向的机构数")
    interest: float = Field(description="各机构匹配度之和")
    day: int = Field(1, description="第几天（从 1 开始）")
    room: int = Field(1, description="会场号")
    session: int = Field(1, description="当天第几场")
    start: dt.datetime
    pitch_end: dt.datetime | None = Field(None, description="路演结束、问答开始")
    end: dt.datetime


class Roadshow(BaseModel):
    model: str
    event_id: str
    event_name: str | None = None
    venue: str | None = None
    pitch_minutes: int
    qa_minutes: int
    rooms: int = 1
    days: int = 1
    day_start: str | None = None
    day_end: str | None = None
    lunch: str | None = None
    items: list[RoadshowItem]


class AuditEntry(BaseModel):
    audit_id: int
    at: dt.datetime | None = None
    actor: str = Field(description="操作者（角色:机构:密钥编号）")
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
