"""Logging in to the dashboard in chromium, and the inbox it opens on."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_log_in_shows_the_inbox_and_log_out_ends_it(browser, live, shoot) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live.url}/staff/")
    assert page.url.startswith(f"{live.url}/staff/login")  # logged out: the login page
    shoot(page, "login")
    log_in(page, live)
    assert page.get_by_role("heading", name="Inbox").is_visible()
    assert page.get_by_role("navigation", name="Main").is_visible()
    cookie = next(c for c in context.cookies() if c["name"] == "fc_staff")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    shoot(page, "inbox-empty")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live.url}/staff/login")
    page.goto(f"{live.url}/staff/")
    assert page.url.startswith(f"{live.url}/staff/login")
    context.close()
