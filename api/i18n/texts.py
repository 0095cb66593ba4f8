"""Every participant-facing template, by key, with its English source and SMS budget.

This module is the extraction source for the catalogs (`make translations`): `T(key, text)`
becomes an entry with msgctxt=key and msgid=text. Rasa responses (utter_*) are rendered
from here through the /nlg endpoint; channel and system messages too.

`segments` is the template's SMS budget, checked for every language with `sample` arguments
(worst-case lengths) by tests/test_catalogs.py. `role` marks the texts whose promises are
checked in every language (tests/test_safety_texts.py): "crisis" texts name 988 and 911, the
"dv" text names the hotline's number and text option; crisis, dv and "consent" texts may take
three segments, since being understood matters more than the cost there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.i18n.locales import SUPPORTED_LOCALES

# Worst-case argument values for segment budgets: long names, long numbers.
SAMPLE_ARGS: dict[str, Any] = {
    "program": "Workforce Connect",
    "contact": "(555) 010-0100",
    "choices": "1, 2, 3, 4 or 5",
    "language_name": "Tiếng Việt",
}


@dataclass(frozen=True)
class Button:
    title_key: str
    payload: str


@dataclass(frozen=True)
class Template:
    key: str
    text: str
    segments: int = 1
    plural: str | None = None
    count_arg: str | None = None
    buttons: tuple[Button, ...] = ()
    sample: dict[str, Any] = field(default_factory=dict)
    role: str | None = None  # crisis | dv | consent
    domain: str = "messages"  # the catalog file: locales/<lang>/LC_MESSAGES/<domain>.po

    def sample_args(self) -> dict[str, Any]:
        return {**SAMPLE_ARGS, **self.sample}


TEMPLATES: dict[str, Template] = {}


def T(key: str, text: str, **kwargs: Any) -> Template:  # noqa: N802 - gettext-style marker
    template = Template(key=key, text=text, **kwargs)
    _register(template)
    return template


def _register(template: Template) -> None:
    key = template.key
    if key in TEMPLATES:
        raise ValueError(f"duplicate template key {key}")
    TEMPLATES[key] = template


def roles(role: str) -> list[str]:
    """The keys of the templates with this role."""
    return [key for key, template in TEMPLATES.items() if template.role == role]


def TP(key: str, singular: str, plural: str, count_arg: str, **kwargs: Any) -> Template:  # noqa: N802
    return T(key, singular, plural=plural, count_arg=count_arg, **kwargs)


YES_NO = (Button("button.yes", "/affirm"), Button("button.no", "/deny"))


def yes_no(question: str) -> tuple[Button, Button]:
    """Yes/No naming the question they answer: a later tap is known to be old (screening)."""
    named = f'{{"question":"{question}"}}'
    return (Button("button.yes", "/affirm" + named), Button("button.no", "/deny" + named))


# --- buttons -------------------------------------------------------------------------------
T("button.yes", "Yes")
T("button.no", "No")

# --- conversation basics (Rasa responses) ---------------------------------------------------
T(
    "utter_greet",
    "Hi! I'm the {program} assistant. I can help you find support for housing, food, "
    "bills, rides, health, child care, legal issues and work, and set up your first "
    "appointment. Want to start?",
    segments=2,
    buttons=YES_NO,
)
T(
    "utter_restart",
    "OK, let's start over. I can help you find support for housing, food, bills, rides, "
    "health, child care, legal issues and work. What do you need help with?",
    segments=2,
)
T("utter_goodbye", "Take care. Text us any time you need help.")
T("utter_you_are_welcome", "You're welcome! I'm here if you need anything else.")
T(
    "utter_help",
    "I ask a few short questions about what you need, connect you with a local agency and "
    "book your first appointment. To begin, tell me what you need help with. You can ask for a "
    "person any time.",
    segments=2,
)
T(
    "utter_bot_challenge",
    "I'm an automated assistant for {program}. A real person on our team can help too: "
    "just ask for one.",
)
T(
    "utter_privacy",
    "Your answers are private. Only {program} staff working on your case see them, and we "
    "share them with a partner agency only if you say yes. Reply STOP to stop texts.",
    segments=3,
    buttons=(Button("button.stop_sharing", "/withdraw_consent"),),
)
T("button.stop_sharing", "Stop sharing my answers")
T(
    "utter_request_human",
    "OK. I've asked a case manager to contact you. They usually reply within one business "
    "day. If it's an emergency, call 911.",
    segments=2,
)
T(
    "utter_out_of_scope",
    "Sorry, I can't help with that. I can help with housing, food, bills, rides, health, "
    "child care, legal issues and work. Just tell me what you need.",
    segments=2,
)
T("utter_default", "Sorry, I didn't understand. Could you say that another way?")
# A bare yes here would only get utter_help: ask for the need itself, which starts the screening.
T(
    "utter_nothing_to_undo",
    "There's no question to skip or change right now. To start, tell me what you need help "
    "with, like housing, food or work.",
    segments=2,
)
T(
    "utter_appointment_later",
    "I'll help you book an appointment once we know what you need. A case manager can also "
    "help: just ask for a person.",
    segments=2,
)

# --- safety ---------------------------------------------------------------------------------
T(
    "utter_crisis",
    "You matter, and help is available now. Call or text 988 (Suicide & Crisis Lifeline), "
    "free, any time. If you are in danger right now, call 911. I've alerted our staff.",
    segments=3,
    role="crisis",
)

T(
    "utter_safety",
    "Thank you for telling me. You deserve to be safe. The National Domestic Violence "
    "Hotline is free and private: call 1-800-799-7233 or text START to 88788. In danger now, "
    "call 911. A case manager will contact you.",
    segments=3,
    role="dv",
)

# --- language -------------------------------------------------------------------------------
T("utter_language_set", "OK, we'll continue in English.")
# The menu prompt is the same in every catalog: it must be readable before we know the language.
# One button per SUPPORTED_LOCALES row.
T(
    "utter_language_menu",
    "Language? / ¿Idioma? / 语言? / Ngôn ngữ? / اللغة؟ / Ki lang? / Wika? / 언어?",
    segments=3,  # eight names in their own scripts (UCS-2): shown only when we can't tell
    buttons=tuple(
        Button(f"language.name.{tag}", f'/choose_language{{"language":"{tag}"}}')
        for tag in SUPPORTED_LOCALES
    ),
)
# One name per SUPPORTED_LOCALES row, as the language names itself (its native_name).
T("language.name.en", "English")
T("language.name.es", "Español")
T("language.name.zh", "中文")
T("language.name.vi", "Tiếng Việt")
T("language.name.ar", "العربية")
T("language.name.ht", "Kreyòl Ayisyen")
T("language.name.tl", "Tagalog")
T("language.name.ko", "한국어")

# --- consent and opt-out --------------------------------------------------------------------
T(
    "utter_opt_out",
    "You won't get more texts from us. Reply START any time to come back.",
)

# --- SMS channel (carrier keywords, channel errors) -----------------------------------------
T(
    "sms.stop",
    "You're unsubscribed from {program} and won't get more messages. Reply START to resubscribe.",
)
T("sms.start", "You're subscribed to {program} again. Reply HELP for help, STOP to stop.")
T(
    "sms.help",
    "{program}: help finding local services. Contact {contact}. Msg & data rates may apply. "
    "Reply STOP to opt out.",
    segments=2,  # UCS-2 languages need two for what carriers require: name, contact, rates, STOP
)
T("sms.media_only", "I can only read text right now. Please type your message.")
T("sms.menu_hint", "Reply {choices}")
T("message.empty", "I didn't get any words. What would you like help with?")
T(
    "message.too_long",
    "That was a long message, so I read the first part. Shorter messages work best.",
)
T(
    "error.trouble",
    "Sorry, we're having trouble right now. We got your message and will text you back soon.",
)

# --- web chat page --------------------------------------------------------------------------
T("web.title", "{program}: chat with us", segments=9)
T("web.placeholder", "Type your message", segments=9)
T("web.send", "Send", segments=9)
T("web.language", "Language", segments=9)
T(
    "web.intro",
    "Free and private. Ask about housing, food, bills, rides, health, child care, legal help "
    "or work.",
    segments=9,
)
T("web.offline", "Connection lost. Your message will be sent when we're back.", segments=9)


# --- screening conversation -----------------------------------------------------------------
T(
    "utter_screening_consent",
    "Before we start: I'm an automated assistant for {program}. Your answers are private. We "
    "save them for your case manager, and share them with a partner agency only if you say "
    "yes. Is it OK to text you and save your answers?",
    segments=3,
    buttons=yes_no("consent"),
    role="consent",
)
T(
    "utter_consent_declined",
    "OK, we won't save any answers. You can ask for a person or text us again any time.",
)
T(
    "utter_screening_intro",
    "Thank you. One question at a time: reply with a number. Say SKIP to skip a question, "
    "or BACK to change your last answer.",
    segments=2,
)
T("utter_screening_resume", "Welcome back! Let's continue where we left off.")
T("screening.progress", "({step}/{total})", sample={"step": 23, "total": 23})
T("screening.pick_all", "Pick all that apply, like: 1,3")
T("utter_screening_invalid", "Sorry, I didn't get that. Please reply with one of the numbers.")
T(
    "utter_screening_offer_help",
    "You can reply SKIP to skip this question, or ask to talk to a person.",
)
T("utter_screening_first_question", "This is the first question.")
T("utter_screening_restarted", "OK, let's start the questions over.")
T(
    "utter_screening_summary",
    "Thank you! Help is available for: {domains}. A case manager will review your answers.",
    segments=3,
    sample={
        "domains": "housing, food, utilities, transportation, employment, education, "
        "money, child care, legal help and health care"
    },
)
T(
    "utter_partner_consent",
    "To book your first appointment for you, can we share your name, phone number and what "
    "you need help with with a partner agency?",
    segments=3,
    buttons=yes_no("partner_consent"),
    role="consent",
)
T(
    "utter_partner_consent_given",
    "Thank you. We'll contact the agency for you and text you the appointment.",
)
T(
    "utter_partner_consent_declined",
    "OK, we won't share your information. Your case manager will follow up with you.",
)
T(
    "utter_screening_summary_private",
    "A case manager will also follow up with you privately.",
)
T(
    "utter_screening_summary_none",
    "Thank you! Your answers don't show a need right now. If things change, text us any time.",
    segments=2,
)
T(
    "utter_consent_withdrawn",
    "OK. We've stopped sharing your answers with staff and partners. Tell us any time if "
    "you want to share again.",
    segments=2,
)
# Domain names for the summary (never the sensitive ones: those are followed up privately).
T("domain.housing", "housing")
T("domain.food", "food")
T("domain.utilities", "utilities")
T("domain.transportation", "transportation")
T("domain.employment", "work")
T("domain.education", "education")
T("domain.financial", "money")
T("domain.childcare", "child care")
T("domain.legal", "legal help")
T("domain.health_care", "health care")

# --- what the partner did with a referral (api/referrals/partner_actions.py) -----------------
_REFERRAL_SAMPLE = {"partner": "Harbor Community Food Pantry", "when": "Wed, Dec 30, 12:30 PM"}
T(
    "referral.accepted",
    "Good news: {partner} confirmed your appointment on {when}. Reply if you need to change it.",
    segments=2,
    sample=_REFERRAL_SAMPLE,
)
T(
    "referral.declined",
    "Sorry, {partner} can't take your appointment on {when}. A case manager will help you "
    "find another option.",
    segments=2,
    sample=_REFERRAL_SAMPLE,
)
T(
    "referral.new_time",
    "{partner} moved your appointment to {when}. Reply if that time doesn't work for you.",
    segments=2,
    sample=_REFERRAL_SAMPLE,
)


# --- the booking conversation (api/booking/conversation.py, messages.py) ---------------------
_BOOKING_SAMPLE = {
    "need": "health care",
    "partner": "Harbor Community Food Pantry",
    "when": "Wed, Dec 30, 12:30 PM",
    "address": "1234 Martin Luther King Jr Way, San Diego 92101",
    "documents": "a photo ID, proof of address and proof of income",
    "url": "http://127.0.0.1:8000/channels/web/ics/0123456789abcdef0123456789abcdef?token=x",
}
T("booking.ask_zip", "To find help near you, what is your ZIP code?")
T(
    "booking.zip_invalid",
    "Sorry, I couldn't find that ZIP code. Please send your 5-digit ZIP code, like 92101.",
    segments=2,
)
T(
    "booking.ask_name",
    "What first name should the partner use for you? You can also reply SKIP.",
    segments=2,
)
T("booking.name_invalid", "Please send just a first name, or reply SKIP.")
T(
    "booking.ask_phone",
    "What mobile number should we text the confirmation and reminders to? You can also reply SKIP.",
    segments=2,
)
T(
    "booking.phone_invalid",
    "Sorry, that doesn't look like a phone number. Please send it like 619-555-0123, or reply "
    "SKIP.",
    segments=2,
)
T("booking.offers", "Here are times for {need}:", sample=_BOOKING_SAMPLE)
T("booking.option", "{partner}, {when}", sample=_BOOKING_SAMPLE)
T("booking.button_none", "None of these / later")
T("booking.need_generic", "your need")
T("booking.pick_again", "Sorry, I didn't get that. Please reply with the number of a time.")
T("booking.later", "OK, here are some other times.")
T(
    "booking.no_more_times",
    "I have no other times for {need} right now. A person will contact you to find one that works.",
    segments=2,
    sample=_BOOKING_SAMPLE,
)
T(
    "booking.no_partner",
    "I couldn't find a partner for {need} near you right now. A person will follow up with you.",
    segments=2,
    sample=_BOOKING_SAMPLE,
)
T("booking.slot_taken", "Sorry, that time was just taken.")
T(
    "booking.confirmed",
    "You're booked: {partner}, {when}. Address: {address}.",
    segments=2,
    sample=_BOOKING_SAMPLE,
)
T("booking.bring", "Please bring {documents}.", segments=2, sample=_BOOKING_SAMPLE)
T("booking.how_to_change", "To change or cancel it, just text us.")
T("booking.ics", "Add it to your calendar: {url}", segments=2, sample=_BOOKING_SAMPLE)
T("booking.next_need", "Next, let's find help with your other need.")
T("booking.reschedule", "Let's find a new time.")
T(
    "booking.cancelled",
    "Your appointment with {partner} on {when} is cancelled. Text us if you want a new one.",
    segments=2,
    sample=_BOOKING_SAMPLE,
)
T("booking.nothing_to_change", "I don't see an upcoming appointment to change.")


# --- screening questions and options (texts live in api/screening/instruments/*.yml) ----------
def _register_instrument_texts() -> None:
    from api.screening.instrument import catalog_messages

    for key, text, _origin in catalog_messages():
        TEMPLATES[key] = Template(key=key, text=text, segments=3)


_register_instrument_texts()


# --- the other catalogs: one module and one .po file per business area -------------------------
def area_texts(domain: str) -> Any:
    """The `T` marker for an area's own texts module (see DOMAINS)."""

    def marker(key: str, text: str, **kwargs: Any) -> Template:
        template = Template(key=key, text=text, domain=domain, **kwargs)
        _register(template)
        return template

    return marker


def _register_area_texts() -> None:
    import importlib

    from api.i18n.domains import DOMAINS

    for domain in DOMAINS.values():
        if domain.module:
            importlib.import_module(domain.module)


_register_area_texts()
