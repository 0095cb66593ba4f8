"""FHIR R4 for case managers: a handoff as a Bundle. Scoped to the caller's organization
exactly like GET /api/v1/handoffs/{id}: another organization's handoff is not found."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.config import get_settings
from api.db import session_dependency
from api.fhir import tasks
from api.fhir.bundle import build_bundle
from api.handoff import paging
from api.handoff import service as handoffs
from api.staff.auth import CurrentOrg

FHIR_JSON = "application/fhir+json"
router = APIRouter(prefix="/api/v1", tags=["case managers", "FHIR"])
DbSession = Annotated[Session, Depends(session_dependency)]


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


@router.get(
    "/handoffs/{handoff_id}/fhir",
    response_class=FhirResponse,
    responses={200: {"content": {FHIR_JSON: {}}, "description": "a FHIR R4 Bundle (collection)"}},
)
def handoff_bundle(handoff_id: str, org: CurrentOrg, db_session: DbSession) -> FhirResponse:
    """The handoff as a FHIR R4 Bundle on the Gravity SDOH Clinical Care profiles: Patient
    (only what the participant agreed to share), a Consent per purpose, a
    QuestionnaireResponse per instrument, screening-response Observations and a health
    concern per positive domain (docs/FHIR.md)."""
    handoff = handoffs.get_for_org(handoff_id, org.id, db_session=db_session)
    if handoff is None:  # another organization's handoff is simply not found
        raise HTTPException(404, "handoff not found")
    return FhirResponse(build_bundle(handoff, db_session=db_session))


def _outcome(status: int, text: str, code: str = "invalid", **headers: str) -> FhirResponse:
    body = {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": text}]}  # fmt: skip
    return FhirResponse(body, status_code=status, headers=headers or None)


@router.get(
    "/fhir/Task",
    response_class=FhirResponse,
    responses={200: {"content": {FHIR_JSON: {}}, "description": "a FHIR searchset Bundle"}},
)
def search_tasks(request: Request, org: CurrentOrg, db_session: DbSession) -> FhirResponse:
    """The organization's referral Tasks (SDOHCC Task for referral management), for
    partners and health systems to poll: `status` (comma-separated), `_lastUpdated=ge...`,
    `_count` (at most 100), `_include=Task:focus`, and the `next` link's `_cursor`.
    At most 60 searches a minute per organization (429 with Retry-After); docs/FHIR.md."""
    wait = tasks.limiter.retry_after(org.id)
    if wait:
        return _outcome(429, "poll limit reached; see docs/FHIR.md", "throttled",
                        **{"Retry-After": str(wait)})  # fmt: skip
    try:
        query = tasks.parse(dict(request.query_params))
        return FhirResponse(tasks.search(org, query, _public(request), db_session=db_session))
    except (tasks.BadSearch, paging.BadCursor) as exc:
        return _outcome(400, str(exc) if isinstance(exc, tasks.BadSearch) else "bad _cursor")


@router.get("/fhir/Task/{task_id}", response_class=FhirResponse)
def read_task(task_id: str, org: CurrentOrg, db_session: DbSession) -> FhirResponse:
    task = tasks.read(org, task_id, db_session=db_session)
    if task is None:  # another organization's Task is simply not found
        return _outcome(404, "Task not found", "not-found")
    return FhirResponse(task)


def _public(request: Request) -> str:
    """This request's URL under the public base URL (links a client can follow)."""
    base = get_settings().public_base_url.rstrip("/")
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{base}{request.url.path}{query}"
