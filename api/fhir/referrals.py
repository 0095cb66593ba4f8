"""Referrals as FHIR: the hook the booking issue fills in.

For each referral: an SDOHCC ServiceRequest (`reasonReference` to the screening-response
observations and conditions, `supportingInfo` to the partner-sharing Consent) and an SDOHCC
Task for referral management whose status and businessStatus follow the booking states.
Until referrals exist there is nothing to add; the builder already passes what they need.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.fhir.context import BundleContext
from api.handoff.models import Handoff


@dataclass(frozen=True)
class ReferralInputs:
    patient: dict[str, str]
    organization: dict[str, str]
    consents: dict[str, dict[str, str]]  # purpose -> Consent reference (share_partner)
    observations: list[dict[str, str]]
    conditions: dict[str, dict[str, str]]  # domain -> Condition reference


def add_referrals(
    ctx: BundleContext, handoff: Handoff, inputs: ReferralInputs, *, db_session: Session
) -> list[dict[str, str]]:
    """ServiceRequest + Task per referral of this handoff's participant (none yet)."""
    return []
