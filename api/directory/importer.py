"""`firstcall partners import PATH`: read, validate (HSDS schema, then our rules), and write.

An error anywhere stops the whole import before anything is written. A re-import of the
same ids updates the rows in place; doing it twice changes nothing the second time. The
caller owns the session and its one commit.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.directory import reader, rules
from api.directory.models import (
    HSDS_MODELS,
    MODEL_BY_KIND,
    OUR_FIELDS,
    HsdsRow,
    HsdsService,
    ServiceDomain,
    SlotException,
)
from api.directory.problems import Found, Progress, Record

SUMMARY_KINDS = ("organization", "service", "location", "schedule")
FK_KINDS = {f"{kind}_id": kind for kind in MODEL_BY_KIND}
SKIP = {"id", "extra", "imported_at"}


@dataclass
class Summary:
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: {"added": 0, "updated": 0, "unchanged": 0})
    )

    def lines(self) -> list[str]:
        out = []
        for kind in SUMMARY_KINDS:
            c = self.counts[kind]
            out.append(
                f"{kind}s: {c['added']} added, {c['updated']} updated, {c['unchanged']} unchanged"
            )
        return out


@dataclass
class Result:
    found: Found
    summary: Summary | None = None  # None when nothing was written

    @property
    def ok(self) -> bool:
        return not self.found.errors


def read_checked(path: Path, progress: Progress | None = None) -> Found:
    """Everything the file holds and every problem with it; nothing touches the database."""
    if not path.exists():
        found = Found()
        found.error(str(path), "unreadable file: no such file or directory")
        return found
    found = reader.read(path, progress)
    if not found.errors:
        rules.check(found)
    return found


def import_path(path: Path, *, db_session: Session, progress: Progress | None = None) -> Result:
    return _import(read_checked(path, progress), db_session, progress)


def import_document(document: Any, label: str, *, db_session: Session) -> Result:
    """An HSDS JSON document already in memory (the demo data builds one)."""
    found = Found()
    reader.read_document(document, label, found)
    if not found.errors:
        rules.check(found)
    return _import(found, db_session, None)


def _import(found: Found, db_session: Session, progress: Progress | None) -> Result:
    if found.errors:
        return Result(found)
    _check_references(found, db_session)
    if found.errors:
        return Result(found)
    return Result(found, write(found.records, db_session=db_session, progress=progress))


def _columns(model: type[HsdsRow]) -> list[str]:
    return [c.key for c in model.__table__.columns if c.key not in SKIP]  # type: ignore[attr-defined]


def _check_references(found: Found, db_session: Session) -> None:
    present: dict[str, set[str]] = defaultdict(set)
    for record in found.records:
        present[record.kind].add(record.id)
    wanted: dict[str, dict[str, Record]] = defaultdict(dict)
    for record in found.records:
        for key, value in record.data.items():
            kind = FK_KINDS.get(key)
            if kind and value is not None and str(value) not in present[kind]:
                wanted[kind].setdefault(str(value), record)
    for kind, refs in wanted.items():
        model = MODEL_BY_KIND[kind]
        stored = set(_existing(model, list(refs), db_session))
        for ref, record in refs.items():
            if ref not in stored:
                found.error(
                    record.where, f"{kind}_id {ref}: no such {kind} here or in the directory"
                )


def _existing(model: type[HsdsRow], ids: list[str], db_session: Session) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for row in db_session.scalars(select(model).where(model.id.in_(chunk))):
            rows[row.id] = row
    return rows


def _values(record: Record, columns: list[str]) -> dict[str, Any]:
    ours = OUR_FIELDS.get(record.kind, ())
    values = {c: record.data.get(c) for c in columns if c not in ours}
    for c in ours:
        values[c] = record.ours.get(c)
    values["extra"] = {k: v for k, v in record.data.items() if k not in columns and k != "id"}
    return values


def write(
    records: list[Record], *, db_session: Session, progress: Progress | None = None
) -> Summary:
    summary = Summary()
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    total, done = len(records), 0
    added: set[str] = set()
    unchanged: set[str] = set()
    for model in HSDS_MODELS:
        kind_records = by_kind.get(model.kind, [])
        columns = _columns(model)
        existing = _existing(model, [r.id for r in kind_records], db_session)
        for record in kind_records:
            values = _values(record, columns)
            row = existing.get(record.id)
            if row is None:
                db_session.add(model(id=record.id, **values))  # type: ignore[call-arg]
                summary.counts[model.kind]["added"] += 1
                added.add(record.id)
            elif any(getattr(row, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(row, key, value)
                summary.counts[model.kind]["updated"] += 1
            else:
                summary.counts[model.kind]["unchanged"] += 1
                unchanged.add(record.id)
            done += 1
            if progress and done % 500 == 0:
                progress("writing", done, total)
        db_session.flush()
    _remove_stale(by_kind, db_session)
    counts = summary.counts["service"]
    for service_id in _write_ours(by_kind.get("service", []), db_session):
        row = db_session.get(HsdsService, service_id)
        if row is not None and service_id not in added:
            row.imported_at = utcnow()  # matching's snapshot sees the change
            if service_id in unchanged:
                counts["unchanged"] -= 1
                counts["updated"] += 1
    if progress:
        progress("writing", total, total)
    return summary


# children a document lists in full: what the re-import no longer lists is removed
OWNED = {
    "service": ("service_at_location", "contact", "phone", "language", "schedule",
                "required_document", "service_area"),
    "service_at_location": ("contact", "phone", "schedule"),
    "location": ("address", "contact", "phone", "language", "schedule"),
    "organization": ("contact", "phone"),
    "contact": ("phone",),
    "phone": ("language",),
}  # fmt: skip


def _remove_stale(by_kind: dict[str, list[Record]], db_session: Session) -> None:
    imported = {kind: {r.id for r in rs} for kind, rs in by_kind.items()}
    for parent, children in OWNED.items():
        parents = imported.get(parent)
        if not parents:
            continue
        for child in children:
            model = MODEL_BY_KIND[child]
            fk = getattr(model, f"{parent}_id")
            stale = db_session.scalars(
                select(model.id).where(fk.in_(parents), model.id.not_in(imported.get(child, set())))
            ).all()
            _delete(child, list(stale), db_session)


def _delete(kind: str, ids: Iterable[str], db_session: Session) -> None:
    ids = list(ids)
    if not ids:
        return
    for child in OWNED.get(kind, ()):
        model = MODEL_BY_KIND[child]
        fk = getattr(model, f"{kind}_id")
        _delete(child, db_session.scalars(select(model.id).where(fk.in_(ids))).all(), db_session)
    model = MODEL_BY_KIND[kind]
    db_session.execute(delete(model).where(model.id.in_(ids)))


def _ours_rows(record: Record) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    source = record.ours.get("domain_source", "direct")
    domains = {(d, source) for d in record.ours.get("domains", [])}
    exceptions = set()
    for exc in record.ours.get("slot_exceptions", []):
        key = f"{record.id}/{exc['kind']}/{exc['start'].isoformat()}"
        exc_id = str(exc.get("id") or uuid.uuid5(uuid.NAMESPACE_URL, key))
        exceptions.add(
            (exc_id, exc["kind"], exc["start"], exc["end"], exc.get("capacity"), exc.get("note"))
        )
    return domains, exceptions


def _write_ours(services: list[Record], db_session: Session) -> set[str]:
    """Domains and slot exceptions: the document's lists replace what was stored. Returns the
    services whose lists changed."""
    ids = [r.id for r in services]
    stored_domains: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    stored_exceptions: dict[str, set[tuple[Any, ...]]] = defaultdict(set)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for d in db_session.scalars(
            select(ServiceDomain).where(ServiceDomain.service_id.in_(chunk))
        ):
            stored_domains[d.service_id].add((d.domain, d.source))
        for e in db_session.scalars(
            select(SlotException).where(SlotException.service_id.in_(chunk))
        ):
            stored_exceptions[e.service_id].add(
                (e.id, e.kind, e.starts_at, e.ends_at, e.capacity, e.note)
            )
    changed = set()
    for record in services:
        domains, exceptions = _ours_rows(record)
        if domains != stored_domains[record.id]:
            changed.add(record.id)
            db_session.execute(delete(ServiceDomain).where(ServiceDomain.service_id == record.id))
            for domain, source in sorted(domains):
                db_session.add(ServiceDomain(service_id=record.id, domain=domain, source=source))
        if exceptions != stored_exceptions[record.id]:
            changed.add(record.id)
            db_session.execute(delete(SlotException).where(SlotException.service_id == record.id))
            for exc_id, kind, start, end, capacity, note in sorted(exceptions, key=str):
                db_session.add(
                    SlotException(id=exc_id, service_id=record.id, kind=kind, starts_at=start,
                                  ends_at=end, capacity=capacity, note=note)
                )  # fmt: skip
    db_session.flush()
    return changed
