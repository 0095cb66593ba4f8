"""Staff API for CMS webhook deliveries: the dead-letter list (and the pending and
delivered ones) and replay. The caller's organization only: another's ids are not found.

Who may call: any live API key of the organization. API keys carry no role (roles are on
staff users, for the dashboard); an organization gives its keys to its admins and its CMS
integration, not to every case manager.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.db import session_dependency
from api.staff.auth import CurrentOrg
from api.webhooks import service as webhooks
from api.webhooks.models import WebhookDelivery

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
DbSession = Annotated[Session, Depends(session_dependency)]


class DeliveryOut(BaseModel):
    id: int
    webhook_id: str  # the Standard Webhooks webhook-id: the same on retries and replays
    endpoint_id: int
    handoff_id: str
    event_type: str
    urgent: bool
    status: str  # pending | sending | delivered | dead
    attempts: int
    replays: int
    last_error: str | None
    last_status_code: int | None
    created_at: datetime
    next_attempt_at: datetime
    retry_until: datetime
    delivered_at: datetime | None
    dead_at: datetime | None

    @classmethod
    def of(cls, row: WebhookDelivery) -> DeliveryOut:
        return cls.model_validate(row, from_attributes=True)


@router.get("/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    org: CurrentOrg,
    db_session: DbSession,
    status: Annotated[Literal["dead", "pending", "delivered"], Query()] = "dead",
    before: Annotated[int | None, Query(description="a cursor: the last id of a page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """Newest first. `dead`: the dead-letter list (3 days of retries failed)."""
    rows = webhooks.for_org(org.id, status, db_session=db_session, limit=limit, before=before)
    return [DeliveryOut.of(r) for r in rows]


@router.post("/deliveries/{delivery_id}/replay", response_model=DeliveryOut)
def replay_delivery(delivery_id: int, org: CurrentOrg, db_session: DbSession) -> DeliveryOut:
    """Send a dead or delivered delivery again, as a new attempt with the same webhook-id
    (409 while it is still pending)."""
    row = webhooks.get_for_org(delivery_id, org.id, db_session=db_session)
    if row is None:
        raise HTTPException(404, "delivery not found")
    try:
        webhooks.replay(row, db_session=db_session)
    except webhooks.NotReplayable as exc:
        raise HTTPException(409, f"delivery is {row.status}: not replayable yet") from exc
    return DeliveryOut.of(row)
