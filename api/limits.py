"""Request time limit: a request not answered within ``request_timeout_s`` gets a Chinese 503.

Starlette runs sync routes in worker threads that cannot be interrupted; the app call goes on in
its own task and whatever it sends after the deadline is dropped, so the client is always
answered in time. The work itself is kept short by the input caps (text, upload and row limits).
"""

from __future__ import annotations

import json
import logging

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
UNLIMITED_PATHS = ("/health",)


class TimeLimitMiddleware:
    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app, self.timeout_s = app, timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        started = finished = timed_out = False
        done = anyio.Event()

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the client already has its 503
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def run() -> None:
            nonlocal finished
            try:
                await self.app(scope, receive, guarded_send)
            finally:
                finished = True
                done.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            with anyio.move_on_after(self.timeout_s):
                await done.wait()
            if not finished and not started:
                timed_out = True
                log.warning("request over %.0f s: %s %s", self.timeout_s, scope.get("method"), scope["path"])
                body = json.dumps({"code": "timeout", "message": f"请求处理超过 {self.timeout_s:.0f} 秒，已中止，"
                                   "请缩小范围后重试", "field": None}, ensure_ascii=False).encode("utf-8")
                await send({"type": "http.response.start", "status": 503,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                tg.cancel_scope.cancel()  # async work stops here; a worker thread runs to its end, unheard


class BodyLimitMiddleware:
    """413 before reading a body whose Content-Length is past the limit (imports may be larger than
    JSON bodies); a body sent without a length is cut off at the limit while it is received."""

    def __init__(self, app: ASGIApp, import_bytes: int, json_bytes: int = 10 * 1024 * 1024) -> None:
        self.app, self.import_bytes, self.json_bytes = app, import_bytes, json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.import_bytes if scope["path"] == "/import" else self.json_bytes
        length = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), None)
        if length is not None and length.isdigit() and int(length) > limit:
            body = json.dumps({"code": "too_large", "message": f"请求体超过 {limit / 2**20:g} MB 的上限",
                               "field": None}, ensure_ascii=False).encode("utf-8")
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    return {"type": "http.disconnect"}  # stop reading: the request is dropped
            return message

        await self.app(scope, counted, send)
