"""The event day in a real browser: an institution downloads its own agenda (and only its own), the
organiser prints the roadshow programme and the table cards (print media emulated, screenshots saved),
a bank's prospect list shows relationship status and credit columns."""

from __future__ import annotations

import io
import json
import urllib.request
from datetime import time

import pytest

from tests.pages.test_browser import Server, browser, server, shot, sign_in  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
playwright_api = pytest.importorskip("playwright.sync_api")
EVENT = "EV2026-03"


def _api(server: Server, method: str, path: str, body: dict | None = None) -> dict:  # noqa: F811
    req = urllib.request.Request(f"{server.url}{path}", method=method, headers={
        "X-API-Key": server.admin, "Content-Type": "application/json", "Accept": "application/json"},
        data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def solved(server: Server) -> dict:  # noqa: F811
    """EV2026-03 scheduled once through the API (the organiser's button does the same)."""
    return _api(server, "POST", f"/events/{EVENT}/schedule", {"time_limit_s": 3})


def test_institution_downloads_its_own_agenda(browser: object, server: Server, solved: dict) -> None:  # noqa: F811
    import openpyxl

    expect = playwright_api.expect
    staff_banks = {m["institution_id"] for g in solved["groups"] for m in g["meetings"]}
    assert "I-BANK-01" in staff_banks and len(staff_banks) > 1  # others have meetings too
    own = [m for g in solved["groups"] for m in g["meetings"] if m["institution_id"] == "I-BANK-01"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)  # type: ignore[attr-defined]
    page = ctx.new_page()
    try:
        sign_in(page, server, server.bank)
        page.goto(f"{server.url}/events/{EVENT}")
        expect(page.locator('[data-testid="agenda-summary"]')).to_contain_text(f"本机构已安排 {len(own)} 场洽谈")
        assert page.locator("#roadshow").count() == 0  # the roadshow is the organisers' page
        assert page.locator('[data-testid="unmatched"]').count() == 0
        shot(page, "dayof-01-bank-agenda")
        with page.expect_download() as dl:
            page.click('[data-testid="download-xlsx"]')
        assert dl.value.suggested_filename == f"{EVENT}-I-BANK-01-agenda.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))  # noqa: SIM115
        rows = list(book["总表"].iter_rows(values_only=True))
        assert book.sheetnames == ["总表"] and len(rows) == 1 + len(own)
        head = list(rows[0])
        inst = head.index("机构编号")
        assert {r[inst] for r in rows[1:]} == {"I-BANK-01"}  # only its own meetings
        assert all(str(r[head.index("匹配度")]).endswith("%") and r[head.index("洽谈产品")] for r in rows[1:])
        assert rows[1][head.index("日期")] == "2026-09-06" and rows[1][head.index("活动")]
        with page.expect_download() as dl:
            page.click('[data-testid="download-ics"]')
        ics = open(dl.value.path(), encoding="utf-8").read()  # noqa: SIM115
        assert ics.count("BEGIN:VEVENT") == len(own)
    finally:
        ctx.close()


def test_organiser_prints_the_programme_and_table_cards(browser: object, server: Server, solved: dict) -> None:  # noqa: F811
    expect = playwright_api.expect
    ctx = browser.new_context(viewport={"width": 1100, "height": 1400}, locale="zh-CN")  # type: ignore[attr-defined]
    page = ctx.new_page()
    try:
        sign_in(page, server, server.admin)
        page.goto(f"{server.url}/events/{EVENT}")
        expect(page.locator('[data-testid="agenda-summary"]')).to_contain_text("已安排")
        page.click('[data-testid="print-programme"]')
        page.wait_for_url("**/print?kind=programme")
        expect(page.locator('[data-testid="print-title"]')).to_contain_text("路演日程")
        expect(page.locator('[data-testid="print-button"]')).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator('[data-testid="print-button"]')).to_be_hidden()  # the toolbar stays off paper
        rows = page.locator('[data-testid="programme"] tbody tr:not(.session-row)')
        assert rows.count() == 85
        times = [t.split("–") for t in page.locator('[data-testid="programme"] tbody tr:not(.session-row) td:first-child').all_inner_texts()]
        for begin, end in times:
            assert time(9, 0) <= time.fromisoformat(begin) and time.fromisoformat(end) <= time(17, 30)
            assert not (time.fromisoformat(begin) < time(13, 30) and time(12, 0) < time.fromisoformat(end))
        assert page.locator(".session-row").count() > 4  # sessions with breaks, over more than one day
        shot(page, "dayof-02-programme-print")
        pdf = page.pdf(format="A4")
        assert pdf[:4] == b"%PDF" and len(pdf) > 10000
        page.emulate_media(media="screen")
        page.goto(f"{server.url}/events/{EVENT}/print?kind=cards")
        page.emulate_media(media="print")
        cards = page.locator('[data-testid="table-card"]')
        assert cards.count() == 15 and "号洽谈桌" in cards.first.inner_text()
        assert page.evaluate("getComputedStyle(document.querySelector('.card-sheet')).breakAfter") == "page"
        shot(page, "dayof-03-table-cards-print")
    finally:
        ctx.close()


def test_prospects_show_relationship_and_credit(browser: object, server: Server) -> None:  # noqa: F811
    expect = playwright_api.expect
    ctx = browser.new_context(viewport={"width": 1500, "height": 900}, locale="zh-CN")  # type: ignore[attr-defined]
    page = ctx.new_page()
    try:
        sign_in(page, server, server.bank)
        page.goto(f"{server.url}/products/P-LOAN-001")
        table = page.locator('[data-testid="prospects"]')
        expect(table.locator("thead")).to_contain_text("与本机构往来")
        for col in ("上年营收", "净利润", "负债率", "纳税信用"):
            expect(table).to_contain_text(col)
        statuses = table.locator('[data-testid="relationship"]').all_inner_texts()
        assert statuses and any("已签约" in s or "尽职调查" in s or "曾被拒绝" in s or "已洽谈" in s for s in statuses)
        assert any("万元" in t for t in table.locator('[data-testid="revenue"]').all_inner_texts())
        shot(page, "dayof-04-prospects-relationship")
        page.select_option('[data-testid="clients-filter"]', "hide")
        page.click('[data-testid="prospect-filters"] button.primary')
        page.wait_for_url("**clients=hide**")
        hidden = table.locator('[data-testid="relationship"]').all_inner_texts()
        assert hidden and not any("已签约客户" in s for s in hidden)
    finally:
        ctx.close()
