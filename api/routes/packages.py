"""Packages: one 投贷保担补 financing package per project, and the per-project hand-out (PDF / XLSX).

Same roles as matching: every signed-in role reads packages; an institution sees the other
institutions' parts without their rates, costs and savings (``services.packages.redact``).
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ModelDep, PrincipalDep, StaffDep, StateDep
from api.downloads import download_headers
from api.errors import MODEL_ERRORS, READ_ERRORS
from api.package_payloads import PackagesOut
from api.routes._json import encode, json_bytes
from api.state import AppState
from finmatch.auth import Principal
from finmatch.enums import FAMILY_CODES
from finmatch.packaging import PackageOptions
from finmatch.services import matching, packages
from finmatch.services.serving_model import LoadedModel

router = APIRouter(prefix="/packages", tags=["融资方案"])
Objective = Literal["cost", "probability", "dilution"]
ProjectId = Annotated[str, Path(description="项目编号", min_length=1, max_length=64)]


def options_from(dilution_cap: float | None, debt_ratio_cap: float | None, per_family: int | None,
                 insurance_with_loan: bool) -> PackageOptions:
    defaults = PackageOptions()
    return PackageOptions(max_per_family={g: per_family for g in FAMILY_CODES} if per_family else {},
                          debt_ratio_cap=debt_ratio_cap,
                          dilution_cap=defaults.dilution_cap if dilution_cap is None else dilution_cap,
                          insurance_with_loan=insurance_with_loan)


def package_dict(state: AppState, model: LoadedModel, principal: Principal, project_id: str, objective: str,
                 options: PackageOptions, with_what_if: bool = True) -> dict[str, Any]:
    """The (cached) package view, redacted for the caller; shared by the route, the pages, the hand-out."""
    settings = state.settings
    version = state.caches.version_from(state.db.engine)
    key = ("package", version, model.version, id(model.scorer), settings.effective_today(), project_id, objective,
           repr(options), with_what_if)

    def compute() -> dict[str, Any]:
        with state.db.factory() as session:
            products = state.caches.products_frame(session, version)
            projects = matching.project_frame(session, project_id)
        return packages.project_package(projects, model.scorer, settings, products, project_id, objective,
                                        options, with_what_if=with_what_if)

    view = state.responses.get_or_compute(key, compute)
    return packages.redact(copy.deepcopy(view), principal)


@router.get("/projects/{project_id}", response_model=PackagesOut, responses={**READ_ERRORS, **MODEL_ERRORS},
            summary="项目的投贷保担补融资方案",
            description="在符合准入条件的产品中组合股权、贷款、担保、保险与补贴，精确求解（CP-SAT，万元步长）："
                        "所选目标的最优方案、各目标的最优方案、帕累托备选方案、申请顺序、理由、起作用的约束与 what-if。"
                        "`covered_wan` 只计股权、贷款与后补助等现金。金融机构只能看到本机构产品的利率与费用。")
async def project_package(project_id: ProjectId, principal: PrincipalDep, state: StateDep, model: ModelDep,
                          objective: Annotated[Objective, Query(description="cost 成本最低 / probability 概率最高 / "
                                                                            "dilution 稀释最少")] = "cost",
                          dilution_cap: Annotated[float | None, Query(gt=0, lt=1, description="股权稀释上限（默认 0.2）")] = None,
                          debt_ratio_cap: Annotated[float | None, Query(gt=0, lt=1, description="贷款后资产负债率上限")] = None,
                          per_family: Annotated[int | None, Query(ge=1, le=5, description="每类产品最多几个（默认 1）")] = None,
                          insurance_with_loan: Annotated[bool, Query(description="有贷款时配套中试险")] = True,
                          what_if: Annotated[bool, Query(description="计算 what-if")] = True) -> Response:
    options = options_from(dilution_cap, debt_ratio_cap, per_family, insurance_with_loan)
    view = await run_in_threadpool(package_dict, state, model, principal, project_id, objective, options, what_if)
    return json_bytes(encode(view))


@router.get("/projects/{project_id}/handout.{fmt}", responses={**READ_ERRORS, **MODEL_ERRORS},
            summary="项目对接资料（一页 PDF / XLSX）",
            description="对接活动用的项目一页资料：项目概况、按大类推荐的产品及理由、融资方案，以及（如指定活动且已排程）"
                        "该项目在活动中的洽谈安排。",
            response_class=Response)
async def handout(project_id: ProjectId, fmt: Literal["pdf", "xlsx"], principal: PrincipalDep, state: StateDep,
                  model: ModelDep, objective: Annotated[Objective, Query(description="融资方案的优化目标")] = "cost",
                  event_id: Annotated[str | None, Query(max_length=64, description="对接活动编号")] = None) -> Response:
    return await run_in_threadpool(handout_response, state, model, principal, project_id, fmt, objective, event_id)


@router.get("/events/{event_id}/handout.{fmt}", responses={**READ_ERRORS, **MODEL_ERRORS},
            summary="对接活动全部项目的对接资料（每项目一页 PDF / 一表 XLSX）",
            description="活动组织方用：活动的每个参会项目一页（项目概况、推荐产品、融资方案、洽谈安排）。仅管理员与组织方。",
            response_class=Response)
async def event_handout(event_id: Annotated[str, Path(description="活动编号", min_length=1, max_length=64)],
                        fmt: Literal["pdf", "xlsx"], principal: StaffDep, state: StateDep, model: ModelDep,
                        objective: Annotated[Objective, Query(description="融资方案的优化目标")] = "cost") -> Response:
    from finmatch.handout import event_handouts, handout_bytes, media_type

    def build() -> bytes:
        with state.db.factory() as session:
            products = state.caches.products_frame(session)
            items = event_handouts(session, principal, model.scorer, state.settings, products, event_id, objective)
        return handout_bytes(items, fmt)

    content = await run_in_threadpool(build)
    return Response(content=content, media_type=media_type(fmt),
                    headers=download_headers(f"handouts-{event_id}.{fmt}"))


def handout_response(state: AppState, model: LoadedModel, principal: Principal, project_id: str, fmt: str,
                     objective: str = "cost", event_id: str | None = None) -> Response:
    """The hand-out file (shared by the API route and the pages' download link)."""
    from finmatch.exceptions import NotFoundError
    from finmatch.handout import handout_bytes, handout_context, media_type

    if fmt not in ("pdf", "xlsx"):
        raise NotFoundError(f"不支持的下载格式 {fmt}，可选 pdf、xlsx", field="format")
    objective = packages.check_objective(objective)
    view = package_dict(state, model, principal, project_id, objective, PackageOptions(), with_what_if=False)
    with state.db.factory() as session:
        products = state.caches.products_frame(session)
        ctx = handout_context(session, principal, model.scorer, state.settings, products, project_id, view,
                              event_id or None)
    content = handout_bytes(ctx, fmt)
    return Response(content=content, media_type=media_type(fmt),
                    headers=download_headers(f"handout-{project_id}.{fmt}"))

FAMILY_COLOURS = {"equity": "#3b6fb6", "loan": "#2f9e6e", "subsidy": "#d08a1e"}


def package_section(state: AppState, model: LoadedModel, principal: Principal, project_id: str,
                    objective: str) -> dict[str, Any]:
    """The project page's package section: the view plus the stacked bar of cash by family."""
    objective = objective if objective in ("cost", "probability", "dilution") else "cost"
    view = package_dict(state, model, principal, project_id, objective, PackageOptions())
    entry = view["packages"][project_id]
    need = max(int(entry["need_wan"]), 1)
    bars = [{"family": p["family"], "label": p["family_label"], "name": p["product_name"],
             "amount": p["amount_wan"], "width": round(100 * p["amount_wan"] / need, 2),
             "colour": FAMILY_COLOURS.get(p["family"], "#888888")} for p in entry["parts"] if p["cash"]]
    if entry["uncovered_wan"]:
        bars.append({"family": "gap", "label": "缺口", "name": "尚未覆盖", "amount": entry["uncovered_wan"],
                     "width": round(100 * entry["uncovered_wan"] / need, 2), "colour": "#dddddd"})
    return {"objective": objective, "entry": entry, "bars": bars, "model": view["model"],
            "objectives": [("cost", "年综合成本最低"), ("probability", "全部落地概率最高"), ("dilution", "股权稀释最少")]}
