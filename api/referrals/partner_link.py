"""The partner's signed link: `GET /partner/r/{token}`, no login.

The token is an itsdangerous URLSafeTimedSerializer signature (FIRSTCALL_SECRET_KEY, its own
salt) of the referral id, with an expiry (PARTNER_LINK_MAX_AGE_DAYS). Each form on the page
carries a nonce signed over the token, the action and the referral's last change, so a form
works once, only for its action, and never after the referral has moved on.
"""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadData, URLSafeTimedSerializer

from api.config import get_settings

LINK_SALT = "firstcall.partner-link.v1"
FORM_SALT = "firstcall.partner-form.v1"


class BadLink(Exception):
    """Forged, altered or expired."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=salt)


def make_token(referral_id: str) -> str:
    return _serializer(LINK_SALT).dumps({"r": referral_id})


def url_for(referral_id: str) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/partner/r/{make_token(referral_id)}"


def referral_id_of(token: str, *, now: datetime | None = None) -> str:
    max_age = get_settings().partner_link_max_age_days * 86400
    try:
        data = _serializer(LINK_SALT).loads(token, max_age=max_age)
    except BadData:
        raise BadLink("bad or expired partner link") from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), str):
        raise BadLink("bad partner link")
    return data["r"]


def _state(changed_at: datetime, events: int) -> str:
    return f"{changed_at.timestamp():.6f}:{events}"


def make_nonce(token: str, action: str, *, changed_at: datetime, events: int) -> str:
    return _serializer(FORM_SALT).dumps([token[-24:], action, _state(changed_at, events)])


def check_nonce(nonce: str, token: str, action: str, *, changed_at: datetime, events: int) -> bool:
    max_age = get_settings().partner_link_max_age_days * 86400
    try:
        data = _serializer(FORM_SALT).loads(nonce, max_age=max_age)
    except BadData:
        return False
    return data == [token[-24:], action, _state(changed_at, events)]
