"""Clause names, status codes and the small value helpers shared by the engine and the reference.

Frames come from ``finmatch.frames`` but may also be built by hand, so every reader here accepts the
usual spellings of "missing" (``None``, ``NaN``, ``NaT``, ``""``) and of list fields (tuple, list, set,
or a ``;``/``、``-separated string). ``FrameColumns`` reads each column of a frame once per call (the
prior and the pair features share one; pandas' ``frame[col]`` is the main fixed cost of a one-project
request).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd

from finmatch.enums import GUANGXI, GUANGXI_CITIES, TAX_GRADE_RANK, normalise_city

CLAUSE_FIELDS: tuple[str, ...] = (
    "sectors", "stages", "trl_min", "trl_max", "amount_min_wan", "amount_max_wan", "cities",
    "required_certifications_any", "min_revenue_wan", "max_revenue_wan", "min_company_age_years",
    "max_company_age_years", "max_debt_ratio", "requires_profit", "requires_collateral", "min_tax_grade",
    "excludes_hazardous", "requires_three_firsts", "valid_to", "budget_wan",
)

# Status codes stored in the int8 matrices.
FAIL: int = 0
PASS: int = 1
UNKNOWN: int = -1
NO_CONSTRAINT: int = 2
StatusName = Literal["pass", "fail", "unknown"]
STATUS_NAMES: dict[int, StatusName] = {PASS: "pass", FAIL: "fail", UNKNOWN: "unknown"}

GUANGXI_SET: frozenset[str] = frozenset(GUANGXI_CITIES)
_SPLIT = re.compile(r"[;；、,，]")


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT, pd.NA and blank strings (never for a list value)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple | list | set | frozenset | dict):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_float(value: Any) -> float:
    """A number, or NaN when missing or not numeric."""
    if is_missing(value) or isinstance(value, bool | tuple | list):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def as_flag(value: Any) -> float:
    """1.0 / 0.0 for a boolean, NaN when missing (a project flag the clause cannot read)."""
    if is_missing(value):
        return math.nan
    if isinstance(value, str):
        text = value.strip().lower()
        if text in {"true", "1", "yes", "是", "有"}:
            return 1.0
        if text in {"false", "0", "no", "否", "无"}:
            return 0.0
        return math.nan
    return 1.0 if bool(value) else 0.0


def as_required(value: Any) -> bool:
    """A product's boolean requirement; missing means no requirement."""
    flag = as_flag(value)
    return flag == 1.0


def as_code(value: Any) -> str | None:
    """An enum code as a plain string (StrEnum members included), None when missing."""
    if is_missing(value):
        return None
    return str(getattr(value, "value", value)).strip()


def as_codes(value: Any) -> tuple[str, ...] | None:
    """A list field as a tuple of codes; None when the field itself is missing."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return tuple(p.strip() for p in _SPLIT.split(value) if p.strip())
    if isinstance(value, Iterable):
        return tuple(c for c in (as_code(v) for v in value) if c)
    return None if is_missing(value) else (as_code(value) or "",)


def date_ordinal(value: Any) -> float:
    """Proleptic ordinal of a date-like value, NaN when missing."""
    if is_missing(value):
        return math.nan
    if isinstance(value, str):
        return float(dt.date.fromisoformat(value.strip()[:10]).toordinal())
    if isinstance(value, dt.datetime):
        return float(value.date().toordinal())
    if isinstance(value, dt.date):
        return float(value.toordinal())
    to_pydate = getattr(value, "date", None)  # pd.Timestamp
    if callable(to_pydate):
        return float(to_pydate().toordinal())
    raise ValueError(f"无法识别的日期 '{value}'")


def tax_rank(value: Any) -> float:
    """A=4 … D=0; NaN when missing or not a grade."""
    code = as_code(value)
    if code is None:
        return math.nan
    return float(TAX_GRADE_RANK.get(code.upper(), math.nan))


def city_of(value: Any) -> str | None:
    """An enterprise city normalised (南宁市 -> 南宁, 广西壮族自治区 -> 广西)."""
    code = as_code(value)
    return normalise_city(code) if code else None


def expand_cities(cities: Iterable[str]) -> frozenset[str]:
    """A product's service area as a set of cities; 广西 means the 14 cities (and the region itself)."""
    out: set[str] = set()
    for raw in cities:
        city = normalise_city(str(raw))
        if city == GUANGXI:
            out.update(GUANGXI_CITIES)
        else:
            out.add(city)
    if out >= GUANGXI_SET:
        out.add(GUANGXI)
    return frozenset(out)


def column_array(frame: pd.DataFrame, name: str) -> Any:
    """A column's stored values (numpy or extension array; do not modify them): pandas' own accessor
    where it exists (~2 µs; ``frame[name]`` builds a Series, ~15 µs). ``.tolist()`` of it is ``Series.tolist()``."""
    loc = frame.columns.get_loc(name)
    getter = getattr(frame, "_get_column_array", None)
    return getter(loc) if isinstance(loc, int) and getter is not None else frame[name].array


class FrameColumns:
    """The columns of one frame, each read from pandas once (``frame[col]`` costs ~12 µs and a request reads
    ~40 columns across the features and the prior): Python objects as ``Series.tolist()`` gives them, or
    floats. A column the frame lacks reads as all None / NaN."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._names = set(frame.columns.tolist())  # set lookups: an Index's ``in`` costs ~1 µs
        self._arrays: dict[str, Any] = {}
        self._objects: dict[str, np.ndarray] = {}
        self._floats: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.frame)

    def has(self, col: str) -> bool:
        return col in self._names

    def series(self, col: str) -> pd.Series:
        return self.frame[col]

    def array(self, col: str) -> Any:
        """The column's values as stored (numpy array or pandas extension array); do not modify them."""
        out = self._arrays.get(col)
        if out is None:
            out = self._arrays[col] = column_array(self.frame, col)
        return out

    def objects(self, col: str) -> np.ndarray:
        """``frame[col].to_numpy(dtype=object)`` (None-filled when absent); do not modify it."""
        out = self._objects.get(col)
        if out is None:
            if col not in self._names:
                out = np.full(len(self.frame), None, dtype=object)
            else:
                values = self.array(col)
                out = (np.asarray(values, dtype=object) if isinstance(values, np.ndarray)
                       else values.to_numpy(dtype=object))
            self._objects[col] = out
        return out

    def numeric(self, col: str) -> bool:
        """The column holds plain numpy numbers (floats read without parsing)."""
        if col not in self._names:
            return False
        dtype = self.array(col).dtype
        return isinstance(dtype, np.dtype) and dtype.kind in "fiub"

    def floats(self, col: str) -> np.ndarray:
        """The column as float64: numpy numbers as they are, anything else through ``pd.to_numeric``
        (unparsable → NaN); all NaN when absent."""
        out = self._floats.get(col)
        if out is None:
            if col not in self._names:
                out = np.full(len(self.frame), np.nan)
            elif self.numeric(col):
                out = np.asarray(self.array(col), dtype=float)
            else:
                out = pd.to_numeric(self.series(col), errors="coerce").to_numpy(dtype=float)
            self._floats[col] = out
        return out
