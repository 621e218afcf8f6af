"""The pages in a real browser: Debian's chromium driven by Playwright against uvicorn serving the app.

One server (a subprocess on a free port) over a temp SQLite database with data_samples/ imported;
each step asserts on the page and saves a screenshot under test-output/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from finmatch.auth import create_key
from finmatch.io import import_paths
from finmatch.runtime import open_database
from finmatch.settings import Settings
from finmatch.storage import Repository, transaction

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CONTACT_PHONE = "0775-6612345"


@dataclass
class Server:
    url: str
    admin: str
    bank: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    data = tmp_path_factory.mktemp("pages")
    env = {**os.environ, "FINMATCH_DATABASE_URL": f"sqlite:///{data / 'finmatch.db'}",
           "FINMATCH_DATA_DIR": str(data / "var"), "FINMATCH_TODAY": "2026-11-28",
           "FINMATCH_USE_EMBEDDINGS": "false"}
    settings = Settings(database_url=env["FINMATCH_DATABASE_URL"], data_dir=data / "var")
    db = open_database(settings)
    try:
        import_paths([ROOT / "data_samples" / "catalogue.json", ROOT / "data_samples" / "generated.json"], db.factory)
        with transaction(db.factory) as session:  # the samples carry no contact person: add one to check hiding
            repo = Repository(session, actor="test")
            ent = repo.require("enterprises", "E0001")
            repo.save("enterprises", ent.model_copy(update={"contact_person": "韦经理", "contact_phone": CONTACT_PHONE}))
        admin = create_key(db.factory, role="admin", label="browser test")
        bank = create_key(db.factory, role="institution", institution_id="I-BANK-01", label="browser test")
    finally:
        db.dispose()
    port = _free_port()
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + (data / "server.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield Server(url, admin, bank)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[object]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def shot(page: object, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def sign_in(page: object, server: Server, key: str) -> None:
    page.goto(f"{server.url}/")  # type: ignore[attr-defined]
    page.wait_for_url("**/login**")  # type: ignore[attr-defined]
    page.fill("#api_key", key)  # type: ignore[attr-defined]
    page.click("button.primary")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server.url}/")  # type: ignore[attr-defined]


def test_walkthrough_admin(browser: object, server: Server) -> None:
    expect = playwright_api.expect
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)  # type: ignore[attr-defined]
    page = ctx.new_page()
    page.on("dialog", lambda d: d.accept())

    # 1. sign in: a wrong key first (error next to the field, input kept), then the admin key
    page.goto(f"{server.url}/projects")
    expect(page).to_have_url(f"{server.url}/login?next=%2Fprojects")
    page.fill("#api_key", "fm_wrong_key")
    page.click("button.primary")
    expect(page.locator('[data-field="api_key"]')).to_contain_text("无效")
    expect(page.locator("#api_key")).to_have_value("fm_wrong_key")
    shot(page, "01-login-error")
    page.fill("#api_key", server.admin)
    page.click("button.primary")
    expect(page).to_have_url(f"{server.url}/projects")
    page.goto(f"{server.url}/")
    expect(page.locator('[data-testid="counts"]')).to_contain_text("300")
    expect(page.locator('[data-testid="model"]')).to_contain_text("prior")
    expect(page.locator("nav.nav")).to_contain_text("数据导入")
    shot(page, "02-dashboard")

    # 2. a project and its ranked products, by family, with reasons and the ineligible ones
    page.goto(f"{server.url}/projects?q=XM0001")
    page.click("text=甘蔗联合收割机概念验证项目")
    expect(page.locator('[data-testid="project-name"]')).to_have_text("甘蔗联合收割机概念验证项目")
    matches = page.locator(".match")
    assert matches.count() >= 5
    expect(matches.first.locator(".rank")).to_have_text("1")
    assert "width" in (matches.first.locator(".bar-fill").get_attribute("style") or "")
    expect(page.locator('[data-testid="matches"]')).to_contain_text("匹配理由")
    expect(page.locator('[data-testid="ineligible"] details').first).to_be_visible()
    with_what_if = page.locator('[data-testid="ineligible"] details:has(.tag)').first
    with_what_if.locator("summary").click()
    expect(with_what_if.locator(".fail li").first).to_be_visible()
    expect(with_what_if.locator(".whatif")).to_contain_text("如果")
    expect(page.locator('[data-testid="contact"]')).to_contain_text(CONTACT_PHONE)  # admin sees contacts
    shot(page, "03-project-matches")

    # 3. a bank product's prospects, filtered (and a bad amount shows its error), downloaded
    page.goto(f"{server.url}/products/P-LOAN-001")
    total_all = int(page.locator('[data-testid="prospect-total"]').inner_text().split()[0])
    page.fill('input[name="city"]', "南宁")
    page.fill('input[name="amount_max"]', "3000")
    page.click('[data-testid="prospect-filters"] button.primary')
    page.wait_for_url("**amount_max=3000**")
    total_filtered = int(page.locator('[data-testid="prospect-total"]').inner_text().split()[0])
    assert 0 < total_filtered < total_all
    rows = page.locator('[data-testid="prospects"] tbody tr')
    for i in range(rows.count()):
        assert "南宁" in rows.nth(i).locator("td").nth(2).inner_text()
    shot(page, "04-prospects-filtered")
    with page.expect_download() as dl:
        page.click("text=Excel (XLSX)")
    assert dl.value.suggested_filename == "P-LOAN-001-prospects.xlsx"
    page.fill('input[name="amount_min"]', "很多")
    page.click('[data-testid="prospect-filters"] button.primary')
    expect(page.locator('[data-field="amount_min"]')).to_contain_text("请输入数字")
    expect(page.locator('input[name="amount_min"]')).to_have_value("很多")
    expect(page.locator('input[name="city"]')).to_have_value("南宁")
    shot(page, "05-prospects-filter-error")

    # 4. import a file with errors: every error by row and field, nothing written
    bad = ROOT / "test-output" / "projects.csv"
    bad.write_text("项目编号,企业编号,项目名称,所处阶段,融资需求(万元)\nXM9001,E0001,好项目,中试熟化,300\n"
                   "XM9002,E0001,坏项目,量产,-5\n", encoding="utf-8")
    page.goto(f"{server.url}/import")
    page.set_input_files("#files", str(bad))
    page.click("form button.primary")
    errors = page.locator('[data-testid="import-errors"]')
    expect(errors).to_contain_text("未导入任何数据")
    expect(errors).to_contain_text("stage")
    expect(errors).to_contain_text("funding_need_wan")
    shot(page, "06-import-errors")
    assert page.goto(f"{server.url}/projects/XM9001").status == 404

    # 5. record an outcome: a bad amount keeps every field, then it saves and shows on the project
    page.goto(f"{server.url}/outcomes/new?project_id=XM0001&product_id=P-SUB-002")
    page.select_option("#stage", "meeting")
    page.fill("#amount_wan", "-3")
    page.fill("#date", "2026-11-20")
    page.click('[data-testid="outcome-form"] button.primary')
    expect(page.locator('[data-field="amount_wan"]')).to_be_visible()
    expect(page.locator("#stage")).to_have_value("meeting")
    expect(page.locator("#date")).to_have_value("2026-11-20")
    shot(page, "07-outcome-error")
    page.fill("#amount_wan", "")
    page.click('[data-testid="outcome-form"] button.primary')
    page.wait_for_url("**/projects/XM0001**")
    expect(page.locator(".flash-ok")).to_contain_text("已记录对接结果")
    expect(page.locator("#outcomes")).to_contain_text("已洽谈")
    shot(page, "08-outcome-recorded")

    # 6. an event: heat map, then solve the agenda and switch its tabs
    page.goto(f"{server.url}/events")
    page.locator('a[href="/events/EV2026-03"]').first.click()
    page.wait_for_url("**/events/EV2026-03")
    expect(page.locator('[data-testid="heatmap"] tbody tr').first).to_be_visible()
    assert page.locator('[data-testid="heatmap"] tbody tr').count() >= 20
    expect(page.locator('[data-testid="agenda-empty"]')).to_be_visible()
    shot(page, "09-event-heatmap")
    page.fill('input[name="time_limit_s"]', "2")
    page.click('[data-testid="resolve"]')
    expect(page.locator(".flash-ok")).to_contain_text("已重新排定日程", timeout=60000)
    expect(page.locator('[data-testid="agenda-summary"]')).to_contain_text("场洽谈")
    assert page.locator(".agenda-group").count() >= 3
    page.click('[data-testid="agenda-tabs"] >> text=按洽谈桌')
    expect(page.locator(".agenda-group h3").first).to_contain_text("号洽谈桌")
    page.locator("#agenda").scroll_into_view_if_needed()
    shot(page, "10-event-agenda")
    with page.expect_download() as dl:
        page.click("#agenda >> text=Excel (XLSX)")
    assert dl.value.suggested_filename == "EV2026-03-agenda.xlsx"

    # a tablet in portrait: the project page still reads without sideways scrolling of the page
    tablet = browser.new_context(viewport={"width": 820, "height": 1180}, locale="zh-CN", storage_state=ctx.storage_state())  # type: ignore[attr-defined]
    tpage = tablet.new_page()
    tpage.goto(f"{server.url}/projects/XM0001")
    expect(tpage.locator('[data-testid="project-name"]')).to_be_visible()
    assert tpage.evaluate("document.documentElement.scrollWidth") <= 820
    shot(tpage, "11-tablet-project")
    tablet.close()
    ctx.close()


def test_walkthrough_bank(browser: object, server: Server) -> None:
    expect = playwright_api.expect
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")  # type: ignore[attr-defined]
    page = ctx.new_page()
    sign_in(page, server, server.bank)
    expect(page.locator('[data-testid="role"]')).to_contain_text("I-BANK-01")
    expect(page.locator("nav.nav")).not_to_contain_text("数据导入")
    shot(page, "12-bank-dashboard")

    page.goto(f"{server.url}/projects/XM0001")
    expect(page.locator('[data-testid="enterprise"]')).to_be_visible()
    body = page.locator("body").inner_text()
    assert CONTACT_PHONE not in body and "韦经理" not in body and "91450900RXR8FE3HXE" not in body
    assert page.locator('[data-testid="contact"]').count() == 0
    shot(page, "13-bank-project-no-contacts")

    response = page.goto(f"{server.url}/products/P-EQ-001")
    assert response is not None and response.status == 403
    expect(page.locator('[data-testid="error"]')).to_contain_text("403")
    shot(page, "14-bank-forbidden")

    page.goto(f"{server.url}/products/P-LOAN-001")
    expect(page.locator('[data-testid="prospects"] tbody tr').first).to_be_visible()
    page.goto(f"{server.url}/products")
    assert page.locator('a[href="/products/P-EQ-001"]').count() == 0
    assert page.locator('a[href="/products/P-LOAN-001"]').count() >= 1
    ctx.close()
