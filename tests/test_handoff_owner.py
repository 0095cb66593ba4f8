"""Issue 7, "no participant falls outside every organization": the app and the worker refuse to
start when PROGRAM_ORG_SLUG names no organization, and no handoff is ever without an owner."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.config import ROOT, get_settings
from api.conversations.models import Participant
from api.handoff import service as handoffs
from api.handoff.models import Handoff
from api.staff import service as staff
from tests.support.servers import free_port

MISSING = "no-such-program-org"


def test_app_factory_refuses_to_start_without_the_program_org(db: Session) -> None:
    from api.main import create_app

    with pytest.raises(
        staff.ProgramOrgMissing, match="PROGRAM_ORG_SLUG 'demo' names no organization"
    ):
        create_app()


def test_app_factory_starts_when_the_program_org_exists(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    from api.main import create_app

    assert create_app().title == "firstcall"


def test_worker_refuses_to_start_without_the_program_org(db: Session) -> None:
    from api import worker

    stop = threading.Event()
    stop.set()
    with pytest.raises(staff.ProgramOrgMissing, match="firstcall staff create-org demo"):
        worker.run_forever(stop)


def test_worker_starts_when_the_program_org_exists(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    from api import worker

    stop = threading.Event()
    stop.set()
    worker.run_forever(stop)  # returns: the loop saw the stop at once


def _process_env() -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": get_settings().database_url, "PROGRAM_ORG_SLUG": MISSING}


def test_worker_process_exits_with_a_clear_message() -> None:
    # no `db` fixture: its open transaction would hold SQLite's write lock against the child
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "api.worker"],
        cwd=ROOT,
        env=_process_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert f"PROGRAM_ORG_SLUG '{MISSING}' names no organization" in done.stderr


def test_app_process_exits_with_a_clear_message() -> None:
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app"]
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*command, "--host", "127.0.0.1", "--port", str(free_port())],
        cwd=ROOT,
        env=_process_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert f"PROGRAM_ORG_SLUG '{MISSING}' names no organization" in done.stderr


def test_a_participant_without_an_org_is_handed_to_the_program_org(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    participant = Participant(org_id=None)
    db.add(participant)
    db.flush()
    handoff = handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)
    assert handoff.org_id == org.id


def test_a_handoff_with_no_possible_owner_raises_clearly(db: Session) -> None:
    participant = Participant(org_id=None)
    db.add(participant)
    db.flush()
    with pytest.raises(handoffs.HandoffOwnerMissing, match="no organization"):
        handoffs.flag(participant, None, "crisis", db_session=db, urgent=True)
    assert db.execute(text("SELECT count(*) FROM handoffs")).scalar() == 0


def test_the_database_refuses_a_handoff_without_an_org(db: Session, org) -> None:  # type: ignore[no-untyped-def]
    participant = Participant(org_id=org.id)
    db.add(participant)
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(Handoff(org_id=None, participant_id=participant.id, reasons=[], summary={}))
        db.flush()
