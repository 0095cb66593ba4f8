"""The web chat channel: buttons and cards as they are, delivered by the page's pull.

Delivery is a cursor read: the page asks for the messages after the last id it has, so a
poll whose response is lost, or a second tab, loses nothing. Handing a row over records
its first delivery (status, time); it never hides the row from a later read.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.db import utcnow
from api.outbox.models import DELIVERED, PENDING, OutboundMessage

NAME = "web"
PAGE = 100


def last_id(conversation_id: str, *, db_session: Session) -> int:
    """The newest outbound id of the conversation so far (0 when none)."""
    newest = db_session.scalar(
        select(OutboundMessage.id)
        .where(OutboundMessage.conversation_id == conversation_id)
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )
    return int(newest or 0)


def messages_after(
    conversation_id: str, after: int, *, db_session: Session, limit: int = PAGE
) -> list[OutboundMessage]:
    """The conversation's web messages with an id above the cursor, oldest first."""
    return list(
        db_session.scalars(
            select(OutboundMessage)
            .where(
                OutboundMessage.conversation_id == conversation_id,
                OutboundMessage.channel == NAME,
                OutboundMessage.id > after,
            )
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
    )


def record_handed_over(ids: list[int], *, db_session: Session) -> None:
    """The first hand-over of these rows: pending -> delivered (later reads change nothing)."""
    if not ids:
        return
    db_session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(ids), OutboundMessage.status == PENDING)
        .values(status=DELIVERED, sent_at=utcnow(), attempts=OutboundMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
