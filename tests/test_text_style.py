"""Vietnamese without diacritics as a participant's own style (issue 12): detected from how
they text, switched by keyword, applied to every SMS the outbox stores, never to crisis and
safety texts; and what it saves in segments."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.conversations import service as conversations
from api.conversations.models import Conversation, Participant
from api.i18n import budget, sms, style
from api.i18n.catalog import program_args, render
from api.i18n.folding import has_marks, unaccent
from api.i18n.style_models import ACCENTED, DETECTED, KEYWORD, UNACCENTED
from api.outbox import service as outbox
from tests import factories as f


def _participant(db: Session, language: str | None = "vi") -> tuple[Participant, Conversation]:
    participant = conversations.participant_for_phone(f.phone(), db_session=db)
    participant.language = language
    conversation = conversations.current_conversation(participant, "sms", db_session=db)
    db.flush()
    return participant, conversation


def _style(db: Session, participant_id: str) -> tuple[str, str] | None:
    row = style.current(participant_id, db_session=db)
    return None if row is None else (row.style, row.set_by)


# --- folding ---------------------------------------------------------------------------------
def test_unaccent_removes_every_mark_and_keeps_case_digits_and_punctuation() -> None:
    assert unaccent("Cảm ơn quý vị! Đường dây nóng: gọi 988.") == (
        "Cam on quy vi! Duong day nong: goi 988."
    )
    assert has_marks("Cảm ơn") and has_marks("đi") and has_marks("ĐI")
    assert not has_marks("Cam on quy vi, di 1-2 lan?")


# --- detection from their own messages -------------------------------------------------------
def test_two_vietnamese_messages_without_marks_turn_the_style_on(db: Session) -> None:
    participant, _ = _participant(db)
    style.observe("toi can giup do", participant.id, "vi", db_session=db)
    assert _style(db, participant.id) == (ACCENTED, DETECTED)  # one is not yet a habit
    style.observe("1", participant.id, "vi", db_session=db)  # a number says nothing
    style.observe("minh can cho o", participant.id, "vi", db_session=db)
    assert _style(db, participant.id) == (UNACCENTED, DETECTED)
    assert style.is_unaccented(participant.id, db_session=db)


def test_a_message_with_marks_turns_a_detected_style_off_again(db: Session) -> None:
    participant, _ = _participant(db)
    for text in ("toi can giup do", "cam on nhieu"):
        style.observe(text, participant.id, "vi", db_session=db)
    assert _style(db, participant.id) == (UNACCENTED, DETECTED)
    style.observe("Tôi cần tìm việc làm", participant.id, "vi", db_session=db)
    assert _style(db, participant.id) == (ACCENTED, DETECTED)


def test_other_languages_never_get_the_style(db: Session) -> None:
    participant, _ = _participant(db, "en")
    for text in ("toi can giup do", "cam on nhieu", "minh can cho o"):
        style.observe(text, participant.id, "en", db_session=db)
    assert not style.is_unaccented(participant.id, db_session=db)
    spanish, _ = _participant(db, None)
    for text in ("necesito ayuda", "gracias por todo"):
        style.observe(text, spanish.id, None, db_session=db)
    assert not style.is_unaccented(spanish.id, db_session=db)


# --- the keyword switch, answered in the new style -------------------------------------------
def test_khong_dau_turns_it_on_and_is_answered_without_marks(
    client: TestClient, db: Session
) -> None:
    phone = f.phone()
    f.post_sms(client, f.sms_params(phone, "KHÔNG DẤU"))
    (participant,) = [p for p in f.participants(db) if p.phone_hash]
    assert _style(db, participant.id) == (UNACCENTED, KEYWORD)
    assert f.inbound(db)[-1].status == "keyword"  # answered here, never sent to NLU
    reply = f.outbound(db)[-1].body
    assert reply == unaccent(f.sms_text("style.unaccented_on", "vi"))
    assert "CO DAU" in reply and sms.encoding(reply) == "GSM-7"

    f.post_sms(client, f.sms_params(phone, "co dau"))
    assert _style(db, participant.id) == (ACCENTED, KEYWORD)
    reply = f.outbound(db)[-1].body
    assert reply == f.sms_text("style.accented_on", "vi") and has_marks(reply)


def test_a_chosen_style_is_not_undone_by_detection(db: Session) -> None:
    participant, _ = _participant(db)
    style.choose(participant.id, UNACCENTED, db_session=db)
    style.observe("Tôi cần tìm việc làm", participant.id, "vi", db_session=db)
    assert _style(db, participant.id) == (UNACCENTED, KEYWORD)
    style.choose(participant.id, ACCENTED, db_session=db)
    for text in ("toi can giup do", "cam on nhieu", "minh can cho o"):
        style.observe(text, participant.id, "vi", db_session=db)
    assert _style(db, participant.id) == (ACCENTED, KEYWORD)


# --- applied where the outbox stores every SMS -----------------------------------------------
def test_sms_for_an_unaccented_participant_are_folded_to_gsm7(db: Session) -> None:
    participant, conversation = _participant(db)
    text = render("utter_screening_summary_none", "vi").text
    before = outbox.enqueue(conversation, text, db_session=db)
    assert before.body == sms.clean_for_sms(text) and sms.encoding(before.body) == "UCS-2"

    style.choose(participant.id, UNACCENTED, db_session=db)
    after = outbox.enqueue(conversation, text, db_session=db)
    assert after.body == unaccent(text) and not has_marks(after.body)
    assert sms.encoding(after.body) == "GSM-7" and after.segments < before.segments


def test_web_chat_keeps_its_marks(db: Session) -> None:
    participant, _ = _participant(db)
    web = conversations.current_conversation(participant, "web", db_session=db)
    style.choose(participant.id, UNACCENTED, db_session=db)
    text = render("utter_goodbye", "vi").text
    assert outbox.enqueue(web, text, db_session=db).body == text


def test_crisis_and_safety_texts_keep_every_mark(db: Session) -> None:
    participant, conversation = _participant(db)
    style.choose(participant.id, UNACCENTED, db_session=db)
    for key in ("utter_crisis", "utter_safety"):
        text = render(key, "vi", program_args()).text
        row = outbox.enqueue(conversation, text, kind="crisis", db_session=db)
        assert row.body == sms.clean_for_sms(text) and has_marks(row.body), key
    # the keys that keep their marks are data: the roles in api/i18n/style.yml
    assert style.rules().keep_marks_roles == {"crisis", "dv"}


def test_a_crisis_at_the_door_keeps_its_marks_for_an_unaccented_participant(
    client: TestClient, db: Session
) -> None:
    phone = f.phone()
    f.post_sms(client, f.sms_params(phone, "khong dau"))
    f.post_sms(client, f.sms_params(phone, "toi muon tu tu"))
    crisis = [m for m in f.outbound(db) if m.kind == "crisis"]
    assert [m.body for m in crisis] == [f.sms_text("utter_crisis", "vi")]
    assert has_marks(crisis[0].body)


def test_planned_reminders_take_the_style_too(db: Session) -> None:
    from datetime import timedelta

    from api.db import utcnow

    participant, conversation = _participant(db)
    style.choose(participant.id, UNACCENTED, db_session=db)
    row = outbox.enqueue_planned(
        idempotency_key=f"style-{participant.id}", channel="sms", kind="reminder",
        body="Nhắc hẹn: quý vị có cuộc hẹn ngày mai.", participant_id=participant.id,
        conversation_id=conversation.id, appointment_id=None,
        send_at=utcnow() + timedelta(hours=1), not_after=None, quiet_zone=None, db_session=db,
    )  # fmt: skip
    assert row is not None and row.body == "Nhac hen: quy vi co cuoc hen ngay mai."


# --- what it saves ---------------------------------------------------------------------------
def test_the_folded_vietnamese_screening_is_gsm7_and_cheaper_than_english_ratio() -> None:
    marked = {r.language: r for r in budget.screenings()}["vi"]
    folded = budget.unaccented_screening()
    assert folded.encodings == "GSM-7" and folded.messages == marked.messages
    assert folded.segments < marked.segments
    assert "vi (no marks)" in budget.screening_report()
