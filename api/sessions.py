"""Server-side page sessions: the cookie carries a random id and nothing else.

``request.session`` stays a plain dict for the pages (CSRF token, flash messages, the signed-in
key's id under ``SESSION_KEY``); this middleware loads it from ``web_sessions`` and writes it back
when it changed. A change of the signed-in key (sign-in, sign-out) issues a new id and deletes the
old row, so an id seen before sign-in is worthless after it. The cookie is HttpOnly,
SameSite=Strict, and Secure unless the server listens on loopback only.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from http.cookies import SimpleCookie
from typing import Any

from anyio import to_thread
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from finmatch.auth import WebSession, end_web_session, load_web_session, save_web_session
from finmatch.settings import Settings, is_loopback

log = logging.getLogger(__name__)
COOKIE = "finmatch_session"
SESSION_KEY = "key_id"  # the signed-in key's id in request.session (never the key, never its hash)
NO_SESSION_PATHS = ("/health", "/ready", "/static/", "/docs", "/openapi.json", "/redoc")


def _cookie_value(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is no session
                return None
            if COOKIE in jar:
                return jar[COOKIE].value
    return None


class ServerSessionMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.secure = settings.secure_cookies or not is_loopback(settings.host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NO_SESSION_PATHS):
            await self.app(scope, receive, send)
            return
        state = getattr(scope["app"].state, "finmatch", None)
        if state is None:  # not started: nothing to load from
            await self.app(scope, receive, send)
            return
        factory, secret = state.db.factory, self.settings.resolved_secret_key
        sid = _cookie_value(scope)
        loaded: WebSession | None = None
        if sid:
            loaded = await to_thread.run_sync(load_web_session, factory, secret, sid)
        data: dict[str, Any] = dict(loaded.data) if loaded else {}
        if loaded and loaded.key_id:
            data[SESSION_KEY] = loaded.key_id
        before = json.dumps(data, sort_keys=True, default=str)
        scope["session"] = data
        ttl = dt.timedelta(hours=self.settings.session_hours)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await to_thread.run_sync(self._persist, factory, secret, loaded, data, before, ttl, sid)
                if cookie is not None:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _persist(self, factory: Any, secret: str, loaded: WebSession | None, data: dict[str, Any], before: str,
                 ttl: dt.timedelta, sent_sid: str | None) -> str | None:
        """Write the session back; the Set-Cookie header value, or None when the cookie stays."""
        key_id = data.get(SESSION_KEY)
        key_id = str(key_id) if key_id else None
        changed = json.dumps(data, sort_keys=True, default=str) != before
        if not data:
            if loaded is not None:
                end_web_session(factory, secret, loaded.session_id)
            return self._cookie("", 0) if sent_sid else None
        if loaded is None or key_id != loaded.key_id:  # new, or signed in / out: a fresh id
            fresh = save_web_session(factory, secret, data, key_id, ttl,
                                     replaces=loaded.session_id if loaded else None)
            return self._cookie(fresh.session_id, int(ttl.total_seconds()))
        half_used = loaded.expires_at - dt.datetime.now(dt.UTC) < ttl / 2
        if changed or half_used:  # sliding expiry, written at most every ttl/2 when unchanged
            save_web_session(factory, secret, data, key_id, ttl, session_id=loaded.session_id)
            return self._cookie(loaded.session_id, int(ttl.total_seconds()))
        return None

    def _cookie(self, value: str, max_age: int) -> str:
        parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Strict"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)
