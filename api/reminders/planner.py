"""An appointment's reminders as outbox rows: planned when it is booked, cancelled when it
is cancelled, planned again when it moves (api/booking/service.py calls these).

Each reminder of the schedule (api/reminders/program.py) is one row, keyed by (appointment,
kind, start): planning twice never makes a second row. The send time comes from the pure
planner (api/reminders/schedule.py: the location's zone, quiet hours in the recipient's);
`not_after` is the misfire policy's last useful moment; `quiet_zone` lets the sender apply
quiet hours again at send time. A reminder that is not sent is still a row, `dropped` with
its reason (the audit). The "did you make it?" row (kind `followup`) goes the next day.
See docs/REMINDERS.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking.models import Appointment, Referral
from api.booking.sessions import BookingSession
from api.conversations.models import Conversation, Participant
from api.directory import geo
from api.directory.models import HsdsService
from api.i18n.catalog import program_args, render
from api.outbox import service as outbox
from api.outbox.models import FAILED, OutboundMessage
from api.referrals.notify import local_time
from api.reminders import program, texts
from api.reminders.quiet import QuietHours, is_quiet, local_wall_time, quiet_period
from api.reminders.schedule import Dropped, Rule, nominal_send_time, plan

log = logging.getLogger(__name__)

REMINDER, FOLLOWUP = "reminder", "followup"  # outbox kinds (H2's replies look for them)
PLANNED_KINDS = (REMINDER, FOLLOWUP)
# Reasons a row is dropped at planning (besides the pure planner's own).
PAST_AT_PLANNING = "send_time_passed_at_planning"
NO_CHANNEL = "no_working_channel"
# An SMS that failed with one of these means the number does not take texts.
DEAD_NUMBER_CODES = ("30005", "30006", "21211", "21614")
FOLLOWUP_RULE = "followup"


@dataclass(frozen=True)
class Recipient:
    channel: str  # sms | web (a web row is copied into web chat when due: api/reminders/jobs)
    conversation_id: str | None
    zone: str


def _valid_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def recipient_zone(
    participant: Participant, appointment: Appointment, zip_code: str | None, *, db_session: Session
) -> str:
    """The participant's own zone: as recorded, else from their ZIP (bundled data), else
    the appointment location's."""
    zone = _valid_zone(participant.timezone)
    if zone:
        return zone
    if zip_code is None:
        zip_code = db_session.scalar(
            select(BookingSession.zip_code)
            .where(
                BookingSession.participant_id == participant.id,
                BookingSession.zip_code.is_not(None),
            )
            .order_by(BookingSession.updated_at.desc())
            .limit(1)
        )
    found = geo.lookup(zip_code)
    return _valid_zone(found.timezone if found else None) or appointment.timezone


def sms_works(participant: Participant, *, db_session: Session) -> bool:
    if not participant.phone_encrypted or participant.sms_opted_out:
        return False
    dead = db_session.scalar(
        select(OutboundMessage.id)
        .where(
            OutboundMessage.participant_id == participant.id,
            OutboundMessage.channel == "sms",
            OutboundMessage.status == FAILED,
            OutboundMessage.error_code.in_(DEAD_NUMBER_CODES),
        )
        .limit(1)
    )
    return dead is None


def latest_conversation(participant_id: str, channel: str, db_session: Session) -> str | None:
    return db_session.scalar(
        select(Conversation.id)
        .where(Conversation.participant_id == participant_id, Conversation.channel == channel)
        .order_by(Conversation.last_activity_at.desc())
        .limit(1)
    )


def recipient(participant: Participant, zone: str, *, db_session: Session) -> Recipient | None:
    """SMS when it works; else web chat when they have used it; else None (staff call)."""
    if sms_works(participant, db_session=db_session):
        return Recipient("sms", latest_conversation(participant.id, "sms", db_session), zone)
    if latest_conversation(participant.id, "web", db_session):
        return Recipient("web", None, zone)
    return None


def when_text(start: datetime, location_zone: str, recipient_zone: str, language: str) -> str:
    """The start in the participant's zone, with its abbreviation when the clock there
    differs from the location's (a reminder read in Phoenix for a San Diego appointment)."""
    text = local_time(start, recipient_zone, language)
    here, there = (
        start.astimezone(ZoneInfo(recipient_zone)),
        start.astimezone(ZoneInfo(location_zone)),
    )
    if here.utcoffset() != there.utcoffset():
        text = f"{text} {here.tzname()}"
    return text


def _key(kind: str, appointment: Appointment) -> str:
    start = appointment.start.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%MZ")
    return f"{kind}:{appointment.id}:{start}"


def _not_after(rule: Rule, start: datetime, zone: str, min_lead: timedelta) -> datetime:
    """Never under `min_lead` before the start; a "tomorrow" reminder never on the day."""
    last = start - min_lead
    if rule.days_before:
        local_day = start.astimezone(ZoneInfo(zone)).date()
        day_start = local_wall_time(local_day, datetime.min.time(), zone)
        last = min(last, day_start)
    return last


def _followup_window(
    appointment: Appointment, zone: str, quiet: QuietHours
) -> tuple[datetime, datetime]:
    """The next day (recipient's zone) at the program's follow-up time, out of quiet hours;
    sent until that day's quiet hours begin (or 12 h later with no quiet hours)."""
    day = appointment.end.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    send_at = local_wall_time(day, program.followup_at(), zone)
    if is_quiet(send_at, zone, quiet):
        send_at = quiet_period(send_at, zone, quiet)[1]
    until = send_at + timedelta(hours=12)
    if quiet.start != quiet.end:
        edge = local_wall_time(send_at.astimezone(ZoneInfo(zone)).date(), quiet.start, zone)
        until = edge if edge > send_at else until
    return send_at, until


def _context(appointment: Appointment, db_session: Session) -> tuple[Participant, str, str]:
    participant = db_session.get(Participant, appointment.participant_id)
    assert participant is not None
    referral_language = db_session.scalar(
        select(Referral.language).where(Referral.appointment_id == appointment.id).limit(1)
    )
    language = participant.language or referral_language or "en"
    service = db_session.get(HsdsService, appointment.service_id)
    return participant, language, service.name if service else ""


def plan_appointment(
    appointment: Appointment,
    *,
    db_session: Session,
    now: datetime,
    zip_code: str | None = None,
    rules: list[Rule] | None = None,
) -> list[OutboundMessage]:
    """Plan the appointment's reminders and its follow-up; returns the rows made now (none
    when they were planned already)."""
    participant, language, partner = _context(appointment, db_session)
    zone = recipient_zone(participant, appointment, zip_code, db_session=db_session)
    to = recipient(participant, zone, db_session=db_session)
    rules = program.rules() if rules is None else rules
    quiet, min_lead = program.quiet_hours(), program.min_lead()
    start = appointment.start
    args: dict[str, Any] = {
        **program_args(),
        "partner": partner,
        "when": when_text(start, appointment.timezone, zone, language),
    }
    results = plan(
        appointment_id=appointment.id, start_utc=start, location_zone=appointment.timezone,
        recipient_zone=zone, rules=rules, now=now, quiet=quiet, min_lead=min_lead,
    )  # fmt: skip
    made: list[OutboundMessage | None] = []
    for rule, result in zip(rules, results, strict=True):
        reason: str | None
        if isinstance(result, Dropped):
            send_at, reason = nominal_send_time(rule, start, appointment.timezone), result.reason
        else:
            send_at = result.send_at_utc
            reason = PAST_AT_PLANNING if send_at < now else None
        key = texts.DAY_BEFORE.key if rule.days_before == 1 else texts.HOURS_BEFORE.key
        made.append(
            _row(
                f"{REMINDER}:{rule.kind}",
                REMINDER,
                render(key, language, args).text,
                appointment,
                to,
                zone,
                send_at,
                _not_after(rule, start, zone, min_lead),
                reason,
                db_session,
            )  # fmt: skip
        )
    send_at, until = _followup_window(appointment, zone, quiet)
    made.append(
        _row(
            FOLLOWUP,
            FOLLOWUP,
            render(texts.FOLLOWUP.key, language, args).text,
            appointment,
            to,
            zone,
            send_at,
            until,
            None,
            db_session,
        )  # fmt: skip
    )
    if to is None and any(m is not None for m in made):
        _staff_call(participant, appointment, db_session)
    return [m for m in made if m is not None]


def _row(
    key_kind: str,
    kind: str,
    body: str,
    appointment: Appointment,
    to: Recipient | None,
    zone: str,
    send_at: datetime,
    not_after: datetime,
    reason: str | None,
    db_session: Session,
) -> OutboundMessage | None:
    row = outbox.enqueue_planned(
        idempotency_key=_key(key_kind, appointment),
        channel=to.channel if to else "sms",
        kind=kind,
        body=body,
        participant_id=appointment.participant_id,
        conversation_id=to.conversation_id if to else None,
        appointment_id=appointment.id,
        send_at=send_at,
        not_after=not_after,
        quiet_zone=zone,
        status_reason=reason or (None if to else NO_CHANNEL),
        db_session=db_session,
    )
    if row is not None and row.status_reason:
        log.info(
            "reminder %s of appointment %s dropped: %s", kind, appointment.id, row.status_reason
        )
    return row


def _staff_call(participant: Participant, appointment: Appointment, db_session: Session) -> None:
    """No SMS that works and no web chat: a case manager calls instead (a handoff flag)."""
    from api.handoff import service as handoffs

    details = {
        NO_CHANNEL: {"appointment_id": appointment.id, "start": appointment.start.isoformat()}
    }
    handoffs.flag(participant, None, f"reminder_call:{NO_CHANNEL}", details=details,
                  db_session=db_session)  # fmt: skip


def cancel_appointment(appointment: Appointment, *, reason: str, db_session: Session) -> int:
    """Cancel the appointment's reminders and follow-up still waiting."""
    return outbox.cancel_planned(appointment.id, reason=reason, db_session=db_session)


def replan_appointment(
    appointment: Appointment, *, db_session: Session, now: datetime, reason: str
) -> list[OutboundMessage]:
    """The appointment moved: what waited is cancelled and its new time planned. The
    participant's confirmation was for the old time: the new time's reminders ask again."""
    appointment.participant_confirmed_at = None
    cancel_appointment(appointment, reason=reason, db_session=db_session)
    return plan_appointment(appointment, db_session=db_session, now=now)
