"""The Patient (only what the participant agreed to share), our Organization, and a Consent
per purpose (the participant's current decision, with its time)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence

from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import crypto
from api.booking.models import Referral
from api.booking.sessions import BookingSession
from api.conversations.models import Participant
from api.fhir import profiles as p
from api.fhir.context import BundleContext, instant, meta
from api.i18n.catalog import program_args, render
from api.screening.models import Consent
from api.staff.models import Organization

log = logging.getLogger(__name__)

# The question the participant answered for each purpose (api/i18n/texts.py).
CONSENT_TEXT = {
    "texting": "utter_screening_consent",
    "share_case_manager": "utter_screening_consent",
    "share_partner": "utter_partner_consent",
}
SHARE_WITH_CASE_MANAGER = "share_case_manager"


def consent_history(participant: Participant, *, db_session: Session) -> dict[str, list[Consent]]:
    """Every decision per purpose, oldest first (the last one is in force)."""
    rows = db_session.scalars(
        select(Consent)
        .where(Consent.participant_id == participant.id)
        .order_by(Consent.created_at, Consent.id)
    )
    history: dict[str, list[Consent]] = {}
    for row in rows:
        history.setdefault(row.purpose, []).append(row)
    return history


def sharing_allowed(history: dict[str, list[Consent]]) -> bool:
    rows = history.get(SHARE_WITH_CASE_MANAGER)
    return bool(rows and rows[-1].granted)


def phone(participant: Participant) -> str | None:
    if not participant.phone_encrypted:
        return None
    try:
        return crypto.decrypt(participant.phone_encrypted)
    except InvalidToken:  # a rotated key: leave the number out, never fail the handoff
        log.warning("participant phone could not be decrypted; left out of the handoff")
        return None


def given_name_and_zip(
    participant: Participant, referrals: Sequence[Referral], *, db_session: Session
) -> tuple[str | None, str | None]:
    """The first name and ZIP the participant gave when booking (the latest booking
    session, else what a referral shared, newest first); None when not given. Only for a
    handoff whose consent to share is in force."""
    booking = db_session.scalars(
        select(BookingSession)
        .where(BookingSession.participant_id == participant.id)
        .order_by(BookingSession.created_at.desc())
        .limit(1)
    ).first()
    name = zip_code = None
    if booking is not None:
        name, zip_code = _decrypt(booking.name_encrypted), booking.zip_code
    for referral in referrals:
        given = referral.shared or {}
        name, zip_code = name or given.get("name"), zip_code or given.get("zip")
    return name, zip_code


def _decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return crypto.decrypt(token)
    except InvalidToken:  # a rotated key: leave it out, never fail the handoff
        return None


def patient(
    ctx: BundleContext,
    participant: Participant,
    shared: bool,
    *,
    name: str | None = None,
    zip_code: str | None = None,
) -> dict[str, str]:
    """US Core Patient. Without consent to share with the case manager: the identifier only
    (US Core's required name and gender say "unknown"), no phone, no language. With it:
    the first name and ZIP if the participant gave them (booking), phone and language."""
    # us-core-6: a name with a given (or family) part, or the reason it is absent
    absent = [{"extension": [{"url": p.DATA_ABSENT_REASON_EXT, "valueCode": "unknown"}]}]
    resource: dict[str, object] = {
        "resourceType": "Patient",
        "meta": meta(p.PATIENT_PROFILE),
        "identifier": [{"system": f"{ctx.base}/participants", "value": participant.id}],
        "name": [{"text": name, "given": [name]}] if shared and name else absent,
        "gender": "unknown",
    }
    if shared and zip_code:
        resource["address"] = [{"postalCode": zip_code, "country": "US"}]
    if shared:
        phone_number = phone(participant)
        if phone_number:
            resource["telecom"] = [{"system": "phone", "value": phone_number, "use": "mobile"}]
        if participant.language:
            resource["communication"] = [
                {
                    "language": {
                        "coding": [{"system": p.BCP47, "code": participant.language}],
                        "text": participant.language,
                    },
                    "preferred": True,
                }
            ]
    return ctx.add(resource, participant.id)


def organization(ctx: BundleContext, org: Organization) -> dict[str, str]:
    return ctx.add(
        {
            "resourceType": "Organization",
            "meta": meta(p.ORGANIZATION_PROFILE),
            "identifier": [{"system": f"{ctx.base}/organizations", "value": org.slug}],
            "active": True,
            "name": org.name,
        },
        org.id,
    )


def _status(rows: list[Consent]) -> str:
    """active: agreed now; inactive: agreed once, withdrawn since; rejected: never agreed."""
    if rows[-1].granted:
        return "active"
    return "inactive" if any(r.granted for r in rows) else "rejected"


def _source(purpose: str, row: Consent) -> dict[str, str]:
    """The words the participant answered, in their language (text version `row.text_version`)."""
    text = render(CONSENT_TEXT[purpose], row.language, program_args()).text
    return {
        "contentType": "text/plain; charset=utf-8",
        "language": row.language,
        "title": f"{row.text_version} ({row.channel})",
        "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
    }


def consents(
    ctx: BundleContext,
    history: dict[str, list[Consent]],
    patient_ref: dict[str, str],
    org_ref: dict[str, str],
) -> dict[str, dict[str, str]]:
    """One Consent per purpose: the decision in force, when it was made, permit or deny."""
    refs = {}
    for purpose, rows in sorted(history.items()):
        if purpose not in p.CONSENT_CATEGORY:
            continue
        current = rows[-1]
        disclosure = purpose in p.DISCLOSURE_PURPOSES
        resource = {
            "resourceType": "Consent",
            "meta": meta(p.CONSENT_PROFILE if disclosure else p.BASE_CONSENT_PROFILE),
            "identifier": [{"system": f"{ctx.base}/consents", "value": str(current.id)}],
            "status": _status(rows),
            "scope": {"coding": [p.PRIVACY_SCOPE]},
            "category": [{"coding": [p.CONSENT_CATEGORY[purpose]], "text": purpose}],
            "patient": patient_ref,
            "dateTime": instant(current.created_at),
            "organization": [org_ref],
            "sourceAttachment": _source(purpose, current),
            "policyRule": {"coding": [p.OPT_IN]},
            "provision": {
                "type": "permit" if current.granted else "deny",
                "period": {"start": instant(current.created_at)},
            },
        }
        refs[purpose] = ctx.add(resource, purpose)
    return refs
