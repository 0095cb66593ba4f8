"""The case manager's day in chromium: an urgent handoff that a signed SMS conversation just
created appears in the inbox without a reload; the participant page shows the message; a
reply reaches the simulated phone through the outbox and the sender; the participant's
answer comes back into the thread; a referral moves to completed; an XSS payload sent by
SMS shows as text and runs nothing. Screenshots at 1280 and 768 px."""

from __future__ import annotations

import pytest

from api.booking import states
from api.db import session_scope
from tests.browser.conftest import new_phone, wait_until
from tests.support.referrals import booked_referral

pytestmark = pytest.mark.browser
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def test_urgent_sms_reply_answer_referral_and_escaped_text(staff_page, live, shoot) -> None:
    page = staff_page
    phone = new_phone()
    page.evaluate("window.__same_page = true")

    live.text(phone, "I want to end my life tonight")  # the safety net flags it at once
    row = page.locator("#inbox-rows tr.urgent", has_text=f"Phone ending {phone[-4:]}")
    row.wait_for(timeout=20_000)  # htmx polling: no reload
    assert page.evaluate("window.__same_page") is True
    assert page.locator("#inbox-rows tr").first.get_attribute("class") == "urgent"
    assert "crisis" in row.inner_text()
    shoot(page, "inbox-urgent")

    row.get_by_role("link").click()
    page.wait_for_url(f"{live.url}/staff/participants/*")
    thread = page.locator("#thread .thread")
    assert "I want to end my life tonight" in thread.inner_text()

    reply = "Hi, this is Avery from the program. I will call you in 5 minutes."
    page.get_by_label("Reply by text message").fill(reply)
    page.get_by_role("button", name="Send reply").click()
    page.get_by_role("status").filter(has_text="Reply queued").wait_for()
    live.send_outbox()
    wait_until(lambda: reply in live.sent(phone), "the reply at the simulated phone")

    page.evaluate("window.__same_page = true")
    live.text(phone, "ok thank you, I'm at home")
    thread.get_by_text("ok thank you, I'm at home").wait_for(timeout=20_000)
    live.text(phone, XSS)
    thread.get_by_text(XSS).wait_for(timeout=20_000)  # shown as text
    assert page.evaluate("window.__same_page") is True  # the thread polled, no reload
    assert page.evaluate("typeof window.__xss") == "undefined"  # and nothing ran
    assert page.locator("#thread img").count() == 0 and page.locator("#thread script").count() == 0
    shoot(page, "participant-thread")

    with session_scope() as db:
        referral = booked_referral(db, phone=phone, language="en")
        states.transition(referral, states.REQUESTED, by="system", reason="sent")
        referral_id = referral.id
    page.reload()
    page.get_by_label("Update").select_option(label="Completed (attended)")
    page.locator(f"form[action='/staff/referrals/{referral_id}/state'] button").click()
    page.get_by_role("status").filter(has_text="Referral updated").wait_for()
    heading = page.locator(f"#ref-{referral_id}")
    assert "completed / attended" in heading.inner_text()
    assert "attended" in page.locator("#referrals").inner_text()
    shoot(page, "participant-referral-completed")
    page.reload()
    assert page.evaluate("typeof window.__xss") == "undefined"  # the full page render too
