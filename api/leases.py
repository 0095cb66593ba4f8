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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

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
    order_by: Sequence[Any] = (),
    weight: Any = None,
    fit: Callable[[list[int]], int] | None = None,
    db_session: Session | None = None,
) -> list[Claim]:
    """Take up to `limit` rows matching `where` (in `order_by` order, then oldest first) for
    this sender, committed. With `weight` (a column) and `fit`, only the first
    `fit(weights)` of the rows found are taken (a budget, e.g. the pace of a sender). With
    `db_session` the claim joins that unit of work (the caller commits)."""
    if db_session is None:
        with session_scope() as db:
            return claim(
                model, where, limit=limit, now=now, lease=lease, values=values,
                order_by=order_by, weight=weight, fit=fit, db_session=db,
            )  # fmt: skip
    db = db_session
    leased = {"status": SENDING, "lease_until": now + lease, **(values or {})}
    columns = [model.id, model.status, model.attempts]
    if weight is not None:
        columns.append(weight.label("weight"))
    query = select(*columns).where(where).order_by(*order_by, model.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        locked = list(db.execute(query.with_for_update(skip_locked=True)).all())
        if fit is not None:
            locked = locked[: fit([r.weight for r in locked])]
        if locked:
            db.execute(
                update(model)
                .where(model.id.in_([r.id for r in locked]))
                .values(**leased, attempts=model.attempts + 1)
                .execution_options(synchronize_session=False)
            )
        return [Claim(r.id, r.attempts + 1) for r in locked]
    seen_rows = list(db.execute(query).all())
    if fit is not None:  # SQLite: this unit holds the write lock, so what was read stays
        seen_rows = seen_rows[: fit([r.weight for r in seen_rows])]
    claims = []
    for seen in seen_rows:
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
