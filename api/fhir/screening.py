"""A screening as FHIR: a QuestionnaireResponse per instrument, an SDOHCC screening-response
Observation per answered question (and per coded domain result), and an SDOHCC Condition
(a health concern, unconfirmed) per positive SDOH domain, with the observations as evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from api.fhir import profiles as p
from api.fhir.context import BundleContext, Resource, instant, meta
from api.screening import scoring
from api.screening.instrument import Module, Question
from api.screening.models import ScreeningAnswer, ScreeningSession

QR_STATUS = {"completed": "completed", "stopped": "stopped"}  # otherwise in-progress


@dataclass
class ModuleRefs:
    """What one instrument put in the bundle, for evidence and later referrals."""

    questionnaire_response: dict[str, str]
    by_question: dict[str, dict[str, str]] = field(default_factory=dict)
    by_domain: dict[str, dict[str, str]] = field(default_factory=dict)  # derived results


def questionnaire_url(module: Module, base: str) -> str:
    return f"{base}/fhir/Questionnaire/{module.id}"


def _questionnaire(module: Module, version: str | None, base: str) -> Resource:
    """The instrument as we ask it, in the bundle so the response's canonical resolves:
    LOINC codes on its items and answer options (R4 QuestionnaireResponse items carry none),
    and the LOINC panel it comes from, if any."""
    items = []
    for question in module.questions:
        item: Resource = {
            "linkId": question.id,
            "text": question.text,
            "type": "choice",
            "repeats": question.type == "multi",
            "answerOption": [
                {"valueCoding": _option_coding(question, o.id, base)} for o in question.options
            ],
        }
        if question.loinc:
            item["code"] = [_loinc(question.loinc)]
        items.append(item)
    resource: Resource = {
        "resourceType": "Questionnaire",
        "meta": meta(p.QUESTIONNAIRE_PROFILE),
        "url": questionnaire_url(module, base),
        "status": "active",
        "title": module.title,
        "item": items,
    }
    if version:
        resource["version"] = version
    if module.loinc:
        resource["code"] = [_loinc(module.loinc)]
        resource["derivedFrom"] = [f"{p.LOINC}/q/{module.loinc}"]  # LOINC's own form
    return resource


def _loinc(code: str, display: str | None = None) -> dict[str, str]:
    coding = {"system": p.LOINC, "code": code}
    return {**coding, "display": display} if display else coding


def _option_coding(question: Question, option_id: str, base: str) -> dict[str, str]:
    """The LOINC LA code of an answer; ours (the module's answers) where LOINC has none."""
    option = question.option(option_id)
    if option.loinc:
        return _loinc(option.loinc, p.LOINC_ANSWER_DISPLAY.get(option.loinc, option.text))
    system = f"{base}/fhir/CodeSystem/{question.module}-answers"
    return {"system": system, "code": f"{question.id}.{option.id}", "display": option.text}


def _answer_concept(question: Question, option_id: str) -> dict[str, Any]:
    option = question.option(option_id)
    if option.loinc:
        display = p.LOINC_ANSWER_DISPLAY.get(option.loinc, option.text)
        return {"coding": [_loinc(option.loinc, display)], "text": option.text}
    return {"text": option.text}  # an answer LOINC has no LA code for


def _qr_item(question: Question, row: ScreeningAnswer, base: str) -> Resource:
    item: Resource = {"linkId": question.id, "text": question.text}
    if row.declined:
        item["extension"] = [{"url": p.DATA_ABSENT_REASON_EXT, "valueCode": "asked-declined"}]
        return item
    answers = [{"valueCoding": _option_coding(question, o, base)} for o in row.option_ids]
    if answers:
        item["answer"] = answers
    return item


def _categories(codes: list[str]) -> list[Resource]:
    return [
        {"coding": [p.SURVEY]},
        {"coding": [p.SDOH]},
        *({"coding": [p.sdoh_category(c)]} for c in codes),
    ]


def _observation(
    question: Question, row: ScreeningAnswer, patient: dict[str, str], qr: dict[str, str]
) -> Resource:
    assert question.loinc is not None
    at = instant(row.answered_at)
    resource: Resource = {
        "resourceType": "Observation",
        "meta": meta(p.OBSERVATION_PROFILE),
        "status": "final",
        "category": _categories(p.categories_for(question.id, question.domain, row.option_ids)),
        "code": {"coding": [_loinc(question.loinc)], "text": question.text},
        "subject": patient,
        "effectiveDateTime": at,
        "issued": at,
        "performer": [patient],  # answered directly by the participant
        "derivedFrom": [qr],
    }
    if row.declined or not row.option_ids:
        resource["dataAbsentReason"] = {"coding": [p.ASKED_DECLINED]}
    elif question.type == "multi" and len(row.option_ids) > 1:
        # several answers to one question: a component each, as the IG's multiselect example
        resource["component"] = [
            {
                "code": {"coding": [_loinc(question.loinc)]},
                "valueCodeableConcept": _answer_concept(question, o),
            }
            for o in row.option_ids
        ]
    else:
        resource["valueCodeableConcept"] = _answer_concept(question, row.option_ids[0])
    return resource


def _derived(
    result: scoring.DomainResult,
    sources: list[dict[str, str]],
    patient: dict[str, str],
    at: str,
) -> Resource | None:
    """A coded domain result (Hunger Vital Sign risk, HITS or PHQ-2 total). No performer:
    it is computed, not answered (the IG's rule for derived screening responses)."""
    if not result.loinc or result.status == scoring.DECLINED:
        return None
    resource: Resource = {
        "resourceType": "Observation",
        "meta": meta(p.OBSERVATION_PROFILE),
        "status": "final",
        "category": _categories([p.CATEGORY_BY_DOMAIN[result.domain]]),
        "code": {"coding": [_loinc(result.loinc)], "text": result.domain},
        "subject": patient,
        "effectiveDateTime": at,
        "issued": at,
        "derivedFrom": sources,
    }
    if result.score is not None:
        resource["valueQuantity"] = {
            "value": result.score, "unit": "{score}", "system": p.UCUM, "code": "{score}"
        }  # fmt: skip
    else:
        risk = p.AT_RISK if result.status == scoring.POSITIVE else p.NO_RISK
        resource["valueCodeableConcept"] = {"coding": [risk], "text": risk["display"]}
    return resource


def add_module(
    ctx: BundleContext,
    session: ScreeningSession,
    module: Module,
    saved: dict[str, ScreeningAnswer],
    domain_results: list[scoring.DomainResult],
    patient: dict[str, str],
) -> ModuleRefs:
    answered = [(q, saved[q.id]) for q in module.questions if q.id in saved]
    times = [row.answered_at for _, row in answered]
    authored = session.completed_at or (max(times) if times else session.started_at)
    version = (session.versions or {}).get(module.id)
    questionnaire = _questionnaire(module, version, ctx.base)
    ctx.add(questionnaire, module.digest or module.id)
    canonical = questionnaire["url"] + (f"|{version}" if version else "")
    qr = ctx.add(
        {
            "resourceType": "QuestionnaireResponse",
            "meta": meta(p.QUESTIONNAIRE_RESPONSE_PROFILE),
            "identifier": {
                "system": f"{ctx.base}/screenings",
                "value": f"{session.id}/{module.id}",
            },
            "questionnaire": canonical,
            "status": QR_STATUS.get(session.status, "in-progress"),
            "subject": patient,
            "source": patient,
            "authored": instant(authored),
            "item": [_qr_item(q, row, ctx.base) for q, row in answered],
        },
        session.id,
        module.id,
    )
    refs = ModuleRefs(qr)
    for question, row in answered:
        if question.loinc:  # Observation.code must be LOINC; an uncoded item stays in the QR
            refs.by_question[question.id] = ctx.add(
                _observation(question, row, patient, qr), session.id, question.id
            )
    for result in domain_results:
        if result.module != module.id:
            continue
        sources = [refs.by_question[q] for q in result.questions if q in refs.by_question]
        derived = _derived(result, sources or [qr], patient, instant(authored))
        if derived is not None:
            refs.by_domain[result.domain] = ctx.add(derived, session.id, "domain", result.domain)
    return refs


def _concern(
    result: scoring.DomainResult, module: Module, saved: dict[str, ScreeningAnswer]
) -> p.Concern | None:
    """The concern of the first positive answer, in the instrument's order: that answer's
    own (no steady place: homelessness), its question's, or the domain's."""
    domain = p.CONCERN_BY_DOMAIN.get(result.domain)
    for question in (q for q in module.questions if q.id in result.questions):
        row = saved.get(question.id)
        for option_id in row.option_ids if row is not None and not row.declined else []:
            if question.option(option_id).positive:
                return (
                    p.CONCERN_BY_ANSWER.get((question.id, option_id))
                    or p.CONCERN_BY_QUESTION.get(question.id)
                    or domain
                )
    return domain


def _evidence(
    result: scoring.DomainResult,
    module: Module,
    saved: dict[str, ScreeningAnswer],
    refs: ModuleRefs,
) -> list[dict[str, str]]:
    if result.domain in refs.by_domain:
        return [refs.by_domain[result.domain]]
    positive = [
        refs.by_question[q.id]
        for q in module.questions
        if q.id in result.questions
        and q.id in refs.by_question
        and any(q.option(o).positive for o in saved[q.id].option_ids)
    ]
    return positive or [refs.questionnaire_response]


def add_conditions(
    ctx: BundleContext,
    session: ScreeningSession,
    modules: list[Module],
    saved: dict[str, ScreeningAnswer],
    domain_results: list[scoring.DomainResult],
    module_refs: dict[str, ModuleRefs],
    patient: dict[str, str],
) -> dict[str, dict[str, str]]:
    """A health concern per positive SDOH domain: active, unconfirmed until staff and the
    participant agree (the IG's rule for conditions generated from a questionnaire)."""
    by_id = {m.id: m for m in modules}
    recorded = instant(session.completed_at or session.updated_at)
    conditions = {}
    for result in domain_results:
        if result.status != scoring.POSITIVE or result.domain in p.NO_CONDITION_DOMAINS:
            continue
        module = by_id[result.module]
        concern = _concern(result, module, saved)
        if concern is None:
            continue
        evidence = _evidence(result, module, saved, module_refs[module.id])
        conditions[result.domain] = ctx.add(
            {
                "resourceType": "Condition",
                "meta": meta(p.CONDITION_PROFILE),
                "clinicalStatus": {"coding": [p.ACTIVE]},
                "verificationStatus": {"coding": [p.UNCONFIRMED]},
                "category": [
                    {"coding": [p.HEALTH_CONCERN]},
                    {"coding": [p.SDOH]},
                    {"coding": [p.sdoh_category(concern.category)]},
                ],
                "code": {"coding": list(concern.codings), "text": concern.codings[0]["display"]},
                "subject": patient,
                "recordedDate": recorded,
                "evidence": [{"detail": evidence}],
            },
            session.id,
            "condition",
            result.domain,
        )
    return conditions
