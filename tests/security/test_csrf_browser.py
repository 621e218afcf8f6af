"""The probe's CSRF attack in chromium: an admin signed in on the service opens a page served from the
same host on another port, which fires requests at the service with the admin's cookie."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from finmatch.runtime import open_database
from finmatch.settings import Settings
from finmatch.storage.orm import AgendaRow, ProjectRow
from tests.api.conftest import seed

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
playwright_api = pytest.importorskip("playwright.sync_api")
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"

ATTACK = """<!doctype html><meta charset="utf-8"><body>
<form id="f" method="post" action="{svc}/events/EV2025-01/schedule" target="sink"><input name="time_limit_s" value="2">
</form><iframe name="sink"></iframe>
<script>
const svc = "{svc}";
const body = new FormData();
body.append("files", new Blob(['{{"format":"finmatch/v1","projects":[{{"project_id":"XM-EVIL","enterprise_id":"E0001",'
  + '"name":"x","stage":"pilot","funding_need_wan":1}}]}}'], {{type: "application/json"}}), "p.json");
Promise.allSettled([
  fetch(svc + "/import", {{method: "POST", body, credentials: "include", mode: "no-cors"}}),
  fetch(svc + "/events/EV2025-01/schedule", {{method: "POST", credentials: "include", mode: "no-cors",
        headers: {{"Content-Type": "text/plain"}}, body: "{{}}"}}),
  fetch(svc + "/models/reload", {{method: "POST", credentials: "include", mode: "no-cors"}}),
]).then(() => {{ document.getElementById("f").submit(); setTimeout(() => document.title = "done", 1500); }});
</script>"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cross_origin_page_cannot_write_with_the_admins_cookie(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'finmatch.db'}", data_dir=tmp_path / "var",
                        use_embeddings=False)
    keys = seed(settings)
    port = _free_port()
    env = {**os.environ, "FINMATCH_DATABASE_URL": settings.resolved_database_url, "FINMATCH_DATA_DIR": str(tmp_path),
           "FINMATCH_USE_EMBEDDINGS": "false", "FINMATCH_TODAY": "2026-11-28", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env)
    svc = f"http://127.0.0.1:{port}"
    evil_dir = tmp_path / "evil"
    evil_dir.mkdir()
    (evil_dir / "index.html").write_text(ATTACK.format(svc=svc), "utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(evil_dir))
    evil = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=evil.serve_forever, daemon=True).start()
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{svc}/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"{svc}/login")
            page.fill("input[name=api_key]", keys["admin"])
            page.click("button[type=submit]")
            page.wait_for_url(f"{svc}/")
            assert "退出" in page.content()  # signed in: the cookie is in the browser
            page.goto(f"http://127.0.0.1:{evil.server_address[1]}/index.html")
            page.wait_for_function("document.title === 'done'", timeout=30_000)
            page.goto(f"{svc}/")
            assert "退出" in page.content()  # still signed in: the attack was refused, not logged out
            browser.close()
    finally:
        evil.shutdown()
        proc.terminate()
        proc.wait(20)
    db = open_database(settings, migrate=False)
    try:
        with db.factory() as s:
            assert s.get(ProjectRow, "XM-EVIL") is None
            assert s.scalar(select(func.count()).select_from(AgendaRow)) == 0
    finally:
        db.dispose()
