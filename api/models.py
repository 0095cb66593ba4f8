"""Every table, imported in one place for Alembic and for tests."""

from api.conversations.models import Conversation, InboundMessage, Participant
from api.db import Base
from api.handoff.models import Handoff
from api.health.models import WorkerHeartbeat
from api.outbox.models import OutboundMessage
from api.staff.models import ApiKey, Organization, StaffUser

__all__ = [
    "ApiKey",
    "Base",
    "Conversation",
    "Handoff",
    "InboundMessage",
    "Organization",
    "OutboundMessage",
    "Participant",
    "StaffUser",
    "WorkerHeartbeat",
]
