"""Leased claims on a table of jobs: each due row goes to exactly one sender.

The outbox and the referral deliveries send the same way, so they claim the same way.
A claim is a short unit of work, committed before anything is sent: due rows become
`sending` with `lease_until`. On PostgreSQL they are read with `FOR UPDATE SKIP LOCKED`,
so concurrent senders take different rows; on SQLite each row is taken with a
compare-and-set on the exact state read (status and attempts). A row whose sender died
stays `sending` until its lease runs out; only then is it due again. The row's attempts
after the claim are the key of every later write: a sender whose lease was lost records
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update

from api.db import session_scope

SENDING = "sending"


@dataclass(frozen=True)
class Claim:
    id: int
    attempts: int  # the row's attempts after this claim: the key of every later write


def due(model: Any, pending: str, now: datetime) -> ColumnElement[bool]:
    """Pending rows whose time has come, and claims whose lease ran out."""
    return or_(
        and_(model.status == pending, model.next_attempt_at <= now),
        and_(model.status == SENDING, or_(model.lease_until.is_(None), model.lease_until <= now)),
    )


def claim(
    model: Any,
    where: ColumnElement[bool],
    *,
    limit: int,
    now: datetime,
    lease: timedelta,
    values: dict[str, Any] | None = None,
) -> list[Claim]:
    """Take up to `limit` rows matching `where` (oldest first) for this sender, committed."""
    leased = {"status": SENDING, "lease_until": now + lease, **(values or {})}
    with session_scope() as db:
        query = select(model.id, model.status, model.attempts).where(where)
        query = query.order_by(model.id).limit(limit)
        if db.get_bind().dialect.name == "postgresql":
            locked = db.execute(query.with_for_update(skip_locked=True)).all()
            if locked:
                db.execute(
                    update(model)
                    .where(model.id.in_([r.id for r in locked]))
                    .values(**leased, attempts=model.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
            return [Claim(r.id, r.attempts + 1) for r in locked]
        claims = []
        for seen in db.execute(query).all():
            result = db.execute(
                update(model)
                .where(
                    model.id == seen.id,
                    model.status == seen.status,
                    model.attempts == seen.attempts,
                )
                .values(**leased, attempts=seen.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                claims.append(Claim(seen.id, seen.attempts + 1))
        return claims
