"""A reminder that could not be delivered by SMS (30003 after its retry, 30005, 30006, 21610,
or any final failure) becomes a task for the case manager, with the reason, and goes to
web chat when the participant has used it. The status callback (api/channels/twilio_sms
.apply_status) and the sender's own failures call `on_failed`."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Participant
from api.outbox import service as outbox
from api.outbox.models import OutboundMessage

log = logging.getLogger(__name__)

PLANNED_KINDS = ("reminder", "followup")  # api/reminders/planner.py's outbox kinds


def reason_of(code: str | None) -> str:
    return f"reminder_failed:{code or 'unknown'}"


def on_failed(message: OutboundMessage, code: str | None, *, db_session: Session) -> None:
    """Call once, when a planned SMS has just become failed; other rows are left alone."""
    if message.kind not in PLANNED_KINDS or message.channel != "sms":
        return
    participant = (
        db_session.get(Participant, message.participant_id) if message.participant_id else None
    )
    if participant is None:
        return
    from api.handoff import service as handoffs
    from api.reminders.planner import latest_conversation

    reason = reason_of(code)
    details = {reason: {"appointment_id": message.appointment_id, "outbox_id": message.id}}
    handoffs.flag(participant, None, reason, details=details, db_session=db_session)
    web = latest_conversation(participant.id, "web", db_session)
    if web is not None:
        conversation = db_session.get(Conversation, web)
        assert conversation is not None
        copy = outbox.enqueue(conversation, message.body, kind=message.kind, db_session=db_session)
        copy.appointment_id = message.appointment_id
    log.info("reminder %s failed (%s): flagged for the case manager", message.id, reason)
