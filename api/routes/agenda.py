"""Event agendas: solve (and re-solve after no-shows), read by institution / project / table, download, roadshow."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from api.deps import ModelDep, PrincipalDep, SessionDep, StaffDep, StateDep
from api.downloads import download_headers
from api.errors import MODEL_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.payloads import AgendaOut, Roadshow, ScheduleBody
from api.routes._json import encode, json_bytes
from finmatch.services import agenda as agenda_service
from finmatch.services import roadshow as roadshow_service

router = APIRouter(prefix="/events", tags=["对接活动日程"])
EventPath = Annotated[str, Path(description="活动编号", min_length=1, max_length=64)]


@router.post("/{event_id}/schedule", response_model=AgendaOut, responses={**WRITE_ERRORS, **MODEL_ERRORS},
             summary="排定一对一洽谈日程",
             description="以活动的项目 × 机构匹配矩阵为输入，用 CP-SAT 求解（与贪心基线比较），保存为该活动的当前日程。"
                         "`keep_held=true` 时沿用上一版中 `now_slot` 之前或标记为已举行的洽谈，其余重排（缺席者不再安排）。"
                         "`package_must_meet=true` 时按各项目的融资方案安排必见机构。"
                         "仅管理员与活动组织方。")
def schedule(event_id: EventPath, principal: StaffDep, session: SessionDep, state: StateDep, model: ModelDep,
             body: ScheduleBody | None = None) -> Response:
    body = body or ScheduleBody.model_validate({})
    options = agenda_service.ScheduleOptions(
        must_meet=[(p.project_id, p.institution_id) for p in body.must_meet],
        blocked=[(p.project_id, p.institution_id) for p in body.blocked],
        unavailable=body.unavailable, time_limit_s=body.time_limit_s, keep_held=body.keep_held,
        now_slot=body.now_slot, held=[(p.project_id, p.institution_id) for p in body.held],
        no_shows=body.no_shows, package_must_meet=body.package_must_meet)
    products = state.caches.products_frame(session)
    agenda_service.schedule_event(session, principal.actor, model.scorer, state.settings, products, event_id, options)
    return json_bytes(encode(agenda_service.agenda_view(session, event_id, "institution")))


@router.get("/{event_id}/agenda", response_model=AgendaOut, responses=READ_ERRORS, summary="当前日程",
            description="按机构（institution）、项目（project）或洽谈桌（table）分组。金融机构只看到本机构的洽谈。")
def get_agenda(event_id: EventPath, principal: PrincipalDep, session: SessionDep,
               view: Annotated[Literal["institution", "project", "table"], Query(description="分组方式")] = "institution",
               ) -> Response:
    return json_bytes(encode(agenda_service.agenda_view(session, event_id, view, principal)))


@router.get("/{event_id}/agenda.{fmt}", responses={
    **READ_ERRORS, 200: {"description": "日程文件", "content": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
        "text/csv": {"schema": {"type": "string"}}, "text/calendar": {"schema": {"type": "string"}}}}},
    summary="下载日程（xlsx、csv、ics）", response_class=Response,
    description="每行含活动名称、日期、地点、时段、洽谈桌、双方、洽谈产品与匹配度（百分比）。管理员与组织方得到全部洽谈"
                "（xlsx 另有每个机构一张表）；金融机构只得到本机构的洽谈。")
def download_agenda(event_id: EventPath, fmt: Annotated[Literal["xlsx", "csv", "ics"], Path(description="文件格式")],
                    principal: PrincipalDep, session: SessionDep) -> Response:
    return _file(*agenda_service.agenda_export(session, event_id, fmt, principal))


@router.get("/{event_id}/projects/{project_id}/agenda.{fmt}", responses=READ_ERRORS, response_class=Response,
            summary="下载某个项目的日程（企业联系人）",
            description="组织方把带 `token` 的链接发给项目的企业联系人，无需账号即可下载本项目的洽谈安排；"
                        "链接只对该活动、该项目有效。")
def download_project_agenda(event_id: EventPath, project_id: Annotated[str, Path(min_length=1, max_length=64)],
                            fmt: Annotated[Literal["xlsx", "csv", "ics"], Path(description="文件格式")],
                            session: SessionDep, state: StateDep,
                            token: Annotated[str, Query(min_length=1, max_length=400, description="组织方提供的链接令牌")],
                            ) -> Response:
    from finmatch.services import event_day

    event_day.check_project_token(state.settings, event_id, project_id, token)
    return _file(*agenda_service.agenda_export(session, event_id, fmt, None, project_id=project_id))


def _file(data: bytes, media_type: str, filename: str) -> Response:
    return Response(content=data, media_type=media_type,
                    headers=download_headers(filename))


@router.get("/{event_id}/roadshow", response_model=Roadshow, responses={**READ_ERRORS, **MODEL_ERRORS},
            summary="路演日程", description="在每日开放时间内分场次安排（午休、场间休息、并行会场，必要时跨天），按领域分组、"
                                        "最受关注的先上台，并避开各项目自己的一对一洽谈（默认“8+7”：8 分钟路演、7 分钟问答）。"
                                        "仅管理员与活动组织方。")
def roadshow(event_id: EventPath, principal: StaffDep, session: SessionDep, state: StateDep, model: ModelDep,
             pitch_minutes: Annotated[int, Query(ge=1, le=60, description="每个项目路演分钟数")] = 8,
             qa_minutes: Annotated[int, Query(ge=0, le=60, description="每个项目问答分钟数")] = 7) -> Response:
    products = state.caches.products_frame(session)
    return json_bytes(encode(roadshow_service.roadshow(session, model.scorer, state.settings, products, event_id,
                                                     pitch_minutes, qa_minutes, principal)))


@router.get("/{event_id}/roadshow.{fmt}", responses={**READ_ERRORS, **MODEL_ERRORS}, response_class=Response,
            summary="下载路演日程（xlsx、ics）", description="仅管理员与活动组织方。")
def download_roadshow(event_id: EventPath, fmt: Annotated[Literal["xlsx", "ics"], Path(description="文件格式")],
                      principal: StaffDep, session: SessionDep, state: StateDep, model: ModelDep) -> Response:
    products = state.caches.products_frame(session)
    return _file(*roadshow_service.roadshow_export(session, model.scorer, state.settings, products, event_id, fmt,
                                                 principal))
