"""Notices that are not replies keep quiet hours (the outbox row's `quiet_zone`): the referral
SMS to a partner (its location's zone) and what the participant is told of the partner's
answer (their own zone), and a case manager's message (the participant's zone, else the
program's). Replies carry none: the participant just asked."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations import service as conversations
from api.conversations.models import Participant
from api.directory.models import HsdsLocation
from api.outbox import service as outbox
from api.outbox.models import OutboundMessage
from api.referrals import delivery, notify, partner_actions
from api.staff import actions
from tests import factories as f
from tests.support.referrals import booked_referral


def test_the_referral_sms_to_a_partner_keeps_the_partners_quiet_hours(db: Session) -> None:
    referral = booked_referral(db, method="sms", target="+16195550199")
    row = delivery.queue(referral, db_session=db)
    delivery.send_due()
    db.refresh(row)
    message = db.get(OutboundMessage, row.outbound_message_id)
    assert message is not None and referral.appointment is not None
    assert message.quiet_zone == referral.appointment.timezone


def test_the_partners_answer_keeps_the_participants_quiet_hours(db: Session) -> None:
    referral = booked_referral(db)
    participant = db.get(Participant, referral.participant_id)
    assert participant is not None
    participant.timezone = "America/Phoenix"

    partner_actions.act(referral, "accept", db_session=db)

    told = db.scalars(select(OutboundMessage).where(OutboundMessage.kind == notify.KIND)).one()
    assert told.quiet_zone == "America/Phoenix"


def test_a_reply_has_no_quiet_zone(db: Session) -> None:
    referral = booked_referral(db)
    participant = db.get(Participant, referral.participant_id)
    assert participant is not None
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    assert outbox.enqueue(conversation, "hi", db_session=db).quiet_zone is None


def test_a_staff_message_to_someone_of_no_known_zone_keeps_the_programs_quiet_hours(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = conversations.participant_for_phone(f.phone(), db_session=db)
    conversations.current_conversation(person, "sms", db_session=db)
    assert person.timezone is None and db.scalars(select(HsdsLocation)).first() is None
    monkeypatch.setenv("PROGRAM_TIMEZONE", "America/Phoenix")
    get_settings.cache_clear()
    try:
        row = actions.reply(person, "We will call you tomorrow", db_session=db)
    finally:
        monkeypatch.delenv("PROGRAM_TIMEZONE")
        get_settings.cache_clear()
    assert (row.kind, row.quiet_zone) == ("staff_reply", "America/Phoenix")
