"""Page fixtures: the app on a fresh SQLite database with the small sample document, a browser-like client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from finmatch.settings import Settings
from tests.api.conftest import seed

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@dataclass
class Pages:
    client: TestClient
    keys: dict[str, str]

    def csrf(self, url: str = "/login") -> str:
        page = self.client.get(url, headers=HTML)
        match = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def login(self, who: str) -> None:
        r = self.client.post("/login", data={"api_key": self.keys[who], "csrf": self.csrf(), "next": "/"},
                             headers=HTML, follow_redirects=False)
        assert r.status_code == 303, r.text

    def get(self, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers=HTML, **kw)

    def post(self, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.post(url, headers=HTML, **kw)


@pytest.fixture
def pages(sqlite_settings: Settings) -> Iterator[Pages]:
    cfg = sqlite_settings.model_copy(update={"use_embeddings": False})
    keys = seed(cfg)
    with TestClient(create_app(cfg)) as client:
        yield Pages(client, keys)
