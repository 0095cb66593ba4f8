"""The profile rules a FHIR model library does not check: required categories, codes, and
references that resolve inside the bundle. Each rule takes the bundle (JSON) and returns
its problems, one line each; `check` runs them all. Tests run every rule on real bundles
(tests/test_fhir_rules.py); docs/FHIR.md lists them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from api.fhir import profiles as p

Bundle = dict[str, Any]
Rule = Callable[[Bundle], list[str]]


def resources(bundle: Bundle, resource_type: str | None = None) -> list[dict[str, Any]]:
    found = [e["resource"] for e in bundle.get("entry", [])]
    return [r for r in found if resource_type is None or r["resourceType"] == resource_type]


def by_full_url(bundle: Bundle) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in bundle.get("entry", [])}


def _name(resource: dict[str, Any]) -> str:
    return f"{resource['resourceType']}/{resource.get('id')}"


def _codings(concept: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((concept or {}).get("coding", []))


def _has(concepts: list[dict[str, Any]], system: str, code: str | None = None) -> bool:
    return any(
        c.get("system") == system and (code is None or c.get("code") == code)
        for concept in concepts
        for c in _codings(concept)
    )


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


# --- the rules -------------------------------------------------------------------------------
def bundle_is_a_collection(bundle: Bundle) -> list[str]:
    problems = [] if bundle.get("type") == "collection" else ["Bundle.type is not collection"]
    urls = [e.get("fullUrl") for e in bundle.get("entry", [])]
    if len(set(urls)) != len(urls) or None in urls:
        problems.append("every entry needs its own fullUrl")
    return problems


def meta_profile_on_every_resource(bundle: Bundle) -> list[str]:
    problems = []
    for resource in resources(bundle):
        allowed = p.PROFILES_BY_TYPE.get(resource["resourceType"], ())
        named = resource.get("meta", {}).get("profile", [])
        if not set(named) & set(allowed):
            problems.append(f"{_name(resource)}: meta.profile {named} names none of {allowed}")
    return problems


def references_resolve_in_the_bundle(bundle: Bundle) -> list[str]:
    known = by_full_url(bundle)
    return [
        f"{_name(resource)}: reference {ref} is not in the bundle"
        for resource in resources(bundle)
        for ref in _references(resource)
        if ref not in known
    ]


def one_patient_is_every_subject(bundle: Bundle) -> list[str]:
    known = by_full_url(bundle)
    patients = [url for url, r in known.items() if r["resourceType"] == "Patient"]
    if len(patients) != 1:
        return [f"the bundle has {len(patients)} Patients, not one"]
    problems = []
    for resource in resources(bundle):
        for element in ("subject", "patient"):
            ref = resource.get(element, {}).get("reference") if element in resource else None
            if element in resource and ref != patients[0]:
                problems.append(f"{_name(resource)}: {element} is not the bundle's Patient")
    for resource in resources(bundle, "Observation") + resources(bundle, "Condition"):
        if "subject" not in resource:
            problems.append(f"{_name(resource)}: no subject")
    return problems


def patient_name_is_us_core(bundle: Bundle) -> list[str]:
    """us-core-6: each name has a given or family part, or else (only) a data-absent reason."""
    problems = []
    for patient in resources(bundle, "Patient"):
        names = patient.get("name") or []
        if not names:
            problems.append(f"{_name(patient)}: no name (US Core requires one, or its reason)")
        for name in names:
            parts = bool(name.get("given") or name.get("family"))
            urls = [e.get("url") for e in name.get("extension", [])]
            absent = p.DATA_ABSENT_REASON_EXT in urls
            if parts == absent:
                problems.append(f"{_name(patient)}: a name needs given/family xor an absent reason")
    return problems


def observation_has_sdoh_category(bundle: Bundle) -> list[str]:
    """SDOH-Obs-4 (category sdoh), plus survey and an SDOH domain category."""
    problems = []
    for obs in resources(bundle, "Observation"):
        categories = obs.get("category", [])
        if not _has(categories, p.US_CORE_CATEGORY, "sdoh"):
            problems.append(f"{_name(obs)}: no sdoh category")
        if not _has(categories, p.OBSERVATION_CATEGORY, "survey"):
            problems.append(f"{_name(obs)}: no survey category")
        domains = [
            c.get("code")
            for cat in categories
            for c in _codings(cat)
            if c.get("system") == p.SDOHCC_CODES
        ]
        if not domains or any(d not in p.SDOH_CATEGORIES for d in domains):
            problems.append(f"{_name(obs)}: SDOH domain category {domains} is not an SDOHCC one")
    return problems


def observation_code_and_value_are_loinc(bundle: Bundle) -> list[str]:
    """Code LOINC; a value (LA answer, score or components) or a data-absent reason."""
    problems = []
    for obs in resources(bundle, "Observation"):
        if not _has([obs.get("code", {})], p.LOINC):
            problems.append(f"{_name(obs)}: code is not LOINC")
        values: list[dict[str, Any]] = [
            v
            for v in [obs.get("valueCodeableConcept")]
            + [c.get("valueCodeableConcept") for c in obs.get("component", [])]
            if v
        ]
        if not values and "valueQuantity" not in obs and "dataAbsentReason" not in obs:
            problems.append(f"{_name(obs)}: neither a value nor a data-absent reason")
        for value in values:
            for coding in _codings(value):
                if coding.get("system") != p.LOINC or not str(coding.get("code")).startswith("LA"):
                    problems.append(
                        f"{_name(obs)}: answer {coding.get('code')} is not a LOINC LA code"
                    )
            if not _codings(value) and not value.get("text"):
                problems.append(f"{_name(obs)}: an empty answer")
    return problems


def declined_item_is_asked_declined(bundle: Bundle) -> list[str]:
    """An observation without a value says why: asked-declined, and has no value."""
    problems = []
    for obs in resources(bundle, "Observation"):
        reason = obs.get("dataAbsentReason")
        if reason is None:
            continue
        if not _has([reason], p.DATA_ABSENT_REASON, "asked-declined"):
            problems.append(f"{_name(obs)}: dataAbsentReason is not asked-declined")
        if any(k.startswith("value") for k in obs) or obs.get("component"):
            problems.append(f"{_name(obs)}: a declined item has a value")
    return problems


def observation_derived_from_questionnaire_response(bundle: Bundle) -> list[str]:
    """Each answered item comes from a QuestionnaireResponse in the bundle; each computed
    result from those observations."""
    known = by_full_url(bundle)
    problems = []
    for obs in resources(bundle, "Observation"):
        sources = [known.get(d.get("reference", "")) for d in obs.get("derivedFrom", [])]
        kinds = {s["resourceType"] for s in sources if s}
        wanted = (
            {"QuestionnaireResponse"}
            if obs.get("performer")
            else {"Observation", "QuestionnaireResponse"}
        )
        if not sources or None in sources or not kinds <= wanted:
            problems.append(f"{_name(obs)}: derivedFrom {kinds or 'nothing'} is not {wanted}")
    return problems


def questionnaire_response_is_coded(bundle: Bundle) -> list[str]:
    """The questionnaire canonical resolves to a Questionnaire in the bundle; each answered
    linkId is one of its items, each answer one of the item's options; item codes are LOINC."""
    problems = []
    questionnaires: dict[str, dict[str, Any]] = {}
    for form in resources(bundle, "Questionnaire"):
        url, version = form.get("url", ""), form.get("version")
        questionnaires[f"{url}|{version}" if version else url] = form
        for item in form.get("item", []):
            if any(c.get("system") != p.LOINC for c in item.get("code", [])):
                problems.append(f"{_name(form)}: item {item.get('linkId')} code is not LOINC")
    for qr in resources(bundle, "QuestionnaireResponse"):
        questionnaire = questionnaires.get(qr.get("questionnaire", ""))
        if questionnaire is None:
            problems.append(
                f"{_name(qr)}: questionnaire {qr.get('questionnaire')} is not in the bundle"
            )
            continue
        items = {i["linkId"]: i for i in questionnaire.get("item", [])}
        for item in qr.get("item", []):
            asked = items.get(item.get("linkId"))
            if asked is None:
                problems.append(
                    f"{_name(qr)}: item {item.get('linkId')} is not in the questionnaire"
                )
                continue
            options = {
                (o["valueCoding"].get("system"), o["valueCoding"].get("code"))
                for o in asked.get("answerOption", [])
                if "valueCoding" in o
            }
            for answer in item.get("answer", []):
                coding = answer.get("valueCoding") or {}
                if (coding.get("system"), coding.get("code")) not in options:
                    problems.append(
                        f"{_name(qr)}: item {item.get('linkId')} answer {coding.get('code')} "
                        "is not one of its answer options"
                    )
    return problems


def condition_is_an_sdoh_health_concern(bundle: Bundle) -> list[str]:
    """Categories health-concern + sdoh + the domain; active; unconfirmed; an ICD-10-CM or
    SNOMED CT code; evidence that resolves to the screening."""
    known = by_full_url(bundle)
    problems = []
    for cond in resources(bundle, "Condition"):
        categories = cond.get("category", [])
        if not _has(categories, p.CONDITION_CATEGORY, "health-concern"):
            problems.append(f"{_name(cond)}: no health-concern category")
        if not _has(categories, p.US_CORE_CATEGORY, "sdoh"):
            problems.append(f"{_name(cond)}: no sdoh category")
        if not any(
            c.get("code") in p.SDOH_CATEGORIES
            for cat in categories
            for c in _codings(cat)
            if c.get("system") == p.SDOHCC_CODES
        ):
            problems.append(f"{_name(cond)}: no SDOH domain category")
        if not _has([cond.get("clinicalStatus", {})], p.CONDITION_CLINICAL, "active"):
            problems.append(f"{_name(cond)}: clinicalStatus is not active")
        if not _has([cond.get("verificationStatus", {})], p.CONDITION_VERIFICATION, "unconfirmed"):
            problems.append(f"{_name(cond)}: verificationStatus is not unconfirmed")
        code = [cond.get("code", {})]
        if not (_has(code, p.ICD10CM) or _has(code, p.SNOMED)):
            problems.append(f"{_name(cond)}: code is neither ICD-10-CM nor SNOMED CT")
        details = [d for e in cond.get("evidence", []) for d in e.get("detail", [])]
        kinds = {
            known[d["reference"]]["resourceType"] for d in details if d.get("reference") in known
        }
        if not details or not kinds <= {"Observation", "QuestionnaireResponse"} or len(kinds) == 0:
            problems.append(f"{_name(cond)}: evidence does not resolve to the screening")
    return problems


def consent_per_purpose_is_complete(bundle: Bundle) -> list[str]:
    """Status, scope, category, patient, time; disclosures (SDOHCC-Consent) are IDSCL, name
    the organization and the source; one Consent per purpose."""
    problems = []
    seen = []
    for consent in resources(bundle, "Consent"):
        seen.append(consent.get("category", [{}])[0].get("text"))
        for element in ("status", "scope", "category", "patient", "dateTime"):
            if not consent.get(element):
                problems.append(f"{_name(consent)}: no {element}")
        if consent.get("status") not in ("active", "inactive", "rejected"):
            problems.append(f"{_name(consent)}: status {consent.get('status')}")
        if not (consent.get("policy") or consent.get("policyRule")):
            problems.append(f"{_name(consent)}: neither policy nor policyRule (ppc-1)")
        if p.CONSENT_PROFILE in consent.get("meta", {}).get("profile", []):
            if not _has(consent.get("category", []), p.V3_ACT_CODE, "IDSCL"):
                problems.append(f"{_name(consent)}: an SDOHCC Consent without category IDSCL")
            if not consent.get("organization") or not consent.get("sourceAttachment"):
                problems.append(
                    f"{_name(consent)}: an SDOHCC Consent needs organization and source"
                )
    if len(set(seen)) != len(seen):
        problems.append(f"more than one Consent for a purpose: {seen}")
    return problems


def service_request_is_an_sdoh_referral(bundle: Bundle) -> list[str]:
    """SDOHCC ServiceRequest: status, intent, an SDOHCC category, a SNOMED CT code, the
    reasons resolving to screening Observations or Conditions, the consent as supportingInfo."""
    known = by_full_url(bundle)
    problems = []
    for request in resources(bundle, "ServiceRequest"):
        if not request.get("status") or request.get("intent") != "order":
            problems.append(f"{_name(request)}: needs a status and intent order")
        domains = [
            c.get("code") for cat in request.get("category", []) for c in _codings(cat)
            if c.get("system") == p.SDOHCC_CODES
        ]  # fmt: skip
        if not domains or any(d not in p.SDOH_CATEGORIES for d in domains):
            problems.append(f"{_name(request)}: no SDOHCC category (SDOHCCValueSetSDOHCategory)")
        if not _has([request.get("code", {})], p.SNOMED):
            problems.append(f"{_name(request)}: code is not SNOMED CT (US Core procedure codes)")
        reasons = [known.get(r.get("reference"), {}) for r in request.get("reasonReference", [])]
        if not reasons or any(
            r.get("resourceType") not in ("Observation", "Condition") for r in reasons
        ):
            problems.append(f"{_name(request)}: reasonReference is not the screening's")
        consents = [known.get(r.get("reference"), {}) for r in request.get("supportingInfo", [])]
        if not any(
            c.get("resourceType") == "Consent"
            and p.CONSENT_PROFILE in c.get("meta", {}).get("profile", [])
            for c in consents
        ):
            problems.append(f"{_name(request)}: supportingInfo names no SDOHCC Consent")
    return problems


def task_manages_its_referral(bundle: Bundle) -> list[str]:
    """SDOHCC Task for referral management: intent order, code fulfill, focus a
    ServiceRequest, for the Patient, authoredOn, requester, a referral task status, and
    statusReason.text when rejected, cancelled, on hold or failed."""
    known = by_full_url(bundle)
    problems = []
    for task in resources(bundle, "Task"):
        if task.get("intent") != "order":
            problems.append(f"{_name(task)}: intent is not order")
        if not _has([task.get("code", {})], p.TASK_CODE, "fulfill"):
            problems.append(f"{_name(task)}: code is not fulfill")
        focus = known.get(task.get("focus", {}).get("reference"), {})
        if focus.get("resourceType") != "ServiceRequest":
            problems.append(f"{_name(task)}: focus is not a ServiceRequest in the bundle")
        if known.get(task.get("for", {}).get("reference"), {}).get("resourceType") != "Patient":
            problems.append(f"{_name(task)}: for is not the Patient")
        for element in ("authoredOn", "requester"):
            if not task.get(element):
                problems.append(f"{_name(task)}: no {element}")
        status = task.get("status")
        if status not in p.REFERRAL_TASK_STATUSES:
            problems.append(f"{_name(task)}: status {status} is not a referral task status")
        needs = status in ("rejected", "cancelled", "on-hold", "failed")
        if needs and not task.get("statusReason", {}).get("text"):
            problems.append(f"{_name(task)}: {status} without statusReason.text")
    return problems


def one_task_per_service_request(bundle: Bundle) -> list[str]:
    """Every referral is a pair: one Task focused on each ServiceRequest, and no other."""
    focused: dict[str, int] = {}
    for task in resources(bundle, "Task"):
        ref = task.get("focus", {}).get("reference")
        focused[ref] = focused.get(ref, 0) + 1
    urls = {e["fullUrl"] for e in bundle.get("entry", [])
            if e["resource"]["resourceType"] == "ServiceRequest"}  # fmt: skip
    return [f"ServiceRequest {url}: {focused.get(url, 0)} Tasks, not one"
            for url in sorted(urls) if focused.get(url, 0) != 1]  # fmt: skip


RULES: dict[str, Rule] = {
    rule.__name__: rule
    for rule in (
        bundle_is_a_collection,
        meta_profile_on_every_resource,
        references_resolve_in_the_bundle,
        one_patient_is_every_subject,
        patient_name_is_us_core,
        observation_has_sdoh_category,
        observation_code_and_value_are_loinc,
        declined_item_is_asked_declined,
        observation_derived_from_questionnaire_response,
        questionnaire_response_is_coded,
        condition_is_an_sdoh_health_concern,
        consent_per_purpose_is_complete,
        service_request_is_an_sdoh_referral,
        task_manages_its_referral,
        one_task_per_service_request,
    )
}


def check(bundle: Bundle) -> list[str]:
    """Every rule's problems, each prefixed with the rule's name; empty when it conforms."""
    return [f"{name}: {problem}" for name, rule in RULES.items() for problem in rule(bundle)]
