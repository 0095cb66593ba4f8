"""FHIR R4 for case managers: a handoff as a Bundle. Scoped to the caller's organization
exactly like GET /api/v1/handoffs/{id}: another organization's handoff is not found."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.db import session_dependency
from api.fhir.bundle import build_bundle
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
