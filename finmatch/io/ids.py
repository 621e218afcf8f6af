"""Ids for rows that carry none, and links by name, so office lists import and re-import cleanly.

* An enterprise is matched by 统一社会信用代码, then by its exact name (in the file, then in the
  database) before a new one is created; an institution by its exact name.
* A missing id is derived from what identifies the row (credit code or name; the enterprise and the
  project name; the institution and the product name; an event's name and date), so the same rows
  get the same ids on every import: re-importing an edited list updates, never duplicates.
* A project row naming its enterprise (申报单位) instead of an id is linked to it; a product row
  naming its institution (机构名称) likewise.
* A spreadsheet row updates only the columns it has: other fields of a stored record stay as they
  are (a JSON document still replaces whole records, as the v1 format says).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from finmatch.io.headers import EMBEDDED
from finmatch.io.readers import RawRecord
from finmatch.schemas import ENTITY_MODELS
from finmatch.storage.orm import EnterpriseRow, InstitutionRow, ProductRow, ProjectRow
from finmatch.storage.repository import Repository

PREFIX = {"institutions": "JG", "enterprises": "QY", "projects": "XM", "products": "CP", "events": "HD"}


def derived_id(entity: str, *parts: Any) -> str:
    """A stable id from the identifying values: ``XM-1A2B3C4D``."""
    key = "|".join(str(p).strip() for p in parts)
    return f"{PREFIX[entity]}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:8].upper()}"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


class Resolver:
    """Looks up existing records by credit code and name (file first, then database)."""

    def __init__(self, session: Session | None) -> None:
        self.session = session
        self.by_code: dict[str, str] = {}
        self.by_name: dict[str, dict[str, str]] = {"enterprises": {}, "institutions": {}}
        self._owned: dict[str, dict[str, dict[str, str]]] = {}

    def _db_one(self, stmt: Any) -> str | None:
        if self.session is None:
            return None
        return self.session.scalars(stmt.limit(1)).first()

    def enterprise(self, data: dict[str, Any]) -> str | None:
        """The id of the enterprise these fields describe (matched or derived), None without a name."""
        given = _text(data.get("enterprise_id"))
        code = _text(data.get("credit_code"))
        name = _text(data.get("name"))
        found = given
        if found is None and code:
            found = self.by_code.get(code) or self._db_one(
                select(EnterpriseRow.enterprise_id).where(EnterpriseRow.credit_code == code))
        if found is None and name:
            found = self.by_name["enterprises"].get(name) or self._db_one(
                select(EnterpriseRow.enterprise_id).where(EnterpriseRow.name == name))
        if found is None and (code or name):
            found = derived_id("enterprises", code or name)
        if found is not None:
            if code:
                self.by_code.setdefault(code, found)
            if name:
                self.by_name["enterprises"].setdefault(name, found)
        return found

    def institution(self, name: str | None) -> str | None:
        if not name:
            return None
        return self.by_name["institutions"].get(name) or self._db_one(
            select(InstitutionRow.institution_id).where(InstitutionRow.name == name))

    def remember_institution(self, data: dict[str, Any]) -> None:
        key, name = _text(data.get("institution_id")), _text(data.get("name"))
        if name and not key:
            key = self.institution(name) or derived_id("institutions", name)
            data["institution_id"] = key
        if key and name:
            self.by_name["institutions"].setdefault(name, key)

    def _names(self, table: Any, owner_col: Any, key_col: Any, owner: str) -> dict[str, str]:
        """name -> id of the stored rows of one owner, one query per owner (not per row)."""
        cache = self._owned.setdefault(table.__tablename__, {})
        if owner not in cache:
            rows = [] if self.session is None else self.session.execute(
                select(table.name, key_col).where(owner_col == owner).order_by(key_col)).all()
            cache[owner] = {}
            for name, key in rows:
                cache[owner].setdefault(name, key)
        return cache[owner]

    def project(self, enterprise_id: str, name: str) -> str:
        found = self._names(ProjectRow, ProjectRow.enterprise_id, ProjectRow.project_id, enterprise_id).get(name)
        return found or derived_id("projects", enterprise_id, name)

    def product(self, institution_id: str, name: str) -> str:
        found = self._names(ProductRow, ProductRow.institution_id, ProductRow.product_id, institution_id).get(name)
        return found or derived_id("products", institution_id, name)


def resolve_records(records: Iterable[RawRecord], session: Session | None,
                    originals: dict[int, dict[str, Any]] | None = None) -> list[RawRecord]:
    """Fill missing ids and name links; split a projects row's enterprise columns into an enterprise
    record of its own (merged over the stored enterprise). Returns the records to validate.
    ``originals`` (record id → cells as typed) gains the typed cells of the split-off enterprises."""
    records = list(records)
    res = Resolver(session)
    # institutions and enterprises first, so that later rows find them by name
    for rec in records:
        if rec.entity == "institutions":
            res.remember_institution(rec.data)
        elif rec.entity == "enterprises" and not _text(rec.data.get("enterprise_id")):
            key = res.enterprise(rec.data)
            if key:
                rec.data["enterprise_id"] = key
        elif rec.entity == "enterprises":
            res.enterprise(rec.data)
    embedded: dict[str, RawRecord] = {}
    out: list[RawRecord] = []
    for rec in records:
        data = rec.data
        if rec.entity == "projects":
            ent = {k.removeprefix(EMBEDDED): data.pop(k) for k in list(data) if k.startswith(EMBEDDED)}
            if not _text(data.get("enterprise_id")) and ent:
                key = res.enterprise(ent)
                if key:
                    data["enterprise_id"] = key
                    _merge_embedded(embedded, key, ent, rec, originals)
            elif ent and _text(data.get("enterprise_id")):
                _merge_embedded(embedded, str(_text(data["enterprise_id"])), ent, rec, originals)
            if not _text(data.get("project_id")) and _text(data.get("enterprise_id")) and _text(data.get("name")):
                data["project_id"] = res.project(str(_text(data["enterprise_id"])), str(_text(data["name"])))
        elif rec.entity == "products":
            inst_name = _text(data.pop("institution.name", None))
            if not _text(data.get("institution_id")) and inst_name:
                data["institution_id"] = res.institution(inst_name) or inst_name
            if not _text(data.get("product_id")) and _text(data.get("institution_id")) and _text(data.get("name")):
                data["product_id"] = res.product(str(_text(data["institution_id"])), str(_text(data["name"])))
        elif rec.entity == "events" and not _text(data.get("event_id")) and _text(data.get("name")):
            data["event_id"] = derived_id("events", _text(data["name"]), data.get("date"))
        out.append(rec)
    sheet_enterprises = {_text(r.data.get("enterprise_id")) for r in records if r.entity == "enterprises"}
    out = [r for k, r in embedded.items() if k not in sheet_enterprises] + out
    return merge_stored(out, session)


def _merge_embedded(embedded: dict[str, RawRecord], key: str, ent: dict[str, Any], rec: RawRecord,
                    originals: dict[int, dict[str, Any]] | None) -> None:
    cols = {f.removeprefix(EMBEDDED): v for f, v in rec.columns.items() if f.startswith(EMBEDDED)}
    have = embedded.get(key)
    if have is None:
        new = RawRecord("enterprises", rec.file, rec.row, {"enterprise_id": key, **ent, "extra": {}},
                        sheet=rec.sheet, columns=cols)
        embedded[key] = new
        if originals is not None:
            typed = originals.get(id(rec), {})
            originals[id(new)] = {k.removeprefix(EMBEDDED): v for k, v in typed.items() if k.startswith(EMBEDDED)}
        return
    for f, v in ent.items():  # the first non-blank value of each column wins
        if have.data.get(f) in (None, "") and v not in (None, ""):
            have.data[f] = v


def merge_stored(records: list[RawRecord], session: Session | None) -> list[RawRecord]:
    """Spreadsheet rows (they know their columns) update only those columns of a stored record."""
    if session is None:
        return records
    repo = Repository(session)
    wanted: dict[str, set[str]] = {}
    for rec in records:
        model = ENTITY_MODELS[rec.entity]
        key = _text(rec.data.get(model.ID_FIELD)) if model.ID_FIELD else None
        if rec.columns and key:
            wanted.setdefault(rec.entity, set()).add(key)
    stored = {e: repo.fetch(e, keys) for e, keys in wanted.items()}
    for rec in records:
        model = ENTITY_MODELS[rec.entity]
        key = _text(rec.data.get(model.ID_FIELD)) if model.ID_FIELD else None
        old = stored.get(rec.entity, {}).get(key or "")
        if old is None or not rec.columns:
            continue
        base = old.model_dump(mode="json")
        links = {model.ID_FIELD, "enterprise_id", "institution_id"}  # ids the resolver may have filled
        given = {k: v for k, v in rec.data.items() if k in rec.columns or (k in links and v is not None)}
        extra = {**base.get("extra", {}), **(rec.data.get("extra") or {})}
        rec.data = {**base, **given, "extra": extra}
    return records
