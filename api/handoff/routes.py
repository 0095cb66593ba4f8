"""Case-manager API: handoffs of the caller's organization only (another's are not found)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.db import session_dependency
from api.handoff import service as handoffs
from api.handoff.models import Handoff, HandoffEvent
from api.staff import service as staff
from api.staff.auth import CurrentOrg, bearer

router = APIRouter(prefix="/api/v1/handoffs", tags=["case managers"])
DbSession = Annotated[Session, Depends(session_dependency)]
SCHEMA_VERSION = (
    "1.0"  # additions (status lifecycle, last_event_at, events) keep 1.0 readers working
)


class EventOut(BaseModel):
    kind: str  # flag | acknowledge | close
    reason: str | None  # the flag's reason, or the closing note
    by: str | None  # who on staff (None: raised by the participant's conversation)
    at: datetime

    @classmethod
    def of(cls, event: HandoffEvent) -> EventOut:
        return cls(kind=event.kind, reason=event.reason, by=event.by, at=event.at)


class HandoffOut(BaseModel):
    schema_version: str = SCHEMA_VERSION
    id: str
    participant_id: str
    conversation_id: str | None
    urgent: bool
    reasons: list[str]
    status: str  # open | acknowledged | closed
    created_at: datetime
    updated_at: datetime
    last_event_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    events: list[EventOut]
    summary: dict[str, Any]

    @classmethod
    def of(cls, handoff: Handoff) -> HandoffOut:
        return cls(
            id=handoff.id,
            participant_id=handoff.participant_id,
            conversation_id=handoff.conversation_id,
            urgent=handoff.urgent,
            reasons=list(handoff.reasons or []),
            status=handoff.status,
            created_at=handoff.created_at,
            updated_at=handoff.updated_at,
            last_event_at=handoff.last_event_at,
            acknowledged_at=handoff.acknowledged_at,
            acknowledged_by=handoff.acknowledged_by,
            closed_at=handoff.closed_at,
            closed_by=handoff.closed_by,
            events=[EventOut.of(e) for e in handoff.events],
            summary=dict(handoff.summary or {}),
        )


class StaffAction(BaseModel):
    by: str | None = Field(None, max_length=200, description="who on staff; default: the key")
    note: str | None = Field(None, max_length=500, description="e.g. why it was closed")


def _caller(
    org: CurrentOrg,  # authenticates first: a missing or wrong key is a 401
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    db_session: DbSession,
) -> str:
    key = staff.api_key_for(credentials.credentials, db_session=db_session) if credentials else None
    return f"api_key:{key.id}" if key else f"org:{org.slug}"


Caller = Annotated[str, Depends(_caller)]
Action = Annotated[StaffAction | None, Body()]


def _own(handoff_id: str, org_id: str, db_session: Session) -> Handoff:
    handoff = handoffs.get_for_org(handoff_id, org_id, db_session=db_session)
    if handoff is None:  # another organization's handoff is simply not found
        raise HTTPException(404, "handoff not found")
    return handoff


@router.get("", response_model=list[HandoffOut])
def list_handoffs(org: CurrentOrg, db_session: DbSession) -> list[HandoffOut]:
    """Open and acknowledged handoffs first, urgent ones first, then the latest event first;
    closed handoffs last."""
    return [HandoffOut.of(h) for h in handoffs.for_org(org.id, db_session=db_session)]


@router.get("/{handoff_id}", response_model=HandoffOut)
def get_handoff(handoff_id: str, org: CurrentOrg, db_session: DbSession) -> HandoffOut:
    return HandoffOut.of(_own(handoff_id, org.id, db_session))


@router.post("/{handoff_id}/acknowledge", response_model=HandoffOut)
def acknowledge_handoff(
    handoff_id: str, org: CurrentOrg, caller: Caller, db_session: DbSession, action: Action = None
) -> HandoffOut:
    """A case manager takes the handoff (409 once it is closed)."""
    handoff = _own(handoff_id, org.id, db_session)
    by = (action.by or "").strip() if action else ""
    try:
        handoffs.acknowledge(handoff, by or caller, db_session=db_session)
    except handoffs.HandoffClosed as exc:
        raise HTTPException(409, "handoff is closed") from exc
    return HandoffOut.of(handoff)


@router.post("/{handoff_id}/close", response_model=HandoffOut)
def close_handoff(
    handoff_id: str, org: CurrentOrg, caller: Caller, db_session: DbSession, action: Action = None
) -> HandoffOut:
    """Done with it; a later event from the participant opens a new handoff."""
    handoff = _own(handoff_id, org.id, db_session)
    by = (action.by or "").strip() if action else ""
    note = (action.note or "").strip() or None if action else None
    handoffs.close(handoff, by or caller, note=note, db_session=db_session)
    return HandoffOut.of(handoff)
