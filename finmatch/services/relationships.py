"""What an institution already has with each prospect, from the recorded outcomes: signed before, in due
diligence, rejected before, met; and the credit facts an officer screens on. Used by the prospect lists
(staff and the owning institution only: the caller checks access first)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from finmatch.enums import Certification, OutcomeStage, TaxGrade
from finmatch.storage.orm import OutcomeRow, ProductRow

# status code → Chinese label; "client" means a signed or approved deal with this institution
STATUS_LABELS = {"client": "已签约客户", "due_diligence": "尽职调查中", "rejected": "曾被拒绝", "met": "已洽谈",
                 "new": "新客户"}
CLIENT_FILTERS = ("all", "hide", "only")


def _describe(stages: list[tuple[dt.date, str, str]], product_id: str) -> dict[str, Any]:
    """One project's relationship from its outcomes with the institution: (date, stage, product)."""
    signed = [(d, p) for d, s, p in stages if s in (OutcomeStage.SIGNED, OutcomeStage.APPROVED)]
    if signed:
        last = max(d for d, _ in signed)
        here = sum(1 for _, p in signed if p == product_id)
        text = f"已签约 {len(signed)} 次（本产品 {here} 次），最近 {last.isoformat()}"
        return {"status": "client", "status_label": STATUS_LABELS["client"], "status_text": text,
                "status_date": last}
    latest = max(stages)
    d, stage, _ = latest
    if stage == OutcomeStage.DUE_DILIGENCE:
        code, text = "due_diligence", f"尽职调查中（自 {d.isoformat()}）"
    elif stage in (OutcomeStage.REJECTED, OutcomeStage.WITHDRAWN) or any(s == OutcomeStage.REJECTED
                                                                         for _, s, _ in stages):
        when = max(x for x, s, _ in stages if s in (OutcomeStage.REJECTED, OutcomeStage.WITHDRAWN))
        code, text = "rejected", f"曾被拒绝或撤回（{when.isoformat()}）"
        d = when
    elif stage in (OutcomeStage.MEETING, OutcomeStage.CONTACTED):
        code, text = "met", f"{OutcomeStage(stage).label}（{d.isoformat()}）"
    else:
        code, text = "new", f"{OutcomeStage(stage).label}（{d.isoformat()}）"
    return {"status": code, "status_label": STATUS_LABELS[code], "status_text": text, "status_date": d}


def relationships(session: Session, institution_id: str, product_id: str,
                  project_ids: list[str]) -> dict[str, dict[str, Any]]:
    """project → status, label, text with dates (from every product of the institution)."""
    if not project_ids:
        return {}
    products = select(ProductRow.product_id).where(ProductRow.institution_id == institution_id)
    rows = session.execute(select(OutcomeRow.project_id, OutcomeRow.date, OutcomeRow.stage, OutcomeRow.product_id)
                           .where(OutcomeRow.product_id.in_(products))
                           .where(OutcomeRow.project_id.in_(project_ids))).all()
    by_project: dict[str, list[tuple[dt.date, str, str]]] = defaultdict(list)
    for project, date, stage, product in rows:
        by_project[project].append((date, stage, product))
    new = {"status": "new", "status_label": STATUS_LABELS["new"], "status_text": "暂无往来", "status_date": None}
    return {pid: _describe(by_project[pid], product_id) if by_project.get(pid) else dict(new)
            for pid in project_ids}


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def credit_facts(project: pd.Series) -> dict[str, Any]:
    """Revenue, profit (万元), debt ratio, certifications and tax grade of the project's enterprise."""
    certs = project.get("certifications")
    certs = list(certs) if isinstance(certs, list | tuple | set | frozenset) else []
    labels = [Certification(c).label if c in Certification._value2member_map_ else str(c) for c in certs]
    tax = project.get("tax_grade")
    tax = tax if isinstance(tax, str) and tax else None
    return {"annual_revenue_wan": _num(project.get("annual_revenue_wan")),
            "net_profit_wan": _num(project.get("net_profit_wan")), "debt_ratio": _num(project.get("debt_ratio")),
            "certifications": certs, "certification_labels": labels, "tax_grade": tax,
            "tax_grade_label": TaxGrade(tax).label if tax is not None and tax in TaxGrade._value2member_map_ else tax}
