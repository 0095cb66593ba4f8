"""The audit log: every view of a participant, every export, every reveal of a sensitive
domain, with who, what and when. Details name ids and domains, never personal data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.staff.models import AuditEntry, StaffUser

VIEW_PARTICIPANT, EXPORT, REVEAL = "view_participant", "export", "reveal_sensitive"
REPLY, REFERRAL_STATE, CALL_OUTCOME, ASSIGN, NOTE = (
    "reply",
    "referral_state",
    "call_outcome",
    "assign",
    "note",
)


def record(
    org_id: str, user_id: str, action: str, subject: str = "", detail: str = "", *,
    db_session: Session,
) -> AuditEntry:  # fmt: skip
    entry = AuditEntry(
        org_id=org_id, user_id=user_id, action=action, subject=subject[:100], detail=detail[:300]
    )
    db_session.add(entry)
    db_session.flush()
    return entry


def for_org(
    org_id: str, *, db_session: Session, action: str | None = None, limit: int = 200
) -> list[tuple[AuditEntry, StaffUser]]:
    """The latest entries first, with who made them."""
    query = (
        select(AuditEntry, StaffUser)
        .join(StaffUser, StaffUser.id == AuditEntry.user_id)
        .where(AuditEntry.org_id == org_id)
    )
    if action:
        query = query.where(AuditEntry.action == action)
    rows = db_session.execute(query.order_by(AuditEntry.id.desc()).limit(limit))
    return [(entry, user) for entry, user in rows.all()]
