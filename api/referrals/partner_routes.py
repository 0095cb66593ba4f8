"""The partner's page: `GET /partner/r/{token}` (no login; the signed link is the key) and
one POST form per action. A forged, altered or expired token is 403 and changes nothing; a
form whose nonce is not for this link, this action and the referral as it is now is 403."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from api.booking.models import Referral
from api.config import get_settings
from api.db import read_session_dependency, session_dependency
from api.directory.models import HsdsService
from api.referrals import content, partner_actions, partner_link
from api.web import templates

router = APIRouter(prefix="/partner", tags=["partners"])
DbSession = Annotated[Session, Depends(session_dependency)]
ReadSession = Annotated[Session, Depends(read_session_dependency)]
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _referral(token: str, db: Session) -> Referral:
    try:
        referral_id = partner_link.referral_id_of(token)
    except partner_link.BadLink:
        raise HTTPException(403, "This link is not valid or has expired.") from None
    referral = db.get(Referral, referral_id)
    if referral is None:
        raise HTTPException(404, "This referral no longer exists.")
    return referral


def confirmed_by_participant(referral: Referral) -> datetime | None:
    """When the participant confirmed the appointment's current time (a reply to a
    reminder), if they did."""
    appointment = referral.appointment
    return appointment.participant_confirmed_at if appointment is not None else None


def _nonce(token: str, action: str, referral: Referral) -> str:
    return partner_link.make_nonce(
        token, action, changed_at=referral.status_changed_at, events=len(referral.events)
    )


@router.get("/r/{token}", response_class=HTMLResponse, include_in_schema=True)
def partner_page(token: str, request: Request, db: ReadSession, done: str | None = None):  # noqa: ANN201
    """The partner's page for one referral (English)."""
    referral = _referral(token, db)
    service = db.get(HsdsService, referral.service_id)
    message = content.compose(referral, db_session=db)
    actions = partner_actions.available(referral)
    return templates.TemplateResponse(
        request,
        "partner_referral.html",
        {
            "program": get_settings().program_name,
            "referral": referral,
            "service": service,
            "details": message["text"].split("\n\nPlease accept")[0],
            "appointment": referral.appointment,
            "confirmed_by_participant": confirmed_by_participant(referral),
            "actions": actions,
            "nonces": {a: _nonce(token, a, referral) for a in actions},
            "token": token,
            "done": done if done in partner_actions.ACTIONS else None,
        },
        headers=NO_STORE,
    )


@router.post("/r/{token}/{action}", include_in_schema=True)
def partner_action(
    token: str,
    action: str,
    db: DbSession,
    nonce: Annotated[str, Form()],
    reason: Annotated[str | None, Form(max_length=300)] = None,
    new_time: Annotated[str | None, Form(max_length=32)] = None,
) -> RedirectResponse:
    """Accept, decline (with a reason), propose another time, attended or no-show."""
    if action not in partner_actions.ACTIONS:
        raise HTTPException(404, "Unknown action.")
    referral = _referral(token, db)
    if not partner_link.check_nonce(
        nonce, token, action, changed_at=referral.status_changed_at, events=len(referral.events)
    ):
        raise HTTPException(403, "This form has expired. Open the link again.")
    try:
        partner_actions.act(referral, action, reason=reason, new_time=new_time, db_session=db)
    except partner_actions.NotAllowed as exc:
        raise HTTPException(409, str(exc)) from None
    return RedirectResponse(f"/partner/r/{token}?done={action}", status_code=303, headers=NO_STORE)
