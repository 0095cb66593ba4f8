"""Staff's side of the first call: the phone tasks (partners that take referrals by phone)
with their script and the consented details, and the outcome of each call. The caller's
organization only. (A webhook partner's signing secret is `firstcall partners webhook-secret`,
an operator's command: no staff key reads it.)"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.booking.models import Referral
from api.db import session_dependency
from api.referrals import delivery
from api.referrals.models import OPEN, ReferralDelivery
from api.staff.auth import CurrentOrg

router = APIRouter(prefix="/api/v1", tags=["case managers"])
DbSession = Annotated[Session, Depends(session_dependency)]
Outcome = Literal["reached", "voicemail", "no_answer", "wrong_number"]


class CallTask(BaseModel):
    id: int
    referral_id: str
    service_id: str
    phone: str  # the partner's line
    status: str  # open | done
    script: str
    details: str  # what to read: only the consented fields and the reason
    outcome: str | None
    outcomes: list[str] = ["reached", "voicemail", "no_answer", "wrong_number"]

    @classmethod
    def of(cls, row: ReferralDelivery, db: Session) -> CallTask:
        content = delivery.content_of(row, db_session=db)
        return cls(id=row.id, referral_id=row.referral_id, service_id=row.service_id,
                   phone=row.target, status=row.status, script=content["script"],
                   details=content["text"], outcome=row.outcome)  # fmt: skip


class CallOutcome(BaseModel):
    outcome: Outcome
    by: str | None = Field(None, max_length=200, description="who called")


def _calls(org_id: str, db: Session) -> Select[ReferralDelivery]:
    return (
        select(ReferralDelivery)
        .join(Referral, Referral.id == ReferralDelivery.referral_id)
        .where(Referral.org_id == org_id, ReferralDelivery.method == "phone")
    )


@router.get("/referral-calls", response_model=list[CallTask])
def list_calls(org: CurrentOrg, db: DbSession, all: bool = False) -> list[CallTask]:
    """Phone tasks: open ones (to call), or every one with `?all=true`."""
    query = _calls(org.id, db)
    if not all:
        query = query.where(ReferralDelivery.status == OPEN)
    return [CallTask.of(row, db) for row in db.scalars(query.order_by(ReferralDelivery.id))]


@router.post("/referral-calls/{task_id}/outcome", response_model=CallTask)
def record_outcome(task_id: int, body: CallOutcome, org: CurrentOrg, db: DbSession) -> CallTask:
    """Record how the call went; `reached` marks the partner notified."""
    row = db.scalars(_calls(org.id, db).where(ReferralDelivery.id == task_id)).first()
    if row is None:
        raise HTTPException(404, "call task not found")
    by = f"staff:{body.by}" if body.by else f"org:{org.slug}"
    return CallTask.of(delivery.record_call(row.id, body.outcome, by=by, db_session=db), db)
