"""CSV exports of one organization's handoffs and referrals, for the program page's filters
(rows created in the period). Only what staff already see, as codes and ids: no names,
phone numbers, answers, notes or consented fields. Every cell that a spreadsheet would read
as a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe.
The route records each export in the audit log."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking.models import Appointment, Referral
from api.conversations.models import Conversation, Participant
from api.directory.models import HsdsOrganization, HsdsService
from api.handoff.models import Handoff
from api.staff.program import Filters, Scope

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HANDOFF_COLUMNS = (
    "handoff_id", "participant_id", "created_at", "status", "urgent", "reasons", "language",
    "channel", "last_event_at", "acknowledged_at", "acknowledged_by", "closed_at", "closed_by",
)  # fmt: skip
REFERRAL_COLUMNS = (
    "referral_id", "participant_id", "created_at", "domain", "status", "business_status",
    "service", "organization", "appointment_start", "appointment_status", "language",
    "status_changed_at",
)  # fmt: skip


def cell(value: Any) -> str:
    """One CSV cell as text: times in ISO 8601 UTC, lists joined by ';', formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> tuple[str, int]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        count += 1
    return out.getvalue(), count


def handoffs(org_id: str, filters: Filters, *, db_session: Session) -> tuple[str, int]:
    """The CSV text and its number of rows."""
    q = Scope(org_id, filters, db_session)
    h = Handoff
    query = (
        select(
            h.id,
            h.participant_id,
            h.created_at,
            h.status,
            h.urgent,
            h.reasons,
            Participant.language,
            Conversation.channel,
            h.last_event_at,
            h.acknowledged_at,
            h.acknowledged_by,
            h.closed_at,
            h.closed_by,
        )  # fmt: skip
        .join(Participant, Participant.id == h.participant_id)
        .outerjoin(Conversation, Conversation.id == h.conversation_id)
        .where(h.org_id == org_id, q.within(h.created_at), q.scope(h.participant_id))
        .order_by(h.created_at, h.id)
    )
    return _csv(HANDOFF_COLUMNS, db_session.execute(query))


def referrals(org_id: str, filters: Filters, *, db_session: Session) -> tuple[str, int]:
    q = Scope(org_id, filters, db_session)
    r = Referral
    query = (
        select(
            r.id,
            r.participant_id,
            r.created_at,
            r.domain,
            r.status,
            r.business_status,
            HsdsService.name,
            HsdsOrganization.name,
            Appointment.start,
            Appointment.status,
            r.language,
            r.status_changed_at,
        )  # fmt: skip
        .join(HsdsService, HsdsService.id == r.service_id)
        .outerjoin(HsdsOrganization, HsdsOrganization.id == HsdsService.organization_id)
        .outerjoin(Appointment, Appointment.id == r.appointment_id)
        .where(r.org_id == org_id, q.within(r.created_at), q.scope(r.participant_id))
        .order_by(r.created_at, r.id)
    )
    return _csv(REFERRAL_COLUMNS, db_session.execute(query))
