"""Sessions: a random id in the cookie and nothing else; forged, replayed and revoked cookies fail."""

from __future__ import annotations

import base64
import json
import os
import stat

from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import select

from api.main import create_app
from api.sessions import COOKIE
from finmatch.auth import hash_key, revoke_key, session_hash
from finmatch.storage import make_engine
from finmatch.storage.orm import ApiKeyRow, WebSessionRow
from tests.security.conftest import HTML, sign_in


def _key_id(key: str) -> str:
    return key.split("_")[1]


def test_cookie_is_a_random_id_with_strict_attributes(sec) -> None:
    c = sec.client
    r = c.get("/login", headers=HTML)
    header = r.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Secure" not in header  # loopback server
    before = c.cookies.get(COOKIE)
    sign_in(c, sec.keys["admin"])
    after = c.cookies.get(COOKIE)
    assert after and after != before  # a fresh id at sign-in: no session fixation
    assert sec.keys["admin"] not in after and hash_key(sec.keys["admin"]) not in after
    assert len(after) >= 40 and "." not in after  # random token, no payload, no signature
    db = c.app.state.finmatch.db
    with db.factory() as s:
        rows = s.scalars(select(WebSessionRow)).all()
        stored = {r.session_hash for r in rows}
    assert session_hash("s" * 32, after) in stored and after not in stored  # the table holds an HMAC only
    assert c.get("/", headers=HTML).status_code == 200


def test_secure_cookie_off_loopback(sqlite_settings) -> None:
    from tests.api.conftest import seed

    cfg = sqlite_settings.model_copy(update={"use_embeddings": False, "secret_key": "s" * 32, "host": "0.0.0.0"})
    seed(cfg)
    with TestClient(create_app(cfg)) as client:
        assert "Secure" in client.get("/login", headers=HTML).headers["set-cookie"]


def test_forged_cookie_with_the_old_default_secret_is_refused(sec) -> None:
    """The probe's attack: the default secret plus a key hash made an admin cookie."""
    digest = hash_key(sec.keys["admin"])
    payload = base64.b64encode(json.dumps({"key_digest": digest}).encode())
    forged = TimestampSigner("finmatch-dev-secret-change-me").sign(payload).decode()
    for name in ("session", COOKIE):
        sec.client.cookies.clear()
        sec.client.cookies.set(name, forged)
        r = sec.client.get("/", headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert sec.client.get("/audit").status_code == 401
        assert sec.client.post("/models/reload").status_code == 401


def test_logout_ends_the_session_and_a_replayed_cookie_fails(sec) -> None:
    c = sec.client
    sign_in(c, sec.keys["admin"])
    stolen = c.cookies.get(COOKIE)
    page = c.get("/", headers=HTML)
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    assert c.post("/logout", data={"csrf": token}, headers=HTML, follow_redirects=False).status_code == 303
    c.cookies.clear()
    c.cookies.set(COOKIE, stolen)
    r = c.get("/", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["location"]


def test_revoking_the_key_ends_its_sessions_at_once(sec) -> None:
    c = sec.client
    sign_in(c, sec.keys["organiser"])
    assert c.get("/", headers=HTML).status_code == 200
    db = c.app.state.finmatch.db
    revoke_key(db.factory, _key_id(sec.keys["organiser"]))
    with db.factory() as s:
        assert s.scalar(select(WebSessionRow).where(WebSessionRow.key_id == _key_id(sec.keys["organiser"]))) is None
    r = c.get("/", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["location"]


def test_api_key_table_holds_no_usable_cookie_material(sec) -> None:
    """What api_keys stores (the key's SHA-256) no longer opens a session."""
    db = sec.client.app.state.finmatch.db
    with db.factory() as s:
        digests = s.scalars(select(ApiKeyRow.key_hash)).all()
    for d in digests:
        sec.client.cookies.clear()
        sec.client.cookies.set(COOKIE, d)
        assert sec.client.get("/", headers=HTML, follow_redirects=False).status_code == 303


def test_sqlite_file_is_owner_only(tmp_path) -> None:
    path = tmp_path / "new.db"
    old = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        engine.dispose()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
