"""``Content-Disposition`` for downloads whose names hold any characters (RFC 6266 / RFC 5987).

HTTP headers are Latin-1: an event ``活动-中文`` in a file name gave a 500. The header carries an
ASCII fallback (``filename="..."``, non-ASCII and quote characters replaced) plus the exact name
percent-encoded as UTF-8 (``filename*=UTF-8''...``), which every current browser prefers.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE_ASCII = re.compile(r'[^A-Za-z0-9._\- ()\[\]]')


def content_disposition(filename: str, attachment: bool = True) -> str:
    name = filename.replace("\r", "").replace("\n", "").replace("/", "_").replace("\\", "_") or "download"
    fallback = _UNSAFE_ASCII.sub("_", name)
    kind = "attachment" if attachment else "inline"
    if fallback == name:
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_headers(filename: str) -> dict[str, str]:
    return {"Content-Disposition": content_disposition(filename)}
