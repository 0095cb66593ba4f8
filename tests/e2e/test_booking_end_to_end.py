"""Booking over signed SMS, in English and in Spanish (issue 8): a screening with a positive
food domain, the partner-sharing consent, the ZIP, a numbered menu of times, a choice of "2",
and the confirmation; the appointment and its referral in the database; then the referral
email to the partner over the real SMTP server, the partner's accept through its link, the
"accepted" text to the participant and the accepted referral in the case-manager API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import crypto
from api.booking import messages
from api.booking.models import Appointment, Referral
from api.conversations.models import Participant
from api.db import make_engine
from api.directory.models import SlotException
from api.i18n.catalog import program_args, render
from api.i18n.sms import clean_for_sms
from api.referrals import notify
from api.referrals.content import FIELD_LABELS
from api.screening.instrument import Question, questions_for
from tests import factories as f
from tests.support import partner_mail
from tests.support.booking import food_partner
from tests.support.servers import wait_for

pytestmark = pytest.mark.e2e
QUESTIONS = questions_for(["ahc-hrsn-core", "workforce-supplemental"])


def _answer(question: Question) -> str:
    """Only food comes out positive: "sometimes" there; elsewhere "none", else a negative."""
    options = list(question.options)
    if question.id == "food_worry":
        return str(next(i for i, o in enumerate(options, 1) if o.positive))
    exclusive = [i for i, o in enumerate(options, 1) if o.exclusive]
    if exclusive:
        return str(exclusive[0])
    return str(next(i for i, o in enumerate(options, 1) if not o.positive))


def _partner(stack) -> list[datetime]:  # type: ignore[no-untyped-def]
    """A food partner by downtown San Diego with three one-seat-or-more slots from tomorrow."""
    engine = make_engine(stack.database_url)
    day = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    starts = [day + timedelta(days=n) for n in (1, 2, 3)]
    with Session(engine) as db:
        if db.get(SlotException, "x-svc-b3-e2e-0") is None:
            food_partner(db, service_id="svc-b3-e2e", name="Harbor Pantry", capacity=5, slots=0)
            for n, start in enumerate(starts):
                db.add(SlotException(id=f"x-svc-b3-e2e-{n}", service_id="svc-b3-e2e",
                                     kind="extra", starts_at=start,
                                     ends_at=start + timedelta(hours=1), capacity=5))  # fmt: skip
            db.commit()
        # the slots made first (the day may have turned since, e.g. at midnight UTC)
        made = select(SlotException.starts_at).where(SlotException.service_id == "svc-b3-e2e")
        starts = sorted(db.scalars(made))
    engine.dispose()
    return starts


def _wait(stack, phone: str, wanted: str, seen: int) -> int:  # type: ignore[no-untyped-def]
    def arrived() -> int | None:
        replies = stack.replies(phone)
        hits = [i for i, r in enumerate(replies) if i >= seen and wanted in r]
        return hits[0] + 1 if hits else None

    try:
        return int(wait_for(arrived, 60, f"reply with {wanted[:40]!r}", interval=0.3))
    except TimeoutError:
        raise AssertionError(f"expected {wanted!r}\n got {stack.replies(phone)[seen:]!r}") from None


@pytest.mark.parametrize(
    ("language", "opening", "skip"),
    [("en", "i need help", "skip"), ("es", "necesito ayuda con la comida", "saltar")],
)
def test_screening_zip_offer_and_a_choice_of_two_books_the_appointment(
    stack,
    language,
    opening,
    skip,  # type: ignore[no-untyped-def]
) -> None:
    starts = _partner(stack)
    phone = f.phone()
    stack.text(phone, opening)
    stack.wait_replies(phone, 1)
    stack.text(phone, "1")  # consent
    seen = len(stack.wait_replies(phone, 2))
    for question in QUESTIONS:
        stack.text(phone, _answer(question))
        seen = len(stack.wait_replies(phone, seen + 1))
    partner = render("utter_partner_consent", language, program_args()).text
    seen = _wait(stack, phone, clean_for_sms(partner)[:40], seen - 2)
    stack.text(phone, "1")  # yes, share with a partner
    ask_zip = clean_for_sms(render("booking.ask_zip", language).text)
    seen = _wait(stack, phone, ask_zip, seen)

    stack.text(phone, "921")  # malformed: asked again, politely
    seen = _wait(stack, phone, clean_for_sms(render("booking.zip_invalid", language).text), seen)
    stack.text(phone, "92101")
    seen = _wait(stack, phone, clean_for_sms(render("booking.ask_name", language).text), seen)
    stack.text(phone, skip)
    offers = render("booking.offers", language, {"need": messages.need("food", language)}).text
    seen = _wait(stack, phone, clean_for_sms(offers), seen)
    second = messages.when(starts[1], "America/Los_Angeles", language)
    menu = stack.replies(phone)[seen - 1]
    assert "2 " + clean_for_sms(f"Harbor Pantry, {second}") in menu, menu

    stack.text(phone, "2")
    confirmed = render("booking.confirmed", language, {
        "partner": "Harbor Pantry", "when": second, "address": "1 Harbor Dr, San Diego 92101"
    }).text  # fmt: skip
    _wait(stack, phone, clean_for_sms(confirmed), seen)

    engine = make_engine(stack.database_url)
    with Session(engine) as db:  # this participant's (the other language's test booked too)
        person = _participant_id(db, phone)
        mine = [
            a
            for a in db.scalars(select(Appointment).where(Appointment.service_id == "svc-b3-e2e"))
            if a.start == starts[1] and a.participant_id == person
        ]
        assert mine and all(a.status == "booked" for a in mine)
        referrals = list(
            db.scalars(select(Referral).where(Referral.appointment_id.in_([a.id for a in mine])))
        )
        # requested and booked, then partner-notified once the worker has sent it
        assert {(r.status, r.domain) for r in referrals} == {("requested", "food")}
        ids = {r.id for r in referrals}
    engine.dispose()
    [referral_id] = ids
    _partner_accepts_and_the_participant_hears(stack, phone, language, starts[1], referral_id, seen)


def _participant_id(db: Session, phone: str) -> str:
    digest = crypto.lookup_hash(phone)
    return db.scalars(select(Participant.id).where(Participant.phone_hash == digest)).one()


def _partner_accepts_and_the_participant_hears(  # type: ignore[no-untyped-def]
    stack, phone: str, language: str, start: datetime, referral_id: str, seen: int
) -> None:
    """Steps 5-7: the referral email with only the consented fields (the phone and the ZIP;
    the name was skipped), the partner's accept through its link, the "accepted" text in the
    participant's language, and the referral accepted by the partner in the API."""
    assert stack.mailbox is not None
    mail = partner_mail.wait_for_mail(stack.mailbox, f"Phone: {phone}")
    assert mail["to"] == "intake@pantry.example", mail["to"]
    fields = {
        label for label in FIELD_LABELS.values() if re.search(rf"^{label}: ", mail["text"], re.M)
    }
    assert fields == {"Phone", "ZIP code"}, mail["text"]
    assert "ZIP code: 92101" in mail["text"] and f"Preferred language: {language}" in mail["text"]

    partner_mail.accept(partner_mail.link_in(mail), "Harbor Pantry")
    when = notify.local_time(start, "America/Los_Angeles", language)
    args = {**program_args(), "partner": "Harbor Pantry", "when": when}
    accepted = render("referral.accepted", language, args).text
    _wait(stack, phone, clean_for_sms(accepted), seen)

    bearer = {"Authorization": f"Bearer {stack.api_key}"}
    response = httpx.get(f"{stack.app}/api/v1/referrals/{referral_id}", headers=bearer, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "accepted" and body["shared"] == {"phone": phone, "zip": "92101"}
    assert body["history"][-1]["status"] == "accepted" and body["history"][-1]["by"] == "partner"
    assert "partner-notified" in [h["business_status"] for h in body["history"]], body["history"]
