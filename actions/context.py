"""What every action needs: the conversation's participant, in one unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rasa_sdk import Tracker
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Participant
from api.db import session_scope


@dataclass
class Turn:
    db_session: Session
    conversation: Conversation | None
    participant: Participant | None

    @property
    def channel(self) -> str:
        return self.conversation.channel if self.conversation else "web"


@contextmanager
def turn(tracker: Tracker) -> Iterator[Turn]:
    """The sender id is our opaque conversation id, never a phone number."""
    with session_scope() as db:
        conversation = db.get(Conversation, tracker.sender_id)
        participant = db.get(Participant, conversation.participant_id) if conversation else None
        yield Turn(db, conversation, participant)


def metadata_language(tracker: Tracker) -> str | None:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    value = metadata.get("language")
    return value if isinstance(value, str) else None
