"""The worker's referral job: send due deliveries to partners, then escalate the referrals
partners have not answered (api/referrals/escalation.py)."""

from __future__ import annotations

from datetime import datetime

from api.db import utcnow
from api.referrals import delivery


def run(*, now: datetime | None = None) -> int:
    """One pass; returns how many deliveries went out."""
    now = now or utcnow()
    return delivery.send_due(now=now)
