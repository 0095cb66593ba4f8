"""A real screening driven step by step through the screening service, completed into a
handoff, for the FHIR tests: some needs, a declined item, a multi-select answer, a safety
total over the threshold, and consent to share with a partner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api import crypto
from api.conversations.models import Participant
from api.handoff.models import Handoff
from api.screening import service
from tests.support import screening as support

PHONE = "+15557654321"
# question -> reply ("skip" declines it); every other question gets "1" (its first option)
PICKS = {
    "living_situation": "3",  # no steady place: homelessness (urgent)
    "housing_problems": "1,2",  # pests and mold: a multi-select answer
    "food_worry": "2",  # sometimes true: food insecurity
    "food_ran_out": "skip",  # asked, declined
    "transportation": "1",  # yes
    "utilities": "2",  # no
    "safety_hurt": "5",
    "safety_insult": "4",
    "safety_threaten": "1",
    "safety_scream": "2",  # HITS total 12 >= 11
    "employment_help": "1",
    "education_help": "2",  # no
    "health_insurance": "5",  # private insurance
    "health_care_unmet": "2",  # no
    "legal_help": "1",  # yes: an item LOINC has no question code for
}


@dataclass
class Screened:
    participant: Participant
    handoff: Handoff
    positive: list[str]


def screened(
    db: Session, org: Any, *, language: str = "es", picks: dict[str, str] | None = None
) -> Screened:
    person, conversation = support.consented(db, org, language)
    person.phone_encrypted = crypto.encrypt(PHONE)
    session, _ = service.start(person, conversation, db_session=db)
    answers = {**PICKS, **(picks or {})}
    while (step := service.current_step(session, person, db_session=db)).kind == "question":
        assert step.question is not None
        text = answers.get(step.question.id, "1")
        if text == "skip":
            support.reply(db, session, person, "skip", intent="skip")
        else:
            support.reply(db, session, person, text)
    if service.current_step(session, person, db_session=db).kind == "partner_consent":
        support.reply(db, session, person, "1")  # yes, share with a partner agency
    service.complete(session, person, conversation, db_session=db)
    handoff = support.handoff(db, person)
    assert handoff is not None
    return Screened(person, handoff, service.positive_domains(session, db_session=db))


@dataclass
class Referred:
    screened: Screened
    booking: Any  # api.booking.service.Booking


def referred(db: Session, org: Any) -> Referred:
    """The screening above, then a food appointment booked through the booking service
    (an appointment and its referral: requested, booked)."""
    from api.booking import service as booking
    from tests.support.booking import NOW, ZIP, food_partner

    done = screened(db, org)
    food_partner(db)
    offer = booking.offers(done.participant, "food", ZIP, NOW, db_session=db)[0]
    made = booking.book(done.participant, offer, db_session=db, zip_code=ZIP, now=NOW,
                        contact=booking.Contact(name="Ana"))  # fmt: skip
    return Referred(done, made)
