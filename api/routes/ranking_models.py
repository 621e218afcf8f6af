"""The serving model: which version ranks, its metrics, and a reload after retraining."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminDep, PrincipalDep, StateDep
from api.errors import AUTH_ERRORS, MODEL_ERRORS
from api.payloads import ModelStatus

router = APIRouter(prefix="/models", tags=["模型"])


@router.get("", response_model=ModelStatus, responses={**AUTH_ERRORS, **MODEL_ERRORS}, summary="当前模型",
            description="当前用于排序的模型版本（未训练时为 prior 冷启动规则）、评估指标与训练时间。")
def current_model(principal: PrincipalDep, state: StateDep) -> dict:
    return state.models.require().describe()


@router.post("/reload", response_model=ModelStatus, responses={**AUTH_ERRORS, **MODEL_ERRORS}, summary="重新加载模型",
             description="训练新版本后调用：从模型库加载指定或最新版本并原子替换；失败时保留原模型。仅管理员。")
def reload_model(principal: AdminDep, state: StateDep) -> dict:
    loaded = state.models.reload()
    state.responses.clear()
    return loaded.describe()
