"""The optional email notice to case managers: "a handoff needs you", with a link to the
dashboard and nothing about the participant (no name, no reason, no answer: a mailbox is
not a place for them). A durable row, queued with the handoff event, sent by the worker
over the SMTP setup (api/mail/), retried with backoff.

Who gets it: the participant's assigned case manager (the dashboard's assignment), when
there is one, active and with an email address; otherwise the organization's notice
recipients (`firstcall webhooks notify-add`), each for every new handoff or only the urgent
ones. Once per handoff and person for the opening, and once more when it turns urgent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import leases
from api.config import get_settings
from api.db import session_scope, utcnow
from api.handoff.models import Handoff
from api.mail import smtp
from api.staff.models import Assignment, StaffUser
from api.webhooks.models import FAILED, PENDING, SENDING, SENT, EmailNotice, NoticeRecipient

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 12


def add_recipient(
    org_id: str, email: str, *, urgent_only: bool = False, db_session: Session
) -> NoticeRecipient:
    row = NoticeRecipient(org_id=org_id, email=email.strip().lower(), urgent_only=urgent_only)
    db_session.add(row)
    db_session.flush()
    return row


def link(handoff: Handoff) -> str:
    """The participant's page on the staff dashboard (opaque ids only)."""
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/staff/participants/{handoff.participant_id}"


def assignee(handoff: Handoff, *, db_session: Session) -> StaffUser | None:
    """The participant's assigned case manager, while active, of the handoff's organization
    and with an email address."""
    user = db_session.scalar(
        select(StaffUser)
        .join(Assignment, Assignment.user_id == StaffUser.id)
        .where(Assignment.participant_id == handoff.participant_id)
    )
    if user is None or not user.active or user.org_id != handoff.org_id or not user.email:
        return None
    return user


def queue(handoff: Handoff, *, urgent: bool, db_session: Session) -> list[EmailNotice]:
    """To the assigned case manager if there is one, else to each enabled recipient of the
    organization (`urgent_only` ones for urgent notices only); once per handoff, person and
    kind (new, urgent)."""
    already = {
        tuple(row)
        for row in db_session.execute(
            select(EmailNotice.recipient_id, EmailNotice.staff_user_id, EmailNotice.urgent).where(
                EmailNotice.handoff_id == handoff.id
            )
        )
    }
    user = assignee(handoff, db_session=db_session)
    whom: list[tuple[int | None, str | None]]
    if user is not None:
        whom = [] if (None, user.id, urgent) in already else [(None, user.id)]
    else:
        recipients = db_session.scalars(
            select(NoticeRecipient).where(
                NoticeRecipient.org_id == handoff.org_id, NoticeRecipient.enabled.is_(True)
            )
        ).all()
        whom = [
            (r.id, None)
            for r in recipients
            if (urgent or not r.urgent_only) and (r.id, None, urgent) not in already
        ]
    rows = [
        EmailNotice(
            org_id=handoff.org_id,
            recipient_id=recipient_id,
            staff_user_id=staff_user_id,
            handoff_id=handoff.id,
            urgent=urgent,
            status=PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
        )
        for recipient_id, staff_user_id in whom
    ]
    db_session.add_all(rows)
    return rows


def address(notice: EmailNotice, *, db_session: Session) -> str | None:
    """Where the notice goes, while its person still wants it (active, enabled)."""
    if notice.staff_user_id is not None:
        user = db_session.get(StaffUser, notice.staff_user_id)
        return user.email if user is not None and user.active and user.email else None
    recipient = db_session.get(NoticeRecipient, notice.recipient_id)
    return recipient.email if recipient is not None and recipient.enabled else None


def compose(notice: EmailNotice, handoff: Handoff) -> tuple[str, str]:
    """Subject and text: whether it is urgent, and the link. Nothing else."""
    program = get_settings().program_name
    if notice.urgent:
        subject = f"[{program}] Urgent handoff: please look now"
    else:
        subject = f"[{program}] New handoff"
    what = "An urgent handoff" if notice.urgent else "A new handoff"
    text = (
        f"{what} is waiting for you.\n\n"
        f"Open it on the dashboard (sign-in required):\n{link(handoff)}\n\n"
        "For the participant's privacy, this email carries no details.\n"
    )
    return subject, text


def send_due(limit: int = 20, *, now: datetime | None = None) -> int:
    """Send the notices due at `now`; returns how many went."""
    now = now or utcnow()
    due = leases.due(EmailNotice, PENDING, now)
    claims = leases.claim(EmailNotice, due, limit=limit, now=now, lease=LEASE)
    return sum(_send(c.id, c.attempts, now) for c in claims)


def _send(notice_id: int, attempts: int, now: datetime) -> int:
    with session_scope() as db:
        row = db.get(EmailNotice, notice_id, with_for_update=True)
        if row is None or row.attempts != attempts or row.status != SENDING:
            return 0
        handoff = db.get(Handoff, row.handoff_id)
        to = address(row, db_session=db)
        if handoff is None or to is None:
            row.status, row.last_error = FAILED, "no_recipient"
            return 0
        subject, body = compose(row, handoff)
        message = smtp.build(to, subject, body, message_id=row.message_key)
    error: smtp.MailError | None = None
    try:  # no session is open while the network is
        smtp.send(message)
    except smtp.MailError as exc:
        error = exc
    with session_scope() as db:
        row = db.get(EmailNotice, notice_id, with_for_update=True)
        if row is None or row.attempts != attempts:
            return 0
        if error is None:
            row.status, row.sent_at, row.last_error = SENT, utcnow(), None
            return 1
        log.warning("handoff notice %s not sent: %s", notice_id, error.code)
        row.last_error = error.code
        if error.retry and row.attempts < MAX_ATTEMPTS:
            backoff = timedelta(seconds=min(30 * 2 ** max(row.attempts - 1, 0), 6 * 3600))
            row.status, row.next_attempt_at = PENDING, now + backoff
        else:
            row.status = FAILED
        return 0
