"""The case manager's inbox: the organization's handoffs, live before closed, urgent first,
then the latest event; filtered by status and by who the participant is assigned to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from api.conversations.models import Participant
from api.handoff.models import CLOSED, Handoff
from api.staff.models import Assignment, StaffUser

STATUSES = ("live", "open", "acknowledged", "closed", "all")  # live = open or acknowledged
MINE, UNASSIGNED, ANYONE = "me", "none", ""


@dataclass(frozen=True)
class Row:
    handoff: Handoff
    participant: Participant
    assignee: StaffUser | None


def rows(
    org_id: str,
    *,
    db_session: Session,
    status: str = "live",
    assignee: str = ANYONE,
    me: str | None = None,
    limit: int = 100,
) -> list[Row]:
    """`assignee`: "me" (then `me` is the user id), "none", a user id, or "" for anyone."""
    query = (
        select(Handoff, Participant, StaffUser)
        .join(Participant, Participant.id == Handoff.participant_id)
        .outerjoin(Assignment, Assignment.participant_id == Handoff.participant_id)
        .outerjoin(StaffUser, StaffUser.id == Assignment.user_id)
        .where(Handoff.org_id == org_id)
    )
    if status == "live":
        query = query.where(Handoff.status != CLOSED)
    elif status in ("open", "acknowledged", "closed"):
        query = query.where(Handoff.status == status)
    if assignee == MINE:
        query = query.where(Assignment.user_id == me)
    elif assignee == UNASSIGNED:
        query = query.where(Assignment.user_id.is_(None))
    elif assignee:
        query = query.where(Assignment.user_id == assignee)
    query = query.order_by(
        case((Handoff.status == CLOSED, 1), else_=0),
        Handoff.urgent.desc(),
        Handoff.last_event_at.desc(),
        Handoff.id,
    ).limit(limit)
    return [Row(h, p, u) for h, p, u in db_session.execute(query).all()]
