"""Matching: a project's ranked products, a product's prospects, and ad-hoc matching of posted projects.

Views are cached per (data version, model, parameters) as encoded JSON, so repeated requests cost
a version check; any write (here or by another process through the repository) changes the version.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ModelDep, PrincipalDep, SessionDep, StateDep
from api.errors import MODEL_ERRORS, READ_ERRORS
from api.payloads import AdhocMatchRequest, AdhocMatchResponse, ProjectMatches, Prospects
from api.routes._json import encode, json_bytes
from finmatch.enums import Family, Sector, Stage
from finmatch.services import matching

router = APIRouter(prefix="/match", tags=["匹配"])


@router.get("/projects/{project_id}", response_model=ProjectMatches, responses={**READ_ERRORS, **MODEL_ERRORS},
            summary="为项目匹配金融产品",
            description="符合条件的产品按得分排序（可按产品大类筛选或分组），每个给出得分、对接概率、名次、"
                        "准入理由与模型理由；不符合条件的产品给出未满足的条件与改进建议（what-if）。"
                        "`model` 说明产生排序的模型版本。")
async def match_project(
        project_id: Annotated[str, Path(description="项目编号", min_length=1, max_length=64)],
        principal: PrincipalDep, state: StateDep, model: ModelDep,
        family: Annotated[list[Family] | None, Query(description="只看这些产品大类（可重复）")] = None,
        group_by_family: Annotated[bool, Query(description="按产品大类分组排序")] = False,
        top_k: Annotated[int | None, Query(ge=1, le=200, description="每组最多返回的产品数")] = None,
        include_ineligible: Annotated[bool, Query(description="同时返回不符合条件的产品")] = True,
        what_if: Annotated[bool, Query(description="为不符合条件的产品计算改进建议")] = True) -> Response:
    # The hot path stays on the event loop: one indexed version query, then the cached bytes.
    # Only a miss goes to the thread pool for the engine.
    settings = state.settings
    version = state.caches.version_from(state.db.engine)
    families = sorted({f.value for f in family}) if family else None
    key = ("project", version, model.version, id(model.scorer), settings.effective_today(), project_id,
           tuple(families or ()), group_by_family, top_k, include_ineligible, what_if)
    cached = state.responses.peek(key)
    if cached is not None:
        return json_bytes(cached)

    def compute() -> bytes:
        with state.db.factory() as session:  # read, then give the connection back before the CPU-bound part
            products = state.caches.products_frame(session, version)
            projects = matching.project_frame(session, project_id)
        return encode(matching.project_view(
            projects, model.scorer, settings, products, project_id, families=families,
            group_by_family=group_by_family, top_k=top_k, include_ineligible=include_ineligible,
            with_what_if=what_if))

    content = await run_in_threadpool(state.responses.get_or_compute, key, compute)
    return json_bytes(content)


@router.get("/products/{product_id}/prospects", response_model=Prospects, responses={**READ_ERRORS, **MODEL_ERRORS},
            summary="产品的潜在项目（银行、基金视角）",
            description="该产品可匹配的项目按得分排序，可按城市、领域、阶段、融资额筛选。金融机构只能查看本机构的产品。")
def prospects(product_id: Annotated[str, Path(description="产品编号", min_length=1, max_length=64)],
              principal: PrincipalDep, session: SessionDep, state: StateDep, model: ModelDep,
              city: Annotated[str | None, Query(description="企业所在城市", max_length=64)] = None,
              sector: Annotated[Sector | None, Query(description="所属领域（含推断）")] = None,
              stage: Annotated[Stage | None, Query(description="所处阶段")] = None,
              amount_min: Annotated[float | None, Query(ge=0, description="融资需求下限（万元）")] = None,
              amount_max: Annotated[float | None, Query(ge=0, description="融资需求上限（万元）")] = None,
              offset: Annotated[int, Query(ge=0, le=1_000_000, description="跳过的记录数")] = 0,
              limit: Annotated[int, Query(ge=1, le=200, description="每页条数（≤200）")] = 50) -> Response:
    settings = state.settings
    version = state.caches.version(session)
    products = state.caches.products_frame(session, version)
    if product_id in products.index:  # check access before any cached answer is served
        principal.require_product_access(str(products.loc[product_id, "institution_id"]))
    key = ("prospects", version, model.version, id(model.scorer), settings.effective_today(), product_id, city,
           sector, stage, amount_min, amount_max, offset, limit)

    def compute() -> bytes:
        projects = state.caches.projects_frame(session, version)
        return encode(matching.product_prospects(
            session, model.scorer, settings, principal, products, projects, product_id, city=city,
            sector=sector.value if sector else None, stage=stage.value if stage else None,
            amount_min=amount_min, amount_max=amount_max, offset=offset, limit=limit))

    return json_bytes(state.responses.get_or_compute(key, compute))


@router.post("", response_model=AdhocMatchResponse, responses={**READ_ERRORS, **MODEL_ERRORS},
             summary="临时匹配（项目不入库）",
             description="对请求中的项目与产品目录做匹配，返回 data-format.md 规定的 `finmatch match` 输出；不写入数据库。")
def adhoc(body: AdhocMatchRequest, principal: PrincipalDep, session: SessionDep, state: StateDep,
          model: ModelDep) -> Response:
    products = state.caches.products_frame(session)
    families = [f.value for f in body.families] if body.families else None
    out = matching.adhoc_matches(session, model.scorer, state.settings, products, body.projects,
                                 body.enterprises, body.top_k, families)
    return json_bytes(encode(out))
