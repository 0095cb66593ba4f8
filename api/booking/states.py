"""A referral's states: the Gravity SDOH Clinical Care IG's Task status, our business status.

`transition()` is the only way a referral changes state. Each change is a history row with
its time, who made it and why. The rules:

- a status moves only along ALLOWED (e.g. never accepted -> requested);
- completed, cancelled, rejected and failed are final: only entered-in-error leaves them,
  and entered-in-error is final for good;
- the business status (booked, partner-notified, reminded, attended, no-show) may change
  on its own while the status is not final;
- rejected, cancelled, failed and entered-in-error free the appointment's seat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy.orm import object_session

from api.booking import seats
from api.booking.models import BOOKED as BOOKED_APPOINTMENT
from api.booking.models import CANCELLED, DECLINED, Referral, ReferralEvent
from api.db import utcnow

DRAFT, REQUESTED, ACCEPTED, REJECTED = "draft", "requested", "accepted", "rejected"
IN_PROGRESS, ON_HOLD, FAILED, COMPLETED = "in-progress", "on-hold", "failed", "completed"
TASK_CANCELLED, ENTERED_IN_ERROR = "cancelled", "entered-in-error"
STATUSES: Final = (DRAFT, REQUESTED, ACCEPTED, REJECTED, IN_PROGRESS, ON_HOLD, FAILED,
                   COMPLETED, TASK_CANCELLED, ENTERED_IN_ERROR)  # fmt: skip

BOOKED, PARTNER_NOTIFIED, REMINDED = "booked", "partner-notified", "reminded"
ATTENDED, NO_SHOW = "attended", "no-show"
BUSINESS_STATUSES: Final = (BOOKED, PARTNER_NOTIFIED, REMINDED, ATTENDED, NO_SHOW)

_LIVE = {IN_PROGRESS, ON_HOLD, COMPLETED, FAILED, TASK_CANCELLED, ENTERED_IN_ERROR}
ALLOWED: Final[dict[str, frozenset[str]]] = {
    DRAFT: frozenset({REQUESTED, TASK_CANCELLED, ENTERED_IN_ERROR}),
    REQUESTED: frozenset(_LIVE | {ACCEPTED, REJECTED}),
    ACCEPTED: frozenset(_LIVE),
    IN_PROGRESS: frozenset(_LIVE - {IN_PROGRESS}),
    ON_HOLD: frozenset(_LIVE - {ON_HOLD} | {REQUESTED, ACCEPTED}),
    REJECTED: frozenset({ENTERED_IN_ERROR}),
    FAILED: frozenset({ENTERED_IN_ERROR}),
    COMPLETED: frozenset({ENTERED_IN_ERROR}),
    TASK_CANCELLED: frozenset({ENTERED_IN_ERROR}),
    ENTERED_IN_ERROR: frozenset(),
}
FINAL: Final = frozenset({REJECTED, FAILED, COMPLETED, TASK_CANCELLED, ENTERED_IN_ERROR})
FREES_SEAT: Final = frozenset({REJECTED, TASK_CANCELLED, FAILED, ENTERED_IN_ERROR})

_KEEP = object()


class InvalidTransition(ValueError):
    """The referral can't move from its status to the one asked."""

    def __init__(self, referral: Referral, status: str, business_status: str | None) -> None:
        super().__init__(
            f"referral {referral.id}: {referral.status}/{referral.business_status} -> "
            f"{status}/{business_status} is not allowed"
        )
        self.current = referral.status
        self.wanted = status


def can_transition(current: str, status: str) -> bool:
    return status in ALLOWED.get(current, frozenset())


def transition(
    referral: Referral,
    status: str,
    business_status: str | None | object = _KEEP,
    *,
    by: str,
    reason: str | None = None,
    at: datetime | None = None,
) -> ReferralEvent:
    """Move the referral (and record it). `business_status` left out keeps the current one;
    `None` clears it. Raises InvalidTransition when the rules say no."""
    business = referral.business_status if business_status is _KEEP else business_status
    if status not in STATUSES:
        raise ValueError(f"unknown Task status {status!r}")
    if business is not None and business not in BUSINESS_STATUSES:
        raise ValueError(f"unknown business status {business!r}")
    assert business is None or isinstance(business, str)
    if status == referral.status:
        if status in FINAL or business == referral.business_status:
            raise InvalidTransition(referral, status, business)
    elif referral.status is None and status in (DRAFT, REQUESTED):
        pass  # a new referral starts as draft or requested
    elif not can_transition(referral.status, status):
        raise InvalidTransition(referral, status, business)
    when = at or utcnow()
    if status != referral.status:
        referral.status_changed_at = when
    referral.status, referral.business_status = status, business
    event = ReferralEvent(status=status, business_status=business, at=when, by=by, reason=reason)
    referral.events.append(event)
    appointment = referral.appointment
    if status in FREES_SEAT and appointment is not None:
        free_seat(referral, DECLINED if status == REJECTED else CANCELLED)
    if appointment is not None and business in (ATTENDED, NO_SHOW):
        appointment.status = business  # what happened, whatever the seat
    return event


def record(
    referral: Referral, *, by: str, reason: str, at: datetime | None = None
) -> ReferralEvent:
    """A change that keeps the state (e.g. a new time): a history row all the same."""
    event = ReferralEvent(status=referral.status, business_status=referral.business_status,
                          at=at or utcnow(), by=by, reason=reason)  # fmt: skip
    referral.events.append(event)
    return event


def free_seat(referral: Referral, appointment_status: str) -> None:
    """Give the appointment's seat back (the row goes, so the slot is open again)."""
    appointment = referral.appointment
    if appointment is None:
        return
    session = object_session(referral)
    if session is not None:
        seats.release(appointment.id, db_session=session)
    appointment.seat = None
    if appointment.status == BOOKED_APPOINTMENT:
        appointment.status = appointment_status
