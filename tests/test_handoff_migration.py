"""The handoff-lifecycle migration on a database that already has handoffs: every handoff
gets an owner (its participant's organization, else the program's), its reasons become
events, and the migration refuses to guess when no owner exists. Both ways, both backends."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from api import migrate
from api.db import make_engine
from tests.conftest import _TMP, BACKEND
from tests.support.isolated_db import postgres_schema

REVISION = "36ac8c8b33e1"


def _previous() -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    down = script.get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


@pytest.fixture
def database() -> Iterator[tuple[str, Engine]]:
    """An empty database of its own (not the tests' shared one)."""
    with ExitStack() as stack:
        if BACKEND == "postgresql":
            url = stack.enter_context(postgres_schema("mig"))
        else:
            url = f"sqlite:///{_TMP / f'migration-{uuid.uuid4().hex[:6]}.db'}"
        engine = make_engine(url)
        stack.callback(engine.dispose)
        yield url, engine


def _seed(engine: Engine, participant_org: str | None, program_org: bool) -> None:
    now = "2026-11-30 12:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organizations (id, slug, name, created_at) VALUES (:i, :s, 'x', :t)"),
            [{"i": "o-other", "s": "other", "t": now}]
            + ([{"i": "o-demo", "s": "demo", "t": now}] if program_org else []),
        )
        conn.execute(
            text(
                "INSERT INTO participants (id, org_id, language_confirmed, sms_opted_out,"
                " created_at) VALUES ('p1', :org, false, false, :t)"
            ),
            {"org": participant_org, "t": now},
        )
        conn.execute(
            text(
                "INSERT INTO handoffs (id, org_id, participant_id, urgent, reasons, summary,"
                " status, created_at, updated_at)"
                " VALUES ('h1', NULL, 'p1', true, :r, '{}', 'open', :t, :t)"
            ),
            {"r": json.dumps(["crisis", "screening"]), "t": now},
        )


@pytest.mark.parametrize(("participant_org", "owner"), [("o-other", "o-other"), (None, "o-demo")])
def test_existing_handoffs_get_an_owner_and_their_reasons_become_events(
    database: tuple[str, Engine], participant_org: str | None, owner: str
) -> None:
    url, engine = database
    command.upgrade(migrate.alembic_config(url), _previous())
    _seed(engine, participant_org, program_org=True)
    command.upgrade(migrate.alembic_config(url), REVISION)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT org_id, last_event_at, status FROM handoffs")).one()
        events = conn.execute(
            text("SELECT kind, reason FROM handoff_events WHERE handoff_id = 'h1' ORDER BY id")
        ).all()
    assert row.org_id == owner and row.last_event_at is not None and row.status == "open"
    assert [tuple(e) for e in events] == [("flag", "crisis"), ("flag", "screening")]
    command.downgrade(migrate.alembic_config(url), _previous())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT org_id FROM handoffs")).scalar() == owner


def test_a_handoff_with_no_possible_owner_stops_the_migration(
    database: tuple[str, Engine],
) -> None:
    url, engine = database
    command.upgrade(migrate.alembic_config(url), _previous())
    _seed(engine, None, program_org=False)
    with pytest.raises(RuntimeError, match="belong to no organization"):
        command.upgrade(migrate.alembic_config(url), REVISION)
