"""Pre-encoded JSON responses: cached views are encoded once and served as bytes."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response


def encode(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def json_bytes(content: bytes, status_code: int = 200) -> Response:
    return Response(content=content, status_code=status_code, media_type="application/json")
