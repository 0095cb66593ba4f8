"""Nothing leaves after an opt-out, through the real engine, action server and worker: a
free-text opt-out gets its confirmation, and nothing after it (issue 7, "Compliance")."""

from __future__ import annotations

import time

import pytest

from api.i18n.catalog import program_args, render
from api.i18n.sms import clean_for_sms
from tests import factories as f

pytestmark = pytest.mark.e2e


def test_free_text_opt_out_gets_its_confirmation_and_then_silence(stack) -> None:
    phone = f.phone()
    stack.text(phone, "hi there, good morning")
    stack.wait_replies(phone, 1)
    stack.text(phone, "please stop texting me")
    replies = stack.wait_replies(phone, 2)
    assert replies[1] == clean_for_sms(render("utter_opt_out", "en", program_args()).text)
    stack.text(phone, "hello? i need help with rent")
    time.sleep(5)  # several worker passes: nothing may leave
    assert stack.replies(phone) == replies[:2], stack.logs()
