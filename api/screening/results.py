"""A session's answers scored by its own instrument version, and the coded results a
case-management or health system can use (`summary.screening` in the handoff)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.screening import scoring, versions
from api.screening.instrument import Question
from api.screening.models import ScreeningAnswer, ScreeningSession


def session_questions(
    session: ScreeningSession, *, db_session: Session | None = None
) -> list[Question]:
    """The questions of the version the session started with, in order."""
    return [
        q for m in versions.session_modules(session, db_session=db_session) for q in m.questions
    ]


def answers_of(session: ScreeningSession, *, db_session: Session) -> dict[str, ScreeningAnswer]:
    rows = db_session.scalars(
        select(ScreeningAnswer).where(ScreeningAnswer.session_id == session.id)
    )
    return {row.question_id: row for row in rows}


def results(session: ScreeningSession, *, db_session: Session) -> list[scoring.DomainResult]:
    saved = answers_of(session, db_session=db_session)
    given = {
        qid: scoring.Answer(qid, tuple(row.option_ids), row.declined) for qid, row in saved.items()
    }
    return scoring.score(versions.session_modules(session, db_session=db_session), given)


def positive_domains(session: ScreeningSession, *, db_session: Session) -> list[str]:
    return [
        r.domain for r in results(session, db_session=db_session) if r.status == scoring.POSITIVE
    ]


def summary(
    session: ScreeningSession,
    domain_results: list[scoring.DomainResult],
    saved: dict[str, ScreeningAnswer],
    *,
    db_session: Session | None = None,
) -> dict[str, Any]:
    """The coded results: what a case-management or health system can use."""
    answered = []
    for question in session_questions(session, db_session=db_session):
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
    modules = versions.session_modules(session, db_session=db_session)
    return {
        "session_id": session.id,
        "language": session.language,
        "completed_at": session.completed_at.isoformat() if session.completed_at else None,
        "instruments": [
            {
                "id": m.id,
                "version": session.versions.get(m.id),
                "digest": m.digest,
                "loinc": m.loinc,
            }
            for m in modules
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
