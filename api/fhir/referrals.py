"""Referrals as FHIR: an SDOHCC ServiceRequest and an SDOHCC Task for referral management
per referral. The Task's status is the referral's (api/booking/states.py holds the Gravity
Task statuses and the rules), its businessStatus our sub-step; the ServiceRequest carries
the domain's category, `reasonReference` to the domain's screening Observations and
Condition, and `supportingInfo` to the partner-sharing Consent.

A Task's id is the referral's id as a UUID and a ServiceRequest's a UUIDv5 of the public base
URL and the referral, so both have the same id in every handoff bundle and in
GET /api/v1/fhir/Task.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.booking import states
from api.booking.models import Referral
from api.config import get_settings
from api.directory.models import HsdsService
from api.fhir import profiles as p
from api.fhir.context import BundleContext, Resource, instant, meta
from api.handoff.models import Handoff

# ServiceRequest.status for each Task status (the request stays active while it is worked)
REQUEST_STATUS = {
    states.DRAFT: "draft", states.REQUESTED: "active", states.ACCEPTED: "active",
    states.IN_PROGRESS: "active", states.ON_HOLD: "on-hold", states.COMPLETED: "completed",
    states.REJECTED: "revoked", states.TASK_CANCELLED: "revoked", states.FAILED: "revoked",
    states.ENTERED_IN_ERROR: "entered-in-error",
}  # fmt: skip
# The IG asks for statusReason.text when a Task is in one of these.
NEEDS_REASON = frozenset({states.REJECTED, states.TASK_CANCELLED, states.ON_HOLD, states.FAILED})


@dataclass(frozen=True)
class ReferralInputs:
    patient: dict[str, str]
    organization: dict[str, str]
    consents: dict[str, dict[str, str]]  # purpose -> Consent reference (share_partner)
    observations: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # by domain
    conditions: dict[str, dict[str, str]] = field(default_factory=dict)  # domain -> Condition


def _id(referral: Referral, kind: str) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/referrals/{referral.id}/{kind}"))


def task_id(referral: Referral) -> str:
    """The referral's own id as a UUID (the app's ids are UUID hex), so GET Task/{id} finds
    it; another id gets a UUIDv5 of it."""
    try:
        return str(uuid.UUID(hex=referral.id))
    except ValueError:
        return _id(referral, "Task")


def referral_id(task: str) -> str | None:
    try:
        return uuid.UUID(task).hex
    except ValueError:
        return None


def service_request_id(referral: Referral) -> str:
    return _id(referral, "ServiceRequest")


def _category(domain: str) -> str:
    return p.CATEGORY_BY_DOMAIN.get(domain, "sdoh-category-unspecified")


def service_request(
    referral: Referral,
    service: HsdsService | None,
    *,
    patient: dict[str, Any],
    requester: dict[str, Any],
    reasons: list[dict[str, str]],
    consent: dict[str, str] | None,
) -> Resource:
    code = p.REFERRAL_CODE_BY_DOMAIN.get(referral.domain, p.REFERRAL_TO_SERVICE)
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "meta": meta(p.SERVICE_REQUEST_PROFILE),
        "identifier": [{"system": f"{_base()}/referrals", "value": referral.id}],
        "status": REQUEST_STATUS[referral.status],
        "intent": "order",
        "priority": "urgent" if (referral.reason or {}).get("urgent") else "routine",
        "category": [{"coding": [p.SOCIAL_SERVICE]},
                     {"coding": [p.sdoh_category(_category(referral.domain))]}],
        "code": {"coding": [code], "text": service.name if service else code["display"]},
        "subject": patient,
        "authoredOn": instant(referral.created_at),
        "requester": requester,
    }  # fmt: skip
    if service is not None:
        resource["performer"] = [
            {"identifier": {"system": f"{_base()}/services", "value": service.id},
             "display": service.name}
        ]  # fmt: skip
    if referral.appointment is not None:
        appointment = referral.appointment
        resource["occurrencePeriod"] = {"start": instant(appointment.start),
                                        "end": instant(appointment.end)}  # fmt: skip
    if reasons:
        resource["reasonReference"] = reasons
    if consent is not None:
        resource["supportingInfo"] = [consent]
    return resource


def task(
    referral: Referral,
    service: HsdsService | None,
    *,
    focus: dict[str, Any],
    patient: dict[str, Any],
    requester: dict[str, Any],
) -> Resource:
    last = referral.events[-1] if referral.events else None
    resource: Resource = {
        "resourceType": "Task",
        "meta": {**meta(p.TASK_PROFILE), "versionId": str(len(referral.events) or 1),
                 "lastUpdated": instant(referral.updated_at)},
        "identifier": [{"system": f"{_base()}/referrals", "value": referral.id}],
        "status": referral.status,
        "intent": "order",
        "priority": "urgent" if (referral.reason or {}).get("urgent") else "routine",
        "code": {"coding": [p.TASK_FULFILL]},
        "focus": focus,
        "for": patient,
        "authoredOn": instant(referral.created_at),
        "lastModified": instant(last.at if last else referral.updated_at),
        "requester": requester,
    }  # fmt: skip
    if referral.business_status:
        resource["businessStatus"] = {
            "coding": [{"system": f"{_base()}{p.BUSINESS_STATUS_PATH}",
                        "code": referral.business_status}],
            "text": referral.business_status,
        }  # fmt: skip
    if referral.status in NEEDS_REASON:
        resource["statusReason"] = {"text": (last.reason if last else None) or referral.status}
    if service is not None:
        resource["owner"] = {
            "identifier": {"system": f"{_base()}/partners", "value": service.organization_id},
            "display": service.name,
        }
    return resource


def _base() -> str:
    return get_settings().public_base_url.rstrip("/")


def _services(referrals: list[Referral], db_session: Session) -> dict[str, HsdsService]:
    ids = {r.service_id for r in referrals}
    if not ids:
        return {}
    return {s.id: s for s in db_session.scalars(select(HsdsService).where(HsdsService.id.in_(ids)))}


def add_referrals(
    ctx: BundleContext, handoff: Handoff, inputs: ReferralInputs, *, db_session: Session
) -> list[dict[str, str]]:
    """ServiceRequest + Task per referral of this handoff's participant; the Tasks' refs."""
    from api.handoff.summary import referrals_of

    referrals = referrals_of(handoff, db_session=db_session)
    services = _services(referrals, db_session)
    refs = []
    for referral in referrals:
        service = services.get(referral.service_id)
        reasons = list(inputs.observations.get(referral.domain, []))
        if referral.domain in inputs.conditions:
            reasons.insert(0, inputs.conditions[referral.domain])
        request = service_request(
            referral, service, patient=inputs.patient, requester=inputs.organization,
            reasons=reasons, consent=inputs.consents.get("share_partner"),
        )  # fmt: skip
        focus = ctx.add(request, resource_id=service_request_id(referral))
        refs.append(
            ctx.add(
                task(referral, service, focus=focus, patient=inputs.patient,
                     requester=inputs.organization),
                resource_id=task_id(referral),
            )
        )  # fmt: skip
    return refs
