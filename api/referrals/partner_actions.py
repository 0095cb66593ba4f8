"""What a partner may do with a referral from its link, each through the booking's state
machine (by="partner"), and what the participant is told.

- accept: accepted; the participant is told.
- decline (a reason): rejected, which frees the seat; the participant is told and offered
  the other times right in the conversation, as a numbered menu (api/reminders/followup.py);
  when there are none, told a case manager will help, and one is flagged.
- propose (a new time, in the location's zone): the appointment moves and the referral is
  accepted at that time; the participant is told the new time.
- attended: completed / attended. no_show: failed / no-show (the seat was used up anyway).
  `mark_outcome` is the one way to record either, also for the participant's own answer to
  "did you make it?" (by="participant").
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.booking import service as booking
from api.booking import states
from api.booking.models import ATTENDED, NO_SHOW, Referral, Seat
from api.referrals import notify

ACCEPT, DECLINE, PROPOSE, MARK_ATTENDED, MARK_NO_SHOW = (
    "accept",
    "decline",
    "propose",
    "attended",
    "no_show",
)
ACTIONS = (ACCEPT, DECLINE, PROPOSE, MARK_ATTENDED, MARK_NO_SHOW)
BY = "partner"


class NotAllowed(ValueError):
    """The action does not apply to the referral as it is now."""


def available(referral: Referral) -> list[str]:
    status, has_time = referral.status, referral.appointment is not None
    out = []
    if status in (states.DRAFT, states.REQUESTED, states.ON_HOLD):
        out.append(ACCEPT)
    if status in (states.DRAFT, states.REQUESTED, states.ACCEPTED, states.ON_HOLD):
        out.append(DECLINE)
        if has_time:
            out.append(PROPOSE)
    if has_time and status in (states.REQUESTED, states.ACCEPTED, states.IN_PROGRESS):
        out += [MARK_ATTENDED, MARK_NO_SHOW]
    return out


def act(
    referral: Referral,
    action: str,
    *,
    reason: str | None = None,
    new_time: str | None = None,
    db_session: Session,
) -> None:
    if action not in available(referral):
        raise NotAllowed(f"{action} does not apply to a {referral.status} referral")
    if referral.status == states.DRAFT:  # the partner saw it before the send was recorded
        states.transition(referral, states.REQUESTED, by="system", reason="partner opened link")
    if action == ACCEPT:
        states.transition(referral, states.ACCEPTED, by=BY, reason="accepted by partner")
        notify.tell(referral, "referral.accepted", db_session=db_session)
    elif action == DECLINE:
        why = (reason or "").strip()[:300] or "no reason given"
        # booking's one path for a decline (frees the seat; other times for the participant)
        found = booking.decline(referral, by=BY, reason=f"declined: {why}", db_session=db_session)
        from api.reminders import followup  # new times in the conversation, when there are

        if not followup.offer_after_decline(referral, found, db_session=db_session):
            notify.tell(referral, "referral.declined", db_session=db_session)
            _hand_to_case_manager(referral, "partner_declined", db_session=db_session)
    elif action == PROPOSE:
        _move(referral, _parse_local(new_time, referral), db_session=db_session)
    elif action in (MARK_ATTENDED, MARK_NO_SHOW):
        mark_outcome(referral, action, by=BY)


def mark_outcome(
    referral: Referral, action: str, *, by: str, reason: str | None = None,
    at: datetime | None = None,
) -> None:  # fmt: skip
    """attended: completed / attended; no_show: failed / no-show; the appointment says so."""
    if action == MARK_ATTENDED:
        states.transition(referral, states.COMPLETED, states.ATTENDED, by=by,
                          reason=reason or "attended", at=at)  # fmt: skip
        outcome = ATTENDED
    elif action == MARK_NO_SHOW:
        states.transition(referral, states.FAILED, states.NO_SHOW, by=by,
                          reason=reason or "no-show", at=at)  # fmt: skip
        outcome = NO_SHOW
    else:
        raise ValueError(f"not an outcome: {action}")
    assert referral.appointment is not None
    referral.appointment.status = outcome


def _parse_local(value: str | None, referral: Referral) -> datetime:
    appointment = referral.appointment
    assert appointment is not None
    try:
        naive = datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise NotAllowed("the new time is not a date and time") from None
    if naive.tzinfo is not None:
        raise NotAllowed("give the new time in the location's time zone")
    start = naive.replace(tzinfo=ZoneInfo(appointment.timezone))
    if start <= datetime.now(start.tzinfo):
        raise NotAllowed("the new time is in the past")
    return start


def _move(referral: Referral, start: datetime, *, db_session: Session) -> None:
    appointment = referral.appointment
    assert appointment is not None
    length = appointment.end - appointment.start
    old = appointment.start
    taken = db_session.scalar(
        select(func.max(Seat.seat)).where(
            Seat.service_id == appointment.service_id, Seat.slot_start == start
        )
    )
    seat = db_session.scalar(select(Seat).where(Seat.appointment_id == appointment.id))
    if seat is not None:  # the partner's own time: its next seat number, whatever capacity
        seat.slot_start, seat.seat = start, (taken or 0) + 1
        appointment.seat = seat.seat
    appointment.start, appointment.end = start, start + max(length, timedelta(minutes=15))
    why = f"new time proposed by partner: {old.isoformat()} -> {start.isoformat()}"
    if (referral.status, referral.business_status) == (states.ACCEPTED, states.BOOKED):
        states.record(referral, by=BY, reason=why)  # a second new time: the state stays
    else:
        states.transition(referral, states.ACCEPTED, states.BOOKED, by=BY, reason=why)
    booking.moved_in_place(appointment, db_session=db_session)  # its reminders, planned again
    notify.tell(referral, "referral.new_time", db_session=db_session)


def _hand_to_case_manager(referral: Referral, reason: str, *, db_session: Session) -> None:
    """What the participant is told ("a case manager will help"), made true: a flag."""
    from api.conversations.models import Participant
    from api.handoff import service as handoffs

    participant = db_session.get(Participant, referral.participant_id)
    if participant is not None:
        details = {reason: {"referral_id": referral.id, "domain": referral.domain}}
        handoffs.flag(participant, None, reason, details=details, db_session=db_session)
