"""Events (match heat map, agenda tabs, downloads, re-solve), the import form (its upload is in form_pages) and
the outcome form."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from pydantic import ValidationError

from api.deps import ModelDep, PrincipalDep, SessionDep, StateDep
from api.pages import views
from api.pages.core import PageRoute, check_csrf, flash, redirect, render
from finmatch.enums import OutcomeStage
from finmatch.exceptions import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from finmatch.io.importer import translate
from finmatch.schemas import Outcome
from finmatch.services import agenda as agenda_service
from finmatch.services import catalogue, event_day, matching
from finmatch.services import roadshow as roadshow_service
from finmatch.storage import Repository

router = APIRouter(route_class=PageRoute, include_in_schema=False)
VIEWS = {"institution": "按机构", "project": "按项目", "table": "按洽谈桌"}


@router.get("/events")
def event_list(request: Request, principal: PrincipalDep, session: SessionDep, state: StateDep) -> Response:
    items = catalogue.list_page(session, principal, "events", {}, sort="-date", limit=200).items
    return render(request, "events.html", principal, items=items, today=state.settings.effective_today())


@router.get("/events/{event_id}")
def event_page(request: Request, event_id: str, principal: PrincipalDep, session: SessionDep, state: StateDep,
               model: ModelDep, view: str = "institution") -> Response:
    event = catalogue.get_one(session, principal, "events", event_id)
    view = view if view in VIEWS else "institution"
    products = state.caches.products_frame(session)
    projects = Repository(session).fetch("projects", event.project_ids)  # type: ignore[attr-defined]
    frame = state.caches.projects_frame(session)
    wanted = [p for p in event.product_ids if p in products.index] or list(products.index)  # type: ignore[attr-defined]
    institutions: dict[str, dict[str, Any]] = {}
    for pid in wanted:
        inst = str(products.at[pid, "institution_id"])
        entry = institutions.setdefault(inst, {"name": products.at[pid, "institution_name"], "products": []})
        entry["products"].append((pid, products.at[pid, "name"]))
    matrix = roadshow = None
    if principal.is_staff:  # the matrix is the organisers' view (the API's matrix route is staff-only)
        matrix = matching.event_matrix(session, model.scorer, state.settings, products, event_id)
        roadshow = roadshow_service.roadshow(session, model.scorer, state.settings, products, event_id,
                                           principal=principal)
    try:
        agenda = agenda_service.agenda_view(session, event_id, view, principal)  # type: ignore[arg-type]
    except NotFoundError:
        agenda = None
    links = None
    if agenda and principal.is_staff and view == "project":
        links = {g["key"]: f"/events/{event_id}/projects/{g['key']}/agenda.xlsx?token="
                           f"{event_day.project_token(state.settings, event_id, g['key'])}" for g in agenda["groups"]}
    participants = [{"project": projects[p], "city": frame.at[p, "city"] if p in frame.index else None,
                     "enterprise_name": frame.at[p, "enterprise_name"] if p in frame.index else None}
                    for p in event.project_ids if p in projects]  # type: ignore[attr-defined]
    return render(request, "event.html", principal, event=event, participants=participants,
                  institutions=institutions, matrix=matrix, roadshow=roadshow, agenda=agenda, view=view,
                  views=VIEWS, links=links, min_match=state.settings.min_match_probability)


@router.get("/events/{event_id}/print")
def event_print(request: Request, event_id: str, principal: PrincipalDep, session: SessionDep, state: StateDep,
                model: ModelDep, kind: str = "programme") -> Response:
    """Printable pages (A4, print stylesheet): the roadshow programme, or one table card per table."""
    principal.require_staff()
    event = catalogue.get_one(session, principal, "events", event_id)
    if kind == "cards":
        agenda = agenda_service.agenda_view(session, event_id, "table", principal)
        return render(request, "event_print.html", principal, event=event, kind="cards", agenda=agenda,
                      venue=event_day.venue(event), roadshow=None)  # type: ignore[arg-type]
    products = state.caches.products_frame(session)
    roadshow = roadshow_service.roadshow(session, model.scorer, state.settings, products, event_id, principal=principal)
    return render(request, "event_print.html", principal, event=event, kind="programme", agenda=None,
                  venue=event_day.venue(event), roadshow=roadshow)  # type: ignore[arg-type]


@router.post("/events/{event_id}/schedule")
def event_schedule(request: Request, event_id: str, principal: PrincipalDep, session: SessionDep, state: StateDep,
                   model: ModelDep, csrf: Annotated[str, Form()] = "",
                   time_limit_s: Annotated[str, Form()] = "10", now_slot: Annotated[str, Form()] = "",
                   no_shows: Annotated[str, Form()] = "", must_meet: Annotated[str, Form()] = "",
                   package_must_meet: Annotated[str, Form()] = "") -> Response:
    """Solve, or re-solve during the event: slots before ``now_slot`` (1-based) stay as held."""
    check_csrf(request, csrf)
    principal.require_staff()
    try:
        options = _schedule_options(time_limit_s, now_slot, no_shows, must_meet, bool(package_must_meet))
    except ValueError as exc:
        flash(request, str(exc), "error")
        return redirect(f"/events/{event_id}#agenda")
    products = state.caches.products_frame(session)
    row, agenda = agenda_service.schedule_event(session, principal.actor, model.scorer, state.settings, products,
                                                event_id, options)
    kept = f"（保留第 {options.now_slot} 时段前已进行的洽谈）" if options.keep_held else ""
    flash(request, f"已重新排定日程{kept}：{agenda_service.summary(row, principal)['text']}")
    if agenda.impossible:
        flash(request, f"{len(agenda.impossible)} 项必见请求无法安排，详见日程下方说明", "error")
    return redirect(f"/events/{event_id}#agenda")


def _schedule_options(time_limit_s: str, now_slot: str, no_shows: str, must_meet: str,
                      package_must_meet: bool = False) -> agenda_service.ScheduleOptions:
    """The re-solve form's fields; ValueError carries the Chinese message for the flash."""
    try:
        limit = float(time_limit_s)
    except ValueError:
        limit = -1.0
    if not 0 < limit <= 120:
        raise ValueError("求解时限应为 1 到 120 秒之间的数字")
    keep_from: int | None = None
    if now_slot.strip():
        if not now_slot.strip().isdigit() or int(now_slot) < 1:
            raise ValueError("当前时段应为从 1 开始的整数")
        keep_from = int(now_slot) - 1  # the form counts slots from 1, the solver from 0
    gone = [x.strip() for x in re.split(r"[;；、,，\s]+", no_shows) if x.strip()]
    pairs = []
    for line in must_meet.splitlines():
        parts = [x for x in re.split(r"[;；、,，\s]+", line) if x]
        if not parts:
            continue
        if len(parts) != 2:
            raise ValueError(f"必见请求每行应为“项目编号 机构编号”：{line.strip()}")
        pairs.append((parts[0], parts[1]))
    return agenda_service.ScheduleOptions(time_limit_s=limit, keep_held=keep_from is not None or bool(gone),
                                          now_slot=keep_from, no_shows=gone, must_meet=pairs,
                                          package_must_meet=package_must_meet)


# ---- import ----------------------------------------------------------------------------------------

@router.get("/import")
def import_form(request: Request, principal: PrincipalDep) -> Response:
    principal.require_admin()
    return render(request, "import.html", principal, issues=None, dry_run=False, files=[])


# ---- outcomes ----------------------------------------------------------------------------------------

def _outcome_context(session: Any, principal: Any, form: dict[str, str]) -> dict[str, Any]:
    products = catalogue.list_page(session, principal, "products",
                                   {"institution_id": None if principal.is_staff else principal.institution_id},
                                   limit=200).items
    events = catalogue.list_page(session, principal, "events", {}, sort="-date", limit=200).items
    history = []
    if form.get("project_id") and form.get("product_id"):
        history = catalogue.list_page(session, principal, "outcomes", {"project_id": form["project_id"],
                                      "product_id": form["product_id"]}, sort="date", limit=50).items
    return {"products": products, "events": events, "history": history, "stages": OutcomeStage.labels()}


def _short(message: str) -> str:
    """The Chinese half of a bilingual message."""
    return message.split(" / ")[0]


@router.get("/outcomes/new")
def outcome_form(request: Request, principal: PrincipalDep, session: SessionDep, state: StateDep,
                 project_id: str = "", product_id: str = "", event_id: str = "") -> Response:
    if product_id:
        product = catalogue.get_one(session, principal, "products", product_id)
        principal.require_product_access(product.institution_id)  # type: ignore[attr-defined]
    elif not principal.is_staff and not principal.institution_id:
        raise PermissionDeniedError("无权记录对接结果")
    form = {"project_id": project_id, "product_id": product_id, "event_id": event_id, "stage": "contacted",
            "amount_wan": "", "date": views.today_iso(state)}
    return render(request, "outcome_form.html", principal, form=form, errors={},
                  **_outcome_context(session, principal, form))


@router.post("/outcomes")
def outcome_create(request: Request, principal: PrincipalDep, session: SessionDep, state: StateDep,
                   csrf: Annotated[str, Form()] = "", project_id: Annotated[str, Form()] = "",
                   product_id: Annotated[str, Form()] = "", event_id: Annotated[str, Form()] = "",
                   stage: Annotated[str, Form()] = "", amount_wan: Annotated[str, Form()] = "",
                   date: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    form = {"project_id": project_id.strip(), "product_id": product_id.strip(), "event_id": event_id.strip(),
            "stage": stage, "amount_wan": amount_wan.strip(), "date": date.strip()}
    errors: dict[str, str] = {}
    for name, text in (("project_id", "请填写项目编号"), ("product_id", "请选择产品"), ("date", "请填写日期")):
        if not form[name]:
            errors[name] = text
    if not errors:
        try:
            model = Outcome.model_validate({k: (v or None) for k, v in form.items()})
            catalogue.create(session, principal, "outcomes", model, state.caches)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err.get("loc") else "form"
                errors.setdefault(name, _short(translate(dict(err))))
        except (NotFoundError, PermissionDeniedError, ConflictError) as exc:
            session.rollback()
            errors[exc.field if exc.field in form else "form"] = _short(exc.message)
    if errors:
        return render(request, "outcome_form.html", principal, status_code=422, form=form, errors=errors,
                      **_outcome_context(session, principal, form))
    flash(request, f"已记录对接结果：{form['project_id']} × {form['product_id']} "
                   f"{OutcomeStage(model.stage).label}")
    return redirect(f"/projects/{form['project_id']}#outcomes")
