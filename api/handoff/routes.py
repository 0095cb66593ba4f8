"""Case-manager API: handoffs of the caller's organization only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.db import session_dependency
from api.handoff import service as handoffs
from api.handoff.models import Handoff
from api.staff.auth import CurrentOrg

router = APIRouter(prefix="/api/v1/handoffs", tags=["case managers"])
DbSession = Annotated[Session, Depends(session_dependency)]
SCHEMA_VERSION = "1.0"


class HandoffOut(BaseModel):
    schema_version: str = SCHEMA_VERSION
    id: str
    participant_id: str
    conversation_id: str | None
    urgent: bool
    reasons: list[str]
    status: str
    created_at: datetime
    updated_at: datetime
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
            summary=dict(handoff.summary or {}),
        )


@router.get("", response_model=list[HandoffOut])
def list_handoffs(org: CurrentOrg, db_session: DbSession) -> list[HandoffOut]:
    return [HandoffOut.of(h) for h in handoffs.for_org(org.id, db_session=db_session)]


@router.get("/{handoff_id}", response_model=HandoffOut)
def get_handoff(handoff_id: str, org: CurrentOrg, db_session: DbSession) -> HandoffOut:
    handoff = handoffs.get_for_org(handoff_id, org.id, db_session=db_session)
    if handoff is None:  # another organization's handoff is simply not found
        raise HTTPException(404, "handoff not found")
    return HandoffOut.of(handoff)
