"""The app factory: ``create_app(settings)``; the lifespan opens the database and loads the models.

Run with ``uvicorn api.main:create_app --factory`` (``finmatch serve`` does this).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from api import pages
from api.errors import install_error_handlers
from api.limits import BodyLimitMiddleware, TimeLimitMiddleware
from api.ratelimit import FailureLimiter
from api.routes import (
    agenda,
    audit,
    enterprises,
    events,
    health,
    imports,
    institutions,
    match,
    outcomes,
    packages,
    products,
    projects,
    ranking_models,
)
from api.sessions import ServerSessionMiddleware
from api.state import AppState
from finmatch.exceptions import ModelUnavailableError
from finmatch.io import safe_xlsx
from finmatch.matching import PairScorer
from finmatch.registry import ModelInfo, load_scorer
from finmatch.schemas import FIELD_LABELS
from finmatch.services.matching import MatchCache
from finmatch.services.serving_model import ModelHolder
from finmatch.settings import Settings, get_settings

log = logging.getLogger(__name__)
# the match routes first: the router tries routes in order, and they take most of the traffic
ROUTERS = (match.router, packages.router, health.router, institutions.router, enterprises.router, projects.router, products.router,
           events.router, agenda.router, outcomes.router, imports.router, ranking_models.router, audit.router)
DESCRIPTION = """中试项目科技金融精准匹配服务（投贷保担补）。

* 认证：请求头 `X-API-Key: <密钥>`（或 `Authorization: Bearer <密钥>`），密钥由 `finmatch keys create` 生成。
* 角色：`admin` 全部权限；`organiser` 管理对接活动、可读全部；`institution` 绑定一个机构，只能编辑本机构产品、
  查看本机构产品的潜在项目、记录本机构产品的对接结果。企业联系方式仅管理员与组织方可见。
* 错误：`{"code": 稳定错误码, "message": 中文说明, "field": 出错字段}`，校验错误另附 `errors` 列表。
* 分页：`?offset=&limit=`（limit ≤ 200），返回 `{"items", "total", "offset", "limit"}`。
"""


def _load_scorer(settings: Settings) -> tuple[PairScorer, ModelInfo | None]:
    """The trained model, or the cold-start prior with text similarity and sector inference."""
    from features.artifact_types import artifact_types
    from features.cold_start import cold_start_prior

    return load_scorer(settings, prior=cold_start_prior, types=artifact_types())


def _embedding_loader(settings: Settings) -> Callable[[], Any] | None:
    """The sentence-embedding model loader when embeddings are on (imported only when called)."""
    if not settings.use_embeddings:
        return None

    def load() -> Any:
        from features.embeddings import load_sentence_model

        return load_sentence_model()

    return load


def _start_embedding_job(state: AppState) -> None:
    """Embed the stored texts in the background (and again after each import, see routes/imports.py),
    so page views find them in the cache instead of computing them on the request."""
    current = state.models.current
    if not state.settings.use_embeddings or current is None or current.embedding_model is None:
        return
    from features.embedding_cache import Embedder
    from features.embedding_job import EmbeddingJob, start_for_database

    job = getattr(state, "embedding_job", None)
    if job is None:
        job = EmbeddingJob(Embedder(model=current.embedding_model, cache_path=state.settings.resolved_embedding_cache))
        state.embedding_job = job  # type: ignore[attr-defined]
    start_for_database(job, state.db.factory)


def _describe_fields(schema: dict[str, Any]) -> None:
    """Give every v1 entity field its Chinese label as the OpenAPI description."""
    names = {"Institution": "institutions", "Enterprise": "enterprises", "Project": "projects",
             "Product": "products", "Event": "events", "Outcome": "outcomes", "OutcomeRecord": "outcomes"}
    for name, comp in schema.get("components", {}).get("schemas", {}).items():
        entity = names.get(name.removesuffix("-Input").removesuffix("-Output"))
        if entity is None:
            continue
        labels = {**FIELD_LABELS[entity], "extra": "导入时未识别的列，原样保留"}
        for field, prop in comp.get("properties", {}).items():
            if field in labels and "description" not in prop:
                prop["description"] = labels[field]


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app; nothing is opened or loaded until the lifespan starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from finmatch.runtime import open_database

        cfg = settings or get_settings()
        # Bounded CPU work: at most this many requests run in worker threads at once (the rest queue),
        # and the GIL is handed over often, so the event loop (/health, auth) answers within ms.
        anyio.to_thread.current_default_thread_limiter().total_tokens = cfg.worker_threads
        sys.setswitchinterval(0.001)
        safe_xlsx.configure(safe_xlsx.XlsxLimits(cfg.max_import_rows, cfg.max_import_cells))
        db = open_database(cfg)
        holder = ModelHolder(cfg, embedding_loader=_embedding_loader(cfg), loader=_load_scorer)
        try:
            holder.reload()
        except ModelUnavailableError:
            log.error("starting without a model; /ready reports not_ready until POST /models/reload succeeds")
        app.state.finmatch = AppState(cfg, db, holder, responses=MatchCache(cfg.match_cache_size))
        _start_embedding_job(app.state.finmatch)
        try:
            yield
        finally:
            db.dispose()

    app = FastAPI(title="finmatch 中试项目科技金融匹配 API", version="1.0.0", description=DESCRIPTION,
                  lifespan=lifespan)
    cfg = settings or get_settings()
    # outermost last: the time limit wraps everything, the server-side session sits inside it
    app.add_middleware(ServerSessionMiddleware, settings=cfg)
    app.add_middleware(BodyLimitMiddleware, import_bytes=int(cfg.max_request_mb * 2**20) + 64 * 1024)
    app.add_middleware(TimeLimitMiddleware, timeout_s=cfg.request_timeout_s)
    app.state.finmatch_limiter = FailureLimiter(cfg.login_attempts, cfg.login_window_s)
    install_error_handlers(app)
    app.include_router(pages.router)  # pages first: they match only browser (text/html) requests
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes, tags=[{"name": r.tags[0]} for r in ROUTERS if r.tags])
            _describe_fields(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
