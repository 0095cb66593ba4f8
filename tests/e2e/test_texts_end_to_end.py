"""What a text asks people to reply really works, through the real engine (issue 7)."""

from __future__ import annotations

import pytest

from api.channels.menus import numbered
from api.i18n.catalog import program_args, render
from api.i18n.sms import clean_for_sms
from tests import factories as f

pytestmark = pytest.mark.e2e


def expected(key: str, language: str) -> str:
    rendered = render(key, language, program_args())
    return clean_for_sms(numbered(rendered.text, rendered.buttons, language))


@pytest.mark.parametrize(
    ("language", "skip", "need"),
    [
        ("en", "skip", "i need help with rent"),
        ("es", "saltar", "necesito ayuda con la renta"),
    ],
)
def test_nothing_to_undo_then_saying_the_need_starts_the_screening(
    stack, language: str, skip: str, need: str
) -> None:  # type: ignore[no-untyped-def]
    phone = f.phone()
    stack.text(phone, need)  # sets the language; consent is asked first
    assert stack.wait_replies(phone, 1)[0] == expected("utter_screening_consent", language)
    stack.text(phone, "no")  # declined: no screening is running
    stack.wait_replies(phone, 2)
    stack.text(phone, skip)
    replies = stack.wait_replies(phone, 3)
    assert replies[2] == expected("utter_nothing_to_undo", language)
    # the text asks what they need: saying it starts the screening (consent first)
    stack.text(phone, need)
    replies = stack.wait_replies(phone, 4)
    assert replies[3] == expected("utter_screening_consent", language)
