"""Replies to reminders over signed SMS, end to end (issue 9), in English, Spanish and
Vietnamese: a booking by conversation, then `firstcall worker --once --now` at each planned
reminder's time sends it to the simulator, and the participant's reply does what it says,
seen in GET /api/v1/referrals/{id}: 1 / "sí" / "xác nhận" confirms; 2 / "cambiar la hora" /
"đổi lịch" offers new times and a pick moves the appointment; then "did you make it?": yes
completes it (es), no offers a new time, and the partner's decline of that one offers other
times in the conversation (en); or "hủy" cancels (vi). One booking per language."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking.models import Appointment, Referral
from api.booking.sessions import BookingSession
from api.config import ROOT
from api.conversations import service as conversations
from api.db import make_engine
from api.directory.models import SlotException
from api.i18n.catalog import program_args, render
from api.i18n.sms import clean_for_sms
from api.outbox.models import OutboundMessage
from api.referrals import partner_link
from tests import factories as f
from tests.e2e.test_booking_end_to_end import QUESTIONS, _answer, _participant_id, _wait
from tests.support import partner_mail
from tests.support.booking import food_partner

pytestmark = pytest.mark.e2e
LANGUAGES = ("en", "es", "zh", "vi", "ar")
PARTNERS = {"svc-h2-mesa": ("Mesa Food Hub", 17), "svc-h2-bay": ("Bay Kitchen", 19)}
DECLINE_NONCE = re.compile(
    r'action="/partner/r/[^"]+/decline">\s*<input type="hidden" name="nonce" value="([^"]+)"'
)


@contextmanager
def _db(stack) -> Iterator[Session]:  # type: ignore[no-untyped-def]
    engine = make_engine(stack.database_url)
    try:
        with Session(engine) as db:
            yield db
    finally:
        engine.dispose()


def _partners(stack) -> None:  # type: ignore[no-untyped-def]
    """Two food partners by downtown San Diego, each with a slot a day for four days."""
    day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with _db(stack) as db:
        if db.get(SlotException, "x-svc-h2-mesa-1") is not None:
            return
        for service_id, (name, hour) in PARTNERS.items():
            food_partner(db, service_id=service_id, name=name, capacity=10, slots=0,
                         languages=LANGUAGES)  # fmt: skip
            for n in (1, 2, 3, 4):
                start = day + timedelta(days=n, hours=hour)
                db.add(SlotException(id=f"x-{service_id}-{n}", service_id=service_id,
                                     kind="extra", starts_at=start,
                                     ends_at=start + timedelta(hours=1), capacity=10))  # fmt: skip
        db.commit()


def _worker_at(stack, at: datetime) -> str:  # type: ignore[no-untyped-def]
    """`firstcall worker --once --now <at>` with the stack's own settings; what it printed."""
    iso = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    command = [str(ROOT / ".venv/bin/firstcall"), "worker", "--once", "--now", iso]
    done = subprocess.run(command, env=stack.env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _text(key: str, language: str, **args: Any) -> str:
    return clean_for_sms(render(key, language, {**program_args(), **args}).text)


def _pick_latest(stack, phone: str, exclude: datetime | None = None) -> None:  # type: ignore[no-untyped-def]
    """Pick the latest time of the menu shown (its reminders are all ahead, whatever the
    hour the test runs), from the booking session's offers."""
    with _db(stack) as db:
        person = _participant_id(db, phone)
        session = db.scalars(
            select(BookingSession)
            .where(BookingSession.participant_id == person, BookingSession.status == "active")
            .order_by(BookingSession.created_at.desc())
        ).first()
        assert session is not None and session.offers
        starts = [datetime.fromisoformat(o["start"]) for o in session.offers]
    candidates = [i for i, s in enumerate(starts) if s != exclude]
    stack.text(phone, str(max(candidates, key=lambda i: starts[i]) + 1))


OPENING = {"en": "i need help", "es": "necesito ayuda", "vi": "tôi cần giúp đỡ"}


def _book(stack, phone: str, language: str) -> str:  # type: ignore[no-untyped-def]
    """A screening with food positive, the partner consent, the ZIP, a pick; the appointment."""
    with _db(stack) as db:  # the participant's language is known (the booking is not the test)
        person = conversations.participant_for_phone(phone, db_session=db)
        conversations.set_language(person, language)
        db.commit()
    stack.text(phone, OPENING[language])
    stack.wait_replies(phone, 1)
    stack.text(phone, "1")  # consent
    seen = len(stack.wait_replies(phone, 2))
    for question in QUESTIONS:
        stack.text(phone, _answer(question))
        seen = len(stack.wait_replies(phone, seen + 1))
    seen = _wait(stack, phone, _text("utter_partner_consent", language)[:40], seen - 2)
    stack.text(phone, "1")  # share with a partner
    seen = _wait(stack, phone, _text("booking.ask_zip", language), seen)
    stack.text(phone, "92101")
    seen = _wait(stack, phone, _text("booking.ask_name", language), seen)
    stack.text(phone, "Ana")
    seen = _wait(stack, phone, "\n1 ", seen)
    _pick_latest(stack, phone)
    _wait(stack, phone, _text("booking.how_to_change", language), seen)
    with _db(stack) as db:
        person = _participant_id(db, phone)
        appointment = db.scalars(
            select(Appointment).where(
                Appointment.participant_id == person, Appointment.status == "booked"
            )  # fmt: skip
        ).one()
        return appointment.id


def _send_next(stack, phone: str, appointment_id: str, kind: str = "reminder") -> int:  # type: ignore[no-untyped-def]
    """The worker as of the appointment's next planned `kind` row: it reaches the phone."""
    with _db(stack) as db:
        row = db.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.appointment_id == appointment_id,
                   OutboundMessage.kind == kind, OutboundMessage.status == "pending")
            .order_by(OutboundMessage.next_attempt_at)
        ).first()  # fmt: skip
        assert row is not None, f"no {kind} planned for {appointment_id}"
        at, body, row_id = row.next_attempt_at, row.body, row.id
    before = len(stack.replies(phone))
    printed = _worker_at(stack, at)
    try:
        return _wait(stack, phone, clean_for_sms(body)[:50], before)
    except AssertionError as exc:
        with _db(stack) as db:
            left = db.get(OutboundMessage, row_id)
            state = (left.status, left.status_reason, left.next_attempt_at) if left else None
        raise AssertionError(f"{exc}\nworker at {at}: {printed}\nrow {row_id}: {state}") from None


def _booked(db: Session, person: str) -> list[Appointment]:
    query = select(Appointment).where(
        Appointment.participant_id == person, Appointment.status == "booked"
    )
    return list(db.scalars(query))


def _api(stack, referral_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    bearer = {"Authorization": f"Bearer {stack.api_key}"}
    response = httpx.get(f"{stack.app}/api/v1/referrals/{referral_id}", headers=bearer, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _referral_of(stack, appointment_id: str) -> str:  # type: ignore[no-untyped-def]
    with _db(stack) as db:
        return db.scalars(
            select(Referral.id).where(Referral.appointment_id == appointment_id)
        ).one()


def _partner_link(stack, referral_id: str) -> str:  # type: ignore[no-untyped-def]
    return f"{stack.app}/partner/r/{partner_link.make_token(referral_id)}"


def _decline(link: str) -> None:
    page = httpx.get(link, timeout=10)
    nonce = DECLINE_NONCE.search(page.text)
    assert page.status_code == 200 and nonce, page.text[:500]
    done = httpx.post(f"{link}/decline", data={"nonce": nonce.group(1), "reason": "full"},
                      timeout=10)  # fmt: skip
    assert done.status_code == 303, done.text[:500]


WORDS = {  # confirm, change, and the third reply
    "en": ("1", "2", None),
    "es": ("sí", "cambiar la hora", None),
    "vi": ("xác nhận", "đổi lịch", "hủy"),
}


@pytest.mark.parametrize("language", ["en", "es", "vi"])
def test_confirm_change_and_then_the_outcome_by_reply(stack, language: str) -> None:  # type: ignore[no-untyped-def]
    _partners(stack)
    phone = f.phone()
    appointment_id = _book(stack, phone, language)
    referral_id = _referral_of(stack, appointment_id)
    confirm, change, third = WORDS[language]

    # 1 / confirm: confirmed by the participant, in the API and on the partner's page
    seen = _send_next(stack, phone, appointment_id)
    stack.text(phone, confirm)
    seen = _wait(stack, phone, _text("replies.confirmed", language, partner="x", when="y")[:6],
                 seen)  # fmt: skip
    body = _api(stack, referral_id)
    assert body["appointment"]["participant_confirmed_at"] is not None
    assert (body["history"][-1]["by"], body["history"][-1]["reason"]) == (
        "participant", "confirmed by the participant")  # fmt: skip
    page = httpx.get(_partner_link(stack, referral_id), timeout=10).text
    assert "Appointment confirmed by the participant" in page

    # 2 / change: new times; a pick moves the appointment (the old time is not offered)
    seen = _send_next(stack, phone, appointment_id)
    old_start = datetime.fromisoformat(body["appointment"]["start"])
    stack.text(phone, change)
    seen = _wait(stack, phone, _text("booking.reschedule", language), seen)
    _pick_latest(stack, phone, exclude=old_start)
    seen = _wait(stack, phone, _text("booking.how_to_change", language), seen)
    with _db(stack) as db:  # moved in place, or booked anew with the other partner
        person = _participant_id(db, phone)
        [moved] = _booked(db, person)
        moved_id, moved_start = moved.id, moved.start
    assert moved_start != old_start
    moved_referral = _referral_of(stack, moved_id)
    body = _api(stack, moved_referral)
    assert datetime.fromisoformat(body["appointment"]["start"]) == moved_start
    assert body["appointment"]["status"] == "booked"
    assert body["appointment"]["participant_confirmed_at"] is None  # a new time: not yet

    if third is not None:  # vi: "hủy" cancels: the seat freed, the referral cancelled
        seen = _send_next(stack, phone, moved_id)
        stack.text(phone, third)
        _wait(stack, phone, _text("replies.cancelled", language, partner="x", when="y")[-20:],
              seen)  # fmt: skip
        body = _api(stack, moved_referral)
        assert body["status"] == "cancelled" and body["appointment"]["status"] == "cancelled"
        assert body["history"][-1]["by"] == "participant"
        return

    # the partner accepts; after the appointment, "did you make it?"
    partner_mail.accept(_partner_link(stack, moved_referral), "")
    seen = _send_next(stack, phone, moved_id, kind="followup")
    if language == "es":  # yes: completed / attended
        stack.text(phone, "sí, fui")
        _wait(stack, phone, _text("replies.attended", language)[:30], seen)
        body = _api(stack, moved_referral)
        assert (body["status"], body["business_status"]) == ("completed", "attended")
        assert body["appointment"]["status"] == "attended"
        assert body["history"][-1]["by"] == "participant"
        return

    # en: no: a no-show, and new times at once; the pick books a new appointment
    stack.text(phone, "2")
    seen = _wait(stack, phone, _text("replies.missed", language), seen)
    body = _api(stack, moved_referral)
    assert (body["status"], body["business_status"]) == ("failed", "no-show")
    assert body["appointment"]["status"] == "no-show"
    _pick_latest(stack, phone)
    seen = _wait(stack, phone, _text("booking.how_to_change", language), seen)
    with _db(stack) as db:
        [again] = _booked(db, person)
        again_id, partner_id = again.id, again.service_id
    again_referral = _referral_of(stack, again_id)
    assert _api(stack, again_referral)["status"] == "requested"

    # the partner declines it: other times, in the conversation, as a numbered menu
    partner, _ = PARTNERS.get(partner_id, (partner_id, 0))
    _decline(_partner_link(stack, again_referral))
    seen = _wait(stack, phone, clean_for_sms(f"Sorry, {partner} can't take"), seen)
    menu = stack.replies(phone)[seen - 1]
    assert "\n1 " in menu and f"\n1 {partner}," not in menu, menu
    assert _api(stack, again_referral)["status"] == "rejected"
    _pick_latest(stack, phone)
    _wait(stack, phone, _text("booking.how_to_change", language), seen)
    with _db(stack) as db:
        [last] = _booked(db, person)
        assert last.service_id != partner_id
