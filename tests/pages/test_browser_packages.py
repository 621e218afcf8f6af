"""The project page's package section in a real browser: open it, switch the objective, download the
hand-out (its text must be Chinese), as staff and as a bank; screenshots saved with the others."""

from __future__ import annotations

import io

import pytest

from tests.pages.test_browser import Server, browser, server, shot, sign_in  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
PROJECT = "XM0009"


def test_package_section_objectives_and_handout(browser: object, server: Server) -> None:  # noqa: F811
    from pypdf import PdfReader

    page = browser.new_page(accept_downloads=True)  # type: ignore[attr-defined]
    try:
        sign_in(page, server, server.admin)
        page.goto(f"{server.url}/projects/{PROJECT}")
        section = page.locator("[data-testid=package]")
        section.wait_for()
        assert section.get_attribute("data-objective") == "cost"
        assert page.locator("[data-testid=package-bar] rect").count() >= 1
        assert "年综合成本" in section.inner_text() and "申请顺序" in section.inner_text()
        shot(page, "package-cost")
        cost = page.locator("[data-testid=package-cost]").inner_text()
        page.click("[data-testid=package-objectives] a[data-objective=dilution]")
        page.wait_for_url("**objective=dilution**")
        section = page.locator("[data-testid=package]")
        assert section.get_attribute("data-objective") == "dilution"
        assert page.locator("[data-testid=package-objectives] a.active").inner_text() == "股权稀释最少"
        dilution = page.locator("[data-testid=package-dilution]").inner_text()
        assert dilution.endswith("%") and cost.endswith("万元")
        shot(page, "package-dilution")
        with page.expect_download() as info:
            page.click("[data-testid=handout-pdf]")
        download = info.value
        with open(download.path(), "rb") as fh:
            data = fh.read()
        text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
        assert "项目对接资料" in text and "融资方案" in text
    finally:
        page.close()


def test_bank_sees_other_terms_hidden(browser: object, server: Server) -> None:  # noqa: F811
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        sign_in(page, server, server.bank)
        page.goto(f"{server.url}/projects/{PROJECT}?objective=cost")
        section = page.locator("[data-testid=package]")
        section.wait_for()
        rows = page.locator("[data-testid=package-parts] tbody tr")
        for i in range(rows.count()):
            row = rows.nth(i)
            family = row.get_attribute("data-family")
            if family in ("loan", "guarantee", "insurance") and not row.get_attribute("data-product").startswith(
                    "P-LOAN-00"):
                assert "不公开" in row.inner_text()
        shot(page, "package-bank")
    finally:
        page.close()
