"""What the partner receives: only the consented fields, the reason (the domain and the
coded screening result), the appointment, and the signed link. One content for every
method: an email's subject and text, an SMS's text, a webhook's JSON payload, a phone
task's script."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from api.booking.models import Referral
from api.config import get_settings
from api.directory.models import HsdsService
from api.referrals import partner_link

# kind -> (payload event, subject headline, what the first line says)
KINDS = {
    "referral": ("created", "New referral", "is referring a participant to"),
    "update": ("updated", "Referral update (new time)", "has a new time for its referral to"),
    "cancelled": ("cancelled", "Referral cancelled", "cancelled its referral to"),
}
FIELD_LABELS = {"name": "Name", "phone": "Phone", "email": "Email", "zip": "ZIP code"}


def _when(referral: Referral) -> dict[str, Any] | None:
    appointment = referral.appointment
    if appointment is None:
        return None
    local = appointment.start.astimezone(ZoneInfo(appointment.timezone))
    return {
        "start": local.isoformat(),
        "timezone": appointment.timezone,
        "text": local.strftime("%A %B %-d, %Y at %-I:%M %p ") + (local.tzname() or ""),
    }


def compose(referral: Referral, *, kind: str = "referral", db_session: Session) -> dict[str, Any]:
    service = db_session.get(HsdsService, referral.service_id)
    service_name = service.name if service else referral.service_id
    program = get_settings().program_name
    shared = referral.shared
    when = _when(referral)
    link = partner_link.url_for(referral.id)
    event, headline, lead = KINDS.get(kind, KINDS["referral"])
    payload = {
        "type": f"referral.{event}",
        "referral_id": referral.id,
        "service": {"id": referral.service_id, "name": service_name},
        "domain": referral.domain,
        "reason": referral.reason,
        "appointment": when and {"start": when["start"], "timezone": when["timezone"]},
        "participant": {"language": referral.language, **shared},
        "respond_url": link,
    }
    need = referral.domain.replace("_", " ")
    lines = [f"{program} {lead} {service_name} for help with {need}.", ""]
    if when:
        lines.append(f"{'Cancelled' if kind == 'cancelled' else 'Appointment'}: {when['text']}")
    lines.append(f"Preferred language: {referral.language}")
    for key, value in shared.items():
        lines.append(f"{FIELD_LABELS.get(key, key)}: {value}")
    codes = ", ".join(_codes(referral.reason))
    if codes:
        lines.append(f"Screening result: {codes}")
    lines += [
        "",
        "Please accept, decline, propose another time, or record attendance here:",
        link,
        "",
        "Only the details the participant agreed to share are included.",
    ]
    subject = f"{headline}: {need} - {service_name}"
    sms = f"{program}: {headline.lower()} for {need}"
    if when:
        sms += f", appointment {when['text']}"
    sms += f". Details and respond: {link}"
    script = (
        f"Hello, this is {program} calling about a referral to {service_name} for "
        f"{referral.domain.replace('_', ' ')}. "
        + (f"We booked {when['text']}. " if when else "")
        + "Can you confirm you will see this person? (Read them the details below.)"
    )
    return {
        "subject": subject,
        "text": "\n".join(lines),
        "sms": sms,
        "script": script,
        "payload": payload,
    }


def _codes(reason: dict[str, Any]) -> list[str]:
    """The coded screening result: the domain's status, LOINC code, score and questions."""
    out = []
    if reason.get("status"):
        out.append(str(reason["status"]))
    if reason.get("loinc"):
        out.append(f"LOINC {reason['loinc']}")
    if reason.get("score") is not None:
        out.append(f"score {reason['score']}")
    if reason.get("questions"):
        out.append("questions " + " ".join(str(q) for q in reason["questions"]))
    return out
