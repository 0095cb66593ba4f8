"""Notices that are not replies keep quiet hours (the outbox row's `quiet_zone`): the referral
SMS to a partner (its location's zone) and what the participant is told of the partner's
answer (their own zone). Replies carry none: the participant just asked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.conversations.models import Participant
from api.outbox import service as outbox
from api.outbox.models import OutboundMessage
from api.referrals import delivery, notify, partner_actions
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
