"""After the appointment, "did you make it?" (issue 9): yes is completed / attended, no or a
new time is failed / no-show with new times offered at once; and a partner's decline offers
the participant the other times as a numbered menu (issue 8). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import service, states
from api.booking.models import Appointment, Referral
from api.handoff.models import Handoff
from api.referrals import partner_actions
from api.reminders.reply_models import ReminderReply
from tests.support.booking import FIRST_SLOT, NOW, ZIP, food_partner
from tests.test_reminders_replies import booked, replies_to, say, sent

AFTER = FIRST_SLOT + timedelta(days=1)  # the next day at 9:00 in San Diego: the follow-up
LANGUAGES = ("en", "es", "zh", "vi", "ar")


@pytest.mark.parametrize(("language", "text"), [("en", "1"), ("es", "sí, fui"), ("vi", "có")])
def test_yes_records_completed_attended_by_the_participant(
    db: Session,
    org,
    language: str,
    text: str,  # type: ignore[no-untyped-def]
) -> None:
    person, conversation, appointment = booked(db, org, "+16195550401", language)
    sent(db, person, conversation, appointment, kind="followup", at=AFTER)

    assert say(db, person, conversation, text, at=AFTER + timedelta(minutes=3))

    referral = service.referral_of(appointment, db_session=db)
    assert referral is not None
    assert (referral.status, referral.business_status) == (states.COMPLETED, states.ATTENDED)
    assert referral.events[-1].by == "participant" and appointment.status == "attended"
    assert len(replies_to(db, person)) == 1


@pytest.mark.parametrize("text", ["2", "3", "no, I missed it", "new time"])
def test_no_or_a_new_time_records_a_no_show_and_offers_new_times(
    db: Session,
    org,
    text: str,  # type: ignore[no-untyped-def]
) -> None:
    person, conversation, appointment = booked(db, org, "+16195550402", slots=4)
    sent(db, person, conversation, appointment, kind="followup", at=AFTER)

    assert say(db, person, conversation, text, at=AFTER + timedelta(minutes=3))

    referral = db.scalars(select(Referral)).one()
    assert (referral.status, referral.business_status) == (states.FAILED, states.NO_SHOW)
    assert appointment.status == "no-show"
    [menu] = replies_to(db, person)
    assert menu.startswith("Thank you for telling us. Let's find you a new time.")
    assert "1 Harbor Pantry, Fri, Dec 4" in menu  # times after now, not the missed one
    # the pick books a new appointment and a new referral for the same need
    assert say(db, person, conversation, "1", at=AFTER + timedelta(minutes=4))
    new = db.scalars(select(Appointment).where(Appointment.id != appointment.id)).one()
    assert new.start == FIRST_SLOT + timedelta(days=2) and new.status == "booked"
    assert db.scalars(select(Referral).where(Referral.appointment_id == new.id)).one().domain == (
        "food"
    )


def test_a_no_show_with_no_new_time_goes_to_a_case_manager(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, conversation, appointment = booked(db, org, "+16195550403", slots=1)
    sent(db, person, conversation, appointment, kind="followup", at=AFTER)

    assert say(db, person, conversation, "2", at=AFTER)

    assert replies_to(db, person) == [
        "Thank you for telling us. A case manager will contact you to find a new time."
    ]
    assert db.scalars(select(Handoff)).one().reasons  # a person finds a time


def test_an_outcome_the_partner_recorded_is_not_changed(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    person, conversation, appointment = booked(db, org, "+16195550404")
    referral = service.referral_of(appointment, db_session=db)
    assert referral is not None
    partner_actions.act(referral, partner_actions.MARK_ATTENDED, db_session=db)
    sent(db, person, conversation, appointment, kind="followup", at=AFTER)

    assert say(db, person, conversation, "2", at=AFTER)

    assert (referral.status, referral.business_status) == (states.COMPLETED, states.ATTENDED)
    assert replies_to(db, person) == [
        "Thank you, we already have what happened with this appointment."
    ]


def test_a_partners_decline_offers_other_times_as_a_menu_and_a_pick_books_one(
    db: Session,
    org,  # type: ignore[no-untyped-def]
) -> None:
    food_partner(db, service_id="svc-other", name="Bay Kitchen", slots=2, languages=LANGUAGES)
    person, conversation, appointment = booked(db, org, "+16195550405", "es")
    referral = service.referral_of(appointment, db_session=db)
    assert referral is not None and referral.service_id == "svc-b1-food"

    partner_actions.act(referral, partner_actions.DECLINE, reason="full", db_session=db)

    assert referral.status == states.REJECTED
    [notice] = [r.body for r in conversation_rows(db, person, "referral_update")]
    assert notice.startswith("Lo sentimos, Harbor Pantry no puede atender su cita del mié")
    assert "1 Bay Kitchen" in notice and "Harbor Pantry," not in notice.split("\n", 1)[1]
    assert db.scalars(select(Handoff)).all() == []  # times were offered: no task yet
    [row] = db.scalars(select(ReminderReply)).all()
    assert (row.kind, row.referral_id) == ("declined", referral.id)

    assert say(db, person, conversation, "1", at=NOW + timedelta(minutes=5))

    new = db.scalars(select(Appointment).where(Appointment.status == "booked")).one()
    assert new.service_id == "svc-other"
    moved = db.scalars(select(Referral).where(Referral.appointment_id == new.id)).one()
    assert moved.shared.get("zip") == ZIP


def test_a_decline_with_no_other_time_tells_them_a_case_manager_will_help(
    db: Session,
    org,  # type: ignore[no-untyped-def]
) -> None:
    person, _conversation, appointment = booked(db, org, "+16195550406", slots=1)
    referral = service.referral_of(appointment, db_session=db)
    assert referral is not None

    partner_actions.act(referral, partner_actions.DECLINE, reason="closed", db_session=db)

    [notice] = [r.body for r in conversation_rows(db, person, "referral_update")]
    assert "case manager" in notice
    assert "partner_declined" in db.scalars(select(Handoff)).one().reasons


def conversation_rows(db: Session, person, kind: str):  # type: ignore[no-untyped-def]
    from api.outbox.models import OutboundMessage

    return db.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.participant_id == person.id, OutboundMessage.kind == kind)
        .order_by(OutboundMessage.id)
    ).all()
