"""A partner that does not answer: after PARTNER_RESPONSE_BUSINESS_DAYS business days
(default 2, Monday to Friday in the location's zone, less the holidays of
PARTNER_RESPONSE_HOLIDAYS: US federal by default, from the `holidays` package) a referral
still waiting on the partner goes to the case manager: a handoff flag, reason
`partner_no_answer`, and the referral on hold (by system). Run by the worker; idempotent,
since a referral on hold is no longer waiting. A partner's later answer still counts
(on-hold -> accepted or rejected)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import states
from api.booking.models import Referral
from api.config import get_settings
from api.conversations.models import Conversation, Participant
from api.handoff import service as handoffs

REASON = "partner_no_answer"
WAITING = (states.DRAFT, states.REQUESTED)


@lru_cache
def calendar(spec: str) -> holidays.HolidayBase | None:
    """The holidays of `spec`: a country code with an optional subdivision ("US",
    "US-CA"); None for "" (weekends only). Observed days count (July 4 on a Saturday: the
    Friday)."""
    if not spec.strip():
        return None
    country, _, subdivision = spec.strip().partition("-")
    return holidays.country_holidays(country.upper(), subdiv=subdivision.upper() or None)


def is_business_day(day: date, off: holidays.HolidayBase | None) -> bool:
    return day.weekday() < 5 and (off is None or day not in off)


def add_business_days(
    start: datetime, days: int, zone: str = "UTC", holidays_of: str | None = None
) -> datetime:
    """`start` plus `days` business days, counted in `zone` (a start on a weekend or a
    holiday counts from the next business day's midnight). `holidays_of`: a `calendar()`
    spec; default PARTNER_RESPONSE_HOLIDAYS."""
    spec = get_settings().partner_response_holidays if holidays_of is None else holidays_of
    off = calendar(spec)
    local = start.astimezone(ZoneInfo(zone))
    while not is_business_day(local.date(), off):  # the clock starts the next business day
        local = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if is_business_day(local.date(), off):
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
