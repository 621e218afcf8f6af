"""Security fixtures: the app on each backend (the root ``settings`` fixture), keys per role, and a
browser-like helper for the pages (sign-in with the CSRF token)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from finmatch.settings import Settings
from tests.api.conftest import Api, seed

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def csrf_of(client: TestClient, url: str = "/login") -> str:
    page = client.get(url, headers=HTML)
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def sign_in(client: TestClient, key: str) -> None:
    r = client.post("/login", data={"api_key": key, "csrf": csrf_of(client), "next": "/"}, headers=HTML,
                    follow_redirects=False)
    assert r.status_code == 303, r.text


@pytest.fixture
def sec(settings: Settings) -> Iterator[Api]:
    """Both backends."""
    cfg = settings.model_copy(update={"use_embeddings": False, "secret_key": "s" * 32})
    keys = seed(cfg)
    with TestClient(create_app(cfg)) as client:
        yield Api(client, keys, cfg)


@pytest.fixture
def sqlite_sec(sqlite_settings: Settings) -> Iterator[Api]:
    cfg = sqlite_settings.model_copy(update={"use_embeddings": False, "secret_key": "s" * 32})
    keys = seed(cfg)
    with TestClient(create_app(cfg)) as client:
        yield Api(client, keys, cfg)
