"""The first call through running processes: a booked referral is mailed to the partner by
the worker over a real SMTP server (aiosmtpd), the partner accepts through the signed link in
that email on the app, and the participant gets the "accepted" text in Spanish through the
Twilio simulator. The app, the worker and the simulator are the processes `firstcall run`
starts; no conversation is needed for this part, so neither is the engine."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from api import migrate, supervisor
from api.booking import states
from api.booking.models import Referral
from api.config import Settings, get_settings
from api.db import make_engine
from api.mail import sink
from api.referrals import delivery
from api.staff import service as staff
from tests.conftest import _TMP, BACKEND
from tests.support.referrals import booked_referral
from tests.support.servers import Process, free_port, http_ok, wait_for


@dataclass
class Stack:
    app: str
    simulator: str
    database_url: str
    mailbox: Path

    def replies(self, phone: str) -> list[str]:
        rows = httpx.get(f"{self.simulator}/sim/messages", params={"phone": phone}).json()
        return [r["body"] for r in rows if r["direction"] == "outbound-api"]

    def wait_replies(self, phone: str, count: int, timeout: float = 30) -> list[str]:
        return wait_for(  # type: ignore[no-any-return]
            lambda: (r := self.replies(phone)) and len(r) >= count and r, timeout, "replies"
        )


def _database_url() -> str:
    if BACKEND == "postgresql":
        import psycopg

        schema = f"e2e_ref_{uuid.uuid4().hex[:8]}"
        base = os.environ["TEST_DATABASE_URL"]
        with psycopg.connect(base.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        sep = "&" if "?" in base else "?"
        return f"{base}{sep}options=-csearch_path%3D{schema}"
    return f"sqlite:///{_TMP / f'e2e-ref-{uuid.uuid4().hex[:6]}.db'}"


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    url = _database_url()
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:  # the app and the worker need the program's organization
        staff.create_org("demo", "Demo", db_session=session)
        session.commit()
    engine.dispose()
    ports = {name: free_port() for name in ("app", "simulator", "smtp")}
    mailbox = Path(_TMP) / f"e2e-ref-mail-{uuid.uuid4().hex[:6]}"
    smtp_sink = sink.start(mailbox, ports["smtp"])
    app_url = f"http://127.0.0.1:{ports['app']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": app_url,
        "TWILIO_API_BASE": f"http://127.0.0.1:{ports['simulator']}",
        "WORKER_POLL_SECONDS": "0.2",
        # the real clock: no quiet hours, or the partner's answer at night waits for 08:00
        "REMINDER_QUIET_START": "00:00",
        "REMINDER_QUIET_END": "00:00",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(ports["smtp"]),
        "PYTHONUNBUFFERED": "1",
    }
    log_dir = Path(_TMP) / f"e2e-ref-logs-{BACKEND}"
    log_dir.mkdir(exist_ok=True)
    settings = Settings(
        DATABASE_URL=url, FIRSTCALL_VAR_DIR=log_dir, FIRSTCALL_PORT=ports["app"],
        SIMULATOR_PORT=ports["simulator"],
    )  # fmt: skip
    wanted = ("app", "worker", "simulator")
    commands = {c.name: c.command for c in supervisor.children(settings, Path("-"), simulator=True)}
    processes = [Process(n, commands[n], env, log_dir) for n in wanted]
    try:
        sim = f"http://127.0.0.1:{ports['simulator']}"
        wait_for(lambda: http_ok(f"{app_url}/docs") and http_ok(f"{sim}/health"), 60, "the app")
        yield Stack(app_url, f"http://127.0.0.1:{ports['simulator']}", url, mailbox)
    finally:
        for process in processes:
            process.stop()
        smtp_sink.stop()


def test_referral_email_accept_link_and_spanish_text_end_to_end(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The booking is made here, as the action server would: with the app's public address.
    monkeypatch.setattr(get_settings(), "public_base_url", stack.app)
    phone = "+16195550177"
    engine = make_engine(stack.database_url)
    with Session(engine) as session:
        referral = booked_referral(session, language="es", phone=phone)
        delivery.queue(referral, db_session=session)
        referral_id = referral.id
        session.commit()

    mails = wait_for(lambda: sink.read_mailbox(stack.mailbox), 30, "the referral email")  # type: ignore[arg-type]
    [mail] = mails
    assert mail["to"] == "intake@food.example" and "Name: Ana" in mail["text"]
    match = re.search(r"(http://127\.0\.0\.1:\d+/partner/r/[A-Za-z0-9_.\-]+)", mail["text"])
    assert match, mail["text"]
    link = match.group(1)

    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and "Harbor Food Pantry" in page.text
    nonce = re.search(r'action="/partner/r/[^"]+/accept">\s*<input type="hidden" '
                      r'name="nonce" value="([^"]+)"', page.text)  # fmt: skip
    assert nonce, page.text
    accepted = httpx.post(f"{link}/accept", data={"nonce": nonce.group(1)}, timeout=10)
    assert accepted.status_code == 303

    [text] = stack.wait_replies(phone, 1, timeout=30)
    assert text.startswith("Buenas noticias: Harbor Food Pantry confirm")  # smart-encoded
    assert "8 de dic" in text
    with Session(engine) as session:
        fresh = session.get(Referral, referral_id)
        assert fresh is not None
        assert fresh.status == states.ACCEPTED
        assert [e.by for e in fresh.events][-1] == "partner"
        assert states.PARTNER_NOTIFIED in [e.business_status for e in fresh.events]
    engine.dispose()
