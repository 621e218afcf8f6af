"""Sign-in, dashboard, projects and products pages (prospects with filters and downloads)."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, Response

from api.deps import SESSION_KEY, ModelDep, PrincipalDep, SessionDep, StateDep, check_key
from api.downloads import download_headers
from api.pages import views
from api.pages.core import (
    DownloadRoute,
    PageRoute,
    check_csrf,
    local_path,
    redirect,
    render,
    session_principal,
)
from finmatch.enums import GUANGXI_CITIES, Family, Sector, Stage
from finmatch.exceptions import NotFoundError, RateLimitedError
from finmatch.services import catalogue, matching

router = APIRouter(route_class=PageRoute, include_in_schema=False)
downloads = APIRouter(route_class=DownloadRoute, include_in_schema=False)
PAGE_SIZE = 30


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if session_principal(request) is not None:
        return redirect(local_path(next))
    return render(request, "login.html", None, next=local_path(next), key="", error=None)


@router.post("/login")
def login(request: Request, state: StateDep, api_key: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/", csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    key = api_key.strip()
    try:
        principal = check_key(request, state, key) if key else None  # failures limited per address
    except RateLimitedError as exc:
        return render(request, "login.html", None, status_code=429, next=local_path(next), key="", error=exc.message)
    if principal is None:
        error = "请输入 API 密钥" if not key else "API 密钥无效或已吊销，请核对后重试"
        return render(request, "login.html", None, status_code=401, next=local_path(next), key=api_key,
                      error=error)
    request.session.clear()  # a fresh session (and CSRF token) for the signed-in user
    request.session[SESSION_KEY] = principal.key_id  # the server-side session gets a fresh id
    request.session["flash"] = [["ok", f"已登录：{principal.role.label}"
                                       + (f"（{principal.institution_id}）" if principal.institution_id else "")]]
    return redirect(local_path(next))


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    request.session["flash"] = [["ok", "已退出登录"]]
    return redirect("/login")


@router.get("/")
def dashboard(request: Request, principal: PrincipalDep, session: SessionDep, state: StateDep) -> Response:
    return render(request, "dashboard.html", principal, **views.dashboard(session, state, principal))


@router.get("/projects")
def project_list(request: Request, principal: PrincipalDep, session: SessionDep, state: StateDep,
                 q: str = "", sector: str = "", stage: str = "", city: str = "", page: str = "1") -> Response:
    errors: dict[str, str] = {}
    filters = {"sector": views.parse_choice(sector, Sector.labels(), "sector", errors),
               "stage": views.parse_choice(stage, Stage.labels(), "stage", errors),
               "city": city.strip() or None}
    n = views.parse_page(page)
    result = catalogue.list_page(session, principal, "projects", filters, q=q.strip() or None,
                                 offset=(n - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    frame = state.caches.projects_frame(session)
    extra = {pid: {"enterprise_name": frame.at[pid, "enterprise_name"], "city": frame.at[pid, "city"]}
             for pid in (p.key for p in result.items) if pid in frame.index}
    return render(request, "projects.html", principal, items=result.items, total=result.total, page=n,
                  pages=max(1, -(-result.total // PAGE_SIZE)), extra=extra, errors=errors, cities=GUANGXI_CITIES,
                  form={"q": q, "sector": sector, "stage": stage, "city": city})


@router.get("/projects/{project_id}")
def project_page(request: Request, project_id: str, principal: PrincipalDep, session: SessionDep,
                 state: StateDep, model: ModelDep, objective: str = "cost") -> Response:
    from api.routes.packages import package_section

    project = catalogue.get_one(session, principal, "projects", project_id)
    enterprise = catalogue.get_one(session, principal, "enterprises", project.enterprise_id)  # type: ignore[attr-defined]
    products = state.caches.products_frame(session)
    result = matching.project_matches(session, model.scorer, state.settings, products, project_id,
                                      group_by_family=True)
    accessible = {pid for pid, inst in products["institution_id"].items()
                  if principal.is_staff or principal.owns(str(inst))}
    outcomes = catalogue.list_page(session, principal, "outcomes", {"project_id": project_id}, sort="-date",
                                   limit=20)
    from api.pages import model_card

    described = model.describe()
    return render(request, "project.html", principal, project=project, enterprise=enterprise, result=result,
                  accessible=accessible, outcomes=outcomes, model=described, model_label=model_card.label(described),
                  package=package_section(state, model, principal, project_id, objective))


@router.get("/products")
def product_list(request: Request, principal: PrincipalDep, session: SessionDep, q: str = "",
                 family: str = "", mine: str = "") -> Response:
    errors: dict[str, str] = {}
    filters: dict[str, Any] = {"family": views.parse_choice(family, Family.labels(), "family", errors)}
    if mine and principal.institution_id:
        filters["institution_id"] = principal.institution_id
    result = catalogue.list_page(session, principal, "products", filters, q=q.strip() or None, limit=200)
    names = {i.key: i.name for i in catalogue.list_page(session, principal, "institutions", {}, limit=200).items}  # type: ignore[attr-defined]
    return render(request, "products.html", principal, items=result.items, total=result.total, names=names,
                  errors=errors, form={"q": q, "family": family, "mine": mine})


@router.get("/products/{product_id}")
def product_page(request: Request, product_id: str, principal: PrincipalDep, session: SessionDep,
                 state: StateDep, model: ModelDep, city: str = "", sector: str = "", stage: str = "",
                 amount_min: str = "", amount_max: str = "", page: str = "1",
                 format: Annotated[str, Query(alias="format")] = "", clients: str = "") -> Response:
    product = catalogue.get_one(session, principal, "products", product_id)
    principal.require_product_access(product.institution_id)  # type: ignore[attr-defined]
    values, errors = views.prospect_filters({"city": city, "sector": sector, "stage": stage,
                                             "amount_min": amount_min, "amount_max": amount_max, "clients": clients})
    form = {"city": city, "sector": sector, "stage": stage, "amount_min": amount_min, "amount_max": amount_max,
            "clients": values["clients"] if values["clients"] != "all" else ""}
    if errors:  # show the errors next to the fields; nothing is filtered by half-valid input
        values = {**dict.fromkeys(values), "clients": "all"}
    download = format.lower() in ("csv", "xlsx")
    n = views.parse_page(page)
    offset, limit = (0, 100000) if download else ((n - 1) * PAGE_SIZE, PAGE_SIZE)
    products = state.caches.products_frame(session)
    projects = state.caches.projects_frame(session)
    result = matching.product_prospects(session, model.scorer, state.settings, principal, products, projects,
                                        product_id, offset=offset, limit=limit, **values)
    if download:
        name = f"{product_id}-prospects.{format.lower()}"
        if format.lower() == "csv":
            data, media = views.prospects_csv(result["items"]), "text/csv; charset=utf-8"
        else:
            data = views.prospects_xlsx(result["items"], f"{product.name}（{product_id}）潜在项目")  # type: ignore[attr-defined]
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(data, media_type=media, headers=download_headers(name))
    institution = catalogue.get_one(session, principal, "institutions", product.institution_id)  # type: ignore[attr-defined]
    query = urlencode({k: v for k, v in form.items() if v})
    return render(request, "product.html", principal, product=product, institution=institution, result=result,
                  form=form, errors=errors, page=n, pages=max(1, -(-result["total"] // PAGE_SIZE)), query=query,
                  cities=GUANGXI_CITIES)


@downloads.get("/projects/{project_id}/handout.{fmt}")
def handout_download(project_id: str, fmt: str, principal: PrincipalDep, state: StateDep, model: ModelDep,
                     objective: str = "cost", event_id: str = "") -> Response:
    """The project's one-page hand-out (PDF / XLSX) behind the package section's download links."""
    from api.routes.packages import handout_response

    return handout_response(state, model, principal, project_id, fmt, objective, event_id or None)


@downloads.get("/products/{product_id}/prospects.{fmt}")
def prospects_download(request: Request, product_id: str, fmt: str, principal: PrincipalDep, session: SessionDep,
                       state: StateDep, model: ModelDep, city: str = "", sector: str = "", stage: str = "",
                       amount_min: str = "", amount_max: str = "", clients: str = "") -> Response:
    """The same as ``/products/{id}?format=csv|xlsx``, on a path no API route uses."""
    if fmt not in ("csv", "xlsx"):
        raise NotFoundError(f"不支持的下载格式 {fmt}，可选 csv、xlsx", field="format")
    return product_page(request, product_id, principal, session, state, model, city=city, sector=sector,
                        stage=stage, amount_min=amount_min, amount_max=amount_max, format=fmt, clients=clients)
