"""CSV exports of one organization's handoffs and referrals, for the program page's filters
(rows created in the period). Only what staff already see, as codes and ids: no names,
phone numbers, answers, notes or consented fields. Every cell that a spreadsheet would read
as a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe.
The route records each export in the audit log.

Each export is data (EXPORTS: the table a row is one of, its columns as header and SQL
column, its joins) and one writer builds the query and the CSV for any of them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Export:
    """A CSV of one table's rows created in the period: one row per `table` row."""

    table: Any  # Handoff or Referral: org_id, participant_id, created_at, id
    columns: tuple[tuple[str, Any], ...]  # header, SQL column
    joins: tuple[tuple[Any, Any, bool], ...] = ()  # table, ON, outer

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)


h, r = Handoff, Referral
EXPORTS = {
    "handoffs": Export(
        h,
        (
            ("handoff_id", h.id), ("participant_id", h.participant_id),
            ("created_at", h.created_at), ("status", h.status), ("urgent", h.urgent),
            ("reasons", h.reasons), ("language", Participant.language),
            ("channel", Conversation.channel), ("last_event_at", h.last_event_at),
            ("acknowledged_at", h.acknowledged_at), ("acknowledged_by", h.acknowledged_by),
            ("closed_at", h.closed_at), ("closed_by", h.closed_by),
        ),
        (
            (Participant, Participant.id == h.participant_id, False),
            (Conversation, Conversation.id == h.conversation_id, True),
        ),
    ),
    "referrals": Export(
        r,
        (
            ("referral_id", r.id), ("participant_id", r.participant_id),
            ("created_at", r.created_at), ("domain", r.domain), ("status", r.status),
            ("business_status", r.business_status), ("service", HsdsService.name),
            ("organization", HsdsOrganization.name), ("appointment_start", Appointment.start),
            ("appointment_status", Appointment.status), ("language", r.language),
            ("status_changed_at", r.status_changed_at),
        ),
        (
            (HsdsService, HsdsService.id == r.service_id, False),
            (HsdsOrganization, HsdsOrganization.id == HsdsService.organization_id, True),
            (Appointment, Appointment.id == r.appointment_id, True),
        ),
    ),
}  # fmt: skip


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


def write(export: Export, org_id: str, filters: Filters, *, db_session: Session) -> tuple[str, int]:
    """The CSV text of the org's rows created in the period, and its number of rows."""
    q, t = Scope(org_id, filters, db_session), export.table
    query = select(*(column for _, column in export.columns)).select_from(t)
    for table, on, outer in export.joins:
        query = query.join(table, on, isouter=outer)
    query = query.where(
        t.org_id == org_id, q.within(t.created_at), q.scope(t.participant_id)
    ).order_by(t.created_at, t.id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(export.headers)
    count = 0
    for row in db_session.execute(query):
        writer.writerow([cell(v) for v in row])
        count += 1
    return out.getvalue(), count
