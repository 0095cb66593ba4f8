"""The handoff summary, version 2: what a case-management or health system takes in without
retyping. The JSON Schema (GET /api/v1/schemas/handoff-v2.json, the checked-in copy in
api/handoff/schemas/) is generated from these models; docs/HANDOFF.md describes them.

Additions keep version 2 (new optional fields); a removed or retyped field is version 3.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Final = "2"
SCHEMA_ID = "urn:firstcall:schemas:handoff-v2"


class _Model(BaseModel):
    # the schema describes what we send: every field is there, null when it has no value
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


class ContactChannel(_Model):
    """A way to reach the participant. `address` is masked (all but the last 4 digits) unless
    the participant's consent to share with the case manager is in force."""

    channel: Literal["sms", "web"]
    address: str | None = Field(description="E.164 phone for sms; None for web chat")
    masked: bool
    opted_out: bool = Field(description="the participant texted STOP: no SMS may be sent")


class ParticipantV2(_Model):
    id: str
    name: str | None = Field(description="only if given, and only with consent to share")
    contact: list[ContactChannel]
    preferred_language: str | None = Field(description="BCP 47, e.g. es")
    zip: str | None = Field(description="only with consent to share")
    time_zone: str | None = Field(description="IANA zone, e.g. America/Los_Angeles")


class ConsentDecision(_Model):
    granted: bool
    at: datetime
    channel: str
    language: str
    text_version: str = Field(description="the version of the question answered")


class ConsentV2(_Model):
    """One purpose (texting, share_case_manager, share_partner): the decision in force and
    every decision before it, oldest first."""

    purpose: str
    granted: bool
    at: datetime
    history: list[ConsentDecision]


class AnswerOption(_Model):
    option_id: str
    loinc: str | None = Field(description="the LOINC LA answer code, when LOINC has one")
    display: str


class AnswerV2(_Model):
    question_id: str
    module: str
    loinc: str | None = Field(description="the LOINC question code, when LOINC has one")
    declined: bool
    data_absent_reason: Literal["asked-declined"] | None = Field(
        description="asked-declined when the participant was asked and declined"
    )
    answers: list[AnswerOption]
    answered_at: datetime


class DomainResultV2(_Model):
    domain: str
    module: str
    status: str = Field(description="positive | negative | declined | incomplete")
    score: int | None
    loinc: str | None = Field(description="the LOINC code of a coded result (e.g. 88124-3)")
    urgent: bool
    answers: list[AnswerV2]


class InstrumentV2(_Model):
    id: str
    version: str | None
    digest: str | None
    loinc: str | None = Field(description="the LOINC panel, e.g. 96777-8")


class ScreeningV2(_Model):
    session_id: str
    language: str | None
    completed_at: datetime | None
    incomplete: bool = Field(description="handed over unfinished (the participant went quiet)")
    answered: int
    total: int | None
    instruments: list[InstrumentV2]


class UrgentFlag(_Model):
    reason: str
    at: datetime
    message_id: int | None = Field(description="the inbound message that raised it")


class ReferralChange(_Model):
    status: str
    business_status: str | None
    at: datetime
    by: str = Field(description="participant | partner | staff:<who> | system")
    reason: str | None


class ReferralV2(_Model):
    """A referral to a partner: its Gravity SDOHCC Task status and our business status."""

    id: str
    domain: str
    service_id: str
    service_name: str | None
    partner_name: str | None
    status: str = Field(description="SDOHCC Task status, e.g. requested | accepted")
    business_status: str | None = Field(description="booked | partner-notified | ...")
    appointment_id: str | None
    created_at: datetime
    status_changed_at: datetime
    fhir_task: str = Field(description="the Task's id in GET /api/v1/fhir/Task")
    history: list[ReferralChange]


class AppointmentV2(_Model):
    id: str
    domain: str
    service_id: str
    service_name: str | None
    location_id: str | None
    start: datetime
    end: datetime
    time_zone: str = Field(description="the location's IANA zone")
    status: str = Field(description="booked | cancelled | declined | attended | no-show")
    confirmed_at: datetime | None


class TimelineEvent(_Model):
    at: datetime
    source: Literal["handoff", "consent", "screening", "referral"]
    kind: str
    reason: str | None
    by: str | None


class TranscriptLink(_Model):
    url: str
    staff_only: Literal[True] = True


class HandoffEventV1(_Model):
    kind: str
    reason: str | None
    by: str | None
    at: datetime


class HandoffV2(_Model):
    """One handoff to a case manager. The fields of version 1.0 are kept with their
    meaning (`summary` is v1's free-form summary, deprecated: read the typed fields)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_serialization_defaults_required=True,
        json_schema_extra={
            "$id": SCHEMA_ID,
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        },
    )

    schema_version: Literal["2"] = SCHEMA_VERSION
    id: str
    org: str = Field(description="the slug of the organization that owns the handoff")
    participant_id: str
    conversation_id: str | None
    urgent: bool
    reasons: list[str]
    status: Literal["open", "acknowledged", "closed"]
    created_at: datetime
    updated_at: datetime
    last_event_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    events: list[HandoffEventV1]
    withheld: str | None = Field(
        description="why the answers are not here (consent to share not in force)"
    )
    participant: ParticipantV2
    consents: list[ConsentV2]
    screening: ScreeningV2 | None
    domains: list[DomainResultV2]
    urgent_flags: list[UrgentFlag]
    referrals: list[ReferralV2]
    appointments: list[AppointmentV2]
    timeline: list[TimelineEvent]
    transcript: TranscriptLink
    summary: dict[str, Any] = Field(
        description="deprecated: version 1.0's free-form summary, kept for 1.0 readers",
        json_schema_extra={"deprecated": True},
    )


class HandoffPage(_Model):
    """GET /api/v1/handoffs: one page, and the cursor of the next (None at the end)."""

    schema_version: Literal["2"] = SCHEMA_VERSION
    items: list[HandoffV2]
    next_cursor: str | None


def json_schema() -> dict[str, Any]:
    return HandoffV2.model_json_schema(mode="serialization")
