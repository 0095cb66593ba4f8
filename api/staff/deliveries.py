"""The dashboard's webhook dead-letter list, for admins only (`/staff/deliveries`): the
organization's dead deliveries and those still retrying after a failure (status, attempts,
last error code, event, times; opaque ids only, nothing about the participant), with a
replay button that does what `POST /api/v1/webhooks/deliveries/{id}/replay` does (the same
service function). Each replay is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.staff import audit
from api.staff.web.deps import CsrfChecked, DbSession, StaffContext, page, require_role
from api.webhooks import service as webhooks

router = APIRouter(prefix="/staff", tags=["dashboard"], include_in_schema=False)
Admin = Annotated[StaffContext, Depends(require_role("admin"))]
REPLAY_WEBHOOK = "replay_webhook"  # the audit action
MESSAGES = {
    "replayed": "Delivery queued again: the worker sends it now, with the same webhook-id.",
    "pending": "That delivery is still on its way: nothing to replay yet.",
}


@router.get("/deliveries")
def deliveries_page(request: Request, staff: Admin, db: DbSession) -> Response:
    rows = webhooks.needing_attention(staff.org_id, db_session=db)
    message = MESSAGES.get(request.query_params.get("msg", ""), "")
    return page(request, "deliveries.html", staff, rows=rows, message=message)


@router.post("/deliveries/{delivery_id}/replay", dependencies=[CsrfChecked])
def replay(delivery_id: int, staff: Admin, db: DbSession) -> Response:
    row = webhooks.get_for_org(delivery_id, staff.org_id, db_session=db)
    if row is None:  # another organization's delivery is simply not found
        raise HTTPException(404, "delivery not found")
    try:
        webhooks.replay(row, db_session=db)
    except webhooks.NotReplayable:
        return RedirectResponse("/staff/deliveries?msg=pending", status_code=303)
    audit.record(staff.org_id, staff.user_id, REPLAY_WEBHOOK, f"webhook_delivery:{row.id}",
                 f"{row.event_type} replay {row.replays}", db_session=db)  # fmt: skip
    return RedirectResponse("/staff/deliveries?msg=replayed", status_code=303)
