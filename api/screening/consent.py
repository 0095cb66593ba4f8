"""Consent, per purpose, with time, language, channel and text version; and the two
consent questions of a screening (before the first question, and sharing with a partner)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations.models import Participant
from api.handoff import service as handoffs
from api.i18n.folding import fold
from api.screening.models import STOPPED, Consent, ScreeningSession
from api.screening.outcome import Outcome, Say

CONSENT_VERSION = "consent-2026-11"
CONSENT_PURPOSES = ("texting", "share_case_manager")


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


def partner_consent_asked(
    session: ScreeningSession, participant: Participant, *, db_session: Session
) -> bool:
    """Whether the partner question was answered during this screening."""
    asked = db_session.scalar(
        select(Consent.id).where(
            Consent.participant_id == participant.id,
            Consent.purpose == "share_partner",
            Consent.created_at >= session.started_at,
        )
    )
    return asked is not None


# A consent question: what the participant agreed to, what follows a yes and a no.
@dataclass(frozen=True)
class ConsentQuestion:
    purposes: tuple[str, ...]
    on_yes: Outcome
    on_no: Outcome
    stops_on_no: bool


CONSENT_QUESTIONS = {
    "consent": ConsentQuestion(
        CONSENT_PURPOSES,
        Outcome([Say("utter_screening_intro")]),
        Outcome([Say("utter_consent_declined")], done=True),
        True,
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


def consent_reply(
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
