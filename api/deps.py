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
from api.state import AppState
from finmatch.auth import Principal, Role, authenticate_digest, hash_key
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


SESSION_KEY = "key_digest"  # the pages' signed session cookie holds the key's digest, never the key


def key_digest(request: Request, header_key: str | None,
               credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """The caller's key digest: the header first (X-API-Key, then Bearer), then the pages' session."""
    if header_key and header_key.strip():
        return hash_key(header_key.strip())
    if credentials is not None and credentials.credentials:
        return hash_key(credentials.credentials.strip())
    if "session" in request.scope:
        digest = request.session.get(SESSION_KEY)
        return str(digest) if digest else None
    return None


async def get_principal(request: Request, state: StateDep,
                        header_key: Annotated[str | None, Security(api_key_header)] = None,
                        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
                        ) -> Principal:
    """The caller. Runs on the event loop (no thread hop): a known key costs a dictionary lookup, an
    unknown one an indexed query; a revoked key stops working within ``AUTH_TTL_S``."""
    digest = key_digest(request, header_key, credentials)
    if not digest:
        raise UnauthorizedError("未提供 API 密钥：请在请求头 X-API-Key 中提供", field="X-API-Key")
    now = time.monotonic()
    hit = state.principals.get(digest)
    if hit is not None and hit[1] > now:
        return hit[0]
    with state.db.factory() as session:
        principal = authenticate_digest(session, digest)
    if principal is None:
        state.principals.pop(digest, None)
        raise UnauthorizedError("API 密钥无效或已吊销", field="X-API-Key")
    state.principals[digest] = (principal, now + AUTH_TTL_S)
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
                 q: Annotated[str | None, Query(description="在编号、名称、简介中搜索", max_length=100)] = None) -> None:
        self.offset, self.limit, self.sort, self.q = offset, limit, sort, q


PageDep = Annotated[PageParams, Depends()]

__all__ = ["AdminDep", "ModelDep", "PageDep", "PrincipalDep", "ProductsDep", "Role", "SessionDep", "StaffDep",
           "StateDep"]
