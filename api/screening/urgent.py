"""Urgent needs, raised in the turn they are answered.

Which answers are urgent is data: `urgent` on options and domains in the instrument files,
with the domain's `flag` (the handoff reason) and `resources` (what the participant is
told at once, e.g. the domestic-violence hotline). A sum rule (HITS) is urgent as soon as
its last item is in and the total crosses the threshold: scoring sees it in that turn.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.conversations.models import Conversation, Participant
from api.handoff import service as handoffs
from api.screening import results as scored
from api.screening import versions
from api.screening.instrument import DomainRule
from api.screening.models import ScreeningSession
from api.screening.outcome import Say


def raised(session: ScreeningSession, *, db_session: Session) -> dict[str, DomainRule]:
    """flag -> the rule that raises it, for every domain whose result is urgent now."""
    rules = {
        (m.id, rule.domain): rule
        for m in versions.session_modules(session, db_session=db_session)
        for rule in m.domains
    }
    found: dict[str, DomainRule] = {}
    for result in scored.results(session, db_session=db_session):
        rule = rules[(result.module, result.domain)]
        if result.urgent and rule.flag and rule.flag not in found:
            found[rule.flag] = rule
    return found


def flag(
    session: ScreeningSession,
    participant: Participant,
    conversation: Conversation | None,
    before: set[str],
    *,
    db_session: Session,
) -> list[Say]:
    """Flag what became urgent since `before` (the flags raised before this answer), with
    the answers so far for the case manager; what to tell the participant now."""
    now = raised(session, db_session=db_session)
    new = [reason for reason in now if reason not in before]
    if not new:
        return []
    saved = scored.answers_of(session, db_session=db_session)
    details = {
        "screening": scored.summary(
            session, scored.results(session, db_session=db_session), saved, db_session=db_session
        )
    }
    say = []
    for reason in new:
        handoffs.flag(
            participant, conversation, reason, db_session=db_session, details=details, urgent=True
        )  # the instrument says so, whatever the reason is called
        resources = now[reason].resources
        if resources and Say(resources) not in say:
            say.append(Say(resources))
    return say
