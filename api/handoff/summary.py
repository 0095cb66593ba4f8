"""The handoff summary v2 (api/handoff/v2.py) built from the database: the one function the
API, the webhooks and the dashboard use (`build`). Read-only: it never flushes or commits.

Consent decides what is in it. While the participant's consent to share with the case
manager is in force: name and ZIP (if given), the phone in full, the answers, referrals and
appointments. Otherwise: the masked phone, the language and time zone (to answer in the
right language), the consents, the urgent flags and the handoff's own events, and
`withheld` says why the rest is not there. The FHIR bundle follows the same rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking.models import Appointment, Referral
from api.config import get_settings
from api.conversations.models import Conversation, Participant
from api.directory.models import HsdsOrganization, HsdsService
from api.fhir import people
from api.handoff import v2
from api.handoff.models import FLAG, Handoff
from api.screening.models import Consent, ScreeningSession
from api.staff.models import Organization

HandoffV2 = v2.HandoffV2
json_schema = v2.json_schema
WITHHELD = "the participant has not agreed to share with the case manager, or withdrew"
TRANSCRIPT_PATH = "/staff/participants/{participant_id}"


def mask(address: str) -> str:
    """All but the last four characters hidden: enough to match a caller, not to dial."""
    return "*" * max(len(address) - 4, 0) + address[-4:]


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _participant(
    participant: Participant, shared: bool, referrals: list[Referral], *, db_session: Session
) -> v2.ParticipantV2:
    contact = []
    phone = people.phone(participant)
    if phone:
        contact.append(
            v2.ContactChannel(channel="sms", address=phone if shared else mask(phone),
                              masked=not shared, opted_out=participant.sms_opted_out)
        )  # fmt: skip
    channels = set(
        db_session.scalars(
            select(Conversation.channel).where(Conversation.participant_id == participant.id)
        )
    )
    if "web" in channels:
        contact.append(v2.ContactChannel(channel="web", address=None, masked=False,
                                         opted_out=False))  # fmt: skip
    name, zip_code = (
        people.given_name_and_zip(participant, referrals, db_session=db_session)
        if shared
        else (None, None)
    )
    return v2.ParticipantV2(
        id=participant.id, name=name, contact=contact,
        preferred_language=participant.language, zip=zip_code, time_zone=participant.timezone,
    )  # fmt: skip


def _consents(history: dict[str, list[Consent]]) -> list[v2.ConsentV2]:
    out = []
    for purpose, rows in sorted(history.items()):
        decisions = [
            v2.ConsentDecision(granted=r.granted, at=r.created_at, channel=r.channel,
                               language=r.language, text_version=r.text_version)
            for r in rows
        ]  # fmt: skip
        out.append(
            v2.ConsentV2(purpose=purpose, granted=rows[-1].granted, at=rows[-1].created_at,
                         history=decisions)
        )  # fmt: skip
    return out


def _screening(coded: dict[str, Any]) -> v2.ScreeningV2:
    return v2.ScreeningV2(
        session_id=coded["session_id"],
        language=coded.get("language"),
        completed_at=_when(coded.get("completed_at")),
        incomplete=bool(coded.get("incomplete")),
        answered=coded.get("answered", len(coded.get("answers", []))),
        total=coded.get("total"),
        instruments=[
            v2.InstrumentV2(id=i["id"], version=i.get("version"), digest=i.get("digest"),
                            loinc=i.get("loinc"))
            for i in coded.get("instruments", [])
        ],
    )  # fmt: skip


def _answer(a: dict[str, Any]) -> v2.AnswerV2:
    return v2.AnswerV2(
        question_id=a["question_id"], module=a["module"], loinc=a.get("loinc"),
        declined=a["declined"],
        data_absent_reason="asked-declined" if a["declined"] else None,
        answers=[
            v2.AnswerOption(option_id=o["option_id"], loinc=o.get("loinc"), display=o["display"])
            for o in a.get("answers", [])
        ],
        answered_at=datetime.fromisoformat(a["answered_at"]),
    )  # fmt: skip


def _domains(coded: dict[str, Any]) -> list[v2.DomainResultV2]:
    """Every domain's result with its answers, in the instrument's order."""
    by_domain: dict[tuple[str, str], list[v2.AnswerV2]] = {}
    for a in coded.get("answers", []):
        by_domain.setdefault((a["module"], a["domain"]), []).append(_answer(a))
    return [
        v2.DomainResultV2(
            domain=d["domain"],
            module=d["module"],
            status=d["status"],
            score=d.get("score"),
            loinc=d.get("loinc"),
            urgent=bool(d.get("urgent")),
            answers=by_domain.get((d["module"], d["domain"]), []),
        )  # fmt: skip
        for d in coded.get("domains", [])
    ]


def _names(referrals: list[Referral], appointments: list[Appointment], db_session: Session
           ) -> tuple[dict[str, str], dict[str, str]]:  # fmt: skip
    """Service names, and the partner organization's name per service."""
    ids = {r.service_id for r in referrals} | {a.service_id for a in appointments}
    if not ids:
        return {}, {}
    rows = db_session.execute(
        select(HsdsService.id, HsdsService.name, HsdsOrganization.name)
        .join(HsdsOrganization, HsdsOrganization.id == HsdsService.organization_id)
        .where(HsdsService.id.in_(ids))
    ).all()
    return {r[0]: r[1] for r in rows}, {r[0]: r[2] for r in rows}


def _referral(referral: Referral, services: dict[str, str], partners: dict[str, str]
              ) -> v2.ReferralV2:  # fmt: skip
    from api.fhir.referrals import task_id  # the Task's id in GET /api/v1/fhir/Task

    return v2.ReferralV2(
        id=referral.id, domain=referral.domain, service_id=referral.service_id,
        service_name=services.get(referral.service_id),
        partner_name=partners.get(referral.service_id),
        status=referral.status, business_status=referral.business_status,
        appointment_id=referral.appointment_id, created_at=referral.created_at,
        status_changed_at=referral.status_changed_at, fhir_task=task_id(referral),
        history=[
            v2.ReferralChange(status=e.status, business_status=e.business_status, at=e.at,
                              by=e.by, reason=e.reason)
            for e in referral.events
        ],
    )  # fmt: skip


def _appointment(appointment: Appointment, services: dict[str, str]) -> v2.AppointmentV2:
    return v2.AppointmentV2(
        id=appointment.id, domain=appointment.domain, service_id=appointment.service_id,
        service_name=services.get(appointment.service_id), location_id=appointment.location_id,
        start=appointment.start, end=appointment.end, time_zone=appointment.timezone,
        status=appointment.status, confirmed_at=appointment.confirmed_at,
    )  # fmt: skip


def referrals_of(handoff: Handoff, *, db_session: Session) -> list[Referral]:
    """The participant's referrals made for the handoff's organization, newest first."""
    return list(
        db_session.scalars(
            select(Referral)
            .where(Referral.participant_id == handoff.participant_id,
                   Referral.org_id == handoff.org_id)
            .order_by(Referral.created_at.desc(), Referral.id)
        )
    )  # fmt: skip


def _timeline(
    handoff: Handoff,
    consents: list[v2.ConsentV2],
    session: ScreeningSession | None,
    referrals: list[v2.ReferralV2],
) -> list[v2.TimelineEvent]:
    events = [
        v2.TimelineEvent(at=e.at, source="handoff", kind=e.kind, reason=e.reason, by=e.by)
        for e in handoff.events
    ]
    for consent in consents:
        events += [
            v2.TimelineEvent(at=d.at, source="consent",
                             kind="granted" if d.granted else "refused", reason=consent.purpose,
                             by=None)
            for d in consent.history
        ]  # fmt: skip
    if session is not None:
        events.append(v2.TimelineEvent(at=session.started_at, source="screening",
                                       kind="started", reason=None, by=None))  # fmt: skip
        if session.completed_at:
            events.append(v2.TimelineEvent(at=session.completed_at, source="screening",
                                           kind="completed", reason=None, by=None))  # fmt: skip
    for referral in referrals:
        events += [
            v2.TimelineEvent(at=c.at, source="referral",
                             kind=f"{c.status}/{c.business_status or '-'}",
                             reason=f"{referral.domain}: {c.reason}" if c.reason
                             else referral.domain, by=c.by)
            for c in referral.history
        ]  # fmt: skip
    return sorted(events, key=lambda e: e.at)


def build(handoff: Handoff, *, db_session: Session) -> v2.HandoffV2:
    """The handoff as summary v2 (the API's body, the webhook's payload)."""
    participant = db_session.get(Participant, handoff.participant_id)
    org = db_session.get(Organization, handoff.org_id)
    assert participant is not None and org is not None  # foreign keys
    history = people.consent_history(participant, db_session=db_session)
    shared = people.sharing_allowed(history)
    coded = (handoff.summary or {}).get("screening") if shared else None
    coded = coded if isinstance(coded, dict) and coded.get("session_id") else None
    session = db_session.get(ScreeningSession, coded["session_id"]) if coded else None
    referral_rows = referrals_of(handoff, db_session=db_session) if shared else []
    appointment_rows = (
        list(
            db_session.scalars(
                select(Appointment)
                .where(
                    Appointment.participant_id == participant.id,
                    Appointment.org_id == handoff.org_id,
                )
                .order_by(Appointment.start)
            )
        )  # fmt: skip
        if shared
        else []
    )
    services, partners = _names(referral_rows, appointment_rows, db_session)
    referrals = [_referral(r, services, partners) for r in referral_rows]
    consents = _consents(history)
    base = get_settings().public_base_url.rstrip("/")
    return v2.HandoffV2(
        id=handoff.id,
        org=org.slug,
        participant_id=handoff.participant_id,
        conversation_id=handoff.conversation_id,
        urgent=handoff.urgent,
        reasons=list(handoff.reasons or []),
        status=handoff.status,  # open | acknowledged | closed
        created_at=handoff.created_at,
        updated_at=handoff.updated_at,
        last_event_at=handoff.last_event_at,
        acknowledged_at=handoff.acknowledged_at,
        acknowledged_by=handoff.acknowledged_by,
        closed_at=handoff.closed_at,
        closed_by=handoff.closed_by,
        events=[
            v2.HandoffEventV1(kind=e.kind, reason=e.reason, by=e.by, at=e.at)
            for e in handoff.events
        ],
        withheld=None if shared else WITHHELD,
        participant=_participant(participant, shared, referral_rows, db_session=db_session),
        consents=consents,
        screening=_screening(coded) if coded else None,
        domains=_domains(coded) if coded else [],
        urgent_flags=[
            v2.UrgentFlag(reason=e.reason or "", at=e.at, message_id=e.message_id)
            for e in handoff.events
            if e.kind == FLAG and e.urgent
        ],
        referrals=referrals,
        appointments=[_appointment(a, services) for a in appointment_rows],
        timeline=_timeline(handoff, consents, session, referrals),
        transcript=v2.TranscriptLink(
            url=base + TRANSCRIPT_PATH.format(participant_id=participant.id)
        ),
        summary=dict(handoff.summary or {}),
    )
