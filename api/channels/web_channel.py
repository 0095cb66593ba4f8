"""The web chat channel: buttons and cards as they are, delivered by the page's pull.

Delivery is a cursor read: the page asks for the messages after the last id it has, so a
poll whose response is lost, or a second tab, loses nothing. Handing a row over records
its first delivery (status, time); it never hides the row from a later read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.channels import menus
from api.channels.base import Message, Outgoing
from api.db import utcnow
from api.outbox.models import DELIVERED, PENDING, OutboundMessage

NAME = "web"
PAGE = 100


class WebChannel:
    """Buttons stay buttons. Cards are shown as a line with their link until the outbox
    stores attachments (the booking issue brings calendar files)."""

    name = NAME
    pushes = False  # the page pulls: messages_after()

    def render(self, message: Message, language: str | None) -> Outgoing:
        buttons = [o.as_dict() for o in message.options]
        extra = [f"{a.title}: {a.url}" if a.url else a.title for a in message.attachments]
        return Outgoing("\n".join([message.text, *extra]), buttons or None)

    def clean(self, body: str) -> str:
        return body

    def resolve_reply(self, text: str, options: list[dict[str, Any]] | None) -> str | None:
        return menus.resolve(text, options)  # a typed "2" or a button's words pick it too

    def deliver(self, to: str, body: str, *, reference: int | None = None) -> str | None:
        return None  # nothing to push: the page reads by cursor

    def opted_out(self, participant: Any) -> bool:
        return False


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
