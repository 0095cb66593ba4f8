"""The partner's signed link: the page, each action through the state machine (by partner),
the participant told in their language; forged, altered or expired links change nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import states
from api.booking.models import Referral, Seat
from api.config import get_settings
from api.handoff.models import Handoff
from api.outbox.models import OutboundMessage
from api.referrals import partner_link
from tests.support.referrals import booked_referral


def _page(client: TestClient, token: str) -> str:
    response = client.get(f"/partner/r/{token}")
    assert response.status_code == 200, response.text
    return response.text


def _nonce(html: str, action: str) -> str:
    form = html.split('action="/partner/r/')[1:]
    for part in form:
        if part.split('"', 1)[0].endswith(f"/{action}"):
            match = re.search(r'name="nonce" value="([^"]+)"', part)
            assert match
            return match.group(1)
    raise AssertionError(f"no {action} form on the page")


def _post(client: TestClient, token: str, action: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"/partner/r/{token}/{action}", data=data, follow_redirects=False)


def _updates(db: Session) -> list[str]:
    rows = db.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == "referral_update")
    ).all()
    return [row.body for row in rows]


def test_partner_link_accept_moves_referral_and_tells_participant_in_spanish(
    db: Session, client: TestClient
) -> None:
    referral = booked_referral(db, language="es")
    states.transition(referral, states.REQUESTED, states.PARTNER_NOTIFIED, by="system")
    db.flush()
    token = partner_link.make_token(referral.id)
    html = _page(client, token)
    assert "Harbor Food Pantry" in html and "Name: Ana" in html

    response = _post(client, token, "accept", nonce=_nonce(html, "accept"))

    assert response.status_code == 303
    db.refresh(referral)
    assert referral.status == states.ACCEPTED
    assert (referral.events[-1].by, referral.events[-1].status) == ("partner", "accepted")
    [text] = _updates(db)
    assert text.startswith("Buenas noticias: Harbor Food Pantry")
    assert "mar, 8 de dic 9:00 a.m.;" in text  # the date in Spanish, in San Diego's time
    # the same form cannot be used twice: the referral has moved on
    again = _post(client, token, "accept", nonce=_nonce(html, "accept"))
    assert again.status_code == 403


def test_partner_link_decline_frees_seat_and_tells_participant(
    db: Session, client: TestClient
) -> None:
    referral = booked_referral(db, language="zh")
    token = partner_link.make_token(referral.id)
    html = _page(client, token)
    response = _post(client, token, "decline", nonce=_nonce(html, "decline"), reason="full")
    assert response.status_code == 303
    db.refresh(referral)
    assert referral.status == states.REJECTED
    assert referral.events[-1].reason == "declined: full"
    assert db.scalars(select(Seat)).all() == []
    [text] = _updates(db)
    assert text.startswith("抱歉，Harbor Food Pantry")
    [handoff] = db.scalars(select(Handoff)).all()  # "a case manager will help" is true
    assert "partner_declined" in handoff.reasons


def test_partner_link_propose_moves_the_appointment_and_tells_the_new_time(
    db: Session, client: TestClient
) -> None:
    referral = booked_referral(db, language="en")
    token = partner_link.make_token(referral.id)
    html = _page(client, token)
    response = _post(
        client, token, "propose", nonce=_nonce(html, "propose"), new_time="2026-12-09T14:30"
    )
    assert response.status_code == 303, response.text
    db.refresh(referral)
    assert referral.appointment is not None
    assert referral.appointment.start.isoformat() == "2026-12-09T22:30:00+00:00"
    assert referral.status == states.ACCEPTED
    [seat] = db.scalars(select(Seat)).all()
    assert seat.slot_start == referral.appointment.start
    [text] = _updates(db)
    assert text.startswith("Harbor Food Pantry moved your appointment to Wed, Dec 9 2:30 PM.")
    html = _page(client, token)  # a second new time: recorded, the state stays
    again = _post(
        client, token, "propose", nonce=_nonce(html, "propose"), new_time="2026-12-10T10:00"
    )
    assert again.status_code == 303, again.text
    db.refresh(referral)
    assert referral.events[-1].reason.endswith("-> 2026-12-10T10:00:00-08:00")  # type: ignore[union-attr]
    assert len(_updates(db)) == 2


def test_partner_link_attended_and_no_show(db: Session, client: TestClient) -> None:
    referral = booked_referral(db)
    states.transition(referral, states.REQUESTED, states.PARTNER_NOTIFIED, by="system")
    states.transition(referral, states.ACCEPTED, by="partner")
    db.flush()
    token = partner_link.make_token(referral.id)
    html = _page(client, token)
    assert _post(client, token, "attended", nonce=_nonce(html, "attended")).status_code == 303
    db.refresh(referral)
    assert (referral.status, referral.business_status) == (states.COMPLETED, states.ATTENDED)
    assert _post(client, token, "no_show", nonce=_nonce(html, "no_show")).status_code == 403


def _history(db: Session, referral: Referral) -> list[tuple[str, str | None]]:
    db.expire_all()
    fresh = db.get(Referral, referral.id)
    assert fresh is not None
    return [(e.status, e.business_status) for e in fresh.events]


def test_partner_link_forged_altered_or_expired_gets_4xx_and_changes_nothing(
    db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    referral = booked_referral(db)
    token = partner_link.make_token(referral.id)
    nonce = _nonce(_page(client, token), "accept")
    before = _history(db, referral)

    forged = URLSafeTimedSerializer(
        "not-our-secret-key-at-all-32-chars", salt=partner_link.LINK_SALT
    )
    forged_token = forged.dumps({"r": referral.id})
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    other_referral = partner_link.make_token("someone-else")
    for bad in (forged_token, altered):
        assert client.get(f"/partner/r/{bad}").status_code == 403
        assert _post(client, bad, "accept", nonce=nonce).status_code == 403
    assert client.get(f"/partner/r/{other_referral}").status_code == 404
    # a nonce from another link, or for another action, is refused
    assert _post(client, token, "decline", nonce=nonce, reason="x").status_code == 403
    assert _post(client, token, "accept", nonce="garbage").status_code == 403

    monkeypatch.setattr(get_settings(), "partner_link_max_age_days", 1)
    real_loads = URLSafeTimedSerializer.loads

    def two_days_later(self, s, max_age=None, **kw):  # type: ignore[no-untyped-def]
        return real_loads(self, s, max_age=max_age - 2 * 86400 if max_age else None, **kw)

    monkeypatch.setattr(URLSafeTimedSerializer, "loads", two_days_later)
    assert client.get(f"/partner/r/{token}").status_code == 403
    assert _post(client, token, "accept", nonce=nonce).status_code == 403
    assert _history(db, referral) == before
    assert _updates(db) == []
