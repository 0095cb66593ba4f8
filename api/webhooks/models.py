"""Webhooks to an organization's case-management system, and email notices to its case
managers: durable rows the worker sends, never fire-and-forget from a request.

- `WebhookEndpoint`: a URL of the organization's CMS with its Standard Webhooks secret
  (encrypted at rest; shown once, by the CLI that registers it).
- `WebhookDelivery`: one handoff event for one endpoint. Its `webhook_id` is the
  Standard Webhooks `webhook-id`, the same on every retry and replay, so a receiver dedupes.
  Status: pending -> sending (claimed, leased) -> delivered | dead (after 3 days of retries).
  The body is composed at the first attempt and kept (encrypted: it holds the summary).
- `NoticeRecipient`, `EmailNotice`: an optional mail to the assigned case manager (else to
  the organization's notice recipients) that carries a link to the dashboard only, never
  anything about the participant.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from api import crypto
from api.db import Base, UTCDateTime, utcnow

PENDING, SENDING, DELIVERED, DEAD = "pending", "sending", "delivered", "dead"
SENT, FAILED = "sent", "failed"  # email notices


def webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret_encrypted: Mapped[str] = mapped_column(Text)  # a Fernet token of `whsec_...`
    description: Mapped[str] = mapped_column(String(200), default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = crypto.encrypt(value)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "urgent", "next_attempt_at"),
        Index("ix_webhook_deliveries_org_status", "org_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(String(40), unique=True, default=webhook_id)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    handoff_id: Mapped[str] = mapped_column(ForeignKey("handoffs.id"), index=True)
    handoff_event_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_events.id"))
    event_type: Mapped[str] = mapped_column(String(40))  # handoff.opened, handoff.urgent, ...
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retry_until: Mapped[datetime] = mapped_column(UTCDateTime)  # then dead-lettered
    last_error: Mapped[str | None] = mapped_column(String(64))  # a code, never a message
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    replays: Mapped[int] = mapped_column(Integer, default=0)
    body_encrypted: Mapped[str | None] = mapped_column(Text)  # None until the first attempt
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def body(self) -> dict[str, Any] | None:
        if self.body_encrypted is None:
            return None
        data: dict[str, Any] = json.loads(crypto.decrypt(self.body_encrypted))
        return data

    @body.setter
    def body(self, value: dict[str, Any]) -> None:
        self.body_encrypted = crypto.encrypt(json.dumps(value, sort_keys=True))


class NoticeRecipient(Base):
    """A case manager (or an intake desk) who wants a mail when a handoff opens or turns
    urgent in their organization (`urgent_only`: only the urgent ones)."""

    __tablename__ = "handoff_notice_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # staff's address, not a participant's
    urgent_only: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmailNotice(Base):
    """One mail to one case manager: a link to the handoff on the dashboard, nothing else.
    To the participant's assigned case manager when there is one, else to each of the
    organization's notice recipients."""

    __tablename__ = "handoff_email_notices"
    __table_args__ = (Index("ix_handoff_email_notices_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), index=True)
    # Whom to: the participant's assigned case manager (a staff user), else a recipient.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("handoff_notice_recipients.id"))
    staff_user_id: Mapped[str | None] = mapped_column(ForeignKey("staff_users.id"))
    handoff_id: Mapped[str] = mapped_column(ForeignKey("handoffs.id"), index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    message_key: Mapped[str] = mapped_column(
        String(40), unique=True, default=lambda: f"notice_{uuid.uuid4().hex}"
    )
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
