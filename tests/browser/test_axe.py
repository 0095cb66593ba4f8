"""axe-core (vendored from npm: api/static/vendor/axe.min.js, tests only) injected into each
staff page in chromium: zero serious or critical violations, with every table view opened
so the charts' tables are checked too."""

from __future__ import annotations

from typing import Any

import pytest

from api.config import ROOT
from api.conversations import service as conversations
from api.conversations.models import Participant
from api.db import session_scope, utcnow
from api.handoff import service as handoffs
from api.webhooks import service as webhooks
from api.webhooks.models import DEAD, WebhookDelivery
from tests.browser.conftest import Live
from tests.browser.test_staff_reports import PERIOD, seed_reports

pytestmark = pytest.mark.browser
AXE = ROOT / "api" / "static" / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page: Any) -> list[str]:
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def participant_id(live: Live) -> str:
    with session_scope() as db:
        person = Participant(org_id=live.org_id, language="es")
        db.add(person)
        db.flush()
        return str(person.id)


def test_the_login_page_has_no_serious_violations(browser: Any, live: Live) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live.url}/staff/login")
    assert violations(page) == []
    context.close()


def _dead_delivery(live: Live) -> None:
    """One dead-lettered webhook delivery, so the admin's deliveries page shows its table."""
    with session_scope() as db:
        if db.query(WebhookDelivery).filter_by(org_id=live.org_id, status=DEAD).count():
            return
        webhooks.add_endpoint(live.org_id, "http://127.0.0.1:9/hook", db_session=db)
        person = conversations.participant_for_phone("+16195550190", db_session=db)
        person.org_id = live.org_id
        chat = conversations.current_conversation(person, "sms", db_session=db)
        handoffs.flag(person, chat, "crisis", db_session=db, urgent=True)
        db.flush()
        for row in db.query(WebhookDelivery).filter_by(org_id=live.org_id):
            row.status, row.attempts, row.dead_at = DEAD, 9, utcnow()
            row.last_error, row.last_status_code = "http_status", 503


@pytest.mark.parametrize(
    "path",
    ["/staff/", f"/staff/program?{PERIOD}", "/staff/partners", "/staff/partners?zip=92113",
     "/staff/audit", "/staff/participants/{participant}", "/staff/deliveries"],
)  # fmt: skip
def test_each_staff_page_has_no_serious_violations(
    staff_page: Any, live: Live, participant_id: str, path: str
) -> None:
    seed_reports(live)
    _dead_delivery(live)
    response = staff_page.goto(live.url + path.replace("{participant}", participant_id))
    assert response is not None and response.status == 200, path
    if path == "/staff/deliveries":  # the table with its Replay form, not the empty state
        assert staff_page.get_by_role("button", name="Replay").count() >= 1
    assert violations(staff_page) == []


def test_the_check_itself_finds_a_critical_violation(browser: Any) -> None:
    """A page with an unlabelled image and an unlabelled field: the check must fail it."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="x.png">'
                     '<input type="text"></main></html>')  # fmt: skip
    found = violations(page)
    context.close()
    assert any(v.startswith("image-alt (critical)") for v in found), found
    assert any(v.startswith("label (critical)") for v in found), found
