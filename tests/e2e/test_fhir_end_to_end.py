"""Issue 10, FHIR: a full screening over signed SMS through the real engine, then its
handoff as a FHIR Bundle from the running app: it validates with the fhir.resources R4B
models and passes every profile rule, and the skipped question is asked-declined."""

from __future__ import annotations

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle

from api.fhir import rules
from api.i18n.catalog import program_args, render
from api.i18n.sms import clean_for_sms
from tests import factories as f
from tests.e2e.test_screening_end_to_end import QUESTIONS, expect_next, question_sms, sms
from tests.support.handoffs import every_handoff

pytestmark = pytest.mark.e2e


def test_fhir_bundle_of_a_real_sms_screening_validates(stack) -> None:  # type: ignore[no-untyped-def]
    phone, language = f.phone(), "en"
    stack.text(phone, "i need help")
    consent = render("utter_screening_consent", language, program_args())
    seen = expect_next(stack, phone, 0, sms(consent.text, consent.buttons, language))
    stack.text(phone, "1")
    seen = expect_next(stack, phone, seen, question_sms(0, language))
    picks = {"living_situation": "2", "housing_problems": "skip", "food_worry": "1"}
    for index, question in enumerate(QUESTIONS):
        stack.text(phone, picks.get(question.id, str(len(question.options))))
        if index + 1 < len(QUESTIONS):
            seen = expect_next(stack, phone, seen, question_sms(index + 1, language))
    partner = render("utter_partner_consent", language, program_args())
    seen = expect_next(stack, phone, seen, sms(partner.text, partner.buttons, language))
    stack.text(phone, "1")
    given = render("utter_partner_consent_given", language, program_args()).text
    expect_next(stack, phone, seen, clean_for_sms(given))

    auth = {"Authorization": f"Bearer {stack.api_key}"}
    listing = every_handoff(httpx.get, stack.app, auth)
    ids = [h["id"] for h in listing if "screening" in h["reasons"]]
    bundles = [httpx.get(f"{stack.app}/api/v1/handoffs/{i}/fhir", headers=auth) for i in ids]
    mine = [
        b.json()
        for b in bundles
        if any(
            r.get("telecom", [{}])[0].get("value") == phone
            for r in rules.resources(b.json(), "Patient")
        )
    ]
    assert len(mine) == 1, [b.status_code for b in bundles]
    bundle = mine[0]
    Bundle.model_validate(bundle)
    assert rules.check(bundle) == []
    declined = next(
        o
        for o in rules.resources(bundle, "Observation")
        if o["code"]["coding"][0]["code"] == "96778-6"
    )
    assert declined["dataAbsentReason"]["coding"][0]["code"] == "asked-declined"
    conditions = {
        c["code"]
        for cond in rules.resources(bundle, "Condition")
        for cat in cond["category"]
        for c in cat["coding"]
        if c["system"] == rules.p.SDOHCC_CODES
    }
    assert {"housing-instability", "food-insecurity"} <= conditions
    missing = httpx.get(f"{stack.app}/api/v1/handoffs/not-a-handoff/fhir", headers=auth)
    assert missing.status_code == 404
