"""Instrument versions: a session runs on the modules it started with.

When a session starts, each module's file content is stored once under its digest
(`screening_instrument_versions`) and the session pins the digests. Editing a file (a
question inserted, removed or reworded) makes a new version for new sessions; live ones
keep their questions, their order and their scoring, even after a restart.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import session_scope
from api.screening.instrument import InstrumentError, Module, Question, module_from_data, modules
from api.screening.models import InstrumentVersion, ScreeningSession

_LOADED: dict[str, Module] = {}  # digest -> module; a version never changes


def forget() -> None:
    """Drop what this process has loaded (tests: as if the process had restarted)."""
    _LOADED.clear()


def pin(module_ids: list[str], *, db_session: Session) -> dict[str, str]:
    """Store a snapshot of each module as it is now (once per version); their digests."""
    current = modules()
    digests = {}
    for module_id in module_ids:
        module = current[module_id]
        digests[module_id] = module.digest
        _LOADED[module.digest] = module
        if db_session.get(InstrumentVersion, module.digest) is not None:
            continue
        try:
            with db_session.begin_nested():
                db_session.add(
                    InstrumentVersion(
                        digest=module.digest,
                        module_id=module.id,
                        version=module.version,
                        content=module.source,
                    )
                )
        except IntegrityError:  # another session stored the same version just now
            pass
    return digests


def load(digest: str, *, db_session: Session | None = None) -> Module:
    """The module with that digest: the current file, this process's memory, or the DB."""
    for module in modules().values():
        if module.digest == digest:
            return module
    if digest in _LOADED:
        return _LOADED[digest]
    if db_session is None:  # a read of its own: never the write lock (SQLite)
        with session_scope(read_only=True) as db:
            return load(digest, db_session=db)
    row = db_session.get(InstrumentVersion, digest)
    if row is None:
        raise InstrumentError(f"instrument version {digest} is not stored")
    module = module_from_data(row.content)
    _LOADED[digest] = module
    return module


def session_modules(
    session: ScreeningSession, *, db_session: Session | None = None
) -> list[Module]:
    """The modules a session runs on (sessions from before pinning use the files)."""
    digests = session.digests or {}
    return [
        load(digests[m], db_session=db_session) if m in digests else modules()[m]
        for m in session.modules
    ]


def find_question(question_id: str, digest: str | None) -> Question | None:
    """A question of that version (or of the current files when no version is named)."""
    if digest:
        try:
            candidates = [load(digest)]
        except InstrumentError:
            candidates = list(modules().values())
    else:
        candidates = list(modules().values())
    return next((q for m in candidates for q in m.questions if q.id == question_id), None)
