"""Builds the list/read/create/replace/patch/delete routes of one v1 entity (one APIRouter each).

No ``from __future__ import annotations`` here: FastAPI reads the closures' annotations at runtime.
"""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import BaseModel

from api.deps import PageDep, PrincipalDep, SessionDep, StateDep
from api.errors import READ_ERRORS, WRITE_ERRORS
from api.payloads import Page
from finmatch.auth import Principal
from finmatch.schemas import CONTACT_FIELDS, ENTITY_LABELS, Entity
from finmatch.services import catalogue
from finmatch.services.common import InvalidParameterError


def hidden_fields(principal: Principal, entity: str) -> frozenset[str]:
    """Fields this role may not read, hence may not sort or filter by either (their order leaks them)."""
    if entity == "enterprises" and not principal.can_see_contacts():
        return frozenset((*CONTACT_FIELDS, "extra"))
    return frozenset()


def check_readable(principal: Principal, entity: str, sort: str | None, filters: dict[str, Any]) -> None:
    hidden = hidden_fields(principal, entity)
    name = (sort or "").lstrip("-+ ")
    if name in hidden:  # the same answer as for an unknown field: no hint that it exists
        raise InvalidParameterError(f"无法按字段 {name} 排序", field="sort")
    for key, value in filters.items():
        if key in hidden and value not in (None, ""):
            raise InvalidParameterError(f"无法按字段 {key} 筛选", field=key)


def crud_router(entity: str, model: type[Entity], filters: type[BaseModel], *, id_label: str,
                example: dict[str, Any], out_model: type[BaseModel] | None = None,
                to_out: Callable[[Entity], Any] | None = None, writers: str = "管理员") -> APIRouter:
    label = ENTITY_LABELS[entity]
    out_cls = out_model or model
    convert = to_out or (lambda m: m)
    router = APIRouter(prefix=f"/{entity}", tags=[label])
    KeyPath = Annotated[str, Path(description=id_label, min_length=1, max_length=300)]

    @router.get("", response_model=Page[out_cls], responses=READ_ERRORS, summary=f"{label}列表",  # type: ignore[valid-type]
                description=f"分页列出{label}，可按字段筛选、排序（sort=字段 或 -字段）和搜索（q）。")
    def list_items(principal: PrincipalDep, session: SessionDep, page: PageDep,
                   flt: Annotated[filters, Query()]) -> Any:  # type: ignore[valid-type]
        check_readable(principal, entity, page.sort, dict(flt))
        result = catalogue.list_page(session, principal, entity, dict(flt), q=page.q, sort=page.sort,
                                     offset=page.offset, limit=page.limit)
        return {"items": [convert(m) for m in result.items], "total": result.total, "offset": result.offset,
                "limit": result.limit}

    @router.get("/{key}", response_model=out_cls, responses=READ_ERRORS, summary=f"读取{label}")
    def get_item(key: KeyPath, principal: PrincipalDep, session: SessionDep) -> Any:
        return convert(catalogue.get_one(session, principal, entity, key))

    body_doc = f"完整的{label}记录；枚举可写英文代码或中文标签。可写入：{writers}。"

    @router.post("", response_model=out_cls, status_code=201, responses=WRITE_ERRORS, summary=f"新建{label}",
                 description=body_doc)
    def create_item(item: Annotated[model, Body(openapi_examples={"example": {"summary": f"{label}示例",  # type: ignore[valid-type]
                                                                               "value": example}})],
                    principal: PrincipalDep, session: SessionDep, state: StateDep) -> Any:
        return convert(catalogue.create(session, principal, entity, item, state.caches))

    @router.put("/{key}", response_model=out_cls, responses=WRITE_ERRORS, summary=f"替换{label}",
                description=body_doc + "请求体中的编号须与路径一致。")
    def replace_item(key: KeyPath, item: Annotated[model, Body(openapi_examples={"example": {  # type: ignore[valid-type]
                         "summary": f"{label}示例", "value": example}})],
                     principal: PrincipalDep, session: SessionDep, state: StateDep) -> Any:
        return convert(catalogue.replace(session, principal, entity, key, item, state.caches))

    @router.patch("/{key}", response_model=out_cls, responses=WRITE_ERRORS, summary=f"修改{label}的部分字段",
                  description=f"只提交要修改的字段，合并后整体校验。可写入：{writers}。")
    def patch_item(key: KeyPath, changes: Annotated[dict[str, Any], Body(openapi_examples={"example": {
                       "summary": "修改名称", "value": {"name": example.get("name", "新名称")}}})],
                   principal: PrincipalDep, session: SessionDep, state: StateDep) -> Any:
        return convert(catalogue.patch(session, principal, entity, key, changes, state.caches))

    @router.delete("/{key}", status_code=204, response_class=Response, responses=WRITE_ERRORS,
                   summary=f"删除{label}", description=f"删除后写入审计日志；仍被引用时返回 409。可写入：{writers}。")
    def delete_item(key: KeyPath, principal: PrincipalDep, session: SessionDep, state: StateDep) -> Response:
        catalogue.delete(session, principal, entity, key, state.caches)
        return Response(status_code=204)

    return router
