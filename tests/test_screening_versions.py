"""Issue 7, Exactly once: editing an instrument doesn't break live sessions. A session runs
on the version it started with: a snapshot of each module is kept in the database, so old
versions stay loadable after the files change (or after a restart)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.screening import instrument, prompts, service, versions
from api.screening.models import ScreeningAnswer
from tests.support.screening import (
    consented,
    edited_instruments,  # noqa: F401  (a fixture)
    reply,
)

CORE_FILE = "ahc_hrsn_core.yml"
NEW_QUESTION = {
    "id": "housing_cost",
    "domain": "housing",
    "loinc": None,
    "type": "single",
    "sensitive": False,
    "text": "Is your rent more than half of what you earn?",
    "options": [
        {"id": "yes", "text": "Yes", "loinc": None, "positive": True},
        {"id": "no", "text": "No", "loinc": None, "positive": False},
    ],
}


@pytest.fixture
def core_only(monkeypatch: pytest.MonkeyPatch) -> Any:
    from api.config import get_settings

    monkeypatch.setenv("SCREENING_MODULES", '["ahc-hrsn-core"]')
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _insert_after_first(data: dict[str, Any]) -> None:
    data["questions"].insert(1, dict(NEW_QUESTION))


def _remove_housing_problems(data: dict[str, Any]) -> None:
    data["questions"] = [q for q in data["questions"] if q["id"] != "housing_problems"]
    for rule in data["domains"]:
        rule["questions"] = [q for q in rule["questions"] if q != "housing_problems"]


def _question_id(session: Any, person: Any, db: Session) -> str | None:
    step = service.current_step(session, person, db_session=db)
    return step.question.id if step.question else None


def test_a_question_inserted_mid_session_does_not_shift_a_live_session(
    db: Session,
    org: Any,
    core_only: Any,
    edited_instruments,  # noqa: F811
) -> None:
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    reply(db, session, person, "3")  # question 1 answered on the old version
    edited_instruments(CORE_FILE, _insert_after_first)
    step = service.current_step(session, person, db_session=db)
    assert (step.question and step.question.id, step.number, step.total) == (
        "housing_problems",
        2,
        10,
    ), "the live session jumped to the new question"
    reply(db, session, person, "1")
    saved = {a.question_id: a.option_ids for a in db.scalars(select(ScreeningAnswer))}
    assert saved["housing_problems"] == ["pests"] and "housing_cost" not in saved
    # a session started after the edit runs on the new version
    newcomer, conversation = consented(db, org)
    fresh, _ = service.start(newcomer, conversation, db_session=db)
    reply(db, fresh, newcomer, "1")
    assert _question_id(fresh, newcomer, db) == "housing_cost"
    assert fresh.digests["ahc-hrsn-core"] != session.digests["ahc-hrsn-core"]


def test_a_question_removed_mid_session_is_still_asked_rendered_and_scored(
    db: Session,
    org: Any,
    core_only: Any,
    edited_instruments,  # noqa: F811
) -> None:
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    reply(db, session, person, "1")
    old_version = service.current_step(session, person, db_session=db).question.version  # type: ignore[union-attr]
    edited_instruments(CORE_FILE, _remove_housing_problems)
    assert _question_id(session, person, db) == "housing_problems"
    # what the form asks: the NLG endpoint renders it from the session's version
    rendered = prompts.from_arguments(
        {"question": "housing_problems", "step": 2, "total": 10, "v": old_version}, "en"
    )
    assert rendered.text.startswith("(2/10) Think about the place you live")
    assert len(rendered.buttons) == 8
    reply(db, session, person, "1,2")  # pests, mold: positive
    results = {r.domain: r for r in service.results(session, db_session=db)}
    assert results["housing"].status == "positive"
    assert "housing_problems" in results["housing"].questions


def test_old_versions_load_from_the_database_after_a_restart(
    db: Session,
    org: Any,
    core_only: Any,
    edited_instruments,  # noqa: F811
) -> None:
    person, conversation = consented(db, org)
    session, _ = service.start(person, conversation, db_session=db)
    edited_instruments(CORE_FILE, _insert_after_first)
    versions.forget()  # a new process: nothing cached in memory, the files have changed
    questions = [q.id for q in service.session_questions(session, db_session=db)]
    assert "housing_cost" not in questions and len(questions) == 10
    current = [q.id for q in instrument.questions_for(["ahc-hrsn-core"])]
    assert "housing_cost" in current
    # the NLG endpoint (no unit of work of its own) reads the old version too
    versions.forget()
    digest = (session.digests or {})["ahc-hrsn-core"]
    rendered = prompts.from_arguments(
        {"question": "housing_problems", "step": 2, "total": 10, "v": digest}, "en"
    )
    assert rendered.text.startswith("(2/10) Think about the place you live")


def test_an_old_version_loads_inside_a_write_unit_without_waiting_for_itself(
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    core_only: Any,
    edited_instruments,  # noqa: F811
) -> None:
    """The worker's sweep holds a write unit when it asks for a session's questions; the
    snapshot read must not open a second write unit (SQLite: one writer per process)."""
    import threading

    from api.db import session_scope
    from api.staff import service as staff
    from tests.support.isolated_db import isolated_database

    with isolated_database(tmp_path, monkeypatch):
        with session_scope() as db:
            org = staff.create_org("demo", "Demo", db_session=db)
            person, conversation = consented(db, org)
            session, _ = service.start(person, conversation, db_session=db)
            session_id = session.id
        edited_instruments(CORE_FILE, _insert_after_first)
        versions.forget()
        found: list[int] = []

        def sweep() -> None:
            with session_scope() as db:
                row = db.get(type(session), session_id)
                assert row is not None
                found.append(len(service.session_questions(row)))  # no db_session passed

        worker = threading.Thread(target=sweep, daemon=True)
        worker.start()
        worker.join(15)
        assert not worker.is_alive(), "the snapshot read waited for the unit it runs in"
        assert found == [10]
