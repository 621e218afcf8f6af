"""Domain errors to JSON: ``{"code", "message" (Chinese), "field", "errors"?}`` with a fitting status."""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.payloads import ErrorBody
from finmatch.exceptions import (
    ConflictError,
    FinmatchError,
    FontMissingError,
    ImportValidationError,
    InfeasibleError,
    ModelUnavailableError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    UnauthorizedError,
)
from finmatch.io.importer import translate

log = logging.getLogger(__name__)
MAX_LISTED_ERRORS = 200  # an error body lists at most this many errors, then counts the rest


__all__ = ["STATUS", "TITLES", "UnauthorizedError", "install_error_handlers", "status_of", "title_of"]

# The one mapping from domain errors to HTTP status, used by the JSON API and the HTML pages alike
# (first match wins, so subclasses come before their bases).
STATUS: list[tuple[type[FinmatchError], int]] = [
    (UnauthorizedError, 401), (PermissionDeniedError, 403), (NotFoundError, 404), (ConflictError, 409),
    (PayloadTooLargeError, 413), (ImportValidationError, 422), (InfeasibleError, 422), (RateLimitedError, 429),
    (ModelUnavailableError, 503), (FontMissingError, 503), (FinmatchError, 422),
]
# The heading of the HTML error page for each status (the message says what went wrong).
TITLES: dict[int, str] = {401: "请先登录", 403: "无权访问", 404: "未找到", 409: "操作冲突", 413: "内容过大",
                          422: "请求无法完成", 429: "请求过于频繁", 503: "服务暂不可用"}
HTTP_CODES = {400: ("bad_request", "请求格式错误"), 401: ("unauthorized", "需要 API 密钥"),
              403: ("forbidden", "无权执行此操作"), 404: ("not_found", "请求的资源不存在"),
              405: ("method_not_allowed", "不支持该请求方法"), 406: ("not_acceptable", "不支持的响应格式"),
              413: ("too_large", "请求体过大"), 429: ("rate_limited", "请求过于频繁，请稍后再试"), 415: ("unsupported_media_type", "不支持的请求内容类型")}


def _body(code: str, message: str, field: str | None = None, errors: list[dict[str, Any]] | None = None) -> dict:
    out: dict[str, Any] = {"code": code, "message": message, "field": field}
    if errors is not None:
        out["errors"] = errors
    return out


def status_of(exc: FinmatchError) -> int:
    return next(s for cls, s in STATUS if isinstance(exc, cls))


def title_of(status: int) -> str:
    return TITLES.get(status, "请求无法完成")


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or None


def validation_errors(errors: list[Any]) -> list[dict[str, Any]]:
    return [{"field": _field_of(e.get("loc", ())), "message": translate(e)} for e in errors]


async def _finmatch_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FinmatchError)
    status = status_of(exc)
    errors = None
    if isinstance(exc, ImportValidationError):
        errors = [{"file": i.file, "row": i.row, "field": i.field, "message": i.message, "entity": i.entity,
                   "sheet": i.sheet, "header": i.header, "value": i.value}
                  for i in exc.issues[:MAX_LISTED_ERRORS]]
    headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'} if status == 401 else None
    if isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}
    body = _body(exc.code, exc.message, exc.field, errors)
    if isinstance(exc, ImportValidationError):  # capped: the first errors and how many there were
        body["errors_total"] = len(exc.issues)
        body["errors_omitted"] = max(0, len(exc.issues) - MAX_LISTED_ERRORS)
    return JSONResponse(body, status_code=status, headers=headers)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    errors = validation_errors(list(exc.errors()))
    first = errors[0] if errors else {"field": None, "message": ""}
    message = f"请求参数校验失败（{len(errors)} 处）：{first['field'] or '请求体'} {first['message']}"
    return JSONResponse(_body("validation_error", message, first["field"], errors), status_code=422)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = HTTP_CODES.get(exc.status_code, (f"http_{exc.status_code}", "请求失败"))
    return JSONResponse(_body(code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None))


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse(_body("internal_error", "服务器内部错误，请稍后再试或联系管理员"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(FinmatchError, _finmatch_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(ValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)


def _resp(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: _resp("未提供或无效的 API 密钥"), 403: _resp("角色无权执行此操作")}
READ_ERRORS: dict[int | str, dict[str, Any]] = {**AUTH_ERRORS, 404: _resp("资源不存在"),
                                                422: _resp("参数校验失败（errors 列出每个字段）")}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {**READ_ERRORS, 409: _resp("编号冲突或仍被引用")}
MODEL_ERRORS: dict[int | str, dict[str, Any]] = {503: _resp("模型不可用")}
