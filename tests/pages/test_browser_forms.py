"""In a real browser: an office spreadsheet imported through the import page (errors first, all in one
report, nothing written; then clean, every row there), an event created with participants picked by
name, a product edited, and a product draft from a notice with each field's source sentence.

Reuses the server and browser fixtures of ``test_browser.py`` (one uvicorn over the sample data).
"""

from __future__ import annotations

import copy

import pytest

from tests.io.office import OFFICE_FILE, office_rows, office_workbook

try:  # the fixtures live in test_browser.py; a later move into conftest.py makes them global
    from tests.pages.test_browser import CHROMIUM, ROOT, Server, browser, server, shot, sign_in  # noqa: F401
except ImportError:  # pragma: no cover - after such a move
    from tests.pages.conftest import CHROMIUM, ROOT, Server, shot, sign_in  # type: ignore[attr-defined] # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
playwright_api = pytest.importorskip("playwright.sync_api")

NOTICE = ("关于组织开展2026年“桂中试贷”申报的通知\n一、支持对象：在柳州市注册的高新技术企业或科技型中小企业。\n"
          "二、单户贷款额度最高1500万元。\n三、贷款期限最长3年。\n四、年利率不超过3.3%。\n五、申报截止时间为2026年12月31日。\n")


def test_office_import_event_with_participants_and_product_edit(browser: object, server: Server) -> None:
    expect = playwright_api.expect
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")  # type: ignore[attr-defined]
    page = ctx.new_page()
    sign_in(page, server, server.admin)
    out = ROOT / "test-output" / "office"
    out.mkdir(parents=True, exist_ok=True)

    # 1. the office list with mixed errors: all of them, with the user's headers and Excel rows; nothing written
    rows = copy.deepcopy(office_rows())
    rows[0][5] = "量产"
    rows[1][7] = "145%"
    rows[2][6] = "很多"
    bad = out / "bad" / OFFICE_FILE
    bad.parent.mkdir(exist_ok=True)
    bad.write_bytes(office_workbook(rows))
    page.goto(f"{server.url}/import")
    expect(page.locator('[data-testid="template-link"]')).to_be_visible()
    page.set_input_files("#files", str(bad))
    page.click("form button.primary")
    report = page.locator('[data-testid="import-errors"]')
    expect(report).to_contain_text("未导入任何数据")
    errors = page.locator('[data-testid="import-error"]')
    expect(errors).to_have_count(3)
    texts = [errors.nth(i).inner_text() for i in range(3)]
    assert any("第 4 行" in t and "项目阶段" in t and "量产" in t and "中试熟化" in t for t in texts)
    assert any("第 5 行" in t and "资产负债率" in t for t in texts)
    assert any("第 6 行" in t and "融资需求（万元）" in t for t in texts)
    assert all("Sheet1" in t and OFFICE_FILE in t for t in texts)
    expect(page.locator('[data-testid="error-report"]')).to_be_visible()
    shot(page, "21-office-import-errors")
    page.goto(f"{server.url}/projects?q=钠离子电池正极材料中试")
    expect(page.locator("body")).not_to_contain_text("南宁钠电新材料有限公司")

    # 2. the clean list: every row imported, linked to its enterprise, amounts and ratios read
    good = out / OFFICE_FILE
    good.write_bytes(office_workbook())
    page.goto(f"{server.url}/import")
    page.set_input_files("#files", str(good))
    page.click("form button.primary")
    expect(page.locator(".flash-ok")).to_contain_text("中试项目 新增 3 条")
    for name, enterprise in (("钠离子电池正极材料中试", "南宁钠电新材料有限公司"),
                             ("甘蔗渣生物基可降解材料中试", "柳州绿源生物科技有限公司"),
                             ("智能巡检机器人概念验证", "桂林智巡科技有限公司")):
        page.goto(f"{server.url}/projects?q={name}")
        expect(page.locator("body")).to_contain_text(enterprise)
    page.goto(f"{server.url}/projects?q=甘蔗渣")
    page.click("text=甘蔗渣生物基可降解材料中试")
    expect(page.locator('[data-testid="project-name"]')).to_have_text("甘蔗渣生物基可降解材料中试")
    expect(page.locator("body")).to_contain_text("3,000 万元")
    shot(page, "22-office-project")

    # 3. an event with participants picked by name
    page.goto(f"{server.url}/events/new")
    page.fill("#f-name", "2026 第四批中试项目专场对接会")
    page.fill("#f-date", "2026-12-10")
    page.fill("#f-city", "南宁")
    projects = page.locator('[data-testid="picker-project_ids"]')
    projects.locator(".picker-search").fill("钠离子电池正极材料中试")
    visible = projects.locator(".picker-item:visible")
    expect(visible).to_have_count(1)
    visible.locator("input").check()
    projects.locator(".picker-search").fill("甘蔗渣生物基可降解材料中试")
    projects.locator(".picker-item:visible input").check()
    expect(projects.locator(".picker-count")).to_have_text("已选 2 项")
    products = page.locator('[data-testid="picker-product_ids"]')
    products.locator(".picker-search").fill("P-LOAN-001")
    products.locator(".picker-item:visible input").first.check()
    shot(page, "23-event-form")
    page.click('[data-testid="entity-form"] button.primary')
    page.wait_for_url("**/events/HD-**")
    expect(page.locator(".flash-ok")).to_contain_text("已新建对接活动")
    expect(page.locator("body")).to_contain_text("钠离子电池正极材料中试")
    expect(page.locator("body")).to_contain_text("甘蔗渣生物基可降解材料中试")
    shot(page, "24-event-created")

    # 4. edit a product: a bad amount shows its Chinese error, then the corrected one saves
    page.goto(f"{server.url}/products/P-LOAN-001/edit")
    page.fill("#f-amount_max_wan", "很多")
    page.click('[data-testid="entity-form"] button.primary')
    expect(page.locator('[data-field="amount_max_wan"]')).to_contain_text("应为数字")
    expect(page.locator("#f-amount_max_wan")).to_have_value("很多")
    page.fill("#f-amount_max_wan", "2,800")
    page.click('[data-testid="entity-form"] button.primary')
    page.wait_for_url("**/products/P-LOAN-001")
    expect(page.locator(".flash-ok")).to_contain_text("已保存金融产品")
    expect(page.locator("body")).to_contain_text("2,800 万元")
    shot(page, "25-product-edited")

    # 5. a notice pasted: the draft form, every extracted field with its source sentence
    page.goto(f"{server.url}/products/draft")
    page.fill("#text", NOTICE)
    page.click('[data-testid="draft-form"] button.primary')
    expect(page.locator('[data-testid="entity-form"]')).to_be_visible()
    evidence = page.locator('blockquote.evidence')
    found = int(page.locator(".flash-warn").inner_text().split("识别 ")[1].split(" 个")[0])
    assert found >= 7 and evidence.count() == found  # every extracted field shows its sentence
    for field in ("amount_max_wan", "tenor_months", "rate_pct", "valid_to", "cities"):
        expect(page.locator(f'[data-testid="evidence-{field}"]')).to_contain_text("依据原文")
    expect(page.locator("#f-amount_max_wan")).to_have_value("1500")
    expect(page.locator('[data-testid="evidence-amount_max_wan"]')).to_contain_text("单户贷款额度最高1500万元")
    filled = [f for f in ("name", "family", "amount_max_wan", "tenor_months", "rate_pct", "valid_to")
              if page.locator(f"#f-{f}").input_value()]
    assert all(page.locator(f'[data-testid="evidence-{f}"]').count() == 1 for f in filled)
    shot(page, "26-product-draft")
    ctx.close()
