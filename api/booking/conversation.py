"""The booking conversation, step by step, after the partner-sharing consent (state in
`booking_sessions`, so a participant who stops replying resumes where they left off):

  zip    the ZIP code, if unknown (a 5-digit US ZIP that exists; otherwise asked again)
  name   the first name the partner should use (optional: "skip")
  phone  web chat only: a mobile number for the confirmation and reminders (optional)
  offer  up to 3 times as a numbered menu; a pick by number, by its words, or "none/later"
         ("later" offers more times, then a person); a slot taken meanwhile gets fresh ones
  done

After a booking the next positive domain is offered, up to `max_referrals`. A domain with no
partner raises a case-manager task (handoff reason `no_partner`, with matching's words).
Each function returns what to say as `Say` items (a response and its data) for the thin
Rasa adapters; nothing here commits. Reading the participant's words (a ZIP, a name, a
pick): api/booking/parse.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api import crypto
from api.booking import messages, service
from api.booking.models import Appointment
from api.booking.parse import is_skip, parse_name, parse_phone, parse_pick, parse_zip
from api.booking.sessions import ACTIVE, DONE, BookingSession
from api.config import get_settings
from api.conversations.models import Conversation, Participant
from api.db import utcnow
from api.directory import geo, matching, snapshot
from api.handoff import service as handoffs
from api.screening.consent import current_consents
from api.screening.models import COMPLETED, ScreeningSession
from api.screening.results import results

DEFAULT_MAX_REFERRALS = 3
_SECOND = timedelta(seconds=1)
NOTE, MENU, CONFIRMED = "utter_booking_note", "utter_booking_menu", "utter_booking_confirmed"


@dataclass(frozen=True)
class Say:
    response: str
    args: dict[str, Any] = field(default_factory=dict)


def note(key: str, **args: Any) -> Say:
    return Say(NOTE, {"key": key, **args})


def active(participant: Participant, *, db_session: Session) -> BookingSession | None:
    return db_session.scalars(
        select(BookingSession)
        .where(BookingSession.participant_id == participant.id, BookingSession.status == ACTIVE)
        .order_by(BookingSession.created_at.desc())
        .limit(1)
    ).first()


def _close_open(participant: Participant, *, db_session: Session) -> None:
    for old in db_session.scalars(
        select(BookingSession).where(
            BookingSession.participant_id == participant.id, BookingSession.status == ACTIVE
        )
    ):
        old.status, old.step = DONE, "done"


def start(
    participant: Participant, domains: list[str], channel: str, *, db_session: Session,
    homeless: bool = False, zip_code: str | None = None,
    max_referrals: int = DEFAULT_MAX_REFERRALS,
) -> BookingSession | None:  # fmt: skip
    """A booking for the positive domains (urgent ones first); None when there are none."""
    ordered = [d for d, _ in matching.order_domains(domains, homeless=homeless)]
    if not ordered:
        return None
    _close_open(participant, db_session=db_session)
    known = geo.normalize_zip(zip_code) if zip_code and geo.lookup(zip_code) else None
    session = BookingSession(
        participant_id=participant.id, channel=channel, status=ACTIVE,
        step="name" if known else "zip", domains=ordered, domain_index=0,
        max_referrals=max(1, max_referrals), zip_code=known, offers=[], seen=[], menu=0,
        booked=[],
    )  # fmt: skip
    db_session.add(session)
    db_session.flush()
    return session


def _domain(session: BookingSession) -> str:
    return session.domains[session.domain_index]


def _contact(session: BookingSession) -> service.Contact:
    name = crypto.decrypt(session.name_encrypted) if session.name_encrypted else None
    phone = crypto.decrypt(session.phone_encrypted) if session.phone_encrypted else None
    return service.Contact(name=name, phone=phone)


# --- what to ask -------------------------------------------------------------------------------
def prompt(
    session: BookingSession, participant: Participant, *, db_session: Session,
    conversation: Conversation | None = None, now: datetime | None = None, lead: str | None = None,
) -> list[Say]:  # fmt: skip
    """What to say for the current step (the offer menu is computed when none is shown)."""
    if session.step == "zip":
        return [note("booking.ask_zip")]
    if session.step == "name":
        return [note("booking.ask_name")]
    if session.step == "phone":
        return [note("booking.ask_phone")]
    if session.step != "offer":
        return []
    if not session.offers:
        return _fill_menu(session, participant, now or utcnow(), lead, db_session=db_session,
                          conversation=conversation)  # fmt: skip
    return [_menu(session, lead)]


def _menu(session: BookingSession, lead: str | None = None) -> Say:
    return Say(MENU, {"lead": lead, "domain": _domain(session), "menu": session.menu,
                      "offers": list(session.offers)})  # fmt: skip


def _show(session: BookingSession, found: list[service.BookingOffer]) -> None:
    session.offers = [messages.offer_data(o) for o in found]
    session.seen = [*session.seen, *(f"{o.service_id}@{o.start.isoformat()}" for o in found)]
    session.menu += 1


def menu_of(session: BookingSession, found: list[service.BookingOffer], lead: str | None) -> Say:
    """Show offers found elsewhere (a partner's decline computes other times) as the menu."""
    _show(session, found)
    return _menu(session, lead)


def _excluded(session: BookingSession) -> frozenset[tuple[str, datetime]]:
    pairs = (key.split("@", 1) for key in session.seen)
    return frozenset((sid, datetime.fromisoformat(start)) for sid, start in pairs)


def _fill_menu(
    session: BookingSession, participant: Participant, now: datetime, lead: str | None,
    *, db_session: Session, conversation: Conversation | None,
) -> list[Say]:  # fmt: skip
    domain = _domain(session)
    excluded = _excluded(session)
    since = now
    if lead == "booking.later" and excluded:  # "later": the times after the ones shown
        since = max(now, max(start for _, start in excluded) - matching.LEAD_TIME + _SECOND)
    found = service.offers(participant, domain, session.zip_code, since, db_session=db_session,
                           exclude=excluded)  # fmt: skip
    if found:
        _show(session, found)
        return [_menu(session, lead)]
    if session.seen:  # "later" and nothing more: a person finds a time
        handoffs.flag(participant, conversation, "booking_later", db_session=db_session,
                      details={"booking_later": domain})  # fmt: skip
        said = [note("booking.no_more_times", domain=domain)]
    else:
        said = [note("booking.no_partner", domain=domain)]
        _no_partner(participant, conversation, session, domain, now, db_session=db_session)
    return said + _advance(session, participant, now, db_session=db_session,
                           conversation=conversation)  # fmt: skip


def _no_partner(
    participant: Participant, conversation: Conversation | None, session: BookingSession,
    domain: str, now: datetime, *, db_session: Session,
) -> None:  # fmt: skip
    person = matching.Participant(zip=session.zip_code, languages=(participant.language or "en",))
    result = matching.match_domain(snapshot.cached(db_session), domain, person, now=now)
    description = result.no_match or f"no open time for {domain} near {session.zip_code}"
    handoff = handoffs.flag(participant, conversation, "no_partner", db_session=db_session)
    listed = [d for d in handoff.summary.get("no_partner", []) if d != description]
    handoff.summary = {**handoff.summary, "no_partner": [*listed, description]}


def _advance(
    session: BookingSession, participant: Participant, now: datetime, *, db_session: Session,
    conversation: Conversation | None,
) -> list[Say]:  # fmt: skip
    """On to the next positive domain, or done."""
    session.domain_index += 1
    session.offers, session.seen, session.rescheduling_id = [], [], None
    if session.domain_index >= min(len(session.domains), session.max_referrals):
        session.status, session.step = DONE, "done"
        return []
    return prompt(session, participant, db_session=db_session, conversation=conversation,
                  now=now, lead="booking.next_need")  # fmt: skip


# --- a reply -----------------------------------------------------------------------------------
def replayed(
    participant: Participant, message_id: int | None, *, db_session: Session
) -> tuple[BookingSession, list[Say]] | None:
    """The session that already answered this inbound message, and what it said (an engine
    retry of a message whose actions ran says it again and changes nothing)."""
    if message_id is None:
        return None
    row = db_session.scalars(
        select(BookingSession)
        .where(
            BookingSession.participant_id == participant.id,
            BookingSession.last_message_id == message_id,
        )  # fmt: skip
        .limit(1)
    ).first()
    if row is None:
        return None
    return row, [Say(d["response"], dict(d.get("args") or {})) for d in row.last_said or []]


def reply(
    session: BookingSession, participant: Participant, text: str, *, db_session: Session,
    fields: dict[str, str] | None = None, conversation: Conversation | None = None,
    now: datetime | None = None, message_id: int | None = None,
) -> list[Say]:  # fmt: skip
    """Take the participant's reply to the current step; what to say next. `message_id`
    (the inbound message) is remembered with what was said, for `replayed`."""
    said = _reply(session, participant, text, db_session=db_session, fields=fields,
                  conversation=conversation, now=now)  # fmt: skip
    if message_id is not None:
        session.last_message_id = message_id
        session.last_said = [{"response": s.response, "args": s.args} for s in said]
    return said


def _reply(
    session: BookingSession, participant: Participant, text: str, *, db_session: Session,
    fields: dict[str, str] | None = None, conversation: Conversation | None = None,
    now: datetime | None = None,
) -> list[Say]:  # fmt: skip
    now = now or utcnow()
    fields = fields or {}
    ask: dict[str, Any] = {"db_session": db_session, "conversation": conversation, "now": now}
    if fields.get("step") and fields["step"] != session.step:
        return prompt(session, participant, **ask)  # an old button: ask the current step again
    if session.step == "zip":
        code = parse_zip(fields.get("answer") or text)
        if code is None:
            return [note("booking.zip_invalid")]
        session.zip_code, session.step = code, "name"
        return prompt(session, participant, **ask)
    if session.step == "name":
        answer = fields.get("answer") or text
        if not is_skip(answer):
            name = parse_name(answer)
            if name is None:
                return [note("booking.name_invalid")]
            session.name_encrypted = crypto.encrypt(name)
        session.step = "phone" if session.channel == "web" else "offer"
        return prompt(session, participant, **ask)
    if session.step == "phone":
        answer = fields.get("answer") or text
        if not is_skip(answer):
            phone = parse_phone(answer)
            if phone is None:
                return [note("booking.phone_invalid")]
            session.phone_encrypted = crypto.encrypt(phone)
        session.step = "offer"
        return prompt(session, participant, **ask)
    if session.step == "offer":
        return _offer_reply(session, participant, text, fields, **ask)
    return []


def _offer_reply(
    session: BookingSession, participant: Participant, text: str, fields: dict[str, str],
    *, db_session: Session, conversation: Conversation | None, now: datetime,
) -> list[Say]:  # fmt: skip
    ask: dict[str, Any] = {"db_session": db_session, "conversation": conversation, "now": now}
    if not session.offers:
        return prompt(session, participant, **ask)
    if fields.get("menu") and fields["menu"] != str(session.menu):
        return [_menu(session)]  # a tap on an old menu: show the current one again
    pick: int | str | None
    if fields.get("answer"):
        answer = fields["answer"]
        pick = messages.NONE if answer == messages.NONE else int(answer) - 1
        if isinstance(pick, int) and not 0 <= pick < len(session.offers):
            pick = None
    else:
        pick = parse_pick(session, text, participant.language)
    if pick is None:
        return [note("booking.pick_again"), _menu(session)]
    if pick == messages.NONE:
        session.offers = []
        return prompt(session, participant, **ask, lead="booking.later")
    assert isinstance(pick, int)
    return _book(session, participant, messages.offer_from(session.offers[pick]), **ask)


def _book(
    session: BookingSession, participant: Participant, offer: service.BookingOffer,
    *, db_session: Session, conversation: Conversation | None, now: datetime,
) -> list[Say]:  # fmt: skip
    moving = (
        db_session.get(Appointment, session.rescheduling_id) if session.rescheduling_id else None
    )
    try:
        if moving is not None:
            booking = service.reschedule(moving, offer, db_session=db_session,
                                         zip_code=session.zip_code, now=now)  # fmt: skip
        else:
            booking = service.book(participant, offer, db_session=db_session,
                                   zip_code=session.zip_code, contact=_contact(session),
                                   now=now)  # fmt: skip
    except service.SlotTaken as taken:
        session.offers = []
        if taken.offers:
            _show(session, taken.offers)
            return [_menu(session, "booking.slot_taken")]
        return [note("booking.slot_taken")] + prompt(
            session, participant, db_session=db_session, conversation=conversation, now=now
        )
    session.booked = [*session.booked, booking.appointment.id]
    confirmed = Say(CONFIRMED, {"offer": messages.offer_data(offer),
                                "appointment_id": booking.appointment.id})  # fmt: skip
    return [confirmed] + _advance(session, participant, now, db_session=db_session,
                                  conversation=conversation)  # fmt: skip


def start_after_screening(
    participant: Participant, channel: str, *, db_session: Session
) -> BookingSession | None:
    """After the screening: a booking for its positive domains, only when the participant
    agreed to share with a partner (None otherwise, or when nothing is positive)."""
    if not current_consents(participant, db_session=db_session).get("share_partner"):
        return None
    screening = db_session.scalars(
        select(ScreeningSession)
        .where(
            ScreeningSession.participant_id == participant.id, ScreeningSession.status == COMPLETED
        )  # fmt: skip
        .order_by(ScreeningSession.completed_at.desc())
        .limit(1)
    ).first()
    if screening is None:
        return None
    domains, homeless = matching.needs(results(screening, db_session=db_session))
    known = db_session.scalar(  # a ZIP given in an earlier booking is not asked again
        select(BookingSession.zip_code)
        .where(
            BookingSession.participant_id == participant.id, BookingSession.zip_code.is_not(None)
        )  # fmt: skip
        .order_by(BookingSession.created_at.desc())
        .limit(1)
    )
    return start(participant, domains, channel, db_session=db_session, homeless=homeless,
                 zip_code=known,
                 max_referrals=get_settings().booking_max_referrals)  # fmt: skip
