"""Replies to a reminder (issue 9): 1 / confirm, 2 / change, 3 / cancel, by number or by words
in the participant's language, caught before NLU; anything else goes on to the engine, and
the bare word CANCEL stays a carrier opt-out keyword. On SQLite and PostgreSQL, inside the
test's transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import service, states
from api.booking.models import Appointment, Referral, Seat
from api.channels import keywords
from api.config import get_settings
from api.conversations import service as conversations
from api.conversations.models import Conversation, Participant
from api.handoff.models import Handoff
from api.outbox.models import OutboundMessage
from api.referrals.models import ReferralDelivery
from api.reminders import replies
from api.reminders.reply_models import ReminderReply
from tests.support.booking import FIRST_SLOT, NOW, ZIP, food_partner, participant

SENT_AT = NOW + timedelta(hours=2)  # the day-before reminder went out
REPLY_AT = SENT_AT + timedelta(minutes=5)


def booked(db: Session, org, phone: str, language: str = "en", slots: int = 3):  # type: ignore[no-untyped-def]
    """A participant with a booked appointment (the first slot) and a conversation."""
    food_partner(db, slots=slots, languages=("en", "es", "zh", "vi", "ar"))
    person = participant(db, phone, org_id=org.id, language=language)
    conversation = conversations.current_conversation(person, "sms", db_session=db)
    [offer, *_] = service.offers(person, "food", ZIP, NOW, db_session=db)
    booking = service.book(person, offer, db_session=db, zip_code=ZIP, now=NOW)
    return person, conversation, booking.appointment


def sent(db: Session, person: Participant, conversation: Conversation, appointment: Appointment,
         kind: str = "reminder", at=SENT_AT) -> OutboundMessage:  # type: ignore[no-untyped-def]  # fmt: skip
    """A reminder as the planner writes it (kind, appointment_id), as the sender leaves it."""
    row = OutboundMessage(conversation_id=conversation.id, participant_id=person.id,
                          channel="sms", kind=kind, body="Reminder ...", status="sent",
                          sent_at=at, appointment_id=appointment.id)  # fmt: skip
    db.add(row)
    db.flush()
    return row


def say(db: Session, person: Participant, conversation: Conversation, text: str,
        at=REPLY_AT) -> bool:  # type: ignore[no-untyped-def]  # fmt: skip
    message = conversations.store_inbound(conversation, text, external_id=None,
                                          db_session=db).message  # fmt: skip
    db.flush()
    return replies.handle(message, person, conversation, db_session=db, now=at)


def replies_to(db: Session, person: Participant) -> list[str]:
    rows = db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.participant_id == person.id, OutboundMessage.kind == "reply")
        .order_by(OutboundMessage.id)
    )
    return [row.body for row in rows]


@pytest.mark.parametrize(
    ("language", "text", "thanks"),
    [
        ("en", "1", "Thank you! Your appointment with Harbor Pantry on Wed, Dec 2 9:00 AM is "
                    "confirmed."),
        ("es", "Sí, confirmo", "¡Gracias! Su cita con Harbor Pantry el"),
        ("vi", "xác nhận", "Cảm ơn quý vị! Cuộc hẹn với Harbor Pantry"),
        ("ar", "نعم أؤكد", "شكرًا لكم! تم تأكيد موعدكم مع Harbor Pantry"),
        ("zh", "确认", "谢谢您！"),
    ],
)  # fmt: skip
def test_confirm_by_number_or_words_marks_the_appointment_confirmed_by_the_participant(
    db: Session,
    org,
    language: str,
    text: str,
    thanks: str,  # type: ignore[no-untyped-def]
) -> None:
    person, conversation, appointment = booked(db, org, "+16195550301", language)
    reminder = sent(db, person, conversation, appointment)

    assert say(db, person, conversation, text)

    # the participant's own confirmation, apart from the booking's
    assert (appointment.participant_confirmed_at, appointment.confirmed_at) == (REPLY_AT, NOW)
    referral = service.referral_of(appointment, db_session=db)
    assert referral is not None
    assert (referral.events[-1].by, referral.events[-1].reason) == (
        "participant", replies.CONFIRMED_BY_PARTICIPANT)  # fmt: skip
    [thank_you] = replies_to(db, person)
    assert thank_you.startswith(thanks), thank_you
    [row] = db.scalars(select(ReminderReply)).all()
    assert (row.outbound_message_id, row.answer) == (reminder.id, "confirm")
    # answered: a second "1" is not taken for the reminder again (it goes to the engine)
    assert not say(db, person, conversation, "1")


def test_change_offers_new_times_and_a_pick_moves_the_appointment(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, conversation, appointment = booked(db, org, "+16195550302", "es", slots=4)
    sent(db, person, conversation, appointment)

    assert say(db, person, conversation, "2")

    [menu] = replies_to(db, person)
    assert menu.startswith("Busquemos una nueva hora.") or "1 Harbor Pantry" in menu, menu
    assert "1 Harbor Pantry, jue" in menu  # the current time (Wednesday) is not offered again
    assert conversation.last_menu  # "1" picks from it
    assert say(db, person, conversation, "1")  # the menu's pick, before NLU

    db.refresh(appointment)
    assert appointment.start == FIRST_SLOT + timedelta(days=1) and appointment.status == "booked"
    [seat] = db.scalars(select(Seat)).all()  # the old seat freed, the new one taken
    assert (seat.appointment_id, seat.slot_start) == (appointment.id, appointment.start)
    assert replies_to(db, person)[-1].startswith("Su cita esta reservada: Harbor Pantry, jue")
    # the session is done: another "1" goes to the engine
    assert not say(db, person, conversation, "1")


@pytest.mark.parametrize(("language", "text"), [("en", "3"), ("vi", "hủy"), ("es", "cancelar")])
def test_cancel_frees_the_seat_and_tells_the_partner_and_the_case_manager(
    db: Session,
    org,
    language: str,
    text: str,  # type: ignore[no-untyped-def]
) -> None:
    person, conversation, appointment = booked(db, org, "+16195550303", language)
    sent(db, person, conversation, appointment)

    assert say(db, person, conversation, text)

    assert appointment.status == "cancelled"
    assert db.scalars(select(Seat)).all() == []
    referral = db.scalars(select(Referral)).one()
    assert referral.status == states.TASK_CANCELLED and referral.events[-1].by == "participant"
    kinds = [d.kind for d in db.scalars(select(ReferralDelivery).order_by(ReferralDelivery.id))]
    assert kinds[-1] != "referral"  # the partner hears of the cancellation
    [handoff] = db.scalars(select(Handoff)).all()
    assert "reminder_cancelled" in handoff.reasons
    assert handoff.summary["reminder_cancelled"]["referral_id"] == referral.id
    [said] = replies_to(db, person)
    assert "Harbor Pantry" in said


def test_other_messages_go_on_to_the_engine_and_bare_cancel_stays_a_carrier_keyword(
    db: Session,
    org,  # type: ignore[no-untyped-def]
) -> None:
    person, conversation, appointment = booked(db, org, "+16195550304")
    # before any reminder, "1" is not an answer
    assert not say(db, person, conversation, "1")
    sent(db, person, conversation, appointment)
    for text in (
        "where is the pantry?",
        "I need help with rent this month please",
        "no",
        "yes, but can I change the time?",
    ):
        assert not say(db, person, conversation, text), text
    assert replies.meaning("CANCEL", "reminder") is None
    assert keywords.keyword_of("CANCEL") == "stop"
    assert db.scalars(select(ReminderReply)).all() == []
    # a reminder too old, or an appointment gone by, is not answered
    assert not say(db, person, conversation, "1", at=SENT_AT + timedelta(hours=72, seconds=1))
    assert not say(db, person, conversation, "1", at=appointment.start + timedelta(minutes=1))


def test_the_reply_window_is_a_program_setting(
    db: Session,
    org,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    person, conversation, appointment = booked(db, org, "+16195550307")
    sent(db, person, conversation, appointment)
    monkeypatch.setenv("REMINDER_REPLY_WINDOW_HOURS", "1")
    get_settings.cache_clear()
    try:
        assert not say(db, person, conversation, "1", at=SENT_AT + timedelta(hours=1, seconds=1))
        assert say(db, person, conversation, "1", at=SENT_AT + timedelta(minutes=59))
    finally:
        monkeypatch.delenv("REMINDER_REPLY_WINDOW_HOURS")
        get_settings.cache_clear()


def test_the_latest_reminder_is_the_one_answered(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, conversation, appointment = booked(db, org, "+16195550305")
    sent(db, person, conversation, appointment)
    later = sent(db, person, conversation, appointment, at=SENT_AT + timedelta(hours=1))
    assert say(db, person, conversation, "ok", at=SENT_AT + timedelta(hours=2))
    assert db.scalars(select(ReminderReply.outbound_message_id)).all() == [later.id]


def test_the_partner_page_and_the_api_show_the_participants_confirmation(
    db: Session,
    org,
    client,  # type: ignore[no-untyped-def]
) -> None:
    from api.referrals import partner_link
    from api.staff import service as staff

    person, conversation, appointment = booked(db, org, "+16195550306")
    referral = service.referral_of(appointment, db_session=db)
    assert referral is not None
    token = partner_link.make_token(referral.id)
    assert "confirmed by the participant" not in client.get(f"/partner/r/{token}").text
    sent(db, person, conversation, appointment)
    assert say(db, person, conversation, "confirm")

    page = client.get(f"/partner/r/{token}").text
    assert "Appointment confirmed by the participant (2026-12-01 18:05 UTC)" in page
    key = staff.create_api_key(org, "h2", db_session=db)
    body = client.get(f"/api/v1/referrals/{referral.id}",
                      headers={"Authorization": f"Bearer {key}"}).json()  # fmt: skip
    assert body["appointment"]["participant_confirmed_at"].startswith("2026-12-01T18:05:00")
    assert body["appointment"]["confirmed_at"].startswith("2026-12-01T16:00:00")  # booked
    assert body["history"][-1]["by"] == "participant"

    # moved to another time: that confirmation was for the old one, shown nowhere now
    later = service.offers(person, "food", ZIP, REPLY_AT, db_session=db)
    new_offer = next(o for o in later if o.start != appointment.start)
    service.reschedule(appointment, new_offer, db_session=db, by="participant",
                       now=REPLY_AT + timedelta(minutes=1))  # fmt: skip
    assert appointment.participant_confirmed_at is None
    assert "confirmed by the participant" not in client.get(f"/partner/r/{token}").text
    body = client.get(f"/api/v1/referrals/{referral.id}",
                      headers={"Authorization": f"Bearer {key}"}).json()  # fmt: skip
    assert body["appointment"]["participant_confirmed_at"] is None
    assert body["appointment"]["confirmed_at"].startswith("2026-12-01T18:06:00")
