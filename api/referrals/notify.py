"""Telling the participant what the partner did (accepted, declined, a new time), in their
language, on their channel: a row in the outbox of their latest conversation."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking.models import Referral
from api.conversations.models import Conversation
from api.directory.models import HsdsService
from api.i18n.catalog import program_args, render
from api.i18n.locales import babel_locale
from api.outbox import service as outbox
from api.outbox.models import OutboundMessage

log = logging.getLogger(__name__)

KIND = "referral_update"


def local_time(start: datetime, zone: str, language: str) -> str:
    """A day, date and time in the location's zone, in the participant's language."""
    local = start.astimezone(ZoneInfo(zone))
    locale = babel_locale(language)
    day = format_skeleton("MMMEd", local, locale=locale)
    text = f"{day} {format_skeleton('hm', local, locale=locale)}"
    return text.replace("\u202f", " ")  # a narrow no-break space would cost UCS-2 on SMS


def tell(referral: Referral, key: str, *, db_session: Session) -> OutboundMessage | None:
    conversation = db_session.scalars(
        select(Conversation)
        .where(Conversation.participant_id == referral.participant_id)
        .order_by(Conversation.last_activity_at.desc())
        .limit(1)
    ).first()
    if conversation is None:
        log.warning("referral %s: no conversation to tell the participant", referral.id)
        return None
    service = db_session.get(HsdsService, referral.service_id)
    args: dict[str, Any] = {**program_args(), "partner": service.name if service else ""}
    appointment = referral.appointment
    if appointment is not None:
        args["when"] = local_time(appointment.start, appointment.timezone, referral.language)
    text = render(key, referral.language, args).text
    return outbox.enqueue(conversation, text, kind=KIND, quiet_zone=_zone(referral, db_session),
                          db_session=db_session)  # fmt: skip


def _zone(referral: Referral, db_session: Session) -> str | None:
    """The participant's zone: the partner's answer is a notice, not a reply to them, so
    quiet hours apply (api/reminders/planner.recipient_zone)."""
    from api.conversations.models import Participant
    from api.reminders import planner

    participant = db_session.get(Participant, referral.participant_id)
    if participant is None:
        return None
    if referral.appointment is None:
        return participant.timezone
    return planner.recipient_zone(participant, referral.appointment, None, db_session=db_session)
