"""Case-manager API: the referrals of the caller's organization (another's are not found)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking.models import Appointment, Referral, ReferralEvent
from api.db import session_dependency
from api.directory.models import HsdsOrganization, HsdsService
from api.staff.auth import CurrentOrg

router = APIRouter(prefix="/api/v1/referrals", tags=["case managers"])
DbSession = Annotated[Session, Depends(session_dependency)]


class HistoryOut(BaseModel):
    status: str = Field(description="the Gravity Task status it moved to")
    business_status: str | None
    at: datetime
    by: str = Field(description="participant, partner, system or staff:<who>")
    reason: str | None

    @classmethod
    def of(cls, event: ReferralEvent) -> HistoryOut:
        return cls(status=event.status, business_status=event.business_status, at=event.at,
                   by=event.by, reason=event.reason)  # fmt: skip


class PartnerOut(BaseModel):
    name: str = Field(description="the partner organization (else the service's name)")
    service: str


class AppointmentOut(BaseModel):
    id: str
    start: datetime = Field(description="ISO 8601 with the offset of the location's zone")
    end: datetime
    timezone: str = Field(description="the location's IANA zone name")
    status: str = Field(description="booked, cancelled, declined, attended or no-show")
    confirmed_at: datetime | None = Field(description="when the booking was made or last moved")
    participant_confirmed_at: datetime | None = Field(
        description="when the participant confirmed by reply to a reminder; null when they "
        "have not, or the time changed since"
    )

    @classmethod
    def of(cls, appointment: Appointment) -> AppointmentOut:
        zone = ZoneInfo(appointment.timezone)
        return cls(
            id=appointment.id,
            start=appointment.start.astimezone(zone),
            end=appointment.end.astimezone(zone),
            timezone=appointment.timezone,
            status=appointment.status,
            confirmed_at=appointment.confirmed_at,
            participant_confirmed_at=appointment.participant_confirmed_at,
        )


class ReferralOut(BaseModel):
    id: str
    participant_id: str
    status: str = Field(description="a Gravity SDOH Clinical Care Task status")
    business_status: str | None = Field(
        description="booked, partner-notified, reminded, attended or no-show"
    )
    domain: str
    service_id: str
    partner: PartnerOut
    appointment: AppointmentOut | None
    language: str
    reason: dict[str, Any] = Field(description="the domain and its coded screening result")
    shared: dict[str, Any] = Field(description="only what the participant agreed to share")
    created_at: datetime
    updated_at: datetime
    history: list[HistoryOut]


def _partner(service_id: str, db_session: Session) -> PartnerOut:
    row = db_session.execute(
        select(HsdsService.name, HsdsOrganization.name)
        .outerjoin(HsdsOrganization, HsdsOrganization.id == HsdsService.organization_id)
        .where(HsdsService.id == service_id)
    ).first()
    service, organization = (row[0], row[1]) if row else (service_id, None)
    return PartnerOut(name=organization or service, service=service)


def _out(referral: Referral, db_session: Session) -> ReferralOut:
    return ReferralOut(
        id=referral.id,
        participant_id=referral.participant_id,
        status=referral.status,
        business_status=referral.business_status,
        domain=referral.domain,
        service_id=referral.service_id,
        partner=_partner(referral.service_id, db_session),
        appointment=AppointmentOut.of(referral.appointment) if referral.appointment else None,
        language=referral.language,
        reason=dict(referral.reason or {}),
        shared=referral.shared,
        created_at=referral.created_at,
        updated_at=referral.updated_at,
        history=[HistoryOut.of(e) for e in referral.events],
    )


@router.get("", response_model=list[ReferralOut])
def list_referrals(
    org: CurrentOrg,
    db_session: DbSession,
    status: Annotated[str | None, Query(description="only this Task status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[ReferralOut]:
    """The newest first; `limit` and `offset` page through them."""
    query = select(Referral).where(Referral.org_id == org.id)
    if status:
        query = query.where(Referral.status == status)
    query = query.order_by(Referral.created_at.desc(), Referral.id).limit(limit).offset(offset)
    return [_out(r, db_session) for r in db_session.scalars(query)]


@router.get("/{referral_id}", response_model=ReferralOut)
def get_referral(referral_id: str, org: CurrentOrg, db_session: DbSession) -> ReferralOut:
    referral = db_session.get(Referral, referral_id)
    if referral is None or referral.org_id != org.id:  # another organization's: not found
        raise HTTPException(404, "referral not found")
    return _out(referral, db_session)
