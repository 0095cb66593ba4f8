"""The participant page: only the staff member's own organization (404 otherwise), audited
views and reveals of sensitive domains, replies through the outbox, referral updates with
the booking's rules and history, phone task outcomes, notes and assignment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import states
from api.conversations import service as conversations
from api.conversations.models import Participant
from api.handoff import service as handoffs
from api.outbox.models import OutboundMessage
from api.staff import service as staff
from api.staff.models import AuditEntry, Note
from tests.support.referrals import booked_referral
from tests.support.staff_login import csrf_of, log_in, make_user

SCREENING = {
    "screening": {
        "answers": [
            {"question_id": "food_worry", "domain": "food", "declined": False,
             "answers": [{"option_id": "often", "display": "Often true"}]},
            {"question_id": "safety_hurt", "domain": "safety", "declined": False,
             "answers": [{"option_id": "frequently", "display": "Frequently"}]},
        ],
        "domains": [
            {"domain": "food", "status": "positive", "urgent": False},
            {"domain": "safety", "status": "positive", "urgent": True},
        ],
    }
}  # fmt: skip


def _sms_participant(db: Session, org, phone: str = "+16195550123") -> Participant:  # type: ignore[no-untyped-def]
    person = conversations.participant_for_phone(phone, db_session=db)
    person.org_id, person.language, person.timezone = org.id, "es", "America/Chicago"
    conversation = conversations.current_conversation(person, "sms", db_session=db)
    handoffs.flag(person, conversation, "screening", details=SCREENING, db_session=db,
                  urgent=True)  # fmt: skip
    return person


def _audit(db: Session, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_another_organizations_ids_are_not_found(client, db: Session, org) -> None:
    other = staff.create_org("other", "Other program", db_session=db)
    theirs = _sms_participant(db, other, "+16195550999")
    referral = booked_referral(db, phone="+16195550888")
    referral.org_id = other.id
    make_user(org, db)
    db.commit()
    log_in(client)
    csrf = csrf_of(client)
    base = f"/staff/participants/{theirs.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/thread").status_code == 404
    for path, data in [
        (f"{base}/reply", {"text": "hi"}),
        (f"{base}/notes", {"text": "n"}),
        (f"{base}/assign", {"user_id": "me"}),
        (f"{base}/reveal/safety", {}),
        (f"/staff/referrals/{referral.id}/state", {"action": "completed"}),
    ]:
        assert client.post(path, data={**data, "csrf_token": csrf}).status_code == 404, path
    assert db.scalars(select(OutboundMessage)).all() == []


def test_the_page_shows_the_screening_and_hides_sensitive_answers_until_asked(
    client, db: Session, org
) -> None:
    person = _sms_participant(db, org)
    user = make_user(org, db)
    db.commit()
    log_in(client)
    page = client.get(f"/staff/participants/{person.id}")
    assert page.status_code == 200
    assert "Often true" in page.text  # food: shown
    assert "Frequently" not in page.text  # safety is sensitive (instrument data): hidden
    views = _audit(db, "view_participant")
    assert [(v.user_id, v.subject) for v in views] == [(user.id, f"participant:{person.id}")]
    revealed = client.post(
        f"/staff/participants/{person.id}/reveal/safety",
        headers={"X-CSRF-Token": csrf_of(client, f"/staff/participants/{person.id}")},
    )
    assert revealed.status_code == 200 and "Frequently" in revealed.text
    assert [e.detail for e in _audit(db, "reveal_sensitive")] == ["domain=safety"]


def test_a_reveal_without_the_csrf_token_is_refused(client, db: Session, org) -> None:
    person = _sms_participant(db, org)
    make_user(org, db)
    db.commit()
    log_in(client)
    assert client.post(f"/staff/participants/{person.id}/reveal/safety").status_code == 403
    assert _audit(db, "reveal_sensitive") == []


def test_a_reply_goes_to_the_outbox_with_the_participants_quiet_zone(
    client, db: Session, org
) -> None:
    person = _sms_participant(db, org)
    make_user(org, db)
    db.commit()
    log_in(client)
    csrf = csrf_of(client)
    response = client.post(
        f"/staff/participants/{person.id}/reply",
        data={"csrf_token": csrf, "text": "Hola, ¿le llamo mañana a las 10?"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    row = db.scalars(select(OutboundMessage).where(OutboundMessage.kind == "staff_reply")).one()
    assert row.participant_id == person.id and row.channel == "sms"
    assert row.status == "pending" and row.quiet_zone == "America/Chicago"
    assert "mañana" in row.body or "manana" in row.body  # as written (smart-encoded at most)
    assert len(_audit(db, "reply")) == 1
    assert "Reply queued" in client.get(response.headers["location"]).text


def test_no_reply_is_queued_to_someone_who_opted_out(client, db: Session, org) -> None:
    person = _sms_participant(db, org)
    conversations.opt_out_of_sms(person, db_session=db)
    make_user(org, db)
    db.commit()
    log_in(client)
    response = client.post(
        f"/staff/participants/{person.id}/reply",
        data={"csrf_token": csrf_of(client), "text": "Are you there?"},
    )
    assert response.status_code == 400 and "opted out" in response.text
    kinds = [r.kind for r in db.scalars(select(OutboundMessage))]
    assert "staff_reply" not in kinds


def test_a_referral_moves_to_completed_with_the_staff_member_in_its_history(
    client, db: Session, org
) -> None:
    referral = booked_referral(db)
    states.transition(referral, states.REQUESTED, by="system", reason="sent")
    user = make_user(org, db)
    db.commit()
    log_in(client)
    page = client.get(f"/staff/participants/{referral.participant_id}")
    assert "Harbor Food Pantry" in page.text
    response = client.post(
        f"/staff/referrals/{referral.id}/state",
        data={"csrf_token": csrf_of(client), "action": "completed"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.refresh(referral)
    assert (referral.status, referral.business_status) == ("completed", "attended")
    assert referral.appointment is not None and referral.appointment.status == "attended"
    assert referral.events[-1].by == f"staff:{user.id}"
    again = client.post(
        f"/staff/referrals/{referral.id}/state",
        data={"csrf_token": csrf_of(client), "action": "no_show"},
        follow_redirects=False,
    )
    assert "not_allowed" in again.headers["location"]  # completed is final: the same rules
    db.refresh(referral)
    assert referral.status == "completed"


def test_a_phone_tasks_outcome_is_recorded(client, db: Session, org) -> None:
    from api.referrals import delivery

    referral = booked_referral(db, method="phone", target="+16195550177")
    task = delivery.queue(referral, db_session=db)
    user = make_user(org, db)
    db.commit()
    log_in(client)
    assert (
        "Phone task to the partner"
        in client.get(f"/staff/participants/{referral.participant_id}").text
    )
    response = client.post(
        f"/staff/calls/{task.id}/outcome",
        data={"csrf_token": csrf_of(client), "outcome": "reached"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.refresh(task)
    assert (task.outcome, task.outcome_by, task.status) == ("reached", f"staff:{user.id}", "done")


def test_notes_and_assignment(client, db: Session, org) -> None:
    person = _sms_participant(db, org)
    me = make_user(org, db)
    colleague = make_user(org, db, email="colleague@example.org")
    colleague.name = "Robin Colleague"
    db.commit()
    log_in(client)
    csrf = csrf_of(client)
    base = f"/staff/participants/{person.id}"
    client.post(f"{base}/notes", data={"csrf_token": csrf, "text": "Called, <b>no</b> answer"})
    assert db.scalars(select(Note)).one().author_id == me.id
    assert "Called, &lt;b&gt;no&lt;/b&gt; answer" in client.get(base).text
    client.post(f"{base}/assign", data={"csrf_token": csrf, "user_id": "me"})
    mine = client.get("/staff/?assignee=me").text
    assert base in mine
    client.post(f"{base}/assign", data={"csrf_token": csrf, "user_id": colleague.id})
    assert base not in client.get("/staff/?assignee=me").text
    assert base in client.get(f"/staff/?assignee={colleague.id}").text
    assert base not in client.get("/staff/?assignee=none").text


def test_the_reply_form_states_the_programs_quiet_hours(
    client, db: Session, org, monkeypatch
) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    from api.config import get_settings

    person = _sms_participant(db, org)
    make_user(org, db)
    db.commit()
    log_in(client)
    settings = get_settings()
    monkeypatch.setattr(settings, "reminder_quiet_start", "20:30")
    monkeypatch.setattr(settings, "reminder_quiet_end", "09:00")
    page = client.get(f"/staff/participants/{person.id}").text
    assert "Quiet hours (20:30 to 09:00 in the participant&#39;s time)" in page
    monkeypatch.setattr(settings, "reminder_quiet_start", "00:00")
    monkeypatch.setattr(settings, "reminder_quiet_end", "00:00")
    assert "sets no quiet hours" in client.get(f"/staff/participants/{person.id}").text
