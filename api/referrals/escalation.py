"""A partner that does not answer: after PARTNER_RESPONSE_BUSINESS_DAYS business days
(default 2, Monday to Friday in the location's zone; holidays are not known) a referral
still waiting on the partner goes to the case manager: a handoff flag, reason
`partner_no_answer`, and the referral on hold (by system). Run by the worker; idempotent,
since a referral on hold is no longer waiting. A partner's later answer still counts
(on-hold -> accepted or rejected)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import states
from api.booking.models import Referral
from api.config import get_settings
from api.conversations.models import Conversation, Participant
from api.handoff import service as handoffs

REASON = "partner_no_answer"
WAITING = (states.DRAFT, states.REQUESTED)


def add_business_days(start: datetime, days: int, zone: str = "UTC") -> datetime:
    """`start` plus `days` weekdays, counted in `zone` (a weekend start counts from Monday)."""
    local = start.astimezone(ZoneInfo(zone))
    while local.weekday() >= 5:  # a Saturday or Sunday start: the clock starts Monday 00:00
        local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return local


def _deadline(referral: Referral) -> datetime:
    zone = referral.appointment.timezone if referral.appointment else "UTC"
    days = get_settings().partner_response_business_days
    return add_business_days(referral.status_changed_at, days, zone)


def due(now: datetime, *, db_session: Session) -> list[Referral]:
    days = get_settings().partner_response_business_days
    # a cheap bound first (business days are at least calendar days), then the exact rule
    candidates = db_session.scalars(
        select(Referral).where(
            Referral.status.in_(WAITING),
            Referral.status_changed_at <= now - timedelta(days=days),
        )
    ).all()
    return [r for r in candidates if _waiting_on_partner(r) and _deadline(r) <= now]


def _waiting_on_partner(referral: Referral) -> bool:
    if referral.status == states.REQUESTED:
        return True
    return referral.business_status == states.BOOKED  # booked, never confirmed delivered


def sweep(now: datetime, *, db_session: Session) -> int:
    escalated = 0
    for referral in due(now, db_session=db_session):
        participant = db_session.get(Participant, referral.participant_id)
        if participant is None:
            continue
        conversation = db_session.scalars(
            select(Conversation)
            .where(Conversation.participant_id == participant.id)
            .order_by(Conversation.last_activity_at.desc())
            .limit(1)
        ).first()
        days = get_settings().partner_response_business_days
        why = f"{REASON}: no partner answer in {days} business days; escalated to case manager"
        if referral.status == states.DRAFT:
            states.transition(referral, states.REQUESTED, by="system", reason="not confirmed sent")
        states.transition(referral, states.ON_HOLD, by="system", reason=why, at=now)
        handoffs.flag(
            participant,
            conversation,
            REASON,
            db_session=db_session,
            details={"partner_no_answer": {"referral_id": referral.id, "domain": referral.domain}},
            at=now,
        )
        escalated += 1
    return escalated
