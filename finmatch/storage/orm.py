"""SQLAlchemy tables mirroring the v1 entities, plus API keys, the audit log and the model index.

Column names equal the v1 field names so that conversion to and from the pydantic models is
mechanical (``finmatch.storage.convert``). List fields are JSON arrays of codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class InstitutionRow(Base):
    __tablename__ = "institutions"
    institution_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32), index=True)
    city: Mapped[str | None] = mapped_column(String(64))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EnterpriseRow(Base):
    __tablename__ = "enterprises"
    enterprise_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    city: Mapped[str | None] = mapped_column(String(64), index=True)
    founded_year: Mapped[int | None] = mapped_column(Integer)
    employees: Mapped[int | None] = mapped_column(Integer)
    annual_revenue_wan: Mapped[float | None] = mapped_column(Float)
    net_profit_wan: Mapped[float | None] = mapped_column(Float)
    debt_ratio: Mapped[float | None] = mapped_column(Float)
    rd_ratio: Mapped[float | None] = mapped_column(Float)
    invention_patents: Mapped[int | None] = mapped_column(Integer)
    certifications: Mapped[list[str]] = mapped_column(default=list)
    tax_grade: Mapped[str | None] = mapped_column(String(1))
    has_collateral: Mapped[bool] = mapped_column(Boolean, default=False)
    first_time_borrower: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_person: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ProjectRow(Base):
    __tablename__ = "projects"
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ForeignKey("enterprises.enterprise_id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[str | None] = mapped_column(String(40), index=True)
    industry_type: Mapped[str | None] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(32), index=True)
    trl: Mapped[int | None] = mapped_column(Integer)
    pilot_platform: Mapped[str | None] = mapped_column(String(300))
    funding_need_wan: Mapped[float] = mapped_column(Float)
    funding_types: Mapped[list[str]] = mapped_column(default=list)
    months_to_production: Mapped[int | None] = mapped_column(Integer)
    hazardous_chemicals: Mapped[bool] = mapped_column(Boolean, default=False)
    three_firsts: Mapped[list[str]] = mapped_column(default=list)
    government_supported: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ProductRow(Base):
    __tablename__ = "products"
    product_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.institution_id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    family: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    sectors: Mapped[list[str]] = mapped_column(default=list)
    stages: Mapped[list[str]] = mapped_column(default=list)
    trl_min: Mapped[int | None] = mapped_column(Integer)
    trl_max: Mapped[int | None] = mapped_column(Integer)
    amount_min_wan: Mapped[float | None] = mapped_column(Float)
    amount_max_wan: Mapped[float | None] = mapped_column(Float)
    cities: Mapped[list[str]] = mapped_column(default=list)
    required_certifications_any: Mapped[list[str]] = mapped_column(default=list)
    min_revenue_wan: Mapped[float | None] = mapped_column(Float)
    max_revenue_wan: Mapped[float | None] = mapped_column(Float)
    min_company_age_years: Mapped[int | None] = mapped_column(Integer)
    max_company_age_years: Mapped[int | None] = mapped_column(Integer)
    max_debt_ratio: Mapped[float | None] = mapped_column(Float)
    requires_profit: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_collateral: Mapped[bool] = mapped_column(Boolean, default=False)
    min_tax_grade: Mapped[str | None] = mapped_column(String(1))
    excludes_hazardous: Mapped[bool] = mapped_column(Boolean, default=False)
    requires_three_firsts: Mapped[bool] = mapped_column(Boolean, default=False)
    rate_pct: Mapped[float | None] = mapped_column(Float)
    tenor_months: Mapped[int | None] = mapped_column(Integer)
    budget_wan: Mapped[float | None] = mapped_column(Float)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class EventRow(Base):
    __tablename__ = "events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    city: Mapped[str | None] = mapped_column(String(64))
    project_ids: Mapped[list[str]] = mapped_column(default=list)
    product_ids: Mapped[list[str]] = mapped_column(default=list)
    slots: Mapped[int] = mapped_column(Integer)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    tables: Mapped[int] = mapped_column(Integer)
    max_meetings_per_project: Mapped[int] = mapped_column(Integer)
    max_meetings_per_institution: Mapped[int] = mapped_column(Integer)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OutcomeRow(Base):
    __tablename__ = "outcomes"
    outcome_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.project_id"), index=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.product_id"), index=True)
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.event_id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    amount_wan: Mapped[float | None] = mapped_column(Float)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(128), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    institution_id: Mapped[str | None] = mapped_column(ForeignKey("institutions.institution_id"))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSessionRow(Base):
    """A pages' sign-in session: the cookie holds a random id, this row its keyed hash (never the id),
    the key it signed in with, the CSRF token and flash messages. Deleted at logout and revocation."""

    __tablename__ = "web_sessions"
    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.key_id", ondelete="CASCADE"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class AuditRow(Base):
    """Append-only: the repository never updates or deletes these rows."""

    __tablename__ = "audit_log"
    audit_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(300))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),
                      Index("ix_audit_entity_newest", "entity", "audit_id"))  # data versions per entity


class ModelVersionRow(Base):
    """Index of trained models in the registry directory, newest first by ``created_at``."""

    __tablename__ = "model_versions"
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    path: Mapped[str] = mapped_column(String(500))
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    data_hash: Mapped[str | None] = mapped_column(String(64))


ENTITY_TABLES: dict[str, type[Base]] = {
    "institutions": InstitutionRow,
    "enterprises": EnterpriseRow,
    "projects": ProjectRow,
    "products": ProductRow,
    "events": EventRow,
    "outcomes": OutcomeRow,
}
PRIMARY_KEYS: dict[str, str] = {"institutions": "institution_id", "enterprises": "enterprise_id",
                                "projects": "project_id", "products": "product_id", "events": "event_id",
                                "outcomes": "outcome_key"}


class AgendaRow(Base):
    """A solved agenda of an event; the newest row per event is the current one (earlier ones are history)."""

    __tablename__ = "agendas"
    agenda_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.event_id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(100), default="system")
    model: Mapped[str] = mapped_column(String(64), default="prior")
    solver: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(100))
    objective: Mapped[float] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float)
    greedy_objective: Mapped[float | None] = mapped_column(Float)
    solve_seconds: Mapped[float | None] = mapped_column(Float)
    start: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=False))
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    meetings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    impossible: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
