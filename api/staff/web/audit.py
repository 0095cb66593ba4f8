"""The audit log, for admins only (`/staff/audit`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.staff import audit
from api.staff.web.deps import DbSession, StaffContext, page, require_role

router = APIRouter()
Admin = Annotated[StaffContext, Depends(require_role("admin"))]


@router.get("/audit")
def audit_page(request: Request, staff: Admin, db: DbSession) -> Response:
    action = request.query_params.get("action") or None
    entries = audit.for_org(staff.org_id, db_session=db, action=action)
    return page(request, "audit.html", staff, entries=entries, action=action or "")
