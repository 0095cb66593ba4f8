"""The screening engine: one conversation step at a time, every answer saved at once.

Actions and routes call these functions; none of them commits (the caller's unit of work
does). Steps: consent (if not on file) -> each question of the session's instrument
version -> the partner question (when there is a need to book for) -> done.

Each reply is one turn: it is keyed by the inbound message id (an engine retry of the same
message changes nothing, `idempotency.py`), a button names its question (an old one is
ignored), and an urgent answer is flagged in that same turn (`urgent.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations.models import Conversation, Participant
from api.db import utcnow
from api.handoff import service as handoffs
from api.screening import answers, idempotency, scoring, urgent, versions
from api.screening.consent import (
    CONSENT_PURPOSES,
    CONSENT_QUESTIONS,
    CONSENT_VERSION,
    consent_needed,
    consent_reply,
    current_consents,
    partner_consent_asked,
    record_consent,
    withdraw_consent,
)
from api.screening.instrument import Question, questions_for
from api.screening.models import (
    ACTIVE,
    COMPLETED,
    STOPPED,
    ScreeningAnswer,
    ScreeningSession,
)
from api.screening.outcome import Outcome, Say
from api.screening.results import (
    answers_of,
    positive_domains,
    results,
    session_questions,
    summary,
)

__all__ = [
    "CONSENT_PURPOSES",
    "CONSENT_VERSION",
    "STOPPED",
    "Outcome",
    "Say",
    "Step",
    "active_session",
    "complete",
    "consent_needed",
    "current_consents",
    "current_step",
    "positive_domains",
    "record_consent",
    "reply",
    "restart",
    "results",
    "session_questions",
    "start",
    "summary",
    "withdraw_consent",
]

MAX_RAW = 200


@dataclass(frozen=True)
class Step:
    kind: str  # consent | question | partner_consent | done
    question: Question | None = None
    number: int = 0
    total: int = 0


# --- sessions --------------------------------------------------------------------------------
def active_session(participant: Participant, *, db_session: Session) -> ScreeningSession | None:
    return db_session.scalars(
        select(ScreeningSession)
        .where(ScreeningSession.participant_id == participant.id, ScreeningSession.status == ACTIVE)
        .order_by(ScreeningSession.started_at.desc())
        .limit(1)
    ).first()


def start(
    participant: Participant, conversation: Conversation | None, *, db_session: Session
) -> tuple[ScreeningSession, bool]:
    """The participant's active session (resumed), or a new one; and whether it resumed.
    A new session pins the instrument versions it runs on."""
    existing = active_session(participant, db_session=db_session)
    if existing is not None:
        if conversation is not None:
            existing.conversation_id = conversation.id
        return existing, True
    module_ids = list(get_settings().screening_modules)
    questions_for(module_ids)  # fail early on a misconfigured program
    digests = versions.pin(module_ids, db_session=db_session)
    session = ScreeningSession(
        participant_id=participant.id,
        conversation_id=conversation.id if conversation else None,
        modules=module_ids,
        versions={m: versions.load(digests[m]).version for m in module_ids},
        digests=digests,
        language=participant.language,
    )
    db_session.add(session)
    db_session.flush()
    return session, False


def current_step(
    session: ScreeningSession, participant: Participant, *, db_session: Session
) -> Step:
    if consent_needed(participant, db_session=db_session):
        return Step("consent")
    questions = session_questions(session, db_session=db_session)
    if session.status == ACTIVE and session.step < len(questions):
        return Step("question", questions[session.step], session.step + 1, len(questions))
    if session.status == ACTIVE and _needs_partner_consent(
        session, participant, db_session=db_session
    ):
        return Step("partner_consent", total=len(questions))
    return Step("done", total=len(questions))


def _needs_partner_consent(
    session: ScreeningSession, participant: Participant, *, db_session: Session
) -> bool:
    """Asked once per screening, after the summary, when there is a need to book for."""
    if partner_consent_asked(session, participant, db_session=db_session):
        return False
    return bool(positive_domains(session, db_session=db_session))


def _save(
    session: ScreeningSession,
    question: Question,
    option_ids: tuple[str, ...],
    declined: bool,
    raw: str,
    *,
    db_session: Session,
) -> None:
    row = db_session.scalar(
        select(ScreeningAnswer).where(
            ScreeningAnswer.session_id == session.id, ScreeningAnswer.question_id == question.id
        )
    )
    if row is None:
        row = ScreeningAnswer(session_id=session.id, question_id=question.id)
        db_session.add(row)
    row.option_ids = list(option_ids)
    row.declined = declined
    row.raw_text = raw[:MAX_RAW]
    row.answered_at = utcnow()
    session.step += 1
    session.misses = 0
    db_session.flush()


def reply(
    session: ScreeningSession,
    participant: Participant,
    text: str,
    intent: str | None,
    *,
    channel: str,
    db_session: Session,
    message_id: int | None = None,
    question_id: str | None = None,
    version: str | None = None,
) -> Outcome:
    """Take the participant's reply to the current step.

    `message_id`: the inbound message (the turn's idempotency key); a repeat changes nothing
    and says the same again. `question_id`/`version`: what a button names (a question id,
    or `consent`/`partner_consent`); a button of another step or version is old, and is
    ignored (the form asks the current step again).
    """
    if message_id is not None:
        replayed = idempotency.claim(session, message_id, db_session=db_session)
        if replayed is not None:
            return replayed
    outcome = _reply(
        session, participant, text, intent, channel, question_id, version, db_session=db_session
    )
    idempotency.remember(session, outcome)
    return outcome


def _reply(
    session: ScreeningSession,
    participant: Participant,
    text: str,
    intent: str | None,
    channel: str,
    question_id: str | None,
    version: str | None,
    *,
    db_session: Session,
) -> Outcome:
    step = current_step(session, participant, db_session=db_session)
    asked = step.question.id if step.question else step.kind
    if question_id is not None and (
        question_id != asked
        or (version and step.question is not None and version != step.question.version)
    ):
        return Outcome([], done=step.kind == "done")  # an old button: ask the step again
    if question_id is None and step.kind in CONSENT_QUESTIONS and text.startswith("/"):
        # a Yes that names no question is another message's button (the greeting's): a
        # consent counts only from its own buttons or from words
        return Outcome([])
    if step.kind in CONSENT_QUESTIONS:
        return consent_reply(
            step.kind, session, participant, text, intent, channel, db_session=db_session
        )
    if step.kind == "done" or step.question is None:
        return Outcome([], done=True)
    question = step.question
    flagged = set(urgent.raised(session, db_session=db_session))
    picks = answers.parse(question, text, participant.language, intent)
    if picks is not None:
        _save(session, question, picks, False, text, db_session=db_session)
    elif intent == "skip":
        _save(session, question, (), True, text, db_session=db_session)
    elif intent == "go_back":
        if session.step == 0:
            return Outcome([Say("utter_screening_first_question")])
        session.step -= 1
        session.misses = 0
        return Outcome([])
    else:
        session.misses += 1
        if session.misses == 1:
            return Outcome([Say("utter_screening_invalid")])
        return Outcome([Say("utter_screening_offer_help")])
    conversation = (
        db_session.get(Conversation, session.conversation_id) if session.conversation_id else None
    )
    said = urgent.flag(session, participant, conversation, flagged, db_session=db_session)
    after = current_step(session, participant, db_session=db_session)
    if after.kind == "question":
        return Outcome(said)
    # the last question was answered: the summary now, then (maybe) the partner question
    summary_say = Say(
        "utter_screening_summary",
        {"domains": ",".join(positive_domains(session, db_session=db_session))},
    )
    return Outcome([*said, summary_say], done=after.kind == "done")


def restart(session: ScreeningSession, *, db_session: Session) -> None:
    db_session.execute(delete(ScreeningAnswer).where(ScreeningAnswer.session_id == session.id))
    session.step = 0
    session.misses = 0


# --- completion ------------------------------------------------------------------------------
def complete(
    session: ScreeningSession,
    participant: Participant,
    conversation: Conversation | None,
    *,
    db_session: Session,
) -> tuple[list[scoring.DomainResult], list[str]]:
    """Score and record the handoff; the urgent reasons this screening raised.

    Urgent answers were flagged (and the participant told) in the turn they were given;
    this only makes sure the flags are on the handoff, without saying anything again."""
    domain_results = results(session, db_session=db_session)
    saved = answers_of(session, db_session=db_session)
    session.status = COMPLETED
    session.completed_at = utcnow()
    session.results = summary(session, domain_results, saved, db_session=db_session)
    handoff = handoffs.flag(
        participant,
        conversation,
        "screening",
        db_session=db_session,
        details={
            "screening": session.results,
            "consents": current_consents(participant, db_session=db_session),
        },
    )
    raised = list(urgent.raised(session, db_session=db_session))
    for reason in raised:
        if reason not in handoff.reasons:  # raised when answered: not a new event
            handoffs.flag(participant, conversation, reason, db_session=db_session, urgent=True)
        handoff.urgent = True
    return domain_results, raised
