"""GET /api/v1/fhir/Task: the organization's referral Tasks as a FHIR searchset Bundle, the
polling endpoint the Gravity IG describes for partners and health systems.

Paging is by an opaque cursor on (meta.lastUpdated, id), oldest change first: a Task that
changes moves to the end, so a poller that keeps the last `next` link sees every change
once it happens and never misses one; inserts never make a page repeat or skip a Task.
Limits (docs/FHIR.md): `_count` at most MAX_COUNT, and POLLS_PER_MINUTE per organization.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from api.booking.models import Referral
from api.config import get_settings
from api.db import utcnow
from api.directory.models import HsdsService
from api.fhir import profiles as p
from api.fhir import referrals as fhir_referrals
from api.fhir.context import Resource, instant
from api.handoff import paging
from api.staff.models import Organization

DEFAULT_COUNT, MAX_COUNT = 50, 100
POLLS_PER_MINUTE = 60
CURSOR = "fhir-task"


class BadSearch(ValueError):
    """A parameter the search does not take as given (an OperationOutcome, 400)."""


@dataclass(frozen=True)
class Search:
    statuses: tuple[str, ...] = ()  # any of these; empty: any
    last_updated_from: datetime | None = None  # _lastUpdated=ge...
    count: int = DEFAULT_COUNT
    cursor: str | None = None
    include_focus: bool = False  # _include=Task:focus


def parse(params: dict[str, str]) -> Search:
    """The search parameters FHIR-style: status=a,b; _count; _lastUpdated=geISO|gtISO;
    _include=Task:focus; _cursor. `_count` over MAX_COUNT is served as MAX_COUNT."""
    statuses = tuple(s for s in params.get("status", "").split(",") if s)
    unknown = [s for s in statuses if s not in p.REFERRAL_TASK_STATUSES]
    if unknown:
        raise BadSearch(f"status {unknown[0]!r} is not a referral Task status")
    count = DEFAULT_COUNT
    if params.get("_count"):
        try:
            count = int(params["_count"])
        except ValueError as exc:
            raise BadSearch("_count is not a number") from exc
        if count < 1:
            raise BadSearch("_count must be at least 1")
    since = None
    if params.get("_lastUpdated"):
        value = params["_lastUpdated"]
        prefix, text = (value[:2], value[2:]) if value[:2] in ("ge", "gt") else ("ge", value)
        try:
            since = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as exc:
            raise BadSearch("_lastUpdated is not an instant (e.g. ge2026-12-01T00:00:00Z)") from exc
        if since.tzinfo is None:
            raise BadSearch("_lastUpdated needs a UTC offset")
        if prefix == "gt":
            since += timedelta(microseconds=1)
    include = params.get("_include", "")
    if include and include != "Task:focus":
        raise BadSearch("only _include=Task:focus is supported")
    return Search(statuses, since, min(count, MAX_COUNT), params.get("_cursor") or None,
                  include == "Task:focus")  # fmt: skip


class PollLimiter:
    """At most `limit` searches per organization in any 60 s (in this process)."""

    def __init__(self, limit: int = POLLS_PER_MINUTE) -> None:
        self.limit = limit
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, org_id: str, now: float | None = None) -> int:
        """0: go ahead (and it is counted); else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.setdefault(org_id, deque())
            while seen and seen[0] <= now - 60:
                seen.popleft()
            if len(seen) >= self.limit:
                return max(1, int(seen[0] + 60 - now) + 1)
            seen.append(now)
            return 0


limiter = PollLimiter()


def _where(org_id: str, search: Search) -> list[Any]:
    where: list[Any] = [Referral.org_id == org_id]
    if search.statuses:
        where.append(Referral.status.in_(search.statuses))
    if search.last_updated_from is not None:
        where.append(Referral.updated_at >= search.last_updated_from)
    return where


def _base() -> str:
    return get_settings().public_base_url.rstrip("/")


def standalone(referral: Referral, service: HsdsService | None, org: Organization) -> Resource:
    """The referral's Task outside a bundle: the Patient and our Organization by identifier,
    the focus by its id (GET with _include=Task:focus to have the ServiceRequest too)."""
    base = _base()
    patient = {
        "type": "Patient",
        "identifier": {"system": f"{base}/participants", "value": referral.participant_id},
    }
    requester = {
        "type": "Organization",
        "display": org.name,
        "identifier": {"system": f"{base}/organizations", "value": org.slug},
    }
    focus = {
        "type": "ServiceRequest",
        "reference": f"ServiceRequest/{fhir_referrals.service_request_id(referral)}",
    }
    task = fhir_referrals.task(referral, service, focus=focus, patient=patient,
                               requester=requester)  # fmt: skip
    return {"resourceType": task.pop("resourceType"), "id": fhir_referrals.task_id(referral),
            **task}  # fmt: skip


def focus_of(referral: Referral, service: HsdsService | None, org: Organization) -> Resource:
    base = _base()
    request = fhir_referrals.service_request(
        referral, service,
        patient={"type": "Patient", "identifier": {"system": f"{base}/participants",
                                                   "value": referral.participant_id}},
        requester={"type": "Organization", "display": org.name,
                   "identifier": {"system": f"{base}/organizations", "value": org.slug}},
        reasons=[], consent=None,
    )  # fmt: skip
    return {"resourceType": request.pop("resourceType"),
            "id": fhir_referrals.service_request_id(referral), **request}  # fmt: skip


def search(org: Organization, query: Search, self_url: str, *, db_session: Session) -> Resource:
    """The searchset Bundle: one page of Tasks, `total` of all matches, self and next links."""
    where = _where(org.id, query)
    total = db_session.scalar(select(func.count()).select_from(Referral).where(*where)) or 0
    stmt = select(Referral).where(*where)
    if query.cursor is not None:
        at, last_id = paging.decode(CURSOR, query.cursor, (datetime, str))
        stmt = stmt.where(or_(Referral.updated_at > at,
                              and_(Referral.updated_at == at, Referral.id > last_id)))  # fmt: skip
    rows = list(db_session.scalars(
        stmt.order_by(Referral.updated_at, Referral.id).limit(query.count + 1)
    ))  # fmt: skip
    more = len(rows) > query.count
    rows = rows[: query.count]
    services = {s.id: s for s in db_session.scalars(
        select(HsdsService).where(HsdsService.id.in_({r.service_id for r in rows}))
    )} if rows else {}  # fmt: skip
    base = _base()
    entries = []
    for referral in rows:
        service = services.get(referral.service_id)
        task = standalone(referral, service, org)
        entries.append({"fullUrl": f"{base}/api/v1/fhir/Task/{task['id']}", "resource": task,
                        "search": {"mode": "match"}})  # fmt: skip
        if query.include_focus:
            request = focus_of(referral, service, org)
            entries.append({"fullUrl": f"{base}/api/v1/fhir/ServiceRequest/{request['id']}",
                            "resource": request, "search": {"mode": "include"}})  # fmt: skip
    links = [{"relation": "self", "url": self_url}]
    if more:
        cursor = paging.encode(CURSOR, rows[-1].updated_at, rows[-1].id)
        links.append({"relation": "next", "url": _with_cursor(self_url, cursor)})
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": instant(utcnow())},
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entries,
    }


def _with_cursor(url: str, cursor: str) -> str:
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query) if k != "_cursor"]
    return urlunsplit(parts._replace(query=urlencode([*params, ("_cursor", cursor)])))


def read(org: Organization, task_id: str, *, db_session: Session) -> Resource | None:
    """One Task by its id, of this organization only (None otherwise)."""
    referral_id = fhir_referrals.referral_id(task_id)
    referral = db_session.get(Referral, referral_id) if referral_id else None
    if referral is None or referral.org_id != org.id:
        return None
    return standalone(referral, db_session.get(HsdsService, referral.service_id), org)
