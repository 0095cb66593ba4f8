"""The booking conversation (issue 8, steps 1-4): ZIP, name, web chat's mobile number, the
numbered menu of times, a pick by number/words/"later", a slot taken meanwhile, the
confirmation; on SQLite and PostgreSQL, inside the test's transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.booking import by_message, messages, service
from api.booking import conversation as talk
from api.booking.models import Appointment, Referral
from api.directory.models import ServiceDomain
from api.handoff.models import Handoff
from tests.support.booking import FIRST_SLOT, NOW, ZIP, food_partner, participant


def _keys(said: list[talk.Say]) -> list[str]:
    return [s.args.get("key") or s.response for s in said]


def _menu(said: list[talk.Say]) -> talk.Say:
    return next(s for s in said if s.response == talk.MENU)


def _at_offer(db: Session, org, phone: str, *, channel: str = "sms", domains=("food",)):  # type: ignore[no-untyped-def]
    person = participant(db, phone, org_id=org.id)
    session = talk.start(person, list(domains), channel, db_session=db, zip_code=ZIP)
    assert session is not None
    said = talk.reply(session, person, "skip", db_session=db, now=NOW)
    return person, session, said


def test_unknown_or_malformed_zip_asks_again_politely(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    person = participant(db, "+16195550201", org_id=org.id)
    session = talk.start(person, ["food"], "sms", db_session=db)
    assert session is not None
    assert _keys(talk.prompt(session, person, db_session=db)) == ["booking.ask_zip"]

    for bad in ("9210", "ABCDE", "00000", "921011"):
        said = talk.reply(session, person, bad, db_session=db, now=NOW)
        assert _keys(said) == ["booking.zip_invalid"], bad
        assert session.step == "zip" and session.zip_code is None

    said = talk.reply(session, person, " 92101-1234 ", db_session=db, now=NOW)
    assert _keys(said) == ["booking.ask_name"]
    assert session.zip_code == "92101" and session.step == "name"


def test_name_is_optional_and_sms_goes_straight_to_a_numbered_menu(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, slots=4)
    _, session, said = _at_offer(db, org, "+16195550202")

    menu = _menu(said)
    assert session.step == "offer" and session.name_encrypted is None
    assert [o["start"] for o in menu.args["offers"]] == [
        (FIRST_SLOT + timedelta(days=n)).isoformat() for n in range(3)
    ]
    rendered = messages.menu(menu.args, "en")
    titles = [b["title"] for b in rendered.buttons]
    assert titles[0] == "Harbor Pantry, Wed, Dec 2, 9:00\u202fAM"
    assert titles[-1] == "None of these / later" and len(titles) == 4
    assert all('"step":"offer"' in b["payload"] for b in rendered.buttons)
    assert "food" in rendered.text


def test_a_given_first_name_is_shared_only_as_consented(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    person = participant(db, "+16195550203", org_id=org.id)
    session = talk.start(person, ["food"], "sms", db_session=db, zip_code=ZIP)
    assert session is not None
    assert _keys(talk.reply(session, person, "<b>", db_session=db, now=NOW)) == [
        "booking.name_invalid"
    ]
    talk.reply(session, person, "Ana", db_session=db, now=NOW)
    assert "Ana" not in (session.name_encrypted or "")  # encrypted at rest

    said = talk.reply(session, person, "1", db_session=db, now=NOW)

    referral = db.scalars(select(Referral)).one()
    assert said[0].response == talk.CONFIRMED
    assert referral.shared == {"name": "Ana", "phone": "+16195550203", "zip": ZIP}


def test_web_chat_asks_a_mobile_number_validated_with_phonenumbers(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    person = participant(db, "+16195550204", org_id=org.id)
    session = talk.start(person, ["food"], "web", db_session=db, zip_code=ZIP)
    assert session is not None
    assert _keys(talk.reply(session, person, "skip", db_session=db, now=NOW)) == [
        "booking.ask_phone"
    ]

    assert _keys(talk.reply(session, person, "12", db_session=db, now=NOW)) == [
        "booking.phone_invalid"
    ]
    said = talk.reply(session, person, "(619) 232-1234", db_session=db, now=NOW)
    assert _menu(said) and session.step == "offer"
    talk.reply(session, person, "1", db_session=db, now=NOW)
    assert db.scalars(select(Referral)).one().shared["phone"] == "+16192321234"


def test_pick_two_by_number_books_it_and_confirms(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, slots=3)
    _, session, _ = _at_offer(db, org, "+16195550205")

    person = participant_of(db, session)
    said = talk.reply(session, person, "2", db_session=db, now=NOW)

    appointment = db.scalars(select(Appointment)).one()
    assert appointment.start == FIRST_SLOT + timedelta(days=1)
    assert said[0].response == talk.CONFIRMED and said[0].args["appointment_id"] == appointment.id
    assert session.status == "done" and session.booked == [appointment.id]
    text = messages.confirmation(said[0].args, "en").text
    assert "Thu, Dec 3, 9:00\u202fAM" in text and "1 Harbor Dr, San Diego 92101" in text
    assert "To change or cancel it, just text us." in text


def participant_of(db: Session, session):  # type: ignore[no-untyped-def]
    from api.conversations.models import Participant

    return db.get(Participant, session.participant_id)


def test_pick_by_its_words(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, slots=3)
    person, session, _ = _at_offer(db, org, "+16195550206")

    said = talk.reply(session, person, "Dec 4", db_session=db, now=NOW)

    assert said[0].response == talk.CONFIRMED
    assert db.scalars(select(Appointment)).one().start == FIRST_SLOT + timedelta(days=2)


def test_unclear_pick_asks_again_with_the_same_menu(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, slots=3)
    person, session, first = _at_offer(db, org, "+16195550207")

    said = talk.reply(session, person, "7", db_session=db, now=NOW)

    assert _keys(said) == ["booking.pick_again", talk.MENU]
    assert _menu(said).args["offers"] == _menu(first).args["offers"]
    assert db.scalar(select(func.count()).select_from(Appointment)) == 0


def test_later_offers_more_times_then_a_person(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, slots=5)
    person, session, first = _at_offer(db, org, "+16195550208")

    more = talk.reply(session, person, "later", db_session=db, now=NOW)
    menu = _menu(more)
    assert menu.args["lead"] == "booking.later"
    assert [o["start"] for o in menu.args["offers"]] == [
        (FIRST_SLOT + timedelta(days=n)).isoformat() for n in (3, 4)
    ]

    said = talk.reply(session, person, "ninguno", db_session=db, now=NOW)

    assert _keys(said) == ["booking.no_more_times"]
    assert session.status == "done"
    handoff = db.scalars(select(Handoff).where(Handoff.participant_id == person.id)).one()
    assert "booking_later" in handoff.reasons


def test_slot_taken_meanwhile_gets_fresh_options(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=1, slots=4)
    person, session, first = _at_offer(db, org, "+16195550209")
    other = participant(db, "+16195550210", org_id=org.id)
    taken = messages.offer_from(_menu(first).args["offers"][0])
    service.book(other, taken, db_session=db, now=NOW)  # someone else got it first

    said = talk.reply(session, person, "1", db_session=db, now=NOW)

    menu = _menu(said)
    assert menu.args["lead"] == "booking.slot_taken"
    starts = [o["start"] for o in menu.args["offers"]]
    assert taken.start.isoformat() not in starts and starts
    # a tap on the old menu's button is ignored: the current menu is shown again
    old = {"step": "offer", "menu": str(menu.args["menu"] - 1), "answer": "1"}
    again = talk.reply(session, person, "/booking_pick", fields=old, db_session=db, now=NOW)
    assert _keys(again) == [talk.MENU]
    assert db.scalar(select(func.count()).select_from(Appointment)) == 1
    booked = talk.reply(session, person, "1", db_session=db, now=NOW)
    assert booked[0].response == talk.CONFIRMED


def test_several_needs_offer_the_next_domain_up_to_the_limit(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    food_partner(db, service_id="svc-b3-work", name="Work Hub")
    db.execute(update(ServiceDomain).where(ServiceDomain.service_id == "svc-b3-work")
               .values(domain="employment"))  # fmt: skip
    person, session, _ = _at_offer(db, org, "+16195550211", domains=("food", "employment"))

    said = talk.reply(session, person, "1", db_session=db, now=NOW)

    assert said[0].response == talk.CONFIRMED
    menu = _menu(said)
    assert menu.args["domain"] == "employment" and menu.args["lead"] == "booking.next_need"
    assert menu.args["offers"][0]["service"] == "Work Hub"

    person2 = participant(db, "+16195550212", org_id=org.id)
    limited = talk.start(person2, ["food", "employment"], "sms", db_session=db, zip_code=ZIP,
                         max_referrals=1)  # fmt: skip
    assert limited is not None
    talk.reply(limited, person2, "skip", db_session=db, now=NOW)
    said = talk.reply(limited, person2, "1", db_session=db, now=NOW)
    assert [s.response for s in said] == [talk.CONFIRMED] and limited.status == "done"


def test_no_partner_tells_the_truth_and_raises_a_case_manager_task(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    person, session, said = _at_offer(db, org, "+16195550213", domains=("legal",))

    assert _keys(said) == ["booking.no_partner"] and session.status == "done"
    handoff = db.scalars(select(Handoff).where(Handoff.participant_id == person.id)).one()
    assert "no_partner" in handoff.reasons
    assert handoff.summary["no_partner"][0].startswith("no partner for legal in 92101, in English")
    assert (
        "need" in messages.note(said[0].args, "es").text
        or "legal" in messages.note(said[0].args, "es").text
    )


def test_cancel_by_message_frees_the_seat(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, capacity=1)
    person, session, _ = _at_offer(db, org, "+16195550214")
    talk.reply(session, person, "1", db_session=db, now=NOW)

    said = by_message.cancel(person, db_session=db, now=NOW)

    assert _keys(said) == ["booking.cancelled"]
    assert db.scalars(select(Appointment)).one().status == "cancelled"
    assert "Harbor Pantry" in messages.note(said[0].args, "en").text
    other = participant(db, "+16195550215", org_id=org.id)
    assert service.offers(other, "food", ZIP, NOW, db_session=db)  # the seat is free again
    assert _keys(by_message.cancel(person, db_session=db, now=NOW)) == ["booking.nothing_to_change"]


def test_reschedule_by_message_moves_the_appointment(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    food_partner(db, slots=3)
    person, session, _ = _at_offer(db, org, "+16195550216")
    talk.reply(session, person, "1", db_session=db, now=NOW)

    said = by_message.reschedule(person, "sms", db_session=db, now=NOW)
    menu = _menu(said)
    assert menu.args["lead"] == "booking.reschedule"
    assert FIRST_SLOT.isoformat() not in [o["start"] for o in menu.args["offers"]]
    moving = talk.active(person, db_session=db)
    assert moving is not None
    talk.reply(moving, person, "1", db_session=db, now=NOW)

    appointment = db.scalars(select(Appointment)).one()
    assert appointment.start == FIRST_SLOT + timedelta(days=1) and appointment.status == "booked"


def _screened(db: Session, org) -> tuple:  # type: ignore[no-untyped-def, type-arg]
    """A completed screening with only food positive, and the partner consent given."""
    from api.screening import service as screening
    from tests.support.screening import consented

    person, conversation = consented(db, org)
    session, _ = screening.start(person, conversation, db_session=db)
    while (step := screening.current_step(session, person, db_session=db)).kind == "question":
        question = step.question
        assert question is not None
        options = list(question.options)
        if question.id == "food_worry":
            pick = next(i for i, o in enumerate(options, 1) if o.positive)
        else:
            exclusive = [i for i, o in enumerate(options, 1) if o.exclusive]
            pick = (
                exclusive[0]
                if exclusive
                else next(i for i, o in enumerate(options, 1) if not o.positive)
            )
        screening.reply(session, person, str(pick), None, channel="sms", db_session=db)
    assert step.kind == "partner_consent"
    screening.reply(session, person, "yes", "affirm", channel="sms", db_session=db)
    screening.complete(session, person, conversation, db_session=db)
    return person, conversation


def test_after_the_screening_it_books_for_the_positive_domains_and_reuses_a_known_zip(
    db: Session,
    org,  # type: ignore[no-untyped-def]
) -> None:
    food_partner(db)
    person, _ = _screened(db, org)

    first = talk.start_after_screening(person, "sms", db_session=db)
    assert first is not None and first.domains == ["food"] and first.step == "zip"
    talk.reply(first, person, "92101", db_session=db, now=NOW)

    again = talk.start_after_screening(person, "sms", db_session=db)
    assert again is not None and again.zip_code == ZIP and again.step == "name"
    assert first.status == "done"  # one booking under way at a time
