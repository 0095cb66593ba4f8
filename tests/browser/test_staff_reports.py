"""The program page and the partner matrix in chromium (issue 11, test 5): the charts with
their numbers and table views, the matrix, keyboard-only use of the filters, screenshots at
1280 and 768 px."""

from __future__ import annotations

from typing import Any

import pytest

from api.db import session_scope
from api.directory import demo
from api.staff import service as staff
from tests.browser.conftest import Live
from tests.test_staff_program import build

pytestmark = pytest.mark.browser
PERIOD = "start=2026-11-01&end=2026-11-07"


def seed_reports(live: Live) -> None:
    """The hand-computed program dataset and the demo partners, once per live app."""
    with session_scope() as db:
        if staff.org_by_slug("other-program", db_session=db) is None:
            build(db, live.org_id)
            demo.load(db_session=db)


@pytest.fixture
def seeded(live: Live) -> Live:
    seed_reports(live)
    return live


def _tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    """Press Tab until the element has the focus (keyboard only, as a person would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_the_charts_and_the_matrix_are_seen(staff_page: Any, seeded: Live, shoot: Any) -> None:
    page = staff_page
    page.goto(f"{seeded.url}/staff/program?{PERIOD}")
    assert page.get_by_role("heading", name="Program", exact=True).is_visible()
    for name in ("Screenings started and completed", "Positive needs by domain",
                 "Referral funnel", "Reminders by outcome"):  # fmt: skip
        assert page.get_by_role("img", name=name).first.is_visible()
    assert page.locator("#fig-started").inner_text() == "3"
    assert page.locator("#fig-noshow").inner_text() == "50%"
    assert page.locator("#fig-median").inner_text() == "3 h"
    funnel = page.locator("section", has=page.get_by_role("heading", name="Referral funnel"))
    funnel.get_by_text("Table view").click()
    table = funnel.get_by_role("table")
    assert table.is_visible()
    assert table.get_by_role("row", name="Accepted 2").is_visible()
    shoot(page, "program")

    page.goto(f"{seeded.url}/staff/partners")
    matrix = page.get_by_role("table", name="Needs (rows) by partner (columns)")
    assert matrix.is_visible()
    assert matrix.get_by_role("columnheader", name="TANF (CalWORKs)").is_visible()
    assert matrix.get_by_role("rowheader", name="Food").is_visible()
    assert matrix.get_by_text("Does not pay for").first.is_visible()
    shoot(page, "partners")


def test_the_filters_work_by_keyboard_alone(staff_page: Any, seeded: Live) -> None:
    page = staff_page
    page.goto(f"{seeded.url}/staff/program?{PERIOD}")
    _tab_to(page, "language")
    page.keyboard.type("Spanish")  # a focused select picks the option typed
    _tab_to(page, "channel")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Apply"
    page.keyboard.press("Enter")
    page.wait_for_url("**language=es**")
    assert page.locator("#fig-started").inner_text() == "1"
    assert page.locator("#fig-median").inner_text() == "4 h"

    page.goto(f"{seeded.url}/staff/partners")
    _tab_to(page, "zip")
    page.keyboard.type("92028")
    page.keyboard.press("Enter")
    page.wait_for_url("**zip=92028**")
    matrix = page.get_by_role("table", name="Needs (rows) by partner (columns)")
    assert matrix.get_by_role("rowheader", name="Distance from 92028").is_visible()
    assert matrix.get_by_role("columnheader", name="Logan Heights Family Pantry").count() == 0
    _tab_to(page, "matrix-wrap")  # the scrolling table itself takes the focus
