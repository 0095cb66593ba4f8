"""Composite booking messages: the numbered menu of times (partner, day, date and time in
the participant's language and the location's zone, through Babel), the confirmation (date
and time, address, what to bring, how to change it), and the plain notes around them.

Everything is rendered from data (`offer_data`), so the NLG endpoint can render what an
action decided without reading the database. Each menu button's payload names the booking
step and the menu it belongs to, so a tap on an old menu is known to be old.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time

from api.booking.offers import BookingOffer
from api.i18n.catalog import Rendered, render
from api.i18n.locales import SUPPORTED_LOCALES, babel_locale, join_list, normalize_tag

PICK_INTENT = "booking_pick"
NONE = "none"


def offer_data(offer: BookingOffer) -> dict[str, Any]:
    """A BookingOffer as JSON data (what the session keeps and what NLG renders)."""
    return {
        "service_id": offer.service_id, "service": offer.service,
        "organization": offer.organization, "domain": offer.domain,
        "start": offer.start.isoformat(), "end": offer.end.isoformat(),
        "timezone": offer.timezone, "location_id": offer.location_id,
        "address": offer.address, "required_documents": list(offer.required_documents),
    }  # fmt: skip


def offer_from(data: dict[str, Any]) -> BookingOffer:
    return BookingOffer(
        service_id=data["service_id"], service=data["service"],
        organization=data.get("organization"), domain=data["domain"],
        start=datetime.fromisoformat(data["start"]), end=datetime.fromisoformat(data["end"]),
        timezone=data["timezone"], location_id=data.get("location_id"),
        address=data.get("address"),
        required_documents=tuple(data.get("required_documents") or ()),
    )  # fmt: skip


def when(start: datetime | str, zone: str, language: str | None) -> str:
    """ "Wed, Dec 2, 9:00 AM" in the participant's language, in the location's zone."""
    moment = datetime.fromisoformat(start) if isinstance(start, str) else start
    local = moment.astimezone(ZoneInfo(zone))
    locale = babel_locale(language or "en")
    day = format_skeleton("MMMEd", local, locale=locale)
    time = format_time(local, "short", locale=locale)
    return str(locale.datetime_formats["short"]).replace("{1}", day).replace("{0}", time)


def label(data: dict[str, Any], language: str | None) -> str:
    args = {"partner": data["service"], "when": when(data["start"], data["timezone"], language)}
    return render("booking.option", language, args).text


def pick_payload(menu: int, answer: str) -> str:
    return f"/{PICK_INTENT}" + json.dumps({"step": "offer", "menu": str(menu), "answer": answer},
                                          separators=(",", ":"))  # fmt: skip


def _join(parts: list[str], language: str | None) -> str:
    return SUPPORTED_LOCALES[normalize_tag(language) or "en"].sentence_separator.join(parts)


def need(domain: str, language: str | None) -> str:
    key = f"domain.{domain}"
    try:
        return render(key, language).text
    except KeyError:  # a sensitive domain has no summary name: say "help"
        return render("booking.need_generic", language).text


def menu(arguments: dict[str, Any], language: str | None) -> Rendered:
    """`lead` (a template key, optional), `domain`, `menu` and `offers` (offer_data list)."""
    offers = list(arguments.get("offers") or [])
    parts = []
    if arguments.get("lead"):
        parts.append(render(str(arguments["lead"]), language).text)
    domain = str(arguments.get("domain") or "")
    parts.append(render("booking.offers", language, {"need": need(domain, language)}).text)
    number = int(arguments.get("menu") or 0)
    buttons = [{"title": label(o, language), "payload": pick_payload(number, str(i))}
               for i, o in enumerate(offers, start=1)]  # fmt: skip
    buttons.append({"title": render("booking.button_none", language).text,
                    "payload": pick_payload(number, NONE)})  # fmt: skip
    return Rendered(text=_join(parts, language), language=language or "en", buttons=buttons)


def confirmation(arguments: dict[str, Any], language: str | None) -> Rendered:
    """`offer` (offer_data), optional `ics_url` (web chat)."""
    offer = dict(arguments["offer"])
    args = {"partner": offer["service"], "when": when(offer["start"], offer["timezone"], language),
            "address": offer.get("address") or "-"}  # fmt: skip
    parts = [render("booking.confirmed", language, args).text]
    documents = [str(d) for d in offer.get("required_documents") or [] if d]
    if documents:
        listed = join_list(documents, language)
        parts.append(render("booking.bring", language, {"documents": listed}).text)
    parts.append(render("booking.how_to_change", language).text)
    if arguments.get("ics_url"):
        parts.append(render("booking.ics", language, {"url": arguments["ics_url"]}).text)
    return Rendered(text=_join(parts, language), language=language or "en")


def note(arguments: dict[str, Any], language: str | None) -> Rendered:
    """A plain note: `key` with `need`/`partner`/`when` filled from `domain`/`offer`."""
    args: dict[str, Any] = {}
    if arguments.get("domain"):
        args["need"] = need(str(arguments["domain"]), language)
    if arguments.get("offer"):
        offer = dict(arguments["offer"])
        args["partner"] = offer["service"]
        args["when"] = when(offer["start"], offer["timezone"], language)
    return render(str(arguments["key"]), language, args)


COMPOSITE = {
    "utter_booking_menu": menu,
    "utter_booking_confirmed": confirmation,
    "utter_booking_note": note,
}
