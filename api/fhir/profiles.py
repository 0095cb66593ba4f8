"""Profiles, code systems and the code maps the bundle uses (the Gravity SDOH Clinical Care
IG, US Core, SDC). Every code here is a published one: the SDOHCC temporary codes are from
the IG's CodeSystem (SDOHCC-CodeSystemTemporaryCodes), the condition codes are ICD-10-CM
Z codes and SNOMED CT findings the IG's examples and value sets use. See docs/FHIR.md."""

from __future__ import annotations

from dataclasses import dataclass

# --- profiles (meta.profile) -----------------------------------------------------------------
SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition"
OBSERVATION_PROFILE = f"{SDOHCC}/SDOHCC-ObservationScreeningResponse"
CONDITION_PROFILE = f"{SDOHCC}/SDOHCC-Condition"
CONSENT_PROFILE = f"{SDOHCC}/SDOHCC-Consent"
SERVICE_REQUEST_PROFILE = f"{SDOHCC}/SDOHCC-ServiceRequest"
TASK_PROFILE = f"{SDOHCC}/SDOHCC-TaskForReferralManagement"
PATIENT_PROFILE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
ORGANIZATION_PROFILE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization"
QUESTIONNAIRE_PROFILE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"
QUESTIONNAIRE_RESPONSE_PROFILE = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse"
)
# Texting consent is not a disclosure of SDOH information, so not SDOHCC-Consent (whose
# category IDSCL says it is): it is on the base profile.
BASE_CONSENT_PROFILE = "http://hl7.org/fhir/StructureDefinition/Consent"

# The profiles a resource of each type may name; every resource names one (rules.py).
PROFILES_BY_TYPE: dict[str, tuple[str, ...]] = {
    "Patient": (PATIENT_PROFILE,),
    "Organization": (ORGANIZATION_PROFILE,),
    "Questionnaire": (QUESTIONNAIRE_PROFILE,),
    "QuestionnaireResponse": (QUESTIONNAIRE_RESPONSE_PROFILE,),
    "Observation": (OBSERVATION_PROFILE,),
    "Condition": (CONDITION_PROFILE,),
    "Consent": (CONSENT_PROFILE, BASE_CONSENT_PROFILE),
    "ServiceRequest": (SERVICE_REQUEST_PROFILE,),
    "Task": (TASK_PROFILE,),
}

# --- code systems ----------------------------------------------------------------------------
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
# LA answers whose option text is our own wording (a yes/no question on one PRAPARE 93031-3
# answer): the coding carries LOINC's display, as the IG's PRAPARE Questionnaire does; the
# participant's words stay in `text`.
LOINC_ANSWER_DISPLAY = {
    "LA30127-7": "Child care",
    "LA30128-5": "Medicine or Any Health Care (Medical, Dental, Mental Health, Vision)",
}
SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
DATA_ABSENT_REASON_EXT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
BCP47 = "urn:ietf:bcp:47"
UCUM = "http://unitsofmeasure.org"

ASKED_DECLINED = {
    "system": DATA_ABSENT_REASON,
    "code": "asked-declined",
    "display": "Asked But Declined",
}
SURVEY = {"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}
SDOH = {"system": US_CORE_CATEGORY, "code": "sdoh", "display": "SDOH"}
HEALTH_CONCERN = {
    "system": CONDITION_CATEGORY,
    "code": "health-concern",
    "display": "Health Concern",
}
ACTIVE = {"system": CONDITION_CLINICAL, "code": "active", "display": "Active"}
UNCONFIRMED = {"system": CONDITION_VERIFICATION, "code": "unconfirmed", "display": "Unconfirmed"}

# SDOHCC-CodeSystemTemporaryCodes: the SDOH categories (the IG's SDOHCC-ValueSetSDOHCategory).
SDOH_CATEGORIES = {
    "food-insecurity": "Food Insecurity",
    "housing-instability": "Housing Instability",
    "homelessness": "Homelessness",
    "inadequate-housing": "Inadequate Housing",
    "transportation-insecurity": "Transportation Insecurity",
    "financial-insecurity": "Financial Insecurity",
    "material-hardship": "Material Hardship",
    "educational-attainment": "Educational Attainment",
    "employment-status": "Employment Status",
    "intimate-partner-violence": "Intimate Partner Violence",
    "health-insurance-coverage-status": "Health Insurance Coverage Status",
    "utility-insecurity": "Utility Insecurity",
    "sdoh-category-unspecified": "SDOH Category Unspecified",
}


def sdoh_category(code: str) -> dict[str, str]:
    return {"system": SDOHCC_CODES, "code": code, "display": SDOH_CATEGORIES[code]}


# Our domains (api/screening/instrument.py DOMAINS) -> SDOH category of their observations.
# Mental health and substance use have no SDOH category: "unspecified", as the IG says for
# items outside its domains. Legal has none either.
CATEGORY_BY_DOMAIN = {
    "housing": "housing-instability",
    "food": "food-insecurity",
    "utilities": "utility-insecurity",
    "transportation": "transportation-insecurity",
    "safety": "intimate-partner-violence",  # HITS screens for intimate partner violence
    "employment": "employment-status",
    "education": "educational-attainment",
    "financial": "financial-insecurity",
    "childcare": "material-hardship",  # PRAPARE 93031-3, as in the IG's child care example
    "legal": "sdoh-category-unspecified",
    "health_care": "material-hardship",
    "mental_health": "sdoh-category-unspecified",
    "substance_use": "sdoh-category-unspecified",
}
# A question whose items are in another category than its domain's.
CATEGORY_BY_QUESTION = {
    "housing_problems": "inadequate-housing",
    "health_insurance": "health-insurance-coverage-status",
}
# An answer that puts its observation in another category (no steady place: homelessness).
CATEGORY_BY_ANSWER = {("living_situation", "not_steady"): "homelessness"}


def categories_for(question_id: str, domain: str, option_ids: list[str]) -> list[str]:
    codes = [CATEGORY_BY_QUESTION.get(question_id, CATEGORY_BY_DOMAIN[domain])]
    for option in option_ids:
        extra = CATEGORY_BY_ANSWER.get((question_id, option))
        if extra and extra not in codes:
            codes.append(extra)
    return codes


# --- the health concern a positive answer suggests (SDOHCC Condition.code) -------------------
@dataclass(frozen=True)
class Concern:
    category: str  # an SDOH category code
    codings: tuple[dict[str, str], ...]  # ICD-10-CM and/or SNOMED CT


def _icd(code: str, display: str) -> dict[str, str]:
    return {"system": ICD10CM, "code": code, "display": display}


def _sct(code: str, display: str) -> dict[str, str]:
    return {"system": SNOMED, "code": code, "display": display}


HOMELESS = Concern(
    "homelessness", (_sct("32911000", "Homeless"), _icd("Z59.00", "Homelessness, unspecified"))
)
HOUSING_INSTABILITY = Concern(
    "housing-instability",
    (_icd("Z59.811", "Housing instability, housed, with risk of homelessness"),),
)
INADEQUATE_HOUSING = Concern(
    "inadequate-housing",
    (
        _sct("105531004", "Housing unsatisfactory"),
        _icd("Z59.10", "Inadequate housing, unspecified"),
    ),
)
CONCERN_BY_DOMAIN = {
    "food": Concern(
        "food-insecurity", (_sct("733423003", "Food insecurity"), _icd("Z59.41", "Food insecurity"))
    ),
    "housing": HOUSING_INSTABILITY,
    "transportation": Concern(
        "transportation-insecurity", (_icd("Z59.82", "Transportation insecurity"),)
    ),
    "utilities": Concern("utility-insecurity", (_icd("Z59.12", "Inadequate housing utilities"),)),
    "safety": Concern(
        "intimate-partner-violence", (_sct("706893006", "Victim of intimate partner abuse"),)
    ),
    "financial": Concern("financial-insecurity", (_icd("Z59.86", "Financial insecurity"),)),
    "employment": Concern(
        "employment-status", (_icd("Z56.9", "Unspecified problems related to employment"),)
    ),
    "education": Concern(
        "educational-attainment",
        (_icd("Z55.9", "Problems related to education and literacy, unspecified"),),
    ),
    "childcare": Concern("material-hardship", (_icd("Z59.87", "Material hardship"),)),
    "legal": Concern(
        "sdoh-category-unspecified",
        (_icd("Z65.3", "Problems related to other legal circumstances"),),
    ),
    "health_care": Concern(
        "material-hardship",
        (_icd("Z75.3", "Unavailability and inaccessibility of health-care facilities"),),
    ),
}
# The most specific concern wins, in this order: an answer, then a question, then the domain.
CONCERN_BY_ANSWER = {("living_situation", "not_steady"): HOMELESS}
CONCERN_BY_QUESTION = {
    "housing_problems": INADEQUATE_HOUSING,
    "health_insurance": Concern(
        "health-insurance-coverage-status",
        (_icd("Z59.7", "Insufficient social insurance and welfare support"),),
    ),
}
# Positive PHQ-2 and substance-use screens are not SDOH health concerns: they stay as
# observations for the case manager's private follow-up, and no Condition is generated.
NO_CONDITION_DOMAINS = frozenset({"mental_health", "substance_use"})

# The derived result of a domain (e.g. Hunger Vital Sign risk 88124-3) when it is coded.
AT_RISK = {"system": LOINC, "code": "LA19952-3", "display": "At risk"}
NO_RISK = {"system": LOINC, "code": "LA19983-8", "display": "No risk"}

# Consent purposes (api/screening/consent.py): how each is coded.
CONSENT_CATEGORY = {
    "texting": {"system": LOINC, "code": "59284-0", "display": "Patient Consent"},
    "share_case_manager": {
        "system": V3_ACT_CODE,
        "code": "IDSCL",
        "display": "information disclosure",
    },
    "share_partner": {"system": V3_ACT_CODE, "code": "IDSCL", "display": "information disclosure"},
}
DISCLOSURE_PURPOSES = frozenset({"share_case_manager", "share_partner"})
PRIVACY_SCOPE = {"system": CONSENT_SCOPE, "code": "patient-privacy", "display": "Privacy Consent"}
OPT_IN = {"system": V3_ACT_CODE, "code": "OPTIN", "display": "opt-in"}

# --- referrals (SDOHCC ServiceRequest, SDOHCC Task for referral management) ------------------
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
TASK_FULFILL = {"system": TASK_CODE, "code": "fulfill", "display": "Fulfill the focal request"}
# SDOHCC-ValueSetReferralTaskStatus: every Task status but ready and received.
REFERRAL_TASK_STATUSES = frozenset({
    "draft", "requested", "accepted", "rejected", "cancelled", "in-progress", "on-hold",
    "failed", "completed", "entered-in-error",
})  # fmt: skip
# The IG's ServiceRequest examples: category "Social service procedure" plus the SDOH domain.
SOCIAL_SERVICE = {"system": SNOMED, "code": "410606002", "display": "Social service procedure"}
REFERRAL_TO_SERVICE = {"system": SNOMED, "code": "306206005", "display": "Referral to service"}
# The IG's food pantry example; other domains use the generic referral above.
REFERRAL_CODE_BY_DOMAIN = {
    "food": {
        "system": SNOMED,
        "code": "467771000124109",
        "display": "Assistance with application for food pantry program",
    },
}
# Our business statuses (api/booking/states.py) as codes: {PUBLIC_BASE_URL} + this path.
BUSINESS_STATUS_PATH = "/fhir/CodeSystem/referral-business-status"
