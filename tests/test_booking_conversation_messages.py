"""The booking's composite texts (menu, confirmation) in the participant's language and the
location's zone, and the web chat's .ics behind its signed link."""

from __future__ import annotations

from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import conversation as talk
from api.booking import ics, messages
from api.booking.models import Appointment
from tests.support.booking import FIRST_SLOT, NOW, ZIP, food_partner, participant

OFFER = {
    "service_id": "svc-b1-food", "service": "Harbor Pantry", "organization": "Harbor",
    "domain": "food", "start": FIRST_SLOT.isoformat(), "end": FIRST_SLOT.isoformat(),
    "timezone": "America/Los_Angeles", "location_id": None,
    "address": "1 Harbor Dr, San Diego 92101",
    "required_documents": ["Photo ID", "Proof of address"],
}  # fmt: skip


def test_offer_menu_in_spanish_names_partner_day_date_and_time_in_the_location_zone() -> None:
    rendered = messages.menu({"domain": "food", "menu": 3, "offers": [OFFER]}, "es")

    assert rendered.text == "Estos son los horarios para comida:"
    assert rendered.buttons[0]["title"] == "Harbor Pantry, mié, 2 de dic, 9:00\u202fa.m."
    assert rendered.buttons[0]["payload"] == '/booking_pick{"step":"offer","menu":"3","answer":"1"}'
    assert rendered.buttons[1]["title"] == "Ninguno / más tarde"


def test_offer_menu_in_chinese_and_arabic_uses_their_calendars_words() -> None:
    assert messages.menu({"domain": "food", "offers": [OFFER]}, "zh").buttons[0]["title"] == (
        "Harbor Pantry，12月2日周三 09:00"
    )
    assert (
        "الأربعاء" in messages.menu({"domain": "food", "offers": [OFFER]}, "ar").buttons[0]["title"]
    )


def test_confirmation_has_time_address_what_to_bring_and_how_to_change() -> None:
    text = messages.confirmation({"offer": OFFER, "ics_url": "http://x/ics"}, "en").text

    assert text.startswith("You're booked: Harbor Pantry, Wed, Dec 2, 9:00\u202fAM.")
    assert "Address: 1 Harbor Dr, San Diego 92101." in text
    assert "Please bring Photo ID and Proof of address." in text
    assert "To change or cancel it, just text us." in text and "http://x/ics" in text


def test_web_chat_gets_an_ics_behind_a_signed_link(db: Session, org, client) -> None:  # type: ignore[no-untyped-def]
    food_partner(db)
    person = participant(db, "+16195550301", org_id=org.id)
    session = talk.start(person, ["food"], "web", db_session=db, zip_code=ZIP)
    assert session is not None
    talk.reply(session, person, "skip", db_session=db, now=NOW)
    talk.reply(session, person, "skip", db_session=db, now=NOW)
    talk.reply(session, person, "1", db_session=db, now=NOW)
    appointment = db.scalars(select(Appointment)).one()
    url = ics.url_for(appointment.id)

    response = client.get("/channels/web/ics/" + url.split("/channels/web/ics/", 1)[1])

    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/calendar"
    )
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == FIRST_SLOT and str(event["summary"]) == "Harbor Pantry"
    assert "1 Harbor Dr" in str(event["location"])
    forged = f"/channels/web/ics/{appointment.id}?token={ics.token_for('another')}"
    assert client.get(forged).status_code == 404
    assert (
        client.get(
            f"/channels/web/ics/{appointment.id}?token=x{ics.token_for(appointment.id)}"
        ).status_code
        == 404
    )
