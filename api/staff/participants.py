"""What a case manager sees of one participant, always within their own organization: the
screening results by domain (sensitive domains apart), referrals and appointments with their
history and phone tasks, the transcript, notes and the assignment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.booking.models import Appointment, Referral
from api.booking.sessions import BookingSession
from api.config import get_settings
from api.conversations.models import Conversation, InboundMessage, Participant
from api.db import utcnow
from api.directory import geo
from api.directory.models import HsdsLocation as Location
from api.directory.models import HsdsService as Service
from api.handoff.models import Handoff
from api.outbox.models import OutboundMessage
from api.referrals.models import ReferralDelivery
from api.screening.instrument import modules, sensitive_domains
from api.staff.models import Assignment, Note, StaffUser


def for_org(participant_id: str, org_id: str, *, db_session: Session) -> Participant | None:
    """The participant, or None when they belong to another organization (a 404 for staff)."""
    participant = db_session.get(Participant, participant_id)
    return participant if participant is not None and participant.org_id == org_id else None


@dataclass(frozen=True)
class Line:
    """One message of the transcript: `direction` in | out; `kind` of an outbound one."""

    at: datetime
    direction: str
    text: str
    channel: str
    kind: str = ""
    status: str = ""


def transcript(participant_id: str, *, db_session: Session, limit: int = 200) -> list[Line]:
    """Every message to and from the participant, on every channel, oldest first."""
    inbound = db_session.execute(
        select(InboundMessage, Conversation.channel)
        .join(Conversation, Conversation.id == InboundMessage.conversation_id)
        .where(Conversation.participant_id == participant_id)
        .order_by(InboundMessage.id.desc())
        .limit(limit)
    ).all()
    outbound = db_session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.participant_id == participant_id)
        .order_by(OutboundMessage.id.desc())
        .limit(limit)
    ).all()
    lines = [Line(m.received_at, "in", m.text, channel) for m, channel in inbound]
    lines += [Line(m.created_at, "out", m.body, m.channel, m.kind, m.status) for m in outbound]
    return sorted(lines, key=lambda line: line.at)[-limit:]


@dataclass
class DomainView:
    domain: str
    status: str  # positive | negative | declined
    urgent: bool
    sensitive: bool
    answers: list[dict[str, Any]] = field(default_factory=list)


def screening(handoff: Handoff | None) -> tuple[list[DomainView], str | None]:
    """The shared screening results of the latest handoff, by domain with their answers
    (what the participant consented to share; a withdrawal leaves only the note)."""
    if handoff is None:
        return [], None
    summary = handoff.summary or {}
    if "withheld" in summary:
        return [], str(summary["withheld"])
    coded = summary.get("screening") or {}
    sensitive = sensitive_domains()
    views = {
        d["domain"]: DomainView(
            d["domain"], d.get("status", ""), bool(d.get("urgent")), d["domain"] in sensitive
        )  # fmt: skip
        for d in coded.get("domains", [])
    }
    texts = {q.id: q.text for m in modules().values() for q in m.questions}
    for answer in coded.get("answers", []):
        view = views.get(answer.get("domain"))
        if view is not None:
            view.answers.append({**answer, "question": texts.get(answer.get("question_id"), "")})
    return list(views.values()), None


def domain_answers(handoff: Handoff | None, domain: str) -> DomainView | None:
    views, _ = screening(handoff)
    return next((v for v in views if v.domain == domain), None)


def latest_handoff(participant_id: str, *, db_session: Session) -> Handoff | None:
    return db_session.scalars(
        select(Handoff)
        .where(Handoff.participant_id == participant_id)
        .order_by(Handoff.created_at.desc(), Handoff.id)
        .limit(1)
    ).first()


@dataclass(frozen=True)
class ReferralView:
    referral: Referral
    partner: str
    calls: list[ReferralDelivery]


def referrals(participant_id: str, org_id: str, *, db_session: Session) -> list[ReferralView]:
    rows = db_session.execute(
        select(Referral, Service.name)
        .join(Service, Service.id == Referral.service_id)
        .where(Referral.participant_id == participant_id, Referral.org_id == org_id)
        .order_by(Referral.created_at.desc())
    ).all()
    out = []
    for referral, partner in rows:
        calls = db_session.scalars(
            select(ReferralDelivery)
            .where(ReferralDelivery.referral_id == referral.id, ReferralDelivery.method == "phone")
            .order_by(ReferralDelivery.id)
        ).all()
        out.append(ReferralView(referral, partner, list(calls)))
    return out


def notes(participant_id: str, *, db_session: Session) -> list[tuple[Note, StaffUser]]:
    rows = db_session.execute(
        select(Note, StaffUser)
        .join(StaffUser, StaffUser.id == Note.author_id)
        .where(Note.participant_id == participant_id)
        .order_by(Note.id.desc())
    ).all()
    return [(n, u) for n, u in rows]


def add_note(participant: Participant, author_id: str, text: str, *, db_session: Session) -> Note:
    assert participant.org_id is not None
    note = Note(org_id=participant.org_id, participant_id=participant.id, author_id=author_id,
                text=text.strip()[:4000])  # fmt: skip
    db_session.add(note)
    db_session.flush()
    return note


def assignee(participant_id: str, *, db_session: Session) -> StaffUser | None:
    row = db_session.get(Assignment, participant_id)
    return db_session.get(StaffUser, row.user_id) if row else None


def assign(participant: Participant, user: StaffUser, by: str, *, db_session: Session) -> None:
    """Assign to a staff member of the participant's own organization."""
    if user.org_id != participant.org_id or not user.active:
        raise LookupError(user.id)
    row = db_session.get(Assignment, participant.id)
    if row is None:
        db_session.add(Assignment(participant_id=participant.id, user_id=user.id, assigned_by=by))
    else:
        row.user_id, row.assigned_by, row.assigned_at = user.id, by, utcnow()
    db_session.flush()


def quiet_zone(participant: Participant, *, db_session: Session) -> str:
    """The participant's zone for quiet hours: as recorded, else from the ZIP they gave when
    booking, else their latest appointment's location, else the zone most of the directory's
    locations are in, else the program's zone (PROGRAM_TIMEZONE): never none, so a staff
    message always keeps quiet hours."""
    if participant.timezone:
        return participant.timezone
    zip_code = db_session.scalar(
        select(BookingSession.zip_code)
        .where(
            BookingSession.participant_id == participant.id, BookingSession.zip_code.is_not(None)
        )
        .order_by(BookingSession.updated_at.desc())
        .limit(1)
    )
    found = geo.lookup(zip_code)
    if found is not None and found.timezone:
        return found.timezone
    zone = db_session.scalar(
        select(Appointment.timezone)
        .where(Appointment.participant_id == participant.id)
        .order_by(Appointment.created_at.desc())
        .limit(1)
    )
    if zone:
        return zone
    most = db_session.scalar(
        select(Location.timezone)
        .where(Location.timezone.is_not(None))
        .group_by(Location.timezone)
        .order_by(func.count().desc())
        .limit(1)
    )
    return most or str(get_settings().program_timezone)


def reply_conversation(participant: Participant, *, db_session: Session) -> Conversation | None:
    """Where a staff reply goes: the latest SMS conversation, else the latest web chat."""
    conversations = db_session.scalars(
        select(Conversation)
        .where(Conversation.participant_id == participant.id)
        .order_by(Conversation.last_activity_at.desc())
    ).all()
    sms = [c for c in conversations if c.channel == "sms"]
    found = sms or list(conversations)
    return found[0] if found else None
