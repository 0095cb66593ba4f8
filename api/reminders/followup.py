"""After the appointment, and after a partner's decline: the outcome and new times.

- "Did you make it?" (a `followup` outbox row): 1 / yes records the referral as completed
  (business status attended), 2 / no and 3 / a new time as failed / no-show, through the
  same transitions the partner's link uses (by="participant"). A no-show is offered new
  times for the same need at once, as a numbered menu; with none, a case manager finds one.
- A partner's decline: the participant is told in their language and offered the other
  times booking found (that partner left out) as a numbered menu in the conversation; with
  none, the caller tells them a case manager will help, as before.

The menus are booking sessions the app opened (a `reminder_replies` row names them), so the
pick is taken by api/reminders/replies.py before NLU.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import by_message
from api.booking.models import Appointment, Referral
from api.booking.offers import BookingOffer
from api.conversations.models import Conversation, Participant
from api.i18n.catalog import render
from api.referrals import partner_actions
from api.reminders import replies, reply_texts
from api.reminders.reply_models import DECLINED, OFFERED, YES, ReminderReply

BY = "participant"


def answer(
    reply: ReminderReply, appointment: Appointment, participant: Participant,
    conversation: Conversation, *, db_session: Session, now: datetime,
) -> None:  # fmt: skip
    """Record what the participant says happened, and offer a new time after a no-show."""
    language = replies._language(participant)
    referral = db_session.get(Referral, reply.referral_id) if reply.referral_id else None
    if referral is None or partner_actions.MARK_ATTENDED not in partner_actions.available(
        referral
    ):  # the partner (or an earlier reply) recorded it already
        replies.say(conversation, reply_texts.ALREADY.key, language, db_session=db_session)
        return
    if reply.answer == YES:
        partner_actions.mark_outcome(
            referral, partner_actions.MARK_ATTENDED, by=BY,
            reason="attended: the participant's reply", at=now,
        )  # fmt: skip
        replies.say(conversation, reply_texts.ATTENDED.key, language, db_session=db_session)
        return
    partner_actions.mark_outcome(referral, partner_actions.MARK_NO_SHOW, by=BY,
                                 reason=f"no-show: the participant's reply ({reply.answer})",
                                 at=now)  # fmt: skip
    session, said = by_message.offer_again(
        participant, referral, conversation.channel, db_session=db_session,
        conversation=conversation, now=now, lead=reply_texts.MISSED.key,
    )  # fmt: skip
    if session.offers:
        reply.booking_session_id = session.id
        replies.speak(conversation, said, language, db_session=db_session)
    else:  # the booking conversation asked a person to find a time (handoff booking_later)
        replies.say(conversation, reply_texts.NO_NEW_TIME.key, language, db_session=db_session)


def offer_after_decline(
    referral: Referral, found: list[BookingOffer], *, db_session: Session,
    now: datetime | None = None,
) -> bool:  # fmt: skip
    """Tell the participant of the decline with other times as a numbered menu; False when
    there are none (or no conversation to say it in): the caller hands it to a person."""
    participant = db_session.get(Participant, referral.participant_id)
    conversation = db_session.scalars(
        select(Conversation)
        .where(Conversation.participant_id == referral.participant_id)
        .order_by(Conversation.last_activity_at.desc())
        .limit(1)
    ).first()
    if not found or participant is None or conversation is None:
        return False
    language = referral.language
    session, said = by_message.offer_again(
        participant, referral, conversation.channel, db_session=db_session,
        conversation=conversation, now=now, found=found,
    )  # fmt: skip
    args = {"partner": "", "when": ""}
    if referral.appointment is not None:
        args = replies.appointment_args(referral.appointment, language, db_session=db_session)
    lead = render(reply_texts.DECLINED_NEW_TIMES.key, language, args).text
    notice = replies.speak(conversation, said, language, db_session=db_session, prefix=lead,
                           kind="referral_update")  # fmt: skip
    db_session.add(
        ReminderReply(participant_id=participant.id,
                      outbound_message_id=notice.id if notice else None,
                      appointment_id=referral.appointment_id, referral_id=referral.id,
                      kind=DECLINED, answer=OFFERED, booking_session_id=session.id)
    )  # fmt: skip
    db_session.flush()
    return True
