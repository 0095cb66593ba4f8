"""Handoffs: one open handoff per participant, raised to urgent the moment it must be."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Participant
from api.handoff.models import Handoff

URGENT_REASONS = {"crisis", "safety", "homeless"}


def open_handoff(
    participant: Participant, conversation: Conversation | None, *, db_session: Session
) -> Handoff:
    handoff = db_session.scalars(
        select(Handoff)
        .where(Handoff.participant_id == participant.id, Handoff.status == "open")
        .order_by(Handoff.created_at.desc())
        .limit(1)
    ).first()
    if handoff is None:
        handoff = Handoff(
            participant_id=participant.id,
            org_id=participant.org_id,
            conversation_id=conversation.id if conversation else None,
            reasons=[],
            summary={},
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
) -> Handoff:
    """Add a reason to the participant's open handoff; crisis, safety, homeless make it urgent."""
    handoff = open_handoff(participant, conversation, db_session=db_session)
    if reason not in handoff.reasons:
        handoff.reasons = [*handoff.reasons, reason]
    if reason in URGENT_REASONS:
        handoff.urgent = True
    if details:
        handoff.summary = {**handoff.summary, **details}
    return handoff


def for_org(org_id: str, *, db_session: Session, limit: int = 100) -> list[Handoff]:
    return list(
        db_session.scalars(
            select(Handoff)
            .where(Handoff.org_id == org_id)
            .order_by(Handoff.created_at.desc())
            .limit(limit)
        )
    )


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
