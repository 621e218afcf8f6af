"""API keys and role rules. Keys are stored only as SHA-256 hashes; the raw key is shown once.

Roles: ``admin`` (everything), ``organiser`` (everything about events, reads all), ``institution``
(bound to one institution: reads the catalogue and projects' match-relevant fields, sees
prospects and records outcomes only for its own products, edits only its own products).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from finmatch.exceptions import FinmatchError, NotFoundError, PermissionDeniedError
from finmatch.storage.db import transaction
from finmatch.storage.orm import ApiKeyRow, InstitutionRow, WebSessionRow

KEY_PREFIX = "fm"


class Role(StrEnum):
    ADMIN = "admin"
    ORGANISER = "organiser"
    INSTITUTION = "institution"

    @property
    def label(self) -> str:
        return {"admin": "管理员", "organiser": "活动组织方", "institution": "金融机构"}[self.value]


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    institution_id: str | None = None

    @property
    def actor(self) -> str:
        suffix = f":{self.institution_id}" if self.institution_id else ""
        return f"{self.role.value}{suffix}:{self.key_id}"

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.ORGANISER)

    def can_see_contacts(self) -> bool:
        return self.is_staff

    def owns(self, institution_id: str | None) -> bool:
        return self.role == Role.INSTITUTION and institution_id is not None and institution_id == self.institution_id

    def require_staff(self) -> None:
        if not self.is_staff:
            raise PermissionDeniedError("仅管理员或活动组织方可执行此操作")

    def require_admin(self) -> None:
        if self.role != Role.ADMIN:
            raise PermissionDeniedError("仅管理员可执行此操作")

    def require_product_access(self, product_institution_id: str) -> None:
        """Prospects, outcomes and edits of a product: staff, or the institution that owns it."""
        if not (self.is_staff or self.owns(product_institution_id)):
            raise PermissionDeniedError("只能查看或操作本机构的产品")

    def require_product_edit(self, product_institution_id: str) -> None:
        if not (self.role == Role.ADMIN or self.owns(product_institution_id)):
            raise PermissionDeniedError("只能编辑本机构的产品")


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_key(factory: sessionmaker[Session], *, role: str, institution_id: str | None = None,
               label: str | None = None) -> str:
    try:
        r = Role(role)
    except ValueError:
        raise FinmatchError(f"未知角色 '{role}'，可选 admin、organiser、institution", field="role") from None
    if r == Role.INSTITUTION and not institution_id:
        raise FinmatchError("institution 角色必须指定 --institution 机构编号", field="institution_id")
    if r != Role.INSTITUTION and institution_id:
        raise FinmatchError("只有 institution 角色可以绑定机构", field="institution_id")
    key_id = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(24)}"
    with transaction(factory) as session:
        if institution_id and session.get(InstitutionRow, institution_id) is None:
            raise NotFoundError(f"机构 {institution_id} 不存在", field="institution_id")
        session.add(ApiKeyRow(key_id=key_id, key_hash=hash_key(raw), role=r.value, institution_id=institution_id,
                              label=label))
    return raw


def authenticate(session: Session, raw: str | None) -> Principal | None:
    """The principal for a raw key, or None when the key is missing, unknown or revoked."""
    if not raw or not raw.startswith(KEY_PREFIX + "_"):
        return None
    return authenticate_digest(session, hash_key(raw))


def authenticate_digest(session: Session, digest: str | None) -> Principal | None:
    """The principal for a key's SHA-256 digest (what the pages' session cookie holds, never the key)."""
    if not digest:
        return None
    row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == digest))
    if row is None or row.revoked or not hmac.compare_digest(row.key_hash, digest):
        return None
    return Principal(row.key_id, Role(row.role), row.institution_id)


def key_prefix(raw: str) -> str:
    """The public part of a key (``fm_<key_id>``): what failed-attempt limits are counted per."""
    parts = raw.strip().split("_")
    return "_".join(parts[:2])[:40] if len(parts) >= 3 else raw.strip()[:8]


def principal_for_key_id(session: Session, key_id: str | None) -> Principal | None:
    """The principal of a signed-in page session's key, or None once the key is revoked or gone."""
    if not key_id:
        return None
    row = session.get(ApiKeyRow, key_id)
    if row is None or row.revoked:
        return None
    return Principal(row.key_id, Role(row.role), row.institution_id)


# ---- server-side page sessions ----------------------------------------------------------------
# The browser holds a random 256-bit id; the table stores HMAC(secret, id), so neither a copy of the
# database nor the secret alone gives a usable cookie, and changing the secret ends every session.

@dataclass
class WebSession:
    session_id: str
    key_id: str | None
    data: dict[str, Any]
    expires_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def session_hash(secret: str, session_id: str) -> str:
    return hmac.new(secret.encode("utf-8"), session_id.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def load_web_session(factory: sessionmaker[Session], secret: str, session_id: str) -> WebSession | None:
    """The live session for a cookie's id, or None (unknown, expired, ended, or a malformed id)."""
    if not session_id or len(session_id) > 100 or not session_id.isascii():
        return None
    with factory() as session:
        row = session.get(WebSessionRow, session_hash(secret, session_id))
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
        if expires <= _now():
            return None
        return WebSession(session_id, row.key_id, dict(row.data or {}), expires)


def save_web_session(factory: sessionmaker[Session], secret: str, data: dict[str, Any], key_id: str | None,
                     ttl: dt.timedelta, session_id: str | None = None, replaces: str | None = None) -> WebSession:
    """Write a session (a new random id unless ``session_id`` is given); ``replaces`` is deleted in
    the same transaction (a new id at sign-in and sign-out: no session fixation)."""
    sid = session_id or secrets.token_urlsafe(32)
    now = _now()
    with transaction(factory) as session:
        if replaces:
            session.execute(delete(WebSessionRow).where(WebSessionRow.session_hash == session_hash(secret, replaces)))
        if session_id is None:
            session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now))  # purge ended ones
        row = session.get(WebSessionRow, session_hash(secret, sid))
        if row is None:
            session.add(WebSessionRow(session_hash=session_hash(secret, sid), key_id=key_id, data=data,
                                      created_at=now, expires_at=now + ttl))
        else:
            row.key_id, row.data, row.expires_at = key_id, data, now + ttl
    return WebSession(sid, key_id, data, now + ttl)


def end_web_session(factory: sessionmaker[Session], secret: str, session_id: str) -> None:
    with transaction(factory) as session:
        session.execute(delete(WebSessionRow).where(WebSessionRow.session_hash == session_hash(secret, session_id)))


def list_keys(factory: sessionmaker[Session]) -> list[dict[str, object]]:
    """Every key's id, role, institution and state; never the key or its hash."""
    with factory() as session:
        rows = session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.key_id)).all()
        return [{"key_id": r.key_id, "role": r.role, "institution_id": r.institution_id, "label": r.label,
                 "created_at": r.created_at, "revoked": r.revoked} for r in rows]


def revoke_key(factory: sessionmaker[Session], key_id: str) -> None:
    with transaction(factory) as session:
        row = session.get(ApiKeyRow, key_id)
        if row is None:
            raise NotFoundError(f"API 密钥 {key_id} 不存在", field="key_id")
        row.revoked = True
        session.execute(delete(WebSessionRow).where(WebSessionRow.key_id == key_id))  # its page sessions end now
