"""The booking's calendar file (.ics, RFC 5545 through `icalendar`) for web chat, behind a
signed link: GET /channels/web/ics/{appointment_id}?token=... (itsdangerous, the app's secret
key, its own salt). A forged or altered token, or another appointment's, is a 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from icalendar import Calendar, Event
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy.orm import Session

from api.booking.models import CANCELLED, Appointment
from api.config import get_settings
from api.db import session_dependency
from api.directory import snapshot

router = APIRouter(prefix="/channels/web/ics", tags=["web chat"])
DbSession = Annotated[Session, Depends(session_dependency)]
_SALT = "booking-ics"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key, salt=_SALT)


def token_for(appointment_id: str) -> str:
    return str(_serializer().dumps(appointment_id))


def url_for(appointment_id: str) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/channels/web/ics/{appointment_id}?token={token_for(appointment_id)}"


def calendar(appointment: Appointment, *, db_session: Session) -> bytes:
    """One VEVENT: the partner, start and end (UTC), the address, what to bring."""
    card = snapshot.cached(db_session).cards.get(appointment.service_id)
    site = card.sites[0] if card and card.sites else None
    cal = Calendar()
    cal.add("prodid", "-//firstcall//booking//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"{appointment.id}@firstcall")
    event.add("dtstamp", appointment.confirmed_at or appointment.created_at)
    event.add("dtstart", appointment.start)
    event.add("dtend", appointment.end or appointment.start + timedelta(hours=1))
    event.add("summary", card.name if card else "Appointment")
    if site and site.address:
        event.add("location", site.address)
    if card and card.documents:
        event.add("description", "Bring: " + "; ".join(card.documents))
    event.add("status", "CANCELLED" if appointment.status == CANCELLED else "CONFIRMED")
    cal.add_component(event)
    return bytes(cal.to_ical())


@router.get("/{appointment_id}")
def ics(appointment_id: str, db: DbSession, token: Annotated[str, Query()] = "") -> Response:
    try:
        signed = _serializer().loads(token)
    except BadData:
        raise HTTPException(404, "not found") from None
    appointment = db.get(Appointment, appointment_id) if signed == appointment_id else None
    if appointment is None:
        raise HTTPException(404, "not found")
    return Response(
        calendar(appointment, db_session=db),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="appointment.ics"'},
    )
