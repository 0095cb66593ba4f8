"""How the dashboard names a participant without showing more than it needs: the last four
digits of the phone (the number itself stays encrypted), or the channel."""

from __future__ import annotations

from api.conversations import service as conversations
from api.conversations.models import Participant


def participant_label(participant: Participant) -> str:
    phone = conversations.phone_of(participant)
    if phone:
        return f"Phone ending {phone[-4:]}"
    return f"Web chat {participant.id[:6]}"
