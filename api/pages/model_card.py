"""The ranking model's quality in words a bank officer reads (the figures themselves are for admins)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
MODEL = "lambdarank"


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and math.isfinite(float(v)) else None


def beijing(iso: str | None) -> str | None:
    """An ISO timestamp as Beijing time to the minute (naive values are UTC)."""
    if not iso:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def label(model: dict[str, Any] | None) -> str:
    """Which ranking is in use, without versions or figures (those are for admins)."""
    if not model or model.get("is_prior"):
        return "按规则排序（融资意向、领域、阶段、额度与资金用途）"
    trained = beijing(model.get("created_at"))
    return f"按对接历史训练的模型排序（训练于 {trained}，北京时间）" if trained else "按对接历史训练的模型排序"


def sentences(model: dict[str, Any] | None) -> list[str]:
    """A few plain sentences: how often the top recommendations were right, and how honest the percentages are."""
    if not model:
        return []
    if model.get("is_prior"):
        return ["目前尚无足够的历史对接结果训练模型，推荐按公开的规则打分（领域、阶段、额度、文本相关度）；"
                "积累对接结果后将自动改用训练的模型。"]
    metrics = model.get("metrics") or {}
    time_split = (metrics.get("time_split") or {}).get(MODEL) or {}
    out = []
    groups = _num(time_split.get("groups"))
    basis = f"用较早的活动训练、在最近活动的 {groups:.0f} 组对接上检验" if groups else "用较早的活动训练、在最近的活动上检验"
    recall, map5, ndcg = (_num(time_split.get(k)) for k in ("recall@10", "map@5", "ndcg@5"))
    if map5 is not None:
        out.append(f"在历史对接数据上（{basis}），前五名推荐的命中率（平均准确率）为 {map5 * 100:.0f}%。")
    if recall is not None:
        out.append(f"实际进入洽谈的产品中，{recall * 100:.0f}% 出现在模型推荐的前十名里。")
    if ndcg is not None:
        out.append(f"排序质量（越接近 100 越好）为 {ndcg * 100:.0f} 分。")
    ratio = _num(metrics.get("model_oracle_ratio_ndcg@5"))
    if ratio is not None:
        out.append(f"这一排序质量相当于已知答案时理想排序的 {ratio * 100:.0f}%。")
    ece = _num((metrics.get("calibration") or {}).get("ece_time_split"))
    if ece is not None:
        out.append(f"页面上的对接概率与实际进入洽谈的比例平均相差约 {ece * 100:.1f} 个百分点。")
    return out
