"""Past matchmaking events (科技金融对接活动), 2024-03 … 2026-10, in Guangxi cities.

domain.md: 16–24 institutions and 90–100 projects per provincial event, roadshows in the "8+7"
format (8 min pitch, 7 min Q&A, so 15-minute slots); 1:1 tables with capacity caps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from finmatch.enums import GUANGXI_CITIES
from finmatch.schemas import Event, Product, Project

FIRST_DAY, LAST_DAY = dt.date(2024, 3, 1), dt.date(2026, 10, 31)
EVENT_CITIES = ("南宁", "柳州", "桂林", "钦州", "北海", "梧州", "玉林", "百色")
EVENT_CITY_P = np.array([0.34, 0.18, 0.16, 0.08, 0.07, 0.06, 0.06, 0.05])
MAX_POOL = 3000
_THEMES = ("科技金融对接活动", "中试项目投融资路演", "投贷保担补联动对接会", "科技成果转化基金项目对接会")


def _dates(n: int, rng: np.random.Generator) -> list[dt.date]:
    span = (LAST_DAY - FIRST_DAY).days
    base = np.linspace(0, span, n + 2)[1:-1]
    jitter = rng.uniform(-0.3, 0.3, n) * span / (n + 1)
    return sorted(FIRST_DAY + dt.timedelta(days=int(np.clip(d, 0, span))) for d in base + jitter)


def _serves(product: Product, city: str) -> bool:
    return not product.cities or "广西" in product.cities or city in product.cities


def generate_events(projects: Sequence[Project] | pd.DataFrame, products: Sequence[Product], seed: int,
                    n_events: int = 10) -> list[Event]:
    """n_events past events; each has 60–100 projects (local firms over-weighted) and 15–40 valid products.

    ``projects`` may be Project models or a projects frame; with a frame, firms founded after the
    event year are left out.
    """
    rng = np.random.default_rng([seed, 7])
    if isinstance(projects, pd.DataFrame):
        pids = projects["project_id"].astype(str).to_numpy()
        pcity = projects["city"].fillna("").astype(str).to_numpy()
        founded = pd.to_numeric(projects["founded_year"], errors="coerce").fillna(1900).to_numpy()
    else:
        pids = np.array([p.project_id for p in projects])
        pcity = np.array([""] * len(pids))
        founded = np.full(len(pids), 1900.0)
    city_code = {c: i for i, c in enumerate(dict.fromkeys(pcity.tolist()))}
    pcode = np.array([city_code[c] for c in pcity], dtype=np.int64)
    in_gx = np.isin(pcity, GUANGXI_CITIES)
    events: list[Event] = []
    per_year: dict[int, int] = {}
    for date in _dates(n_events, rng):
        city = str(rng.choice(EVENT_CITIES, p=EVENT_CITY_P))
        per_year[date.year] = per_year.get(date.year, 0) + 1
        k = per_year[date.year]
        pool = np.flatnonzero(founded <= date.year)
        size = min(len(pool), int(rng.integers(60, 101)))
        if len(pool) > MAX_POOL:  # large sets: weight a uniform sub-sample, O(size) not O(n) per event
            pool = np.sort(rng.choice(pool, size=MAX_POOL, replace=False))
        local = pcode[pool] == city_code.get(city, -1)
        weight = np.where(local, 3.0, np.where(in_gx[pool], 1.0, 0.4))
        chosen = rng.choice(pool, size=size, replace=False, p=weight / weight.sum())
        valid = [q for q in products if (q.valid_to is None or q.valid_to >= date) and _serves(q, city)]
        qw = np.array([2.0 if (q.cities and city in q.cities) else 1.0 for q in valid])
        n_products = min(len(valid), int(rng.integers(15, 41)))
        picked = sorted(rng.choice(len(valid), size=n_products, replace=False, p=qw / qw.sum()))
        product_ids = [valid[j].product_id for j in picked]
        institutions = {valid[j].institution_id for j in picked}
        slots = int(rng.choice([8, 10, 12]))
        events.append(Event(
            event_id=f"EV{date.year}-{k:02d}", name=f"{date.year}年{city}{_THEMES[int(rng.integers(len(_THEMES)))]}（第{k}期）",
            date=date, city=city, project_ids=[str(p) for p in pids[np.sort(chosen)]], product_ids=product_ids,
            slots=slots, slot_minutes=15, tables=len(institutions), max_meetings_per_project=int(rng.choice([4, 5, 6])),
            max_meetings_per_institution=slots))
    return events
