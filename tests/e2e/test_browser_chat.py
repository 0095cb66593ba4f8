"""The web chat page in Debian's chromium through Playwright: type, get the reply, RTL."""

from __future__ import annotations

import pytest

from api.i18n.catalog import program_args, render
from tests.support.chromium import ARGS, CHROMIUM

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def test_chat_page_in_arabic_is_right_to_left_and_answers(stack, browser) -> None:
    page = browser.new_page()
    page.goto(f"{stack.app}/chat?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    page.fill("#text", "مرحبا")
    page.click("#send")
    bot = page.locator(".msg.bot").first
    bot.wait_for(timeout=30_000)
    expected = render("utter_greet", "ar", program_args())
    assert bot.inner_text().startswith(expected.text.splitlines()[0])
    buttons = page.locator(".msg.bot .buttons button")
    assert buttons.count() == 2
    assert buttons.first.inner_text() == expected.buttons[0]["title"]
    page.close()


def test_chat_page_picks_the_browser_language(stack, browser) -> None:
    context = browser.new_context(
        locale="es-MX", extra_http_headers={"Accept-Language": "es-MX,es;q=0.9"}
    )
    page = context.new_page()
    page.goto(f"{stack.app}/chat")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("#send").inner_text() == render("web.send", "es").text
    context.close()
