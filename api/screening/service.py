"""The screening engine: one conversation step at a time, every answer saved at once.

Actions and routes call these functions; none of them commits (the caller's unit of work
does). Steps: consent (if not on file) -> each question of the program's modules -> done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations.models import Conversation, Participant
from api.db import utcnow
from api.handoff import service as handoffs
from api.i18n.folding import fold
from api.screening import answers, scoring
from api.screening.instrument import Question, modules, questions_for
from api.screening.models import (
    ACTIVE,
    COMPLETED,
    STOPPED,
    Consent,
    ScreeningAnswer,
    ScreeningSession,
)

CONSENT_VERSION = "consent-2026-11"
CONSENT_PURPOSES = ("texting", "share_case_manager")
MAX_RAW = 200


@dataclass(frozen=True)
class Say:
    """A response for Rasa to render through /nlg, with its arguments."""

    response: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    say: list[Say]
    done: bool = False  # the form ends: completed, or consent refused


@dataclass(frozen=True)
class Step:
    kind: str  # consent | question | partner_consent | done
    question: Question | None = None
    number: int = 0
    total: int = 0


# --- consent ---------------------------------------------------------------------------------
def current_consents(participant: Participant, *, db_session: Session) -> dict[str, bool]:
    rows = db_session.scalars(
        select(Consent)
        .where(Consent.participant_id == participant.id)
        .order_by(Consent.created_at, Consent.id)
    )
    return {row.purpose: row.granted for row in rows}


def record_consent(
    participant: Participant,
    purposes: tuple[str, ...],
    granted: bool,
    *,
    channel: str,
    db_session: Session,
) -> None:
    for purpose in purposes:
        db_session.add(
            Consent(
                participant_id=participant.id,
                purpose=purpose,
                granted=granted,
                language=participant.language or get_settings().program_default_language,
                text_version=CONSENT_VERSION,
                channel=channel,
            )
        )
    db_session.flush()


def consent_needed(participant: Participant, *, db_session: Session) -> bool:
    consents = current_consents(participant, db_session=db_session)
    return not all(consents.get(p) for p in CONSENT_PURPOSES)


def withdraw_consent(participant: Participant, channel: str, *, db_session: Session) -> None:
    """Stop sharing: the case manager's copy is withheld until the participant agrees again."""
    record_consent(
        participant,
        ("share_case_manager", "share_partner"),
        False,
        channel=channel,
        db_session=db_session,
    )
    handoffs.withhold(participant, db_session=db_session)


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
    """The participant's active session (resumed), or a new one; and whether it resumed."""
    existing = active_session(participant, db_session=db_session)
    if existing is not None:
        if conversation is not None:
            existing.conversation_id = conversation.id
        return existing, True
    module_ids = list(get_settings().screening_modules)
    questions_for(module_ids)  # fail early on a misconfigured program
    session = ScreeningSession(
        participant_id=participant.id,
        conversation_id=conversation.id if conversation else None,
        modules=module_ids,
        versions={m: modules()[m].version for m in module_ids},
        language=participant.language,
    )
    db_session.add(session)
    db_session.flush()
    return session, False


def session_questions(session: ScreeningSession) -> list[Question]:
    return questions_for(list(session.modules))


def _answers(session: ScreeningSession, *, db_session: Session) -> dict[str, ScreeningAnswer]:
    rows = db_session.scalars(
        select(ScreeningAnswer).where(ScreeningAnswer.session_id == session.id)
    )
    return {row.question_id: row for row in rows}


def current_step(
    session: ScreeningSession, participant: Participant, *, db_session: Session
) -> Step:
    if consent_needed(participant, db_session=db_session):
        return Step("consent")
    questions = session_questions(session)
    if session.status == ACTIVE and session.step < len(questions):
        return Step("question", questions[session.step], session.step + 1, len(questions))
    if session.status == ACTIVE and _needs_partner_consent(
        session, participant, db_session=db_session
    ):
        return Step("partner_consent", total=len(questions))
    return Step("done", total=len(questions))


def positive_domains(session: ScreeningSession, *, db_session: Session) -> list[str]:
    return [
        r.domain for r in results(session, db_session=db_session) if r.status == scoring.POSITIVE
    ]


def _needs_partner_consent(
    session: ScreeningSession, participant: Participant, *, db_session: Session
) -> bool:
    """Asked once per screening, after the summary, when there is a need to book for."""
    asked = db_session.scalar(
        select(Consent.id).where(
            Consent.participant_id == participant.id,
            Consent.purpose == "share_partner",
            Consent.created_at >= session.started_at,
        )
    )
    return asked is None and bool(positive_domains(session, db_session=db_session))


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
) -> Outcome:
    """Take the participant's reply to the current step."""
    step = current_step(session, participant, db_session=db_session)
    if step.kind in CONSENT_QUESTIONS:
        return _consent_reply(
            step.kind, session, participant, text, intent, channel, db_session=db_session
        )
    if step.kind == "done" or step.question is None:
        return Outcome([], done=True)
    question = step.question
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
    else:
        session.misses += 1
        if session.misses == 1:
            return Outcome([Say("utter_screening_invalid")])
        return Outcome([Say("utter_screening_offer_help")])
    after = current_step(session, participant, db_session=db_session)
    if after.kind == "question":
        return Outcome([])
    # the last question was answered: the summary now, then (maybe) the partner question
    summary_say = Say(
        "utter_screening_summary",
        {"domains": ",".join(positive_domains(session, db_session=db_session))},
    )
    return Outcome([summary_say], done=after.kind == "done")


# A consent question: what the participant agreed to, what follows a yes and a no.
@dataclass(frozen=True)
class ConsentQuestion:
    purposes: tuple[str, ...]
    on_yes: Outcome
    on_no: Outcome
    stops_on_no: bool


CONSENT_QUESTIONS = {
    "consent": ConsentQuestion(
        CONSENT_PURPOSES, Outcome([]), Outcome([Say("utter_consent_declined")], done=True), True
    ),
    "partner_consent": ConsentQuestion(
        ("share_partner",),
        Outcome([Say("utter_partner_consent_given")], done=True),
        Outcome([Say("utter_partner_consent_declined")], done=True),
        False,
    ),
}


def _yes_or_no(text: str, intent: str | None) -> bool | None:
    """Yes/no from NLU, or from the numbered menu (1 yes, 2 no)."""
    word = fold(text)
    if intent == "affirm" or word == "1":
        return True
    if intent == "deny" or word == "2":
        return False
    return None


def _consent_reply(
    kind: str,
    session: ScreeningSession,
    participant: Participant,
    text: str,
    intent: str | None,
    channel: str,
    *,
    db_session: Session,
) -> Outcome:
    question = CONSENT_QUESTIONS[kind]
    answer = _yes_or_no(text, intent)
    if answer is None:
        session.misses += 1
        return Outcome([Say("utter_screening_invalid")])
    record_consent(participant, question.purposes, answer, channel=channel, db_session=db_session)
    if not answer and question.stops_on_no:
        session.status = STOPPED
    return question.on_yes if answer else question.on_no


def restart(session: ScreeningSession, *, db_session: Session) -> None:
    db_session.execute(delete(ScreeningAnswer).where(ScreeningAnswer.session_id == session.id))
    session.step = 0
    session.misses = 0


# --- results ---------------------------------------------------------------------------------
def results(session: ScreeningSession, *, db_session: Session) -> list[scoring.DomainResult]:
    saved = _answers(session, db_session=db_session)
    given = {
        qid: scoring.Answer(qid, tuple(row.option_ids), row.declined) for qid, row in saved.items()
    }
    return scoring.score([modules()[m] for m in session.modules], given)


def complete(
    session: ScreeningSession,
    participant: Participant,
    conversation: Conversation | None,
    *,
    db_session: Session,
) -> tuple[list[scoring.DomainResult], list[str]]:
    """Score, record the handoff, and say which urgent reasons were raised."""
    domain_results = results(session, db_session=db_session)
    saved = _answers(session, db_session=db_session)
    urgent: list[str] = []
    living = saved.get("living_situation")
    if living and "not_steady" in living.option_ids:
        urgent.append("homeless")
    if any(
        r.domain == "safety" and (r.status == scoring.POSITIVE or r.urgent) for r in domain_results
    ):
        urgent.append("safety")
    session.status = COMPLETED
    session.completed_at = utcnow()
    session.results = summary(session, domain_results, saved)
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
    for reason in urgent:
        handoffs.flag(participant, conversation, reason, db_session=db_session)
    return domain_results, [r for r in handoff.reasons if r in handoffs.URGENT_REASONS]


def summary(
    session: ScreeningSession,
    domain_results: list[scoring.DomainResult],
    saved: dict[str, ScreeningAnswer],
) -> dict[str, Any]:
    """The coded results: what a case-management or health system can use."""
    answered = []
    for question in session_questions(session):
        row = saved.get(question.id)
        if row is None:
            continue
        answered.append(
            {
                "question_id": question.id,
                "module": question.module,
                "domain": question.domain,
                "loinc": question.loinc,
                "declined": row.declined,
                "answers": [
                    {
                        "option_id": o,
                        "loinc": question.option(o).loinc,
                        "display": question.option(o).text,
                    }
                    for o in row.option_ids
                ],
                "answered_at": row.answered_at.isoformat(),
            }
        )
    return {
        "session_id": session.id,
        "language": session.language,
        "completed_at": session.completed_at.isoformat() if session.completed_at else None,
        "instruments": [
            {"id": m, "version": session.versions.get(m), "loinc": modules()[m].loinc}
            for m in session.modules
        ],
        "answers": answered,
        "domains": [
            {
                "domain": r.domain,
                "module": r.module,
                "status": r.status,
                "score": r.score,
                "loinc": r.loinc,
                "urgent": r.urgent,
            }
            for r in domain_results
        ],
    }
