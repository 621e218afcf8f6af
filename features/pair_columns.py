"""Readers of frame columns for the pair feature builder: numbers, flags, lists and sectors with NaN rules."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def num(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)


def flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.zeros(len(frame))
    return np.array([bool(v) and not blank(v) for v in frame[col]], dtype=float)


def as_tuple(v: Any) -> tuple:
    return tuple(v) if isinstance(v, list | tuple | set | frozenset) else ()


def slog(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def sector_series(projects: pd.DataFrame) -> pd.Series:
    sector = projects["sector"] if "sector" in projects else pd.Series(None, index=projects.index, dtype=object)
    if "inferred_sector" in projects:
        sector = sector.where(sector.map(lambda v: not blank(v)), projects["inferred_sector"])
    return sector.map(lambda v: None if blank(v) else str(v))
