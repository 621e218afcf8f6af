"""API keys and role rules. Keys are stored only as SHA-256 hashes; the raw key is shown once.

Roles: ``admin`` (everything), ``organiser`` (everything about events, reads all), ``institution``
(bound to one institution: reads the catalogue and projects' match-relevant fields, sees
prospects and records outcomes only for its own products, edits only its own products).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from finmatch.exceptions import FinmatchError, NotFoundError, PermissionDeniedError
from finmatch.storage.db import transaction
from finmatch.storage.orm import ApiKeyRow, InstitutionRow

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
