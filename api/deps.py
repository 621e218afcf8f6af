"""Request dependencies (``Annotated`` aliases): state, database session, caller, model, paging."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Annotated

import pandas as pd
from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.errors import UnauthorizedError
from api.ratelimit import FailureLimiter
from api.sessions import SESSION_KEY
from api.state import AppState
from finmatch.auth import (
    KEY_PREFIX,
    Principal,
    Role,
    authenticate_digest,
    hash_key,
    key_prefix,
    principal_for_key_id,
)
from finmatch.services.common import MAX_LIMIT, MAX_OFFSET
from finmatch.services.serving_model import LoadedModel

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="ApiKey",
                              description="API 密钥：`finmatch keys create --role ...` 生成，只显示一次")
AUTH_TTL_S = 10.0
bearer = HTTPBearer(auto_error=False, scheme_name="Bearer", description="也可用 `Authorization: Bearer <密钥>`")


async def get_state(request: Request) -> AppState:
    return request.app.state.finmatch  # type: ignore[no-any-return]


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with state.db.factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


# Routes that may be called with the pages' session cookie instead of a key header: page routes
# (their class sets ``accepts_session_cookie``; their writes check a CSRF token and the Origin) and
# these file downloads linked from the pages (GET only: nothing changes). Every other API route
# takes only X-API-Key or Bearer, so a page on another origin cannot ride the cookie into a write.
COOKIE_GET_ROUTES = frozenset({"/events/{event_id}/agenda.{fmt}"})


def cookie_allowed(request: Request) -> bool:
    route = request.scope.get("route")
    if getattr(route, "accepts_session_cookie", False):
        return True
    return request.method in ("GET", "HEAD") and getattr(route, "path", None) in COOKIE_GET_ROUTES


def _client(request: Request) -> str:
    return f"addr:{request.client.host if request.client else '-'}"


def get_limiter(request: Request) -> FailureLimiter:
    return request.app.state.finmatch_limiter  # type: ignore[no-any-return]


def check_key(request: Request, state: AppState, raw: str) -> Principal | None:
    """A raw key (header or sign-in form) with failures limited per address and per key prefix:
    RateLimitedError (429) while locked; None for an unknown or revoked key."""
    limiter = get_limiter(request)
    buckets = (_client(request), f"key:{key_prefix(raw)}")
    limiter.check(*buckets)
    digest = hash_key(raw)
    now = time.monotonic()
    hit = state.principals.get(digest)
    if hit is not None and hit[1] > now:
        return hit[0]
    with state.db.factory() as session:
        principal = authenticate_digest(session, digest) if raw.startswith(KEY_PREFIX + "_") else None
    if principal is None:
        state.principals.pop(digest, None)
        limiter.failed(*buckets)
        return None
    state.principals[digest] = (principal, now + AUTH_TTL_S)
    return principal


async def get_principal(request: Request, state: StateDep,
                        header_key: Annotated[str | None, Security(api_key_header)] = None,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
                        ) -> Principal:
    """The caller. Runs on the event loop (no thread hop): a known key costs a dictionary lookup, an
    unknown one an indexed query; a revoked key stops working within ``AUTH_TTL_S``. The page
    session is honoured only where :func:`cookie_allowed`."""
    raw = (header_key or "").strip() or (credentials.credentials.strip() if credentials and credentials.credentials
                                         else "")
    if raw:
        principal = check_key(request, state, raw)
        if principal is None:
            raise UnauthorizedError("API 密钥无效或已吊销", field="X-API-Key")
        return principal
    key_id = request.session.get(SESSION_KEY) if "session" in request.scope and cookie_allowed(request) else None
    if not key_id:
        raise UnauthorizedError("未提供 API 密钥：请在请求头 X-API-Key 中提供", field="X-API-Key")
    now = time.monotonic()
    cache_key = f"session-key:{key_id}"
    hit = state.principals.get(cache_key)
    if hit is not None and hit[1] > now:
        return hit[0]
    with state.db.factory() as session:
        principal = principal_for_key_id(session, str(key_id))
    if principal is None:  # the key was revoked: the session ends with it
        request.session.clear()
        raise UnauthorizedError("登录已失效，请重新登录", field="X-API-Key")
    state.principals[cache_key] = (principal, now + AUTH_TTL_S)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def require_admin(principal: PrincipalDep) -> Principal:
    principal.require_admin()
    return principal


async def require_staff(principal: PrincipalDep) -> Principal:
    principal.require_staff()
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
StaffDep = Annotated[Principal, Depends(require_staff)]


async def get_model(state: StateDep) -> LoadedModel:
    return state.models.require()


ModelDep = Annotated[LoadedModel, Depends(get_model)]


def get_products(state: StateDep, session: SessionDep) -> pd.DataFrame:
    """The catalogue frame, rebuilt only after the data changed."""
    return state.caches.products_frame(session)


ProductsDep = Annotated[pd.DataFrame, Depends(get_products)]


class PageParams:
    def __init__(self, offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="跳过的记录数")] = 0,
                 limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="每页条数（≤200）")] = 50,
                 sort: Annotated[str | None, Query(description="排序字段，前加 - 为降序，如 -funding_need_wan",
                                                   max_length=64)] = None,
                 q: Annotated[str | None, Query(description="在编号、名称、简介中搜索", max_length=100,
                                                pattern=r"^[^\x00-\x1f\x7f]*$")] = None) -> None:
        self.offset, self.limit, self.sort, self.q = offset, limit, sort, q


PageDep = Annotated[PageParams, Depends()]

__all__ = ["SESSION_KEY", "AdminDep", "ModelDep", "PageDep", "PrincipalDep", "ProductsDep", "Role", "SessionDep", "StaffDep",
           "StateDep"]
