"""The turn's idempotency key: the inbound message id the app sends as metadata.

When the engine call times out after the actions ran, the app sends the same message
again. Each reply claims the session for its message with a compare-and-set, so the
retry (even a concurrent one: the row lock makes it wait) finds the key taken, changes
nothing, and says again what the first attempt said (its replies were lost).
"""

from __future__ import annotations

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from api.screening.models import ScreeningSession
from api.screening.outcome import Outcome


def claim(session: ScreeningSession, message_id: int, *, db_session: Session) -> Outcome | None:
    """None when this message is new for the session (now claimed); else what it said."""
    db_session.flush()
    claimed = db_session.execute(
        update(ScreeningSession)
        .where(
            ScreeningSession.id == session.id,
            or_(ScreeningSession.turn_key.is_(None), ScreeningSession.turn_key != message_id),
        )
        .values(turn_key=message_id, turn_said=None)
        .execution_options(synchronize_session=False)
    )
    db_session.refresh(session)
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return None
    return Outcome.from_json(session.turn_said or {})


def remember(session: ScreeningSession, outcome: Outcome) -> None:
    session.turn_said = outcome.to_json()
