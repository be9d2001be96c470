"""Every role logs in and walks its whole navigation in a real browser with no error."""

import pytest

from tests.e2e.conftest import E2E_DB

pytestmark = E2E_DB


@pytest.mark.parametrize("username", ["pm", "eng1", "req1", "audit"])
def test_every_role_walks_its_navigation(e2e, username):
    page = e2e.login(username)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("nav.mainnav").count() == 1
    links = page.locator("nav.mainnav a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert links, "the navigation is not empty"
    e2e.shot(page, "home")
    for href in links:
        page.goto(e2e.url(href))
        assert page.locator("h1").count() >= 1, href
        e2e.shot(page, href.strip("/").replace("/", "_") or "root")


def test_requester_pages_fit_a_phone(e2e):
    page = e2e.login("req1", width=360, height=740)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px screen"
    e2e.shot(page, "phone-home")


def test_language_switch_to_english_and_back(e2e):
    page = e2e.login("pm")
    page.select_option("#lang-select", "en")
    with page.expect_navigation():
        page.click(".lang-switch button")
    assert page.locator("html").get_attribute("lang") == "en"
    page.select_option("#lang-select", "zh-hans")
    with page.expect_navigation():
        page.click(".lang-switch button")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
