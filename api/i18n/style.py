"""A participant's text style: Vietnamese without diacritics for those who text that way.

People who text Vietnamese without diacritics (telex-less phones, habit) get replies without
them too: a folded text is GSM-7, 160 characters a part instead of 70. The style is
detected from their own messages (`observe`: N Vietnamese messages in a row without marks),
stored per participant (`TextStyle`), and switched by keyword ("KHONG DAU" / "CO DAU",
`on_inbound`), the answer going out in the new style. Crisis and safety texts keep every
mark whatever the style. The rules (language, N, keywords, which texts keep their marks)
are data: api/i18n/style.yml.

Outbound SMS take the style in one place: the outbox (`apply`, called by
api/outbox/service.py on every row it stores), so turns, services and reminders need not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from api.conversations.models import Conversation, InboundMessage, Participant
from api.i18n import detect
from api.i18n.folding import fold, has_marks, unaccent
from api.i18n.style_models import ACCENTED, DETECTED, KEYWORD, UNACCENTED, TextStyle

RULES = Path(__file__).with_name("style.yml")


@dataclass(frozen=True)
class Rules:
    language: str
    detect_after: int
    keywords: dict[str, str]  # folded keyword -> the style it sets
    keep_marks_roles: frozenset[str]


@lru_cache
def rules() -> Rules:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    keywords = {
        fold(word): style for style in (UNACCENTED, ACCENTED) for word in data["keywords"][style]
    }
    return Rules(
        language=str(data["language"]),
        detect_after=int(data["detect_after"]),
        keywords=keywords,
        keep_marks_roles=frozenset(data["keep_marks_roles"]),
    )


def keyword_of(text: str) -> str | None:
    """The style a whole message asks for ("KHONG DAU", "không dấu", "co dau"), or None."""
    return rules().keywords.get(fold(text))


def current(participant_id: str, *, db_session: Session) -> TextStyle | None:
    return db_session.get(TextStyle, participant_id)


def is_unaccented(participant_id: str, *, db_session: Session) -> bool:
    row = current(participant_id, db_session=db_session)
    return row is not None and row.style == UNACCENTED


def _row(participant_id: str, *, db_session: Session) -> TextStyle:
    row = current(participant_id, db_session=db_session)
    if row is None:
        row = TextStyle(
            participant_id=participant_id, style=ACCENTED, set_by=DETECTED, unmarked_streak=0
        )
        db_session.add(row)
    return row


def choose(participant_id: str, style: str, *, db_session: Session) -> TextStyle:
    """The participant's own choice (a keyword): kept until they choose again."""
    row = _row(participant_id, db_session=db_session)
    row.style, row.set_by = style, KEYWORD
    db_session.flush()
    return row


def observe(text: str, participant_id: str, language: str | None, *, db_session: Session) -> None:
    """Count an inbound message: a Vietnamese one without marks adds to the streak, one with
    marks resets it. A detected style follows the streak; a chosen one stays."""
    wanted = rules().language
    if language not in (None, wanted) or detect.detect(text).tag != wanted:
        return  # "1", "ok", another language: says nothing about how they write Vietnamese
    row = _row(participant_id, db_session=db_session)
    marked = has_marks(text)
    row.unmarked_streak = 0 if marked else (row.unmarked_streak or 0) + 1
    if row.set_by == DETECTED:
        row.style = UNACCENTED if row.unmarked_streak >= rules().detect_after else ACCENTED
    db_session.flush()


@lru_cache
def _kept_texts(language: str) -> tuple[str, ...]:
    """The crisis and safety texts as rendered: a message containing one keeps its marks."""
    from api.i18n.catalog import program_args, render
    from api.i18n.texts import TEMPLATES

    keys = [k for k, t in TEMPLATES.items() if t.role in rules().keep_marks_roles]
    return tuple(render(k, language, program_args()).text for k in keys)


def keeps_marks(text: str, language: str) -> bool:
    return any(kept in text for kept in _kept_texts(language))


def apply(text: str, participant_id: str | None, *, channel: str, db_session: Session) -> str:
    """The text in the participant's style, for an SMS about to be stored in the outbox."""
    if channel != "sms" or participant_id is None:
        return text
    if not is_unaccented(participant_id, db_session=db_session):
        return text
    participant = db_session.get(Participant, participant_id)
    language = rules().language
    if participant is None or participant.language not in (None, language):
        return text
    if keeps_marks(text, language):
        return text
    return unaccent(text)


def on_inbound(
    message: InboundMessage,
    participant: Participant,
    conversation: Conversation,
    *,
    db_session: Session,
) -> bool:
    """A just-stored SMS: a style keyword is answered (in the new style; True: it never
    reaches NLU); any other message counts towards detection."""
    if participant.sms_opted_out:
        return False  # nothing is sent after STOP; the message goes its usual way
    wanted = keyword_of(message.text)
    if wanted is None:
        observe(message.text, participant.id, participant.language, db_session=db_session)
        return False
    from api.channels import registry
    from api.channels.base import Message
    from api.i18n.catalog import render

    choose(participant.id, wanted, db_session=db_session)
    language = participant.language or rules().language
    key = "style.unaccented_on" if wanted == UNACCENTED else "style.accented_on"
    text = render(key, language).text
    registry.say(conversation, Message.of(text), language, db_session=db_session)
    message.status = "keyword"
    return True
