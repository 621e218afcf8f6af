"""Create and edit on the pages (projects, enterprises, products, institutions, events), the product
draft review (a notice pasted or uploaded → a product form with each field's source sentence), the
import template download and the import upload with its one complete error report.

Writes go through ``finmatch.services.catalogue`` (role rules as in the API, audit log, cache bump).
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import PrincipalDep, SessionDep, StateDep
from api.pages import form_specs
from api.pages.core import DownloadRoute, PageRoute, check_csrf, flash, redirect, render
from finmatch.auth import Principal, Role
from finmatch.exceptions import (
    ConflictError,
    FinmatchError,
    ImportValidationError,
    NotFoundError,
    PermissionDeniedError,
)
from finmatch.io import import_read
from finmatch.io.error_report import report_xlsx
from finmatch.io.template import template_xlsx
from finmatch.schemas import ENTITY_LABELS
from finmatch.services import catalogue
from finmatch.services.common import MAX_LIMIT

router = APIRouter(route_class=PageRoute, include_in_schema=False)
downloads = APIRouter(route_class=DownloadRoute, include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_NOTICE = 20 * 1024 * 1024
TITLES = {"projects": "中试项目", "enterprises": "企业", "products": "金融产品", "institutions": "机构",
          "events": "对接活动"}
PAGES = {"projects": "/projects/{}", "products": "/products/{}", "events": "/events/{}"}


def _may_open(session: Any, principal: Principal, entity: str, old: Any = None) -> None:
    """The write rule of the API, checked before a form is shown (no form the user cannot submit)."""
    if entity == "products" and old is None:
        if principal.role != Role.ADMIN and not principal.institution_id:
            raise PermissionDeniedError("无权新建金融产品")
        return
    if entity == "events":
        principal.require_staff()
        return
    catalogue.check_write(session, principal, entity, None, old)


def _all(session: Any, principal: Principal, entity: str) -> list[Any]:
    """Every record this role may see (the service pages at MAX_LIMIT)."""
    items: list[Any] = []
    while True:
        page = catalogue.list_page(session, principal, entity, {}, offset=len(items), limit=MAX_LIMIT)
        items += page.items
        if not page.items or len(items) >= page.total:
            return items


def _choices(session: Any, principal: Principal, entity: str) -> dict[str, list[tuple[str, str, str]]]:
    """(id, name, detail) options for the reference fields and participant pickers."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    if entity == "projects":
        out["enterprise_id"] = [(e.key, e.name, e.city or "")  # type: ignore[attr-defined]
                                for e in _all(session, principal, "enterprises")]
    if entity == "products":
        inst = _all(session, principal, "institutions")
        if principal.role != Role.ADMIN:
            inst = [i for i in inst if i.key == principal.institution_id]
        out["institution_id"] = [(i.key, i.name, "") for i in inst]  # type: ignore[attr-defined]
    if entity == "events":
        frame_names = {e.key: e.name for e in  # type: ignore[attr-defined]
                       _all(session, principal, "enterprises")}
        out["project_ids"] = [(p.key, p.name, frame_names.get(p.enterprise_id, ""))  # type: ignore[attr-defined]
                              for p in _all(session, principal, "projects")]
        inst_names = {i.key: i.name for i in  # type: ignore[attr-defined]
                      _all(session, principal, "institutions")}
        out["product_ids"] = [(p.key, p.name, inst_names.get(p.institution_id, ""))  # type: ignore[attr-defined]
                              for p in _all(session, principal, "products")]
    return out


def _form(request: Request, principal: Principal, session: Any, entity: str, values: dict[str, Any],
          errors: dict[str, str], *, key: str | None, status_code: int = 200,
          evidence: dict[str, str] | None = None, extra: dict[str, str] | None = None) -> Response:
    if entity == "products" and principal.role != Role.ADMIN:
        values["institution_id"] = principal.institution_id or ""
    action = f"/{entity}/{key}/edit" if key else f"/{entity}/new"
    return render(request, "entity_form.html", principal, status_code=status_code, entity=entity,
                  title=TITLES[entity], specs=form_specs.specs(entity), values=values, errors=errors, key=key,
                  action=action, choices=_choices(session, principal, entity), evidence=evidence or {},
                  locked={"institution_id"} if entity == "products" and principal.role != Role.ADMIN else set(),
                  id_field=form_specs.ENTITY_MODELS[entity].ID_FIELD, extra=extra or {})


def _save(request: Request, principal: Principal, session: Any, state: Any, entity: str, key: str | None,
          values: dict[str, Any]) -> Response:
    old = catalogue.get_one(session, principal, entity, key) if key else None
    if key:
        values[form_specs.ENTITY_MODELS[entity].ID_FIELD] = key  # ids are not edited
    if entity == "products" and principal.role != Role.ADMIN:
        values["institution_id"] = principal.institution_id or ""
    model, errors = form_specs.to_model(entity, values, extra=old.extra if old is not None else None)
    if model is not None:
        try:
            if key:
                catalogue.replace(session, principal, entity, key, model, state.caches)
            else:
                catalogue.create(session, principal, entity, model, state.caches)
        except (NotFoundError, ConflictError, PermissionDeniedError) as exc:
            session.rollback()
            if isinstance(exc, PermissionDeniedError) and exc.field not in values:
                raise
            errors[exc.field if exc.field in values else "form"] = exc.message.split(" / ")[0]
        except FinmatchError as exc:
            session.rollback()
            errors[exc.field if exc.field in values else "form"] = exc.message
    if errors:
        return _form(request, principal, session, entity, values, errors, key=key, status_code=422)
    assert model is not None
    flash(request, f"已{'保存' if key else '新建'}{TITLES[entity]}：{getattr(model, 'name', model.key)}（{model.key}）")
    page = PAGES.get(entity)
    return redirect(page.format(model.key) if page else f"/{entity}/{model.key}/edit")


@router.get("/forms")
def forms_index(request: Request, principal: PrincipalDep, session: SessionDep, entity: str = "",
                key: str = "") -> Response:
    """What this role may create, and a box to open an existing record's edit form by its id."""
    allowed = []
    for name in form_specs.FORM_ENTITIES:
        try:
            _may_open(session, principal, name)
        except PermissionDeniedError:
            continue
        allowed.append(name)
    if entity in form_specs.FORM_ENTITIES and key.strip():
        return redirect(f"/{entity}/{key.strip()}/edit")
    return render(request, "new_form.html", principal, allowed=allowed, titles=TITLES)


# ---- the product draft review (before /products/{id}) ---------------------------------------------

@router.get("/products/draft")
def draft_page(request: Request, principal: PrincipalDep, session: SessionDep) -> Response:
    _may_open(session, principal, "products")
    return render(request, "draft_form.html", principal, text="", error=None)


@router.post("/products/draft")
async def draft_submit(request: Request, principal: PrincipalDep, session: SessionDep,
                       csrf: Annotated[str, Form()] = "", text: Annotated[str, Form()] = "",
                       file: Annotated[UploadFile | None, File()] = None) -> Response:
    from finmatch.drafting import draft_product, read_text

    check_csrf(request, csrf)
    _may_open(session, principal, "products")
    body = text.strip()
    try:
        if file is not None and file.filename:
            content = await file.read(MAX_NOTICE + 1)
            if len(content) > MAX_NOTICE:
                raise FinmatchError("通知文件超过 20 MB", field="file")
            body = await run_in_threadpool(read_text, file.filename, content)
        if not body:
            raise FinmatchError("请粘贴通知全文，或上传 .txt、.docx、文字版 .pdf 文件", field="text")
    except FinmatchError as exc:
        return render(request, "draft_form.html", principal, status_code=422, text=text, error=exc.message)
    draft = await run_in_threadpool(draft_product, body)
    values = form_specs.draft_values(draft.fields)
    if not draft.fields:
        flash(request, "未能从文本中识别出产品字段，请手工填写", "warn")
    else:
        flash(request, f"已从通知中识别 {len(draft.fields)} 个字段：请逐项核对原文依据，修改后再保存", "warn")
    return _form(request, principal, session, "products", values, {}, key=None, evidence=draft.evidence)


# ---- create and edit ------------------------------------------------------------------------------

def _routes(entity: str) -> None:
    """GET/POST ``/<entity>/new`` and ``/<entity>/<id>/edit`` on fixed paths (no catch-all that could
    shadow another page such as ``/outcomes/new``)."""

    def new_form(request: Request, principal: PrincipalDep, session: SessionDep) -> Response:
        _may_open(session, principal, entity)
        return _form(request, principal, session, entity, form_specs.form_values(None, entity), {}, key=None)

    async def new_submit(request: Request, principal: PrincipalDep, session: SessionDep,
                         state: StateDep) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get("csrf") or ""))
        _may_open(session, principal, entity)
        return _save(request, principal, session, state, entity, None, form_specs.read_form(entity, form))

    def edit_form(request: Request, key: str, principal: PrincipalDep, session: SessionDep) -> Response:
        old = catalogue.get_one(session, principal, entity, key)
        _may_open(session, principal, entity, old)
        return _form(request, principal, session, entity, form_specs.form_values(old, entity), {}, key=key)

    async def edit_submit(request: Request, key: str, principal: PrincipalDep, session: SessionDep,
                          state: StateDep) -> Response:
        form = await request.form()
        check_csrf(request, str(form.get("csrf") or ""))
        old = catalogue.get_one(session, principal, entity, key)
        _may_open(session, principal, entity, old)
        return _save(request, principal, session, state, entity, key, form_specs.read_form(entity, form))

    router.add_api_route(f"/{entity}/new", new_form, methods=["GET"])
    router.add_api_route(f"/{entity}/new", new_submit, methods=["POST"])
    router.add_api_route(f"/{entity}/{{key}}/edit", edit_form, methods=["GET"])
    router.add_api_route(f"/{entity}/{{key}}/edit", edit_submit, methods=["POST"])


for _entity in form_specs.FORM_ENTITIES:
    _routes(_entity)


# ---- import: template and upload ----------------------------------------------------------------

@downloads.get("/import/template.xlsx")
def template_download(principal: PrincipalDep) -> Response:
    principal.require_admin()
    return Response(template_xlsx(), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename=\"finmatch-import-template.xlsx\"; "
                                                    "filename*=UTF-8''%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"})


@router.post("/import")
async def import_upload(request: Request, principal: PrincipalDep, state: StateDep,
                        files: Annotated[list[UploadFile], File()], csrf: Annotated[str, Form()] = "",
                        dry_run: Annotated[str, Form()] = "") -> Response:
    """Every problem of every file in one report (with the XLSX download); nothing written unless clean."""
    from api.routes.imports import read_uploads, start_embedding_job

    check_csrf(request, csrf)
    principal.require_admin()
    read, names = await read_uploads(files, state.settings)
    if not names:
        return render(request, "import.html", principal, status_code=422, issues=None, dry_run=bool(dry_run),
                      files=[], file_error="请选择要导入的文件（JSON、CSV 或 XLSX）")
    try:
        report = await run_in_threadpool(import_read, read, state.db.factory, dry_run=bool(dry_run),
                                         actor=principal.actor)
    except ImportValidationError as exc:
        data = await run_in_threadpool(report_xlsx, exc.issues, read.tables)
        return render(request, "import.html", principal, status_code=422, issues=exc.issues, dry_run=bool(dry_run),
                      files=names, report_b64=base64.b64encode(data).decode("ascii"))
    counts = "，".join(f"{ENTITY_LABELS[k]} {v} 条" for k, v in report.counts.items())
    if report.dry_run:
        flash(request, f"校验通过（未写入）：{counts}")
    else:
        state.data_changed()
        start_embedding_job(state)  # new texts embedded in the background, not on the next page view
        parts = [f"{ENTITY_LABELS[k]} 新增 {a} 条、更新 {b} 条" for k, (a, b) in report.written.items()]
        flash(request, "导入成功：" + ("；".join(parts) or counts))
    unknown = [w for w in report.warnings if w.header]
    if unknown:
        heads = "、".join(dict.fromkeys(w.header or "" for w in unknown))
        flash(request, f"提示：未识别的列已作为附加信息保留：{heads}", "warn")
    return redirect("/import")


__all__ = ["downloads", "router"]
