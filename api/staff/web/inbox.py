"""The inbox (`/staff/`): the page, and the rows partial that htmx polls every few seconds so
an urgent handoff shows at the top without a reload."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.staff import inbox
from api.staff import service as staff_service
from api.staff.web.deps import CurrentStaff, DbSession, page
from api.staff.web.labels import participant_label

router = APIRouter()
POLL_SECONDS = 3


def _filters(request: Request) -> tuple[str, str]:
    status = request.query_params.get("status", "live")
    assignee = request.query_params.get("assignee", "")
    return (status if status in inbox.STATUSES else "live"), assignee[:32]


def _rows(request: Request, staff: CurrentStaff, db: DbSession) -> list[inbox.Row]:
    status, assignee = _filters(request)
    return inbox.rows(staff.org_id, db_session=db, status=status, assignee=assignee,
                      me=staff.user_id)  # fmt: skip


@router.get("/")
def inbox_page(request: Request, staff: CurrentStaff, db: DbSession) -> Response:
    status, assignee = _filters(request)
    return page(
        request,
        "inbox.html",
        staff,
        rows=_rows(request, staff, db),
        status=status,
        assignee=assignee,
        statuses=inbox.STATUSES,
        users=staff_service.users_of(staff.org_id, db_session=db),
        poll_seconds=POLL_SECONDS,
        label=participant_label,
    )


@router.get("/inbox/rows")
def inbox_rows(request: Request, staff: CurrentStaff, db: DbSession) -> Response:
    return page(
        request, "_inbox_rows.html", staff, rows=_rows(request, staff, db),
        label=participant_label,
    )  # fmt: skip
