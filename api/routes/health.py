"""Liveness and readiness probes (no key needed)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import StateDep
from api.payloads import Health, Ready

router = APIRouter(tags=["运行状态"])


@router.get("/health", response_model=Health, summary="进程存活",
            description="进程在运行即返回 ok；在事件循环上直接应答，不访问数据库，不受繁忙的工作线程影响。")
async def health() -> dict:
    return {"status": "ok"}


@router.get("/ready", response_model=Ready, responses={503: {"model": Ready, "description": "未就绪"}},
            summary="服务就绪", description="数据库可连接且模型已加载时返回 ready，否则 503。")
def ready(state: StateDep) -> JSONResponse:
    database, detail = True, None
    try:
        with state.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means not ready
        database, detail = False, f"数据库不可用：{type(exc).__name__}"
    current = state.models.current
    if current is None:
        detail = detail or f"模型未加载：{state.models.error or '启动中'}"
    ok = database and current is not None
    body = {"status": "ready" if ok else "not_ready", "database": database,
            "model": current.version if current else None, "detail": detail}
    job = getattr(state, "embedding_job", None)
    if job is not None:  # background embedding of imported texts: progress
        body["embeddings"] = job.progress()
    return JSONResponse(body, status_code=200 if ok else 503)
