"""Staff API: the partner directory as HSDS 3.0 JSON (`Authorization: Bearer <api key>`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy.orm import Session

from api.db import session_dependency
from api.directory import hsds
from api.staff.auth import CurrentOrg

router = APIRouter(prefix="/api/v1/services", tags=["partner directory"])
DbSession = Annotated[Session, Depends(session_dependency)]


@router.get("")
def list_services(
    _: CurrentOrg,
    db_session: DbSession,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """HSDS 3.0 service documents, paginated as HSDS's API pages them."""
    return hsds.list_services(db_session=db_session, page=page, per_page=per_page)


@router.get("/{service_id}")
def get_service(service_id: str, _: CurrentOrg, db_session: DbSession) -> dict[str, Any]:
    """One HSDS 3.0 service document with its organization, locations and schedules."""
    document = hsds.get_service(service_id, db_session=db_session)
    if document is None:
        raise HTTPException(404, "service not found")
    return document
