"""Every table, imported in one place for Alembic and for tests."""

from api.booking.models import Appointment, Referral, ReferralEvent, Seat
from api.booking.sessions import BookingSession
from api.conversations.models import Conversation, InboundMessage, Participant
from api.db import Base
from api.directory.models import HSDS_MODELS, ServiceDomain, SlotException
from api.handoff.models import Handoff
from api.health.models import WorkerHeartbeat
from api.i18n.style_models import TextStyle
from api.outbox.models import OutboundMessage
from api.outbox.throttle import SenderPace
from api.referrals.models import ReferralDelivery
from api.reminders.reply_models import ReminderReply
from api.screening.models import Consent, ScreeningAnswer, ScreeningSession
from api.staff.models import ApiKey, Organization, StaffUser
from api.webhooks.models import EmailNotice, NoticeRecipient, WebhookDelivery, WebhookEndpoint

__all__ = [
    "HSDS_MODELS",
    "ApiKey",
    "Appointment",
    "Base",
    "BookingSession",
    "Consent",
    "EmailNotice",
    "Conversation",
    "Handoff",
    "InboundMessage",
    "NoticeRecipient",
    "Organization",
    "OutboundMessage",
    "Participant",
    "Referral",
    "ReferralEvent",
    "ReferralDelivery",
    "ReminderReply",
    "ScreeningAnswer",
    "ScreeningSession",
    "Seat",
    "SenderPace",
    "ServiceDomain",
    "SlotException",
    "StaffUser",
    "TextStyle",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WorkerHeartbeat",
]
