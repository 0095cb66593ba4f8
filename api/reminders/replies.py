"""Replies to a reminder, caught before NLU (api/conversations/turns.py).

A participant's message answers their latest reminder or "did you make it?" (an outbox row
of kind `reminder` or `followup`, sent, recent, not yet answered) when it says 1, 2 or 3,
or words for them in their language (reply_words.yml). Anything else goes on to the engine.

- reminder 1 / confirm: the appointment confirmed by the participant
  (participant_confirmed_at, and a history row by the participant; the partner's page and
  the referral API show it); a thank-you.
- reminder 2 / change: new times through the booking conversation; the old seat is freed
  when a new one is taken.
- reminder 3 / cancel: the seat freed and the partner told (booking's cancel), the case
  manager told (handoff reason `reminder_cancelled`); a confirmation.
- follow-up answers: api/reminders/followup.py.

A booking session the app opened here (not the engine's booking form) takes the pick from
its menu here too. The bare word CANCEL never gets here: it is a carrier keyword.
Nothing here commits: the turn's unit of work does.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import by_message, ics, parse, states
from api.booking import conversation as talk
from api.booking import messages as booking_messages
from api.booking import service as booking
from api.booking.models import BOOKED, Appointment
from api.booking.sessions import ACTIVE, BookingSession
from api.channels import registry
from api.channels.base import Message
from api.config import get_settings
from api.conversations.models import Conversation, InboundMessage, Participant
from api.db import utcnow
from api.handoff import service as handoffs
from api.i18n.catalog import program_args, render
from api.i18n.folding import fold
from api.outbox.models import DELIVERED, SENT, OutboundMessage
from api.referrals.notify import local_time
from api.reminders import program, reply_texts
from api.reminders.reply_models import (
    CANCEL,
    CHANGE,
    CONFIRM,
    CONFIRMED_BY_PARTICIPANT,
    FOLLOWUP,
    REMINDER,
    ReminderReply,
)
from api.screening.prompts import payload_fields

WORDS_FILE = Path(__file__).with_name("reply_words.yml")
MAX_WORDS = 8  # a longer message is not a reply to a reminder: it goes to the engine
_CJK = re.compile(r"[\u3400-\u9fff]")


@cache
def _words() -> dict[str, dict[str, tuple[str, tuple[str, ...]]]]:
    data = yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))
    return {
        kind: {
            answer: (str(spec["number"]), tuple(fold(str(w)) for w in spec.get("words") or ()))
            for answer, spec in answers.items()
        }
        for kind, answers in data.items()
    }


def _has(folded: str, phrase: str) -> bool:
    if _CJK.search(phrase):
        return phrase in folded.replace(" ", "")
    return re.search(rf"(^|\s){re.escape(phrase)}(\s|$)", folded) is not None


def meaning(text: str, kind: str) -> str | None:
    """What a reply means for a message of `kind` (reminder | followup): the answer's name,
    or None. The number alone or first ("2", "2 please"), the whole reply in words, or one
    answer's words inside a short reply (two answers' words: unclear, None)."""
    folded = fold(text)
    if not folded or len(folded.split()) > MAX_WORDS:
        return None
    answers = _words()[kind]
    first = folded.split()[0]
    for answer, (number, _) in answers.items():
        if first == number or first == f"#{number}":
            return answer
    for answer, (_, words) in answers.items():
        if folded in words:
            return answer
    hits = {a for a, (_, words) in answers.items() if any(_has(folded, w) for w in words)}
    return hits.pop() if len(hits) == 1 else None


# --- what is open ------------------------------------------------------------------------------
def open_message(
    participant: Participant, *, db_session: Session, now: datetime
) -> OutboundMessage | None:
    """The participant's latest sent reminder or follow-up, when recent and not answered."""
    row = db_session.scalars(
        select(OutboundMessage)
        .where(
            OutboundMessage.participant_id == participant.id,
            OutboundMessage.kind.in_((REMINDER, FOLLOWUP)),
            OutboundMessage.status.in_((SENT, DELIVERED)),
            OutboundMessage.appointment_id.is_not(None),
            OutboundMessage.sent_at >= now - program.reply_window(),
        )  # fmt: skip
        .order_by(OutboundMessage.sent_at.desc(), OutboundMessage.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    answered = db_session.scalar(
        select(ReminderReply.id).where(ReminderReply.outbound_message_id == row.id)
    )
    return None if answered is not None else row


def app_session(participant: Participant, *, db_session: Session) -> BookingSession | None:
    """An active booking session this module (or a decline) opened, waiting for a pick."""
    return db_session.scalars(
        select(BookingSession)
        .join(ReminderReply, ReminderReply.booking_session_id == BookingSession.id)
        .where(
            BookingSession.participant_id == participant.id,
            BookingSession.status == ACTIVE,
            BookingSession.step == "offer",
        )  # fmt: skip
        .order_by(BookingSession.created_at.desc())
        .limit(1)
    ).first()


# --- the hook ----------------------------------------------------------------------------------
def handle(
    message: InboundMessage, participant: Participant, conversation: Conversation, *,
    db_session: Session, now: datetime | None = None,
) -> bool:  # fmt: skip
    """Answer the message when it replies to a reminder, a follow-up or an app-opened menu
    of times; True when it did (the message then never reaches the engine)."""
    now = now or utcnow()
    text = message.text or ""
    reminder = open_message(participant, db_session=db_session, now=now)
    session = app_session(participant, db_session=db_session)
    newer = session is not None and (reminder is None or _newer(session, reminder))
    if newer and session is not None and _pick(session, participant, conversation, message,
                                               db_session=db_session, now=now):  # fmt: skip
        return True
    if reminder is None:
        return False
    answer = meaning(text, reminder.kind)
    if answer is None:
        return False
    appointment = db_session.get(Appointment, reminder.appointment_id)
    if appointment is None:
        return False
    if reminder.kind == REMINDER and (appointment.status != BOOKED or appointment.start <= now):
        return False  # cancelled or past since: nothing to confirm or change
    reply = ReminderReply(participant_id=participant.id, outbound_message_id=reminder.id,
                          inbound_message_id=message.id, appointment_id=appointment.id,
                          kind=reminder.kind, answer=answer)  # fmt: skip
    referral = booking.referral_of(appointment, db_session=db_session)
    reply.referral_id = referral.id if referral else None
    db_session.add(reply)
    if reminder.kind == FOLLOWUP:
        from api.reminders import followup

        followup.answer(reply, appointment, participant, conversation, db_session=db_session,
                        now=now)  # fmt: skip
    else:
        _answer_reminder(reply, appointment, participant, conversation, db_session=db_session,
                         now=now)  # fmt: skip
    db_session.flush()
    return True


def _newer(session: BookingSession, reminder: OutboundMessage) -> bool:
    return reminder.sent_at is None or session.created_at >= reminder.sent_at


def _pick(
    session: BookingSession, participant: Participant, conversation: Conversation,
    message: InboundMessage, *, db_session: Session, now: datetime,
) -> bool:  # fmt: skip
    """A pick from the app-opened menu ("2", its words, "later"): the booking conversation
    takes it, as the booking form would. Anything else is not for this menu."""
    text = message.text or ""
    payload = registry.get(conversation.channel).resolve_reply(text, conversation.last_menu)
    fields = payload_fields(payload) if payload else {}
    if (
        fields.get("step") != "offer"
        and parse.parse_pick(session, text, participant.language) is None
    ):
        return False
    said = talk.reply(session, participant, fields.get("answer") or text, fields=fields,
                      db_session=db_session, conversation=conversation, now=now,
                      message_id=message.id)  # fmt: skip
    speak(conversation, said, _language(participant), db_session=db_session)
    return True


def _answer_reminder(
    reply: ReminderReply, appointment: Appointment, participant: Participant,
    conversation: Conversation, *, db_session: Session, now: datetime,
) -> None:  # fmt: skip
    language = _language(participant)
    args = appointment_args(appointment, language, db_session=db_session)
    referral = booking.referral_of(appointment, db_session=db_session)
    if reply.answer == CONFIRM:
        appointment.participant_confirmed_at = now
        if referral is not None:
            states.record(referral, by="participant", reason=CONFIRMED_BY_PARTICIPANT, at=now)
        say(conversation, reply_texts.CONFIRMED.key, language, args, db_session=db_session)
    elif reply.answer == CHANGE:
        said = by_message.reschedule(participant, conversation.channel, db_session=db_session,
                                     conversation=conversation, now=now,
                                     appointment=appointment)  # fmt: skip
        live = talk.active(participant, db_session=db_session)
        reply.booking_session_id = live.id if live is not None else None
        speak(conversation, said, language, db_session=db_session)
    elif reply.answer == CANCEL:
        booking.cancel(appointment, db_session=db_session, by="participant",
                       reason="cancelled by reply to a reminder", now=now)  # fmt: skip
        details = {"reminder_cancelled": {"referral_id": reply.referral_id,
                                          "domain": appointment.domain}}  # fmt: skip
        handoffs.flag(participant, conversation, "reminder_cancelled", db_session=db_session,
                      details=details, at=now)  # fmt: skip
        say(conversation, reply_texts.CANCELLED.key, language, args, db_session=db_session)


# --- saying things -----------------------------------------------------------------------------
def _language(participant: Participant) -> str:
    return participant.language or get_settings().program_default_language


def appointment_args(
    appointment: Appointment, language: str, *, db_session: Session
) -> dict[str, Any]:
    from api.directory.models import HsdsService

    service = db_session.get(HsdsService, appointment.service_id)
    return {"partner": service.name if service else "",
            "when": local_time(appointment.start, appointment.timezone, language)}  # fmt: skip


def say(
    conversation: Conversation, key: str, language: str, args: dict[str, Any] | None = None,
    *, db_session: Session, buttons: list[dict[str, Any]] | None = None, prefix: str = "",
) -> OutboundMessage:  # fmt: skip
    """One text to the participant, a reply to what they just sent (no quiet hours)."""
    rendered = render(key, language, {**program_args(), **(args or {})},
                      program_default=get_settings().program_default_language)  # fmt: skip
    text = f"{prefix}\n{rendered.text}" if prefix else rendered.text
    return registry.say(conversation, Message.of(text, buttons), language, db_session=db_session)


def rendered(said: talk.Say, language: str, channel: str) -> tuple[str, list[dict[str, Any]]]:
    """A booking conversation's `Say` as text and buttons, as the /nlg endpoint renders it."""
    args = {**program_args(), **said.args}
    if said.response == talk.CONFIRMED and channel == "web" and args.get("appointment_id"):
        args["ics_url"] = ics.url_for(str(args["appointment_id"]))
    composite = booking_messages.COMPOSITE.get(said.response)
    out = composite(args, language) if composite else render(said.response, language, args)
    return out.text, list(out.buttons or [])


def speak(
    conversation: Conversation, said: list[talk.Say], language: str, *, db_session: Session,
    prefix: str = "", kind: str = "reply",
) -> OutboundMessage | None:  # fmt: skip
    """What the booking conversation said, as one message per `Say`; the last menu's
    buttons are kept so "2" picks from it. `prefix` opens the first message."""
    last: OutboundMessage | None = None
    buttons: list[dict[str, Any]] | None = None
    for index, item in enumerate(said):
        text, buttons = rendered(item, language, conversation.channel)
        if index == 0 and prefix:
            text = f"{prefix}\n{text}"
        last = registry.say(conversation, Message.of(text, buttons), language, kind=kind,
                            db_session=db_session)  # fmt: skip
    conversation.last_menu = buttons or None
    return last
