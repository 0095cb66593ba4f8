"""Abandoned screenings: no reply for `screening_abandoned_after_hours` (24 h by default),
and the case manager still gets the answers so far, marked incomplete.

The worker runs `sweep()` every pass. Each abandoned session is reported once (a row in
`screening_abandonments`, keyed by the session), even with two workers at the same time.
The session itself is left active: a participant who comes back days later continues where
they left off, and the finished screening then replaces the incomplete one on the handoff.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations.models import Conversation, InboundMessage, Participant
from api.db import utcnow
from api.handoff import service as handoffs
from api.handoff.models import ScreeningAbandonment
from api.screening import consent
from api.screening import results as scored
from api.screening.models import ACTIVE, ScreeningAnswer, ScreeningSession

log = logging.getLogger(__name__)
REASON = "screening_incomplete"


def _last_reply(session: ScreeningSession, *, db_session: Session) -> datetime:
    """The latest sign of the participant: the session's own change, an answer, a message."""
    last_answer = db_session.scalar(
        select(func.max(ScreeningAnswer.answered_at)).where(
            ScreeningAnswer.session_id == session.id
        )
    )
    last_message = db_session.scalar(
        select(func.max(InboundMessage.received_at))
        .join(Conversation, Conversation.id == InboundMessage.conversation_id)
        .where(Conversation.participant_id == session.participant_id)
    )
    times = [t for t in (session.updated_at, last_answer, last_message) if t]
    return max(times)


def _candidates(cutoff: datetime, *, db_session: Session) -> list[ScreeningSession]:
    """Quiet active sessions never reported; or seen before without consent to share, and
    changed since."""
    seen = ScreeningAbandonment
    return list(
        db_session.scalars(
            select(ScreeningSession)
            .outerjoin(seen, seen.session_id == ScreeningSession.id)
            .where(
                ScreeningSession.status == ACTIVE,
                ScreeningSession.updated_at < cutoff,
                or_(
                    seen.session_id.is_(None),
                    and_(
                        seen.handoff_id.is_(None), seen.last_reply_at < ScreeningSession.updated_at
                    ),
                ),
            )
            .order_by(ScreeningSession.updated_at)
        )
    )


def _report(
    session: ScreeningSession, last_reply: datetime, now: datetime, *, db_session: Session
) -> bool:
    participant = db_session.get(Participant, session.participant_id)
    assert participant is not None
    marker = db_session.get(ScreeningAbandonment, session.id)
    if marker is None:
        marker = ScreeningAbandonment(session_id=session.id, last_reply_at=last_reply)
        try:
            with db_session.begin_nested():  # another worker took it first: skip
                db_session.add(marker)
        except IntegrityError:
            return False
    marker.last_reply_at, marker.reported_at = last_reply, now
    consents = consent.current_consents(participant, db_session=db_session)
    if not consents.get("share_case_manager"):
        return False  # nothing may be shared (and no answers exist before consent)
    saved = scored.answers_of(session, db_session=db_session)
    domain_results = scored.results(session, db_session=db_session)
    coded = scored.summary(session, domain_results, saved, db_session=db_session)
    coded.update(
        incomplete=True,
        answered=len(saved),
        total=len(scored.session_questions(session, db_session=db_session)),
        last_reply_at=last_reply.isoformat(),
    )
    conversation = (
        db_session.get(Conversation, session.conversation_id) if session.conversation_id else None
    )
    handoff = handoffs.flag(
        participant,
        conversation,
        REASON,
        db_session=db_session,
        details={"screening": coded, "consents": consents},
        at=now,
    )
    marker.handoff_id = handoff.id
    return True


def due(*, db_session: Session, now: datetime | None = None) -> list[ScreeningSession]:
    """Sessions quiet for longer than the setting and not handed over yet (reads only)."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=get_settings().screening_abandoned_after_hours)
    return [
        session
        for session in _candidates(cutoff, db_session=db_session)
        if _last_reply(session, db_session=db_session) < cutoff
    ]


def sweep(*, db_session: Session, now: datetime | None = None) -> int:
    """Hand every abandoned screening to staff; returns how many were handed over."""
    now = now or utcnow()
    reported = sum(
        _report(session, _last_reply(session, db_session=db_session), now, db_session=db_session)
        for session in due(db_session=db_session, now=now)
    )
    if reported:
        log.info("handed %d abandoned screening(s) to staff", reported)
    return reported
