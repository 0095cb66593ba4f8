"""The worker's referral job: send due deliveries to partners, then escalate the referrals
partners have not answered (api/referrals/escalation.py)."""

from __future__ import annotations

from datetime import datetime

from api.db import session_scope, utcnow
from api.referrals import delivery, escalation


def run(*, now: datetime | None = None) -> int:
    """One pass; returns how many deliveries went out."""
    now = now or utcnow()
    sent = delivery.send_due(now=now)
    escalate(now)
    return sent


def escalate(now: datetime) -> int:
    """Referrals partners have not answered in time go to the case manager; a write unit
    only when there is one."""
    with session_scope(read_only=True) as db:
        if not escalation.due(now, db_session=db):
            return 0
    with session_scope() as db:
        return escalation.sweep(now, db_session=db)
