"""The webhook body, in the Standard Webhooks shape: `type`, `timestamp`, `data`.

`data.handoff` is the handoff summary v2 as the staff API serves it (JSON Schema at
GET /api/v1/schemas/handoff-v2.json), so a case-management system takes in the document it
could fetch; `data.event` is what happened (its kind, reason, time); `data.links` are the
API's and the dashboard's (staff sign-in required).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.config import get_settings
from api.handoff import summary as handoff_summary
from api.handoff.models import Handoff, HandoffEvent
from api.webhooks import notices
from api.webhooks.models import WebhookDelivery


def summary(handoff: Handoff, *, db_session: Session) -> dict[str, Any]:
    """The handoff summary v2 (api/handoff/summary.py), the document of the staff API."""
    data: dict[str, Any] = handoff_summary.build(handoff, db_session=db_session).model_dump(
        mode="json"
    )
    return data


def compose(
    row: WebhookDelivery, handoff: Handoff, event: HandoffEvent | None, *, db_session: Session
) -> dict[str, Any]:
    at = event.at if event is not None else row.created_at
    base = get_settings().public_base_url.rstrip("/")
    return {
        "type": row.event_type,
        "timestamp": at.isoformat(),
        "data": {
            "handoff_id": handoff.id,
            "urgent": row.urgent,
            "event": None
            if event is None
            else {
                "id": event.id,
                "kind": event.kind,
                "reason": event.reason,
                "by": event.by,
                "at": event.at.isoformat(),
            },
            "handoff": summary(handoff, db_session=db_session),
            "links": {
                "api": f"{base}/api/v1/handoffs/{handoff.id}",
                "dashboard": notices.link(handoff),
            },
        },
    }
