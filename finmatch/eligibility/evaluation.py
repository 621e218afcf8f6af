"""The public entry point: ``evaluate(projects, products)`` and the result object built around it."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from finmatch.eligibility import clauses, what_if
from finmatch.eligibility.prepare import ProductArrays, ProjectArrays, prepare_products, prepare_projects
from finmatch.eligibility.reasons import PRODUCT_COLUMNS, PROJECT_COLUMNS, reason
from finmatch.eligibility.values import (
    CLAUSE_FIELDS,
    FAIL,
    NO_CONSTRAINT,
    STATUS_NAMES,
    UNKNOWN,
    as_code,
    column_array,
)
from finmatch.eligibility.what_if import WhatIf
from finmatch.exceptions import NotFoundError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClauseResult:
    """One constraint of one project–product pair, with the reason a user reads."""

    field: str
    status: Literal["pass", "fail", "unknown"]
    reason: str


class EligibilityResult:
    """Clause-by-clause status matrices for N projects × M products, and the per-pair views on them."""

    def __init__(self, projects: pd.DataFrame, products: pd.DataFrame, today: dt.date, pa: ProjectArrays,
                 qa: ProductArrays, status: dict[str, np.ndarray], product_rows: dict[int, dict] | None = None) -> None:
        self.project_ids: list[str] = pa.ids
        self.product_ids: list[str] = qa.ids
        self.today = today
        self.status: dict[str, np.ndarray] = status
        self.eligible: np.ndarray = clauses.eligible_from(status)
        self._projects = projects
        self._products = products
        self._pa = pa
        self._qa = qa
        self._project_pos = {pid: i for i, pid in reversed(list(enumerate(pa.ids)))}
        self._product_pos = {pid: j for j, pid in reversed(list(enumerate(qa.ids)))}
        self._project_rows: dict[int, dict] = {}  # whole row dicts, for a clause not in PROJECT_COLUMNS
        # the project columns the sentences read, as Python values (one pass over a column, not a pandas
        # row per pair); a frame with repeated column names keeps the row dicts
        self._project_columns: dict[str, list[Any] | None] = {}
        self._by_columns = projects.columns.is_unique
        self._sentences: dict[tuple, str] = {}  # per distinct sentence input, see _sentence
        self._product_keys: dict[tuple[str, int], tuple] = {}  # (field, product) -> its values, hashable
        self._project_inputs: dict[tuple[str, int], tuple[dict, tuple]] = {}  # (field, project) -> values, key
        # product rows may be shared by every result on the same catalogue frame (read-only dicts)
        self._product_rows: dict[int, dict] = {} if product_rows is None else product_rows

    @property
    def project_arrays(self) -> ProjectArrays:
        """The projects as prepared for the vectorised clauses (what-if patches copies of them)."""
        return self._pa

    @property
    def product_arrays(self) -> ProductArrays:
        """The products as prepared for the vectorised clauses."""
        return self._qa

    def __repr__(self) -> str:
        return (f"EligibilityResult({len(self.project_ids)} projects × {len(self.product_ids)} products, "
                f"{int(self.eligible.sum())} eligible pairs)")

    # -- lookups ---------------------------------------------------------------------------------
    def _i(self, project_id: str) -> int:
        try:
            return self._project_pos[str(project_id)]
        except KeyError:
            raise NotFoundError(f"未找到项目 {project_id}", field="project_id") from None

    def _j(self, product_id: str) -> int:
        try:
            return self._product_pos[str(product_id)]
        except KeyError:
            raise NotFoundError(f"未找到金融产品 {product_id}", field="product_id") from None

    def product_name(self, product_id: str) -> str:
        """The product's name followed by its id, for descriptions."""
        j = self._j(product_id)
        name = self._products["name"].iat[j] if "name" in self._products.columns else None
        return f"{name}（{product_id}）" if as_code(name) else str(product_id)

    def guarantee_products(self, project_id: str) -> list[str]:
        """Guarantee products in the catalogue the project is eligible for (they stand in for collateral)."""
        i = self._i(project_id)
        return [pid for j, pid in enumerate(self.product_ids)
                if self._qa.family[j] == "guarantee" and self.eligible[i, j]]

    # -- matrices --------------------------------------------------------------------------------
    def eligible_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.eligible, index=pd.Index(self.project_ids, name="project_id"),
                            columns=pd.Index(self.product_ids, name="product_id"))

    def margins(self) -> dict[str, np.ndarray]:
        """Float32 N×M ranking features: amount_ratio (need / amount_max_wan), budget_cover_ratio,
        trl_distance (0 inside the range), age_over_min_years, age_under_max_years,
        debt_ratio_headroom; NaN where the product sets no such bound or the project lacks the value."""
        return clauses.margins(self._pa, self._qa, self.today)

    # -- per pair --------------------------------------------------------------------------------
    def _fields_with(self, project_id: str, product_id: str, code: int) -> list[str]:
        i, j = self._i(project_id), self._j(product_id)
        return [f for f in CLAUSE_FIELDS if self.status[f][i, j] == code]

    def failed_fields(self, project_id: str, product_id: str) -> list[str]:
        return self._fields_with(project_id, product_id, FAIL)

    def unknown_fields(self, project_id: str, product_id: str) -> list[str]:
        return self._fields_with(project_id, product_id, UNKNOWN)

    def is_eligible(self, project_id: str, product_id: str) -> bool:
        return bool(self.eligible[self._i(project_id), self._j(product_id)])

    def explain(self, project_id: str, product_id: str, statuses: Collection[str] | None = None,
                fields: Collection[str] | None = None) -> list[ClauseResult]:
        """Every clause the product states, with pass / fail / unknown and the reason in Chinese.

        ``statuses`` / ``fields`` keep only those clauses; the sentences of the others are never built
        (a view that shows the passed clauses of its top rows need not word every failed one).
        """
        i, j = self._i(project_id), self._j(product_id)
        names = (CLAUSE_FIELDS if fields is None else _in_clause_order(fields)
                 if isinstance(fields, tuple | frozenset) else [f for f in CLAUSE_FIELDS if f in fields])
        wanted = [(f, code) for f in names if (code := int(self.status[f][i, j])) != NO_CONSTRAINT
                  and (statuses is None or STATUS_NAMES[code] in statuses)]
        if not wanted:
            return []
        product = self._product_rows.get(j)
        if product is None:
            product = self._product_rows[j] = self._products.iloc[j].to_dict()
        return [ClauseResult(f, STATUS_NAMES[code], self._sentence(f, code, i, j, product)) for f, code in wanted]

    def _sentence(self, field: str, code: int, i: int, j: int, product: dict) -> str:
        """One clause's reason from just the project values it reads; worded once per distinct input
        (field, status, the project and product values it reads; ``today`` is the result's)."""
        columns, product_columns = PROJECT_COLUMNS.get(field), PRODUCT_COLUMNS.get(field)
        if columns is None or product_columns is None or not self._by_columns:
            return reason(field, code, self._project_row(i), product, self.today)
        inputs = self._project_inputs.get((field, i))
        if inputs is None:
            project = {c: values[i] for c in columns if (values := self._project_column(c)) is not None}
            inputs = self._project_inputs[field, i] = (project, tuple(map(_frozen, project.values())))
        project, project_key = inputs
        product_key = self._product_keys.get((field, j))
        if product_key is None:
            product_key = self._product_keys[field, j] = tuple(_frozen(product.get(c)) for c in product_columns)
        key = (field, code, project_key, product_key)
        try:
            text = self._sentences.get(key)
        except TypeError:  # a value with no faithful hashable form (a set, a dict): worded every time
            text = None
        if text is None:
            text = reason(field, code, project, product, self.today)
            with contextlib.suppress(TypeError):  # (pd.NA compared with another value on a hash collision)
                self._sentences[key] = text
        return text

    def _project_row(self, i: int) -> dict:
        row = self._project_rows.get(i)
        if row is None:
            row = self._project_rows[i] = self._projects.iloc[i].to_dict()
        return row

    def _project_column(self, name: str) -> list[Any] | None:
        """The column's values as the row dicts hold them, None when the frame lacks it."""
        if name not in self._project_columns:
            self._project_columns[name] = (column_values(self._projects, name) if name in self._projects.columns
                                           else None)
        return self._project_columns[name]

    def project_position(self, project_id: str) -> int | None:
        """The project's row in the matrices (first of equal ids), None when absent: a dict lookup."""
        return self._project_pos.get(project_id)

    def product_position(self, product_id: str) -> int | None:
        """The product's column in the matrices (first of equal ids), None when absent."""
        return self._product_pos.get(product_id)

    def what_if(self, project_id: str, product_id: str) -> list[WhatIf]:
        """For an ineligible pair, the smallest changes that make it eligible (empty if none exists)."""
        return what_if.pair_what_if(self, self._i(project_id), self._j(product_id))

    def project_what_if(self, project_id: str) -> list[WhatIf]:
        """Each single change and the products it alone would make eligible for this project."""
        return what_if.project_what_if(self, self._i(project_id))


@lru_cache(maxsize=64)
def _in_clause_order(fields: tuple[str, ...] | frozenset[str]) -> tuple[str, ...]:
    """The clause fields kept by a (hashable) ``fields`` filter, in clause order: computed once per filter."""
    return tuple(f for f in CLAUSE_FIELDS if f in fields)


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a sentence input, equal only for values worded alike: the type is part of
    it, a float is its exact bits (-0.0 is not 0.0; every NaN is one), a list or array its elements."""
    if type(value) is str:
        return value
    if isinstance(value, float):
        return type(value), value.hex()
    if isinstance(value, list | tuple | np.ndarray):
        return type(value), tuple(map(_frozen, value))
    return type(value), value


def column_values(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column's values as ``frame.iloc[i].to_dict()`` gives them: numpy scalars boxed to Python ones."""
    values = column_array(frame, name)
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "biuf":
            return values.tolist()
        if values.dtype != object:  # datetimes and the like: pandas' boxing
            return frame[name].tolist()
        items = values.tolist()
    else:  # an extension array: its own elements (a short one element by element, cheaper than tolist)
        items = list(values) if len(values) <= 16 else values.tolist()
    return [_box(v) if isinstance(v, np.generic) else v for v in items]


def _box(value: np.generic) -> Any:
    """pandas' boxing of a numpy scalar read from an object column (``Series.to_dict``)."""
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.timedelta64):
        return pd.Timedelta(value)
    if isinstance(value, np.floating | np.integer | np.bool_):
        return value.item()
    return value


def evaluate(projects: pd.DataFrame, products: pd.DataFrame, today: dt.date | None = None) -> EligibilityResult:
    """Evaluate every clause for every project × product pair (vectorised)."""
    today = today or dt.date.today()
    qa = prepare_products(products)
    pa = prepare_projects(projects, qa)
    status = clauses.evaluate_clauses(pa, qa, today)
    result = EligibilityResult(projects, products, today, pa, qa, status)
    log.debug("eligibility: %s", result)
    return result
