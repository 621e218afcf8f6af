"""How the prior reads a project's or product's cell: blank, list, number, flag, joined text (NaN and blanks
as absent), shared by the per-pair prior and its vectorised form."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _list(v: Any) -> list[str]:
    if isinstance(v, (list, tuple, set, frozenset, np.ndarray)):
        return [str(x) for x in v if not _blank(x)]
    return []


def _num(v: Any) -> float:
    try:
        out = float(v)
    except (TypeError, ValueError):
        return math.nan
    return out


def _flag(v: Any) -> bool | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return bool(v)


def _text(*parts: Any) -> str:
    return "。".join(str(p) for p in parts if not _blank(p))
