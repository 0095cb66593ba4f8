"""Before a row is sent again, ask Twilio whether an earlier attempt already reached it.

Twilio's Messages API takes no idempotency key, and a sender can die (SIGKILL, power, OOM)
after Twilio accepted a message and before the row records its SID. When the row's lease
runs out it is claimed again; sending it blind would text the person twice. So every claim
after the first (`attempts > 1`) first lists the messages Twilio holds for that recipient
(`GET /Messages.json?To=...`, most recent first, a real API call with the real `twilio`
client) and takes as ours a message that

- went out (`outbound-api`) on or after the row was created (less a clock skew margin),
- carries the row's body (Twilio may append to it, never change it),
- did not fail at Twilio, and
- is no other row's: its SID is on no outbox row, and not already taken in this pass.

Found: the row is recorded as sent with that SID, nothing is sent. Not found: an earlier
attempt never reached Twilio, send. The list call fails: nothing is sent, the row is
retried later (a retry, never a guess). Why this is correct with the real Twilio too: the
list is the provider's own record; the lease (120 s by default, far past the client's 10 s
timeout) means a dead sender's request has long been answered, and listed, before anyone
looks. A first attempt costs nothing: only re-sends, rare, pay one GET.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from api.channels import twilio_sms
from api.db import session_scope
from api.outbox.models import OutboundMessage

log = logging.getLogger(__name__)

LOOKBACK = 100  # the most recent messages to one recipient that are read
CLOCK_SKEW = timedelta(minutes=5)  # our clock against Twilio's date_created
NOT_ACCEPTED = {"failed", "undelivered", "canceled"}


def _candidates(phone: str, body: str, since: datetime) -> list[str]:
    """SIDs of messages Twilio holds to `phone` with this body since `since`, oldest first."""
    found = []
    for message in twilio_sms.client().messages.list(to=phone, limit=LOOKBACK):
        created = message.date_created
        if (
            str(message.direction or "").startswith("outbound")
            and (created is None or created >= since - CLOCK_SKEW)
            and str(message.body or "").startswith(body)
            and str(message.status or "") not in NOT_ACCEPTED
        ):
            found.append((created or since, str(message.sid)))
    return [sid for _, sid in sorted(found)]


def accepted(phone: str, body: str, *, since: datetime, taken: set[str]) -> str | None:
    """The SID of a message an earlier attempt of this row got Twilio to accept, or None.
    Raises twilio_sms.SendError (retry) when Twilio cannot be asked."""
    try:
        candidates = _candidates(phone, body, since)
    except Exception as exc:  # cannot know: do not send now, try again later
        raise twilio_sms.SendError(None, retry=True) from exc
    if not candidates:
        return None
    with session_scope(read_only=True) as db:
        known = set(
            db.scalars(
                select(OutboundMessage.provider_id).where(
                    OutboundMessage.provider_id.in_(candidates)
                )
            )
        )
    for sid in candidates:
        if sid not in known and sid not in taken:
            taken.add(sid)
            return sid
    return None
