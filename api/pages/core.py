"""What every page shares: templates and their filters, the page route class (errors as HTML pages,
sign-in redirects), flash messages and the CSRF token kept in the signed session cookie.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.routing import Match
from starlette.types import Scope

from api.deps import SESSION_KEY
from api.errors import UnauthorizedError, status_of, title_of
from finmatch.auth import Principal, Role, principal_for_key_id
from finmatch.enums import (
    Certification,
    Family,
    IndustryType,
    InstitutionType,
    OutcomeStage,
    Sector,
    Stage,
    TaxGrade,
    ThreeFirst,
)
from finmatch.exceptions import (
    FinmatchError,
    PermissionDeniedError,
)

log = logging.getLogger(__name__)
API_DIR = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=str(API_DIR / "templates"))

LABELS: dict[str, dict[str, str]] = {
    "sector": Sector.labels(), "stage": Stage.labels(), "family": Family.labels(),
    "outcome": OutcomeStage.labels(), "cert": Certification.labels(), "inst_type": InstitutionType.labels(),
    "industry": IndustryType.labels(), "three_first": ThreeFirst.labels(), "tax": TaxGrade.labels(),
}


def wan(value: Any, unit: bool = True) -> str:
    """万元 with thousands separators and at most two decimals (1,234.5 万元)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return f"{text} 万元" if unit else text


def pct(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def label(value: Any, kind: str) -> str:
    """The Chinese label of an enum code (the code itself when unknown, — when empty)."""
    if value is None or value == "":
        return "—"
    code = value.value if hasattr(value, "value") else str(value)
    return LABELS[kind].get(code, code)


def labels(values: Any, kind: str, empty: str = "不限") -> str:
    items = list(values or [])
    return "、".join(label(v, kind) for v in items) if items else empty


def heat(p: Any) -> str:
    """Background colour of a heat-map cell: pale to deep teal as the probability rises."""
    if p is None:
        return "background:#f3f4f6;color:#9ca3af"
    p = max(0.0, min(1.0, float(p)))
    light = 96 - 58 * p
    fg = "#fff" if light < 60 else "#0f172a"
    return f"background:hsl(178,60%,{light:.0f}%);color:{fg}"


def may_write(principal: Principal | None, entity: str, record: Any = None) -> bool:
    """Whether to show a create (no record) or edit link: the write rule of ``catalogue.check_write``."""
    if principal is None:
        return False
    if principal.role == Role.ADMIN:
        return True
    if entity == "events":
        return principal.is_staff
    if entity == "products":
        if record is None:
            return bool(principal.institution_id) and principal.role == Role.INSTITUTION
        return principal.owns(getattr(record, "institution_id", None))
    return False


templates.env.filters.update(wan=wan, pct=pct, label=label, labels=labels, heat=heat)
templates.env.globals.update(LABELS=LABELS, may_write=may_write)


# ---- session: flash messages and CSRF ------------------------------------------------------------

def flash(request: Request, message: str, level: str = "ok") -> None:
    request.session.setdefault("flash", [])
    request.session["flash"] = [*request.session["flash"], [level, message]][-5:]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(16)
        request.session["csrf"] = token
    return str(token)


def same_origin(request: Request) -> bool:
    """A write from one of our own pages: the browser's Sec-Fetch-Site says same-origin (or none: typed
    by the user), and an Origin header, where sent, is this server's scheme://host:port."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is not None:
        here = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        if origin.rstrip("/").lower() != here.lower():
            return False
    return True


def check_csrf(request: Request, token: str | None) -> None:
    """Page writes: the session's token in the form, and a request from our own origin."""
    if not same_origin(request):
        raise PermissionDeniedError("拒绝来自其他网站的请求，请在本系统页面中操作", field="csrf")
    expected = request.session.get("csrf")
    if not expected or not token or not secrets.compare_digest(str(expected), str(token)):
        raise PermissionDeniedError("表单已过期，请刷新页面后重试", field="csrf")


def session_principal(request: Request) -> Principal | None:
    """The signed-in principal from the server-side session, for pages rendered outside a dependency."""
    key_id = request.session.get(SESSION_KEY) if "session" in request.scope else None
    if not key_id:
        return None
    state = getattr(request.app.state, "finmatch", None)
    if state is None:
        return None
    with state.db.factory() as session:
        return principal_for_key_id(session, str(key_id))


def render(request: Request, name: str, principal: Principal | None, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    messages = request.session.pop("flash", []) if "session" in request.scope else []
    ctx = {"principal": principal, "messages": messages, "csrf": csrf_token(request), "path": request.url.path,
           **context}
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", session_principal(request), status_code=status, title=title,
                  message=message, status=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def local_path(target: str | None, default: str = "/") -> str:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def wants_html(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"accept":
            return b"text/html" in value
    return False


# Pages with no API twin answer whatever the Accept header says (curl, link checkers, health probes).
PAGE_ONLY: frozenset[tuple[str, str]] = frozenset({("GET", "/"), ("GET", "/login"), ("POST", "/login"),
                                                   ("POST", "/logout"), ("GET", "/import"),
                                                   ("GET", "/outcomes/new")})


class PageRoute(APIRoute):
    """A page: where it shares a URL with an API resource (``/projects/XM0001`` is the page in a
    browser and JSON for API clients) it is matched only for browsers (``Accept: text/html``).
    Domain errors become Chinese HTML pages; a missing or bad key sends the browser to /login.
    Page routes are the only ones that accept the session cookie (``api.deps.cookie_allowed``).
    """

    accepts_session_cookie = True

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if (match != Match.NONE and scope.get("type") == "http" and not wants_html(scope)
                and (scope.get("method"), self.path) not in PAGE_ONLY):
            return Match.NONE, {}
        return match, child

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except UnauthorizedError:
                if "session" in request.scope:
                    request.session.pop(SESSION_KEY, None)
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return redirect(f"/login?next={quote(target, safe='')}")
            except FinmatchError as exc:  # the API's own status mapping (api.errors.STATUS)
                status = status_of(exc)
                return error_page(request, status, title_of(status), exc.message)
            except RequestValidationError:
                return error_page(request, 422, "参数有误", "请求参数格式不正确，请返回修改后重试")

        return handler


class DownloadRoute(PageRoute):
    """A page-side file download on a path of its own: matched whatever the Accept header (browsers
    fetch ``<a download>`` links with ``Accept: */*``)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        return APIRoute.matches(self, scope)
