"""View data the services do not provide as such: the dashboard summary, prospect downloads, and
parsing of form and filter input into values plus Chinese errors per field (input is kept as typed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.state import AppState
from finmatch.auth import Principal
from finmatch.enums import Sector, Stage
from finmatch.io.formula import neutralise_row, text_cells
from finmatch.services import catalogue
from finmatch.storage import Repository
from finmatch.storage.orm import AuditRow


def dashboard(session: Session, state: AppState, principal: Principal) -> dict[str, Any]:
    """Counts (role-filtered, through the catalogue service), events around today, newest projects, model."""
    counts = {}
    for entity in ("projects", "enterprises", "products", "institutions", "events", "outcomes"):
        counts[entity] = catalogue.list_page(session, principal, entity, {}, limit=1).total
    own_products: list[Any] = []
    if principal.institution_id:
        own_products = catalogue.list_page(session, principal, "products",
                                           {"institution_id": principal.institution_id}, limit=200).items
    today = state.settings.effective_today()
    events = catalogue.list_page(session, principal, "events", {}, sort="date", limit=200).items
    upcoming = [e for e in events if e.date >= today][:5]  # type: ignore[attr-defined]
    recent = [e for e in reversed(events) if e.date < today][:5]  # type: ignore[attr-defined]
    model = state.models.current.describe() if state.models.current else None
    from api.pages import model_card

    return {"counts": counts, "upcoming": upcoming, "recent": recent, "today": today,
            "newest": newest_projects(session, principal, 8), "model": model, "model_error": state.models.error,
            "own_products": own_products, "quality": model_card.sentences(model),
            "model_trained_at": model_card.beijing(model.get("created_at")) if model else None}


def newest_projects(session: Session, principal: Principal, n: int) -> list[Any]:
    """The projects most recently written (from the audit log), else the highest ids."""
    ids: list[str] = []
    stmt = (select(AuditRow.entity_id).where(AuditRow.entity == "projects", AuditRow.action != "delete")
            .order_by(AuditRow.audit_id.desc()).limit(n * 20))
    for pid in session.scalars(stmt):
        if pid not in ids:
            ids.append(pid)
        if len(ids) >= n:
            break
    found = Repository(session).fetch("projects", ids)
    items = [found[i] for i in ids if i in found]
    if len(items) < n:
        extra = catalogue.list_page(session, principal, "projects", {}, sort="-project_id", limit=n).items
        items += [p for p in extra if p.key not in {x.key for x in items}][: n - len(items)]
    return items


# ---- filters and forms ---------------------------------------------------------------------------

def parse_amount(raw: str | None, field: str, errors: dict[str, str]) -> float | None:
    text = (raw or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[field] = "请输入数字（单位：万元）"
        return None
    if value < 0:
        errors[field] = "金额不能为负数"
        return None
    return value


def parse_choice(raw: str | None, options: dict[str, str], field: str, errors: dict[str, str]) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    for code, lab in options.items():
        if text in (code, lab):
            return code
    errors[field] = "请从列表中选择"
    return None


def prospect_filters(params: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Filter values for ``product_prospects`` and the Chinese errors, by field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"city": (params.get("city") or "").strip() or None,
              "sector": parse_choice(params.get("sector"), Sector.labels(), "sector", errors),
              "stage": parse_choice(params.get("stage"), Stage.labels(), "stage", errors),
              "amount_min": parse_amount(params.get("amount_min"), "amount_min", errors),
              "amount_max": parse_amount(params.get("amount_max"), "amount_max", errors),
              "clients": params.get("clients") if params.get("clients") in ("hide", "only") else "all"}
    lo, hi = values["amount_min"], values["amount_max"]
    if lo is not None and hi is not None and lo > hi:
        errors["amount_max"] = "上限不能低于下限"
    return values, errors


def parse_page(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


# ---- downloads -------------------------------------------------------------------------------------

PROSPECT_HEADERS = ["名次", "项目编号", "项目名称", "企业名称", "所在城市", "所属领域", "领域来源", "所处阶段",
                    "融资需求(万元)", "对接概率", "与本机构往来", "上年营收(万元)", "上年净利润(万元)", "资产负债率",
                    "资质", "纳税信用", "匹配理由"]


def _pct(value: Any) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}%"


def prospect_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for it in items:
        sector = Sector.labels().get(it.get("sector") or "", it.get("sector") or "")
        rows.append([it["rank"], it["project_id"], it["project_name"], it.get("enterprise_name") or "",
                     it.get("city") or "", sector, "推断" if it.get("sector_inferred") else "填报",
                     Stage.labels().get(it["stage"], it["stage"]), it["funding_need_wan"], _pct(it["probability"]),
                     it.get("status_text") or "", it.get("annual_revenue_wan"), it.get("net_profit_wan"),
                     _pct(it.get("debt_ratio")), "、".join(it.get("certification_labels") or []),
                     it.get("tax_grade_label") or "", "；".join(it.get("reasons") or [])])
    return rows


def prospects_csv(items: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(PROSPECT_HEADERS)
    writer.writerows(neutralise_row(r) for r in prospect_rows(items))  # no live formulas
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel on Chinese Windows opens it as UTF-8


def prospects_xlsx(items: list[dict[str, Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "潜在项目"
    ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append(PROSPECT_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in prospect_rows(items):
        ws.append(row)
    for col, width in zip("ABCDEFGHIJKLMNOPQ", (6, 10, 30, 28, 8, 14, 8, 10, 14, 10, 30, 14, 14, 10, 30, 8, 60),
                          strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    text_cells(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def today_iso(state: AppState) -> str:
    return (state.settings.effective_today() or dt.date.today()).isoformat()
