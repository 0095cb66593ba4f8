"""Case-manager API: handoffs of the caller's organization only (another's are not found),
as the summary v2 (api/handoff/v2.py), and the summary's published JSON Schema."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.db import session_dependency
from api.handoff import paging, summary
from api.handoff import service as handoffs
from api.handoff.models import Handoff
from api.handoff.v2 import HandoffPage, HandoffV2
from api.staff import service as staff
from api.staff.auth import CurrentOrg, bearer

router = APIRouter(tags=["case managers"])
DbSession = Annotated[Session, Depends(session_dependency)]
MAX_PAGE = 200


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


@router.get("/api/v1/schemas/handoff-v2.json", tags=["schemas"])
def handoff_schema() -> dict[str, Any]:
    """The JSON Schema of the handoff summary v2 (GET /api/v1/handoffs/{id}, the webhook)."""
    return summary.json_schema()


@router.get("/api/v1/handoffs", response_model=HandoffPage)
def list_handoffs(
    org: CurrentOrg,
    db_session: DbSession,
    urgent: bool | None = None,
    status: Literal["open", "acknowledged", "closed"] | None = None,
    since: Annotated[datetime | None, Query(description="latest event at or after (ISO)")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> HandoffPage:
    """Live handoffs before closed ones, urgent first, then the latest event first; one page
    at a time (`next_cursor`, None on the last page)."""
    if since is not None and since.tzinfo is None:
        raise HTTPException(422, "since needs a UTC offset, e.g. 2026-12-02T10:00:00Z")
    filters = handoffs.Filters(urgent=urgent, status=status, since=since)
    try:
        rows, next_cursor = handoffs.page(
            org.id, db_session=db_session, filters=filters, cursor=cursor, limit=limit
        )
    except paging.BadCursor as exc:
        raise HTTPException(422, "cursor is not one this API gave out") from exc
    items = [summary.build(h, db_session=db_session) for h in rows]
    return HandoffPage(items=items, next_cursor=next_cursor)


@router.get("/api/v1/handoffs/{handoff_id}", response_model=HandoffV2)
def get_handoff(handoff_id: str, org: CurrentOrg, db_session: DbSession) -> HandoffV2:
    return summary.build(_own(handoff_id, org.id, db_session), db_session=db_session)


@router.post("/api/v1/handoffs/{handoff_id}/acknowledge", response_model=HandoffV2)
def acknowledge_handoff(
    handoff_id: str, org: CurrentOrg, caller: Caller, db_session: DbSession, action: Action = None
) -> HandoffV2:
    """A case manager takes the handoff (409 once it is closed)."""
    handoff = _own(handoff_id, org.id, db_session)
    by = (action.by or "").strip() if action else ""
    try:
        handoffs.acknowledge(handoff, by or caller, db_session=db_session)
    except handoffs.HandoffClosed as exc:
        raise HTTPException(409, "handoff is closed") from exc
    return summary.build(handoff, db_session=db_session)


@router.post("/api/v1/handoffs/{handoff_id}/close", response_model=HandoffV2)
def close_handoff(
    handoff_id: str, org: CurrentOrg, caller: Caller, db_session: DbSession, action: Action = None
) -> HandoffV2:
    """Done with it; a later event from the participant opens a new handoff."""
    handoff = _own(handoff_id, org.id, db_session)
    by = (action.by or "").strip() if action else ""
    note = (action.note or "").strip() or None if action else None
    handoffs.close(handoff, by or caller, note=note, db_session=db_session)
    return summary.build(handoff, db_session=db_session)
