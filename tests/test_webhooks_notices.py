"""The optional email notice (issue 10): a case manager who asked for it gets a mail
through the SMTP setup (a real aiosmtpd server) with a link to the dashboard only, never
anything about the participant; `--urgent-only` recipients only for urgent handoffs. And
`firstcall webhooks add` registers an endpoint and prints its secret once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.cli import app
from api.config import get_settings
from api.conversations.models import Participant
from api.handoff import service as handoffs
from api.mail import sink
from api.staff import participants
from api.staff import service as staff
from api.webhooks import notices
from api.webhooks.models import SENT, EmailNotice, WebhookEndpoint
from tests.support.servers import free_port


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    port = free_port()
    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    monkeypatch.setattr(get_settings(), "smtp_port", port)
    controller = sink.start(tmp_path / "mail", port)
    try:
        yield tmp_path / "mail"
    finally:
        controller.stop()


def test_the_case_manager_gets_a_link_and_no_personal_data(db: Session, org, mailbox: Path) -> None:  # type: ignore[no-untyped-def]
    notices.add_recipient(org.id, "CM@Example.org", db_session=db)
    notices.add_recipient(org.id, "supervisor@example.org", urgent_only=True, db_session=db)
    participant = Participant(org_id=org.id)
    db.add(participant)
    db.flush()
    handoff = handoffs.flag(
        participant,
        None,
        "screening",
        db_session=db,
        details={"name": "Ana Secret", "zip": "92101"},
    )
    handoffs.flag(participant, None, "screening", db_session=db)  # a later flag: no new mail
    db.commit()
    assert notices.send_due() == 1
    [mail] = sink.read_mailbox(mailbox)
    assert mail["to"] == "cm@example.org"
    assert f"https://firstcall.test/staff/participants/{participant.id}" in mail["text"]
    for secret in ("Ana", "92101", "screening"):
        assert secret not in mail["text"] and secret not in mail["subject"]

    handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)
    handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)  # once per handoff
    db.commit()
    assert notices.send_due() == 2
    mails = sink.read_mailbox(mailbox)
    urgent = [m for m in mails if "Urgent" in m["subject"]]
    assert len(mails) == 3 and sorted(m["to"] for m in urgent) == [
        "cm@example.org",
        "supervisor@example.org",
    ]
    assert all("crisis" not in m["text"] and participant.id in m["text"] for m in urgent)
    rows = db.scalars(select(EmailNotice).where(EmailNotice.handoff_id == handoff.id)).all()
    assert [r.status for r in rows] == [SENT] * 3


def test_the_assigned_case_manager_gets_the_notice_instead_of_the_recipients(
    db: Session, org, mailbox: Path
) -> None:  # type: ignore[no-untyped-def]
    notices.add_recipient(org.id, "intake@example.org", db_session=db)
    notices.add_recipient(org.id, "supervisor@example.org", urgent_only=True, db_session=db)
    admin = staff.create_user(org, "admin@example.org", "Ada Admin", db_session=db)
    casey = staff.create_user(org, "Casey@Example.org", "Casey Manager", db_session=db)
    participant = Participant(org_id=org.id)
    db.add(participant)
    db.flush()
    participants.assign(participant, casey, admin.id, db_session=db)
    handoffs.flag(participant, None, "screening", db_session=db)
    db.commit()
    assert notices.send_due() == 1
    [mail] = sink.read_mailbox(mailbox)
    assert mail["to"].lower() == "casey@example.org"  # not intake@: the assignee only
    assert f"/staff/participants/{participant.id}" in mail["text"]

    handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)
    handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)  # once
    db.commit()
    assert notices.send_due() == 1
    urgent = [m for m in sink.read_mailbox(mailbox) if "Urgent" in m["subject"]]
    assert [m["to"].lower() for m in urgent] == ["casey@example.org"]
    assert "crisis" not in urgent[0]["text"]

    # an assignee who left: the next handoff goes to the recipients again
    casey.active = False
    other = Participant(org_id=org.id)
    db.add(other)
    db.flush()
    participants.assign(other, admin, admin.id, db_session=db)
    admin.active = False
    handoffs.flag(other, None, "screening", db_session=db)
    db.commit()
    assert notices.send_due() == 1
    about_other = [m for m in sink.read_mailbox(mailbox) if other.id in m["text"]]
    assert [m["to"] for m in about_other] == ["intake@example.org"]


def test_smtp_down_keeps_the_notice_for_a_retry(db: Session, org, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    monkeypatch.setattr(get_settings(), "smtp_port", free_port())  # nobody listens
    notices.add_recipient(org.id, "cm@example.org", db_session=db)
    participant = Participant(org_id=org.id)
    db.add(participant)
    db.flush()
    handoffs.flag(participant, None, "screening", db_session=db)
    db.commit()
    assert notices.send_due() == 0
    row = db.scalars(select(EmailNotice)).one()
    db.refresh(row)
    assert row.status == "pending" and row.attempts == 1 and row.last_error


def test_cli_registers_an_endpoint_and_prints_its_secret_once(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        app, ["webhooks", "add", "--org", "demo", "--url", "https://cms.example.org/hooks"]
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("whsec_")
    endpoint = db.scalars(select(WebhookEndpoint)).one()
    assert endpoint.url == "https://cms.example.org/hooks" and endpoint.secret == secret
    assert secret not in endpoint.secret_encrypted  # encrypted at rest
    missing = CliRunner().invoke(app, ["webhooks", "add", "--org", "nope", "--url", "https://x"])
    assert missing.exit_code == 1
