"""A handoff as a FHIR R4 Bundle (type collection) on the Gravity SDOH Clinical Care
profiles: Patient, Organization, a Consent per purpose, and, when the participant agreed to
share with the case manager, the screening (QuestionnaireResponses, Observations,
Conditions) and referrals. References are urn:uuid fullUrls inside the bundle."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.config import get_settings
from api.conversations.models import Participant
from api.fhir import people, referrals, screening
from api.fhir.context import BundleContext, instant
from api.handoff.models import Handoff
from api.screening import results as scored
from api.screening import versions
from api.screening.models import ScreeningSession
from api.staff.models import Organization


def _session(handoff: Handoff, *, db_session: Session) -> ScreeningSession | None:
    coded = (handoff.summary or {}).get("screening")
    if not isinstance(coded, dict) or not coded.get("session_id"):
        return None  # no screening yet, or withheld after consent was withdrawn
    return db_session.get(ScreeningSession, coded["session_id"])


def build_bundle(handoff: Handoff, *, db_session: Session) -> dict[str, Any]:
    ctx = BundleContext(handoff.id, get_settings().public_base_url.rstrip("/"))
    participant = db_session.get(Participant, handoff.participant_id)
    org = db_session.get(Organization, handoff.org_id)
    assert participant is not None and org is not None  # foreign keys
    history = people.consent_history(participant, db_session=db_session)
    # The consent in force decides. Withdrawing it also empties the summary of answers
    # (handoff.service.withhold); a screening there now was answered after agreeing again.
    shared = people.sharing_allowed(history)
    from api.handoff.summary import referrals_of  # the summary imports people from here

    name, zip_code = (
        people.given_name_and_zip(
            participant, referrals_of(handoff, db_session=db_session), db_session=db_session
        )
        if shared
        else (None, None)
    )
    patient = people.patient(ctx, participant, shared, name=name, zip_code=zip_code)
    organization = people.organization(ctx, org)
    consent_refs = people.consents(ctx, history, patient, organization)
    session = _session(handoff, db_session=db_session) if shared else None
    observations: dict[str, list[dict[str, str]]] = {}  # by domain, for the referrals
    conditions: dict[str, dict[str, str]] = {}
    if session is not None:
        modules = versions.session_modules(session, db_session=db_session)
        saved = scored.answers_of(session, db_session=db_session)
        domain_results = scored.results(session, db_session=db_session)
        module_refs = {
            m.id: screening.add_module(ctx, session, m, saved, domain_results, patient)
            for m in modules
        }
        for m in modules:
            refs = module_refs[m.id]
            for question in m.questions:
                if question.id in refs.by_question:
                    observations.setdefault(question.domain, []).append(
                        refs.by_question[question.id]
                    )
            for domain, ref in refs.by_domain.items():
                observations.setdefault(domain, []).append(ref)
        conditions = screening.add_conditions(
            ctx, session, modules, saved, domain_results, module_refs, patient
        )
    if shared:
        inputs = referrals.ReferralInputs(
            patient, organization, consent_refs, observations, conditions
        )
        referrals.add_referrals(ctx, handoff, inputs, db_session=db_session)
    return {
        "resourceType": "Bundle",
        "id": ctx.id_for("Bundle"),
        "meta": {"lastUpdated": instant(handoff.updated_at)},
        "identifier": {"system": f"{ctx.base}/api/v1/handoffs", "value": handoff.id},
        "type": "collection",
        "timestamp": instant(handoff.last_event_at),
        "entry": ctx.entries,
    }
