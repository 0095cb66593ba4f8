"""Handoffs: one live handoff per participant, raised to urgent the moment it must be.

Every flag is an event with its time; the staff list shows urgent handoffs first, then the
one with the latest event, so a repeat crisis comes back to the top. A case manager
acknowledges and closes a handoff; an urgent event on an acknowledged handoff makes it need
attention again (open), and any event after closing opens a new handoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Participant
from api.db import utcnow
from api.handoff import paging
from api.handoff.models import (
    ACKNOWLEDGE,
    ACKNOWLEDGED,
    CLOSE,
    CLOSED,
    FLAG,
    OPEN,
    Handoff,
    HandoffEvent,
)
from api.staff import service as staff
from api.webhooks import service as webhooks

# A reason that a later one replaces: the finished screening replaces the abandoned one.
SUPERSEDED_BY = {"screening": ("screening_incomplete",)}


class HandoffOwnerMissing(RuntimeError):
    """A handoff must belong to an organization; this one would belong to none."""


class HandoffClosed(ValueError):
    """A closed handoff is not acknowledged again: a new event opens a new handoff."""


def _owner(participant: Participant, *, db_session: Session) -> str:
    org_id = participant.org_id or staff.default_org_id(db_session=db_session)
    if org_id is None:
        raise HandoffOwnerMissing(
            f"participant {participant.id} has no organization and the program's organization "
            "(PROGRAM_ORG_SLUG) does not exist; no case manager would see this handoff"
        )
    return org_id


def open_handoff(
    participant: Participant, conversation: Conversation | None, *, db_session: Session
) -> Handoff:
    """The participant's live (open or acknowledged) handoff, or a new one."""
    handoff = db_session.scalars(
        select(Handoff)
        .where(Handoff.participant_id == participant.id, Handoff.status != CLOSED)
        .order_by(Handoff.created_at.desc())
        .limit(1)
    ).first()
    if handoff is None:
        handoff = Handoff(
            participant_id=participant.id,
            org_id=_owner(participant, db_session=db_session),
            conversation_id=conversation.id if conversation else None,
            reasons=[],
            summary={},
            status=OPEN,
            events=[],
        )
        db_session.add(handoff)
        db_session.flush()
    return handoff


def flag(
    participant: Participant,
    conversation: Conversation | None,
    reason: str,
    *,
    db_session: Session,
    details: dict[str, Any] | None = None,
    once: bool = False,
    at: datetime | None = None,
    message_id: int | None = None,
    urgent: bool = False,
) -> Handoff:
    """Record `reason` on the participant's live handoff as an event. `urgent` comes from
    the caller's data (the instrument's `urgent` answers and domains, the safety net, the
    crisis and safety actions): no list of urgent reasons lives here. `once`: a reason
    computed again (a screening result raised when answered and again at the end) is not a
    new event when it is already there.
    `message_id`: the inbound message that raised it; the safety net at the door, the
    engine's action and an engine retry all flag the same message, and that is one event."""
    handoff = open_handoff(participant, conversation, db_session=db_session)
    if (once and reason in handoff.reasons) or _seen(handoff, reason, message_id, db_session):
        if details:
            handoff.summary = {**handoff.summary, **details}
        return handoff
    at = at or utcnow()
    superseded = SUPERSEDED_BY.get(reason, ())
    reasons = [r for r in handoff.reasons if r not in superseded]
    handoff.reasons = reasons if reason in reasons else [*reasons, reason]
    if urgent:
        handoff.urgent = True
        handoff.status = OPEN  # acknowledged before: it needs someone's attention again
    if details:
        handoff.summary = {**handoff.summary, **details}
    if conversation is not None and handoff.conversation_id is None:
        handoff.conversation_id = conversation.id
    handoff.events.append(
        HandoffEvent(kind=FLAG, reason=reason, at=at, message_id=message_id, urgent=urgent)
    )
    handoff.last_event_at = at
    db_session.flush()
    webhooks.handoff_event(handoff, handoff.events[-1], urgent=urgent, db_session=db_session)
    return handoff


def _seen(handoff: Handoff, reason: str, message_id: int | None, db_session: Session) -> bool:
    if message_id is None:
        return False
    return (
        db_session.scalar(
            select(HandoffEvent.id).where(
                HandoffEvent.handoff_id == handoff.id,
                HandoffEvent.reason == reason,
                HandoffEvent.message_id == message_id,
            )
        )
        is not None
    )


def acknowledge(handoff: Handoff, by: str, *, db_session: Session) -> Handoff:
    """A case manager takes it. Acknowledging twice keeps the first who and when."""
    if handoff.status == CLOSED:
        raise HandoffClosed(handoff.id)
    if handoff.status == ACKNOWLEDGED:
        return handoff
    now = utcnow()
    handoff.status = ACKNOWLEDGED
    handoff.acknowledged_at, handoff.acknowledged_by = now, by
    handoff.events.append(HandoffEvent(kind=ACKNOWLEDGE, by=by, at=now))
    db_session.flush()
    webhooks.handoff_event(handoff, handoff.events[-1], db_session=db_session)
    return handoff


def close(handoff: Handoff, by: str, *, note: str | None = None, db_session: Session) -> Handoff:
    """Done with it. Closing twice changes nothing."""
    if handoff.status == CLOSED:
        return handoff
    now = utcnow()
    handoff.status = CLOSED
    handoff.closed_at, handoff.closed_by = now, by
    handoff.events.append(HandoffEvent(kind=CLOSE, reason=note, by=by, at=now))
    db_session.flush()
    webhooks.handoff_event(handoff, handoff.events[-1], db_session=db_session)
    return handoff


def for_org(org_id: str, *, db_session: Session, limit: int = 100) -> list[Handoff]:
    """Live handoffs before closed ones; urgent first; then the latest event first."""
    return list(
        db_session.scalars(
            select(Handoff)
            .where(Handoff.org_id == org_id)
            .order_by(
                case((Handoff.status == CLOSED, 1), else_=0),
                Handoff.urgent.desc(),
                Handoff.last_event_at.desc(),
                Handoff.id,
            )
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Filters:
    """GET /api/v1/handoffs filters; None: any."""

    urgent: bool | None = None
    status: str | None = None  # open | acknowledged | closed
    since: datetime | None = None  # the latest event at or after this time


_CLOSED_LAST = case((Handoff.status == CLOSED, 1), else_=0)
_URGENT_FIRST = case((Handoff.urgent.is_(True), 0), else_=1)
CURSOR = "handoffs"


def _key(handoff: Handoff) -> tuple[int, int, datetime, str]:
    return (int(handoff.status == CLOSED), 0 if handoff.urgent else 1, handoff.last_event_at,
            handoff.id)  # fmt: skip


def page(
    org_id: str,
    *,
    db_session: Session,
    filters: Filters = Filters(),
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Handoff], str | None]:
    """One page in the staff order (live before closed, urgent first, latest event first),
    after `cursor`; the next page's cursor, None at the end. Keyset paging: a handoff added
    meanwhile never makes a page repeat or skip one (raises paging.BadCursor)."""
    query = select(Handoff).where(Handoff.org_id == org_id)
    if filters.urgent is not None:
        query = query.where(Handoff.urgent.is_(filters.urgent))
    if filters.status is not None:
        query = query.where(Handoff.status == filters.status)
    if filters.since is not None:
        query = query.where(Handoff.last_event_at >= filters.since)
    if cursor is not None:
        rank, urgent_rank, at, last_id = paging.decode(CURSOR, cursor, (int, int, datetime, str))
        closed, first = _CLOSED_LAST, _URGENT_FIRST  # the sort's own expressions
        query = query.where(
            or_(
                closed > rank,
                and_(closed == rank, first > urgent_rank),
                and_(closed == rank, first == urgent_rank, Handoff.last_event_at < at),
                and_(closed == rank, first == urgent_rank, Handoff.last_event_at == at,
                     Handoff.id > last_id),
            )
        )  # fmt: skip
    rows = list(
        db_session.scalars(
            query.order_by(
                _CLOSED_LAST, _URGENT_FIRST, Handoff.last_event_at.desc(), Handoff.id
            ).limit(limit + 1)
        )
    )
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, paging.encode(CURSOR, *_key(rows[-1]))


def get_for_org(handoff_id: str, org_id: str, *, db_session: Session) -> Handoff | None:
    handoff = db_session.get(Handoff, handoff_id)
    return handoff if handoff is not None and handoff.org_id == org_id else None


def withhold(participant: Participant, *, db_session: Session) -> None:
    """Consent withdrawn: staff keep the urgent flags, not the answers."""
    for handoff in db_session.scalars(
        select(Handoff).where(Handoff.participant_id == participant.id)
    ):
        handoff.summary = {"withheld": "the participant withdrew consent to share"}
        if "consent_withdrawn" not in handoff.reasons:
            handoff.reasons = [*handoff.reasons, "consent_withdrawn"]
