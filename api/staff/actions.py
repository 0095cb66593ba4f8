"""What a case manager does from the participant page: reply by SMS (through the outbox, so
opt-out and quiet hours apply), move a referral (the booking's state machine, the same rules
and history as the partner's link, by "staff:<user id>"), and record a phone task's outcome.
Each returns nothing to commit: the request's unit of work commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.booking import service as booking
from api.booking import states
from api.booking.models import Referral
from api.conversations.models import Participant
from api.outbox import service as outbox
from api.outbox.models import OutboundMessage
from api.referrals import delivery, notify
from api.referrals.models import ReferralDelivery
from api.staff import participants

STAFF_REPLY = "staff_reply"
MAX_REPLY = 640  # four GSM-7 segments; a longer note belongs in a call
ACCEPT, COMPLETED, NO_SHOW, CANCEL = "accept", "completed", "no_show", "cancel"
REFERRAL_ACTIONS = {
    ACCEPT: "Accepted by the partner",
    COMPLETED: "Completed (attended)",
    NO_SHOW: "No-show",
    CANCEL: "Cancelled",
}
CALL_OUTCOMES = ("reached", "voicemail", "no_answer", "wrong_number")


class CannotReply(ValueError):
    """Nothing was queued: empty, too long, no conversation, or the participant opted out."""


class NotAllowed(ValueError):
    """The referral action does not apply to the referral as it is now."""


def reply(participant: Participant, text: str, *, db_session: Session) -> OutboundMessage:
    """Queue the case manager's words as they wrote them (their language; no translation)."""
    body = text.strip()
    if not body:
        raise CannotReply("Write a message first.")
    if len(body) > MAX_REPLY:
        raise CannotReply(f"Keep it under {MAX_REPLY} characters.")
    conversation = participants.reply_conversation(participant, db_session=db_session)
    if conversation is None:
        raise CannotReply("This participant has no conversation to reply to.")
    if conversation.channel == "sms" and participant.sms_opted_out:
        raise CannotReply("This participant opted out of texts: nothing can be sent.")
    message = outbox.enqueue(conversation, body, kind=STAFF_REPLY, db_session=db_session)
    if conversation.channel == "sms":  # quiet hours in their zone, applied by the sender
        message.quiet_zone = participants.quiet_zone(participant, db_session=db_session)
    db_session.flush()
    return message


def referral_actions(referral: Referral) -> list[str]:
    """What staff may do now, by the same state rules as the partner's link."""
    status, has_time = referral.status, referral.appointment is not None
    out = []
    if status in (states.DRAFT, states.REQUESTED, states.ON_HOLD):
        out.append(ACCEPT)
    if has_time and status in (states.REQUESTED, states.ACCEPTED, states.IN_PROGRESS):
        out += [COMPLETED, NO_SHOW]
    if status not in states.FINAL:
        out.append(CANCEL)
    return out


def move_referral(referral: Referral, action: str, by: str, *, db_session: Session) -> None:
    if action not in referral_actions(referral):
        raise NotAllowed(f"{action} does not apply to a {referral.status} referral")
    if referral.status == states.DRAFT:
        states.transition(referral, states.REQUESTED, by="system", reason="staff update")
    if action == ACCEPT:
        states.transition(referral, states.ACCEPTED, by=by, reason="accepted (recorded by staff)")
        notify.tell(referral, "referral.accepted", db_session=db_session)
    elif action == COMPLETED:  # the appointment is marked attended by the transition
        states.transition(referral, states.COMPLETED, states.ATTENDED, by=by, reason="attended")
    elif action == NO_SHOW:
        states.transition(referral, states.FAILED, states.NO_SHOW, by=by, reason="no-show")
    elif referral.appointment is not None:  # cancel: reminders, seat and partner as booking does
        booking.cancel(referral.appointment, by=by, reason="cancelled by staff",
                       db_session=db_session)  # fmt: skip
    else:
        states.transition(referral, states.TASK_CANCELLED, by=by, reason="cancelled by staff")


def record_call(
    task: ReferralDelivery, outcome: str, by: str, *, db_session: Session
) -> ReferralDelivery:
    if outcome not in CALL_OUTCOMES:
        raise NotAllowed(f"not a call outcome: {outcome}")
    return delivery.record_call(task.id, outcome, by=by, db_session=db_session)
